"""Statistics over HTTP: the dashboard in every language, the public page and API (aggregates only, frozen,
small cells withheld), arrivals from the case page, hostile input — on both databases.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from safepassage.domain.pathways import Pathway
from safepassage.i18n import LANGUAGES
from safepassage.security.policy import Role
from safepassage.services import statistics
from safepassage.store.models import Case, StageEvent
from safepassage.store.models_stats import PublicReleaseRow
from safepassage.store.types import utcnow
from tests.conftest import Env
from tests.stats_util import apply_, build, granted_case
from tests.web.pages_util import browser, login

pytestmark = pytest.mark.db


def _assert_safe_svg(html: str) -> None:
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert svgs, "no chart on the page"
    for svg in svgs:
        assert "<script" not in svg.lower() and "<style" not in svg.lower() and "<link" not in svg.lower()
        assert not re.search(r"""(?:href|src)=["']?https?:""", svg), "a chart links to another site"
        assert " style=" not in svg  # inline styles are refused by the CSP


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dashboard_renders_in_every_language(client: TestClient, env: Env, lang: str) -> None:
    build(env)
    r = client.get(f"/{lang}/console/stats", headers={**env.headers(Role.SUPERVISOR), "accept": "text/html"})
    assert r.status_code == 200, r.text[:300]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert 'href="/stats/charts.css"' in r.text
    _assert_safe_svg(r.text)
    assert f'lang="{lang}"' in r.text
    if lang != "en":
        assert "Removed from the war" not in r.text  # translated, not English
    by_dest = re.search(r'<table id="by-destination">.*?</table>', r.text, re.S)
    assert by_dest is not None
    assert by_dest[0].count("<th scope=\"col\">") == 3  # step, then the policy's two destinations
    assert ("EU member state" in by_dest[0]) == (lang == "en")  # the default policy's names are translated
    cells = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', by_dest[0])]
    # decided, granted, refused, excluded, appeal granted, appeal upheld, arrived × (EU, other), in people
    assert cells == [5, 0, 5, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0]


def test_dashboard_bad_period_says_so_and_computes_nothing(client: TestClient, env: Env) -> None:
    h = {**env.headers(Role.AUDITOR), "accept": "text/html"}
    for query in ("from=2026-02-30&to=2026-03-01", "from=2026-05-01&to=2026-01-01", "from=<script>&to=x"):
        r = client.get(f"/en/console/stats?{query}", headers=h)
        assert r.status_code == 422 and "YYYY-MM-DD" in r.text and "<svg" not in r.text
        assert "<script>&" not in r.text


def test_dashboard_is_refused_to_roles_without_the_grant(client: TestClient, env: Env) -> None:
    for role in (Role.CASEWORKER, Role.ADMIN, Role.INTAKE_OPERATOR):
        assert client.get("/en/console/stats", headers={**env.headers(role), "accept": "text/html"}).status_code == 403
    assert client.get("/api/stats", headers=env.headers(Role.SCREENING_ANALYST)).status_code == 403
    assert client.get("/api/stats").status_code == 401


def test_api_report_counts_people_and_rejects_bad_dates(client: TestClient, env: Env) -> None:
    build(env)
    today = utcnow().date()
    r = client.get(f"/api/stats?from={today - timedelta(days=3)}&to={today}", headers=env.headers(Role.SUPERVISOR))
    assert r.status_code == 200
    assert r.json()["funnel"]["applications"]["all"] == 10
    for bad in ("from=2026-01-40", "from=2026-05-01&to=2026-01-01", "to=31.12.2026"):
        r = client.get(f"/api/stats?{bad}", headers=env.headers(Role.SUPERVISOR))
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"


def _backdate(env: Env, days: int) -> None:
    """Move every case and event `days` into the past (a closed quarter with data)."""
    shift = timedelta(days=days)
    with env.db.uow() as uow:
        for ev in uow.session.query(StageEvent).all():
            ev.at = ev.at - shift
        for case in uow.session.query(Case).all():
            case.created_at, case.updated_at = case.created_at - shift, case.updated_at - shift
            case.stage_changed_at = case.stage_changed_at - shift
        uow.commit()


