"""The case page's Art. 1F panel: who sees it, per-field errors in the reader's language, four eyes."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from safepassage.store.models import StaffSession
from safepassage.store.models_exclusion import ExclusionRecord, Referral
from safepassage.store.types import utcnow
from tests.conftest import Env
from tests.helpers import application
from tests.web import exclusion_setup
from tests.web.pages_util import browser, errors, login, token

FULL: dict[str, str | list[str]] = {
    "category": "1F(a)",
    "acts": "Расстрел у моста <b>жирно</b> \u202eїжак",
    "act_time": "2022-03",
    "act_place": "Буча",
    "act_unit": "",
    "legal_characterisation": "Rome Statute art. 8(2)(a)(i)",
    "basis_sources": ["self_disclosure", "testimony"],
    "mode_of_liability": "ordering",
    "mental_element": "Знал и хотел",
    "duress_applies": "no",
    "duress_finding": "Угрозы не было",
    "superior_orders_applies": "no",
    "superior_orders_finding": "Приказ явно незаконен",
    "other_defences": "",
    "proportionality": "",
    "standard_of_proof": "Ясные и достоверные показания",
    "evidence": "statement narrative Заявление, абзац 2\ntestimony w-17",
}


def _case(client: TestClient) -> str:
    case_id: str = client.post("/api/applications", json=application()).json()["case_id"]
    return case_id


def test_analyst_writes_a_record_errors_are_per_field_and_in_russian(client: TestClient, env: Env) -> None:
    cid = _case(client)
    c = login(browser(client), "screening-analyst")
    page = c.get(f"/ru/console/cases/{cid}").text
    assert 'id="exclusion"' in page and "Исключение (Конвенция о статусе беженцев, ст. 1F)" in page
    partial = {"csrf": token(page), "category": "1F(b)", "acts": FULL["acts"], "action": "submit"}
    shown = c.post(f"/ru/console/cases/{cid}/exclusion", data=partial)
    assert shown.status_code == 200
    errs = errors(shown.text)
    assert {"act_time", "act_place", "mental_element", "duress_finding", "proportionality", "evidence"} <= set(errs)
    assert all(any("\u0400" <= ch <= "\u04ff" for ch in msg) for msg in errs.values()), errs  # Cyrillic messages
    assert html.escape(str(FULL["acts"]), quote=False) in shown.text  # what was typed is kept, escaped
    with env.db.uow() as uow:
        assert uow.count(ExclusionRecord) == 0
    done = c.post(f"/ru/console/cases/{cid}/exclusion", data={"csrf": token(page), **FULL, "action": "submit"},
                  follow_redirects=False)
    assert done.status_code == 303, errors(done.text)
    after = c.get(f"/ru/console/cases/{cid}").text
    assert "<b>жирно</b>" not in after and "&lt;b&gt;жирно&lt;/b&gt;" in after
    assert "U+202E" in after  # a bidi override is shown, not obeyed
    with env.db.uow() as uow:
        rows = uow.session.query(ExclusionRecord).all()
        assert [(r.status, r.category) for r in rows] == [("submitted", "1F(a)")]


def test_adjudicator_approves_on_the_page_but_never_their_own(client: TestClient, env: Env) -> None:
    cid = _case(client)
    view = exclusion_setup.submitted_record(env, cid)
    adj = login(browser(client), "adjudicator")
    page = adj.get(f"/en/console/cases/{cid}").text
    assert "Review this record" in page
    r = adj.post(f"/en/console/cases/{cid}/exclusion/review",
                 data={"csrf": token(page), "id": view.id, "version": view.version, "decision": "approve"},
                 follow_redirects=False)
    assert r.status_code == 303
    page = adj.get(f"/en/console/cases/{cid}").text
    assert "Ask for a referral for prosecution" in page
    asked = adj.post(f"/en/console/cases/{cid}/referrals",
                     data={"csrf": token(page), "authority": "", "grounds": "x"})
    assert "authority" in errors(asked.text)
    asked = adj.post(f"/en/console/cases/{cid}/referrals",
                     data={"csrf": token(page), "authority": "ICC OTP", "grounds": ""}, follow_redirects=False)
    assert asked.status_code == 303
    page = adj.get(f"/en/console/cases/{cid}").text
    assert "Review this referral" not in page and "Waiting for a second officer" in page
    with env.db.uow() as uow:
        ref_id, ref_version = uow.session.query(Referral.id, Referral.version).one()
    own = adj.post(f"/en/console/cases/{cid}/referrals/review",
                   data={"csrf": token(page), "id": ref_id, "version": ref_version, "decision": "approve"})
    assert "Four eyes" in own.text
    with env.db.uow() as uow:
        assert uow.session.query(Referral).one().status == "requested"


def test_own_record_offers_no_review_form(client: TestClient, env: Env) -> None:
    cid = _case(client)
    adj = login(browser(client), "adjudicator")
    page = adj.get(f"/uk/console/cases/{cid}").text
    adj.post(f"/uk/console/cases/{cid}/exclusion", data={"csrf": token(page), **FULL, "action": "submit"})
    page = adj.get(f"/uk/console/cases/{cid}").text
    assert 'action="/uk/console/cases/' + cid + '/exclusion/review"' not in page


@pytest.mark.parametrize("username", ["caseworker", "supervisor", "intake-operator"])
def test_roles_without_exclusion_access_see_no_panel(client: TestClient, env: Env, username: str) -> None:
    cid = _case(client)
    exclusion_setup.submitted_record(env, cid)
    page = login(browser(client), username).get(f"/ru/console/cases/{cid}").text
    assert 'id="exclusion"' not in page and "Rome Statute" not in page


def test_a_stale_session_is_asked_to_step_up_not_logged_out(client: TestClient, env: Env) -> None:
    cid = _case(client)
    view = exclusion_setup.submitted_record(env, cid)
    adj = login(browser(client), "adjudicator")
    page = adj.get(f"/ru/console/cases/{cid}").text
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(reauth_at=utcnow() - timedelta(hours=1)))
        uow.commit()
    r = adj.post(f"/ru/console/cases/{cid}/exclusion/review",
                 data={"csrf": token(page), "id": view.id, "version": view.version, "decision": "approve"},
                 follow_redirects=False)
    assert r.status_code == 200 and "Сначала подтвердите, что это вы" in r.text
    assert 'id="exclusion"' not in r.text and "Rome Statute" not in r.text  # the panel waits for step-up
    assert 'action="/ru/console/step-up"' in r.text
    with env.db.uow() as uow:
        assert uow.session.get(ExclusionRecord, view.id).status == "submitted"  # type: ignore[union-attr]
