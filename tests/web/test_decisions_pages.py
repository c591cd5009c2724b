"""The decision panel on the case page and the decision section of the status page, without a browser:
facts and trace, the decision form (translated errors, input kept, hostile reasons literal), letters,
appeals from the status page, deadlines in the queue."""

from __future__ import annotations

import html
import io
import re

import pypdf
import pytest
from fastapi.testclient import TestClient

from safepassage.security.policy import Role
from tests.conftest import Env
from tests.decisions_util import HOSTILE_REASON, new_case, refused_case, to_decision
from tests.web.pages_util import browser, errors, login, summary, token

pytestmark = pytest.mark.db


def _textarea(page: str, name: str) -> str:
    m = re.search(rf'<textarea id="f-{name}" name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(m.group(1)) if m else ""


def _pdf_text(content: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages).replace("\n", " ")


def test_caseworker_records_facts_and_sees_the_trace(client: TestClient, env: Env) -> None:
    cid = new_case(client)["case_id"]
    cw = login(browser(client), "caseworker", "en")
    page = cw.get(f"/en/console/cases/{cid}").text
    assert "Eligibility and decision" in page and 'name="fact" value="summons_received"' in page
    r = cw.post(f"/en/console/cases/{cid}/facts", data={"csrf": token(page), "fact": ["summons_received", "at_front"]})
    assert r.status_code == 200 and "Saved." in r.text
    assert 'data-priority="P1"' in r.text and "<code>evader-summoned</code>" in r.text and "soldier-at-risk" in r.text
    assert 'value="at_front" checked' in r.text
    bad = cw.post(f"/en/console/cases/{cid}/facts", data={"csrf": token(page), "fact": ["<script>"]})
    assert errors(bad.text) == {"facts": "Choose facts from the list."} and "<code>evader-summoned</code>" in bad.text
    forged = cw.post(f"/en/console/cases/{cid}/facts", data={"csrf": "forged", "fact": ["in_custody"]})
    assert "expired" in " ".join(summary(forged.text)) and 'value="in_custody" checked' in forged.text  # kept
    saved = client.get(f"/api/cases/{cid}/facts", headers=env.headers(Role.CASEWORKER)).json()["facts"]
    assert saved == ["summons_received", "at_front"]  # ...but nothing was saved


@pytest.mark.parametrize(
    ("lang", "needed"),
    [
        ("en", "Write the reasons for the decision."),
        ("ru", "Напишите обоснование решения."),
        ("uk", "Напишіть обґрунтування рішення."),
        ("be", "Напішыце абгрунтаванне рашэння."),
    ],
)
def test_the_decision_form_explains_what_is_missing_in_the_readers_language(
    client: TestClient, env: Env, lang: str, needed: str
) -> None:
    cid = new_case(client)["case_id"]
    version = to_decision(env, cid, facts=["summons_received"])
    adj = login(browser(client), "adjudicator", lang)
    page = adj.get(f"/{lang}/console/cases/{cid}").text
    assert 'id="decision-form"' in page and "/transitions" in page
    assert 'name="to" value="granted"' not in page and 'name="to" value="refused"' not in page
    typed = {
        "csrf": token(page),
        "version": str(version),
        "outcome": "refuse",
        "destination": "eu",
        "r_credibility": "Ґрунтовно {{ 7*7 }}",
        "summary": "",
    }
    r = adj.post(f"/{lang}/console/cases/{cid}/decisions", data=typed)
    assert errors(r.text)["summary"] == needed
    assert "t_credibility" in errors(r.text)  # a refusal names a failed test
    assert _textarea(r.text, "r_credibility") == "Ґрунтовно {{ 7*7 }}"
    assert 'data-stage="decision_pending"' in r.text


def test_adjudicator_decides_with_hostile_reasons_shown_literally_and_downloads_the_letter(
    client: TestClient, env: Env
) -> None:
    cid = new_case(client)["case_id"]
    version = to_decision(env, cid, facts=[])
    adj = login(browser(client), "adjudicator", "en")
    page = adj.get(f"/en/console/cases/{cid}").text
    r = adj.post(
        f"/en/console/cases/{cid}/decisions",
        data={
            "csrf": token(page),
            "version": str(version),
            "outcome": "refuse",
            "destination": "eu",
            "t_credibility": "not_met",
            "r_credibility": "<b>contradictions</b>",
            "t_nexus": "met",
            "summary": HOSTILE_REASON,
        },
    )
    assert r.status_code == 200 and 'data-stage="refused"' in r.text, summary(r.text)
    assert "{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert" not in r.text
    assert "&lt;b&gt;contradictions&lt;/b&gt;" in r.text and "U+200B" in r.text  # zero-width shown to staff
    assert "Appeal deadline" in r.text and "30 days left" in r.text
    link = re.search(r'href="(/en/console/cases/[^"]+/letter\?decision=[^"&]+&amp;lang=uk)"', r.text)
    assert link
    pdf = adj.get(html.unescape(link.group(1)))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "Рішення щодо вашої заяви про захист" in text and "{{ 7*7 }} <script>alert(1)</script>" in text
    again = adj.post(
        f"/en/console/cases/{cid}/decisions",
        data={
            "csrf": token(page),
            "version": str(version),
            "outcome": "refuse",
            "destination": "eu",
            "t_credibility": "not_met",
            "r_credibility": "x",
            "summary": "again",
        },
    )
    assert again.status_code == 409 and 'data-stage="refused"' in again.text
    queue = adj.get("/en/console/cases?stage=refused").text
    assert "Appeal deadline" in queue and "30 days left" in queue


def test_applicant_sees_the_outcome_downloads_the_letter_and_appeals(client: TestClient, env: Env) -> None:
    rec = refused_case(client, env)
    c = browser(client)
    page = c.get("/uk/status").text
    creds = {"csrf": token(page), "receipt": rec["receipt"], "passphrase": rec["passphrase"]}
    st = c.post("/uk/status", data=creds).text
    assert 'data-outcome="refuse"' in st and "Відмовлено" in st and "Оскаржити до" in st and "залишилося 30 днів" in st
    assert rec["passphrase"] not in re.sub(r'name="passphrase" value="[^"]*"', "", st)  # only in hidden fields
    letter = c.post("/uk/letter", data={**creds, "format": "pdf", "lang": "en"})
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    assert "Decision on your application for protection" in _pdf_text(letter.content)
    assert (
        rec["receipt"] in letter.headers["content-disposition"]
        and "Петров" not in letter.headers["content-disposition"]
    )
    web = c.post("/uk/letter", data={**creds, "format": "html"})
    assert '<html lang="ru">' in web.text or '<html lang="uk">' in web.text
    wrong = c.post("/uk/letter", data={**creds, "passphrase": "wrong-wrong-wrong-wrong"})
    assert wrong.headers["content-type"].startswith("text/html") and summary(wrong.text)
    unconfirmed = c.post("/uk/appeal", data={**creds, "grounds": "Мене не вислухали <i>"})
    assert errors(unconfirmed.text) == {"confirm": "Позначте поле, щоб підтвердити, що ви хочете оскаржити рішення."}
    assert _textarea(unconfirmed.text, "grounds") == "Мене не вислухали <i>"
    done = c.post("/uk/appeal", data={**creds, "grounds": "Мене не вислухали <i>", "confirm": "yes"})
    assert "Вашу апеляцію подано" in done.text and 'data-stage="appeal"' in done.text
    assert 'id="appeal-form"' not in done.text and "інший працівник" in done.text


def test_an_appeal_after_the_deadline_is_refused_on_the_status_page(client: TestClient, env: Env) -> None:
    from datetime import UTC, datetime, timedelta

    rec = refused_case(client, env, now=datetime.now(UTC) - timedelta(days=40))
    c = browser(client)
    page = c.get("/en/status").text
    creds = {"csrf": token(page), "receipt": rec["receipt"], "passphrase": rec["passphrase"]}
    st = c.post("/en/status", data=creds).text
    assert "the appeal period has ended" in st and 'id="appeal-form"' not in st
    r = c.post("/en/appeal", data={**creds, "confirm": "yes"})
    assert r.status_code == 409 and "The appeal period has ended" in " ".join(summary(r.text))
    assert 'data-stage="refused"' in r.text