def test_public_figures_are_frozen_and_withhold_small_cells(client: TestClient, env: Env) -> None:
    for _ in range(12):  # twelve deserters: a publishable cell
        apply_(env, {Pathway.DESERTER})
    build(env)  # plus small groups: cells under ten
    _backdate(env, 120)
    quarter = statistics.quarter_of(utcnow().date() - timedelta(days=120))
    if statistics.quarter_period(quarter).end.date() + statistics.PUBLIC_LAG > utcnow().date():
        _backdate(env, 100)
        quarter = statistics.quarter_of(utcnow().date() - timedelta(days=220))
    r = client.get(f"/api/stats/public?quarter={quarter}")
    assert r.status_code == 200, r.text
    release = r.json()["releases"][0]
    apps = release["rows"]["applications"]
    assert apps["soldiers"] is not None and apps["soldiers"] >= 10
    published = [v for row in release["rows"].values() for v in row.values() if v is not None]
    assert all(v == 0 or v >= 10 for v in published)
    assert release["rows"]["applications"]["mobilisation"] is None  # 3 people
    # a new application in that quarter changes nothing: the release is frozen (no live oracle)
    apply_(env, {Pathway.DESERTER})
    _backdate(env, 120)
    assert client.get(f"/api/stats/public?quarter={quarter}").json()["releases"][0] == release
    with env.db.uow(readonly=True) as uow:
        assert uow.session.query(PublicReleaseRow).count() == 1
    page = client.get(f"/uk/stats?quarter={quarter}", headers={"accept": "text/html"})
    assert page.status_code == 200 and quarter in page.text
    _assert_safe_svg(page.text)
    assert client.get("/api/stats/public").status_code == 200  # the index of closed quarters


NEXT_YEAR = f"{date.today().year + 1}-Q1"


@pytest.mark.parametrize("quarter", ["2026-Q5", "Q1-2026", "<script>", "2026-q1' OR 1=1", NEXT_YEAR])
def test_public_rejects_bad_or_open_quarters(client: TestClient, env: Env, quarter: str) -> None:
    r = client.get("/api/stats/public", params={"quarter": quarter})
    assert r.status_code in (404, 422)
    with env.db.uow(readonly=True) as uow:
        assert uow.session.query(PublicReleaseRow).count() == 0


def test_charts_stylesheet_is_scoped(client: TestClient) -> None:
    r = client.get("/stats/charts.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    rules = [line for line in r.text.splitlines() if line.strip()]
    assert rules and all(line.startswith("svg.pygal-chart") for line in rules)


def test_arrival_from_the_case_page(client: TestClient, env: Env) -> None:
    case_id = granted_case(env)
    c = login(browser(client), "supervisor")
    page = c.get(f"/en/console/cases/{case_id}").text
    assert 'action="/en/console/cases/' + case_id + '/arrival"' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    bad = c.post(f"/en/console/cases/{case_id}/arrival", data={"csrf": csrf.group(1), "arrived_on": "31.12.2026"})
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.text and 'value="31.12.2026"' in bad.text
    future = (utcnow().date() + timedelta(days=3)).isoformat()
    bad = c.post(f"/en/console/cases/{case_id}/arrival", data={"csrf": csrf.group(1), "arrived_on": future})
    assert "future" in bad.text
    forged = c.post(f"/en/console/cases/{case_id}/arrival", data={"arrived_on": utcnow().date().isoformat()})
    assert forged.status_code == 200
    with env.db.uow(readonly=True) as uow:
        assert statistics.arrival_of(uow, case_id) is None
    ok = c.post(f"/en/console/cases/{case_id}/arrival",
                data={"csrf": csrf.group(1), "arrived_on": utcnow().date().isoformat()}, follow_redirects=False)
    assert ok.status_code == 303
    with env.db.uow(readonly=True) as uow:
        assert statistics.arrival_of(uow, case_id) == utcnow().date()
    assert "Arrived on" in c.get(f"/en/console/cases/{case_id}").text


def test_api_arrival_needs_a_granted_case(client: TestClient, env: Env) -> None:
    open_case = apply_(env, {Pathway.DISSIDENT})
    r = client.post(f"/api/cases/{open_case}/arrival", json={"arrived_on": None}, headers=env.headers(Role.SUPERVISOR))
    assert r.status_code == 422
    r = client.post(f"/api/cases/{open_case}/arrival", json={"arrived_on": "not a date"},
                    headers=env.headers(Role.SUPERVISOR))
    assert r.status_code == 422
