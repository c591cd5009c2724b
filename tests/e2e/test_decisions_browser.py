"""Deciding in real headless Chromium: an adjudicator refuses with reasons, the applicant sees the outcome,
downloads the letter and appeals from the status page, the same adjudicator is refused the appeal and a
different one decides it. Screenshots of each step under test-output/screenshots/."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pypdf
import pytest

from safepassage.store.models import User
from tests.conftest import _PW_HASH, Env
from tests.decisions_util import to_decision
from tests.e2e import steps
from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.db]
REASON = "Рассказ о повестке противоречит датам. {{ 7*7 }} <script>alert(1)</script>"


def _second_adjudicator(env: Env) -> str:
    name = f"adj-{uuid.uuid4().hex[:8]}"
    with env.db.uow() as uow:
        uow.session.add(User(id=str(uuid.uuid4()), username=name, role="adjudicator", password_hash=_PW_HASH))
        uow.commit()
    return name


def _case_id(env: Env, receipt: str) -> str:
    with env.db.uow() as uow:
        case = uow.get_case_by_receipt(receipt)
        assert case is not None
        return case.id


def test_decide_appeal_and_redecide_by_another_adjudicator(new_page: Any, env: Env) -> None:
    applicant, _ = new_page(js=False)
    receipt, passphrase = steps.apply(applicant, "ru", ("mobilization_evader",))
    cid = _case_id(env, receipt)
    to_decision(env, cid, facts=["summons_received"])

    adj, _ = new_page(phone=False)
    steps.login(adj, "adjudicator", "en")
    adj.goto(f"/en/console/cases/{cid}")
    assert "evader-summoned" in (adj.text_content("ol.trace") or "")
    adj.select_option("#f-outcome", "refuse")
    adj.select_option("#f-destination", "eu")
    adj.select_option("#f-t_credibility", "not_met")
    adj.fill("#f-r_credibility", "Даты не сходятся; ґ є і ї ё")
    adj.fill("#f-summary", REASON)
    shot(adj, "decision-form-en")
    adj.click("#decision-form button[type=submit]")
    assert adj.get_attribute("#stage", "data-stage") == "refused"
    assert REASON in (adj.text_content("article.decision") or "")
    shot(adj, "decision-refused-en")
    with adj.expect_download() as dl:
        adj.click("article.decision p.letters a >> nth=0")  # the Russian PDF
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(open(dl.value.path(), "rb").read())).pages)
    assert "Решение по вашему заявлению о защите" in text and "{{ 7*7 }} <script>alert(1)</script>" in text

    assert steps.status(applicant, "ru", receipt, passphrase) == "refused"
    assert applicant.get_attribute("#decision", "data-outcome") == "refuse"
    assert "30" in (applicant.text_content("#appeal-deadline") or "")
    shot(applicant, "status-refused-ru")
    applicant.click("#letter-form button[value=html]")  # the letter as a web page, in the browser
    assert applicant.text_content("h1") == "Решение по вашему заявлению о защите"
    assert "{{ 7*7 }} <script>alert(1)</script>" in (applicant.text_content("main") or "")
    shot(applicant, "letter-html-ru")
    steps.status(applicant, "ru", receipt, passphrase)
    applicant.fill("#f-grounds", "Меня не выслушали. {{ 7*7 }}")
    applicant.check("#f-confirm")
    applicant.click("#appeal-form button[type=submit]")
    assert applicant.get_attribute("#stage", "data-stage") == "appeal"
    assert "Ваша апелляция подана" in (applicant.text_content("#message") or "")
    shot(applicant, "status-appeal-lodged-ru")

    adj.goto(f"/en/console/cases/{cid}")
    assert "Меня не выслушали. {{ 7*7 }}" in (adj.text_content("article.decision p.appeal") or "")
    adj.select_option("#f-outcome", "refuse")
    adj.select_option("#f-t_credibility", "not_met")
    adj.fill("#f-r_credibility", "Still")
    adj.fill("#f-summary", "Same again")
    adj.click("#decision-form button[type=submit]")
    assert "different adjudicator" in (adj.text_content(".error-summary") or "")
    assert adj.get_attribute("#stage", "data-stage") == "appeal"
    assert adj.input_value("#f-summary") == "Same again"  # what was typed is kept

    other, _ = new_page(phone=False)
    steps.login(other, _second_adjudicator(env), "en")
    other.goto(f"/en/console/cases/{cid}")
    other.select_option("#f-outcome", "grant")
    other.select_option("#f-legal_basis", "eu_qd_9_2_e")
    for test in ("credibility", "well_founded_fear", "nexus", "no_protection", "not_excluded"):
        other.select_option(f"#f-t_{test}", "met")
    other.fill("#f-summary", "На апелляции: повестка подтверждена, риск преследования реален.")
    other.click("#decision-form button[type=submit]")
    assert other.get_attribute("#stage", "data-stage") == "granted"
    shot(other, "decision-appeal-granted-en")

    assert steps.status(applicant, "uk", receipt, passphrase) == "granted"
    assert "рішення за апеляцією" in (applicant.text_content("#outcome") or "")
    shot(applicant, "status-granted-on-appeal-uk")
