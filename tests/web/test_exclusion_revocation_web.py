"""Revoking an exclusion record through the API and the case page, as the officers meet it: four eyes,
clear refusals in their language that change nothing, and the referral warning on the page."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from safepassage.domain.decision import Outcome
from safepassage.security.policy import Role
from safepassage.services import referral
from safepassage.store.models_exclusion import ExclusionRecord, ExclusionRevocation
from tests.conftest import Env
from tests.decisions_util import decide, to_decision
from tests.helpers import application
from tests.integration.test_exclusion import second
from tests.web import exclusion_setup
from tests.web.pages_util import browser, errors, login, token

ADJ = Role.ADJUDICATOR
REASON = "Новые доказательства: свидетель ошибся; ґ є і ї ё"


def _case(client: TestClient) -> str:
    case_id: str = client.post("/api/applications", json=application()).json()["case_id"]
    return case_id


def _rows(env: Env, case_id: str) -> tuple[list[str], list[str]]:
    with env.db.uow() as uow:
        records = list(uow.session.scalars(select(ExclusionRecord.status).where(ExclusionRecord.case_id == case_id)))
        revs = list(uow.session.scalars(select(ExclusionRevocation.status)
                                        .where(ExclusionRevocation.case_id == case_id)))
    return records, revs


def _cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def test_ask_and_review_through_the_api(client: TestClient, env: Env) -> None:
    cid = _case(client)
    record = exclusion_setup.approved_record(env, cid)
    base = f"/api/cases/{cid}"
    body: dict[str, Any] = {"record_id": record.id, "version": record.version, "reason": REASON}
    empty = client.post(f"{base}/exclusion-revocations", json={**body, "reason": "  "}, headers=env.headers(ADJ))
    assert empty.status_code == 422 and "reason:" in empty.json()["error"]["message"]
    analyst = client.post(f"{base}/exclusion-revocations", json=body, headers=env.headers(Role.SCREENING_ANALYST))
    assert analyst.status_code == 403
    assert _rows(env, cid) == (["approved"], [])
    asked = client.post(f"{base}/exclusion-revocations", json=body, headers=env.headers(ADJ))
    assert asked.status_code == 201, asked.text
    rev = asked.json()
    assert rev["status"] == "requested" and rev["reason"] == REASON and rev["warning"] == ""
    own = client.post(f"{base}/exclusion-revocation-reviews", json={"id": rev["id"], "version": rev["version"],
                                                                    "approve": True}, headers=env.headers(ADJ))
    assert own.status_code == 403 and "Four eyes" in own.json()["error"]["message"]
    assert _rows(env, cid) == (["approved"], ["requested"])
    listed = client.get(f"{base}/exclusion-revocations", headers=env.headers(Role.SCREENING_ANALYST))
    assert listed.status_code == 200 and [x["reason"] for x in listed.json()] == [REASON]
    assert client.get(f"{base}/exclusion-revocations", headers=env.headers(Role.CASEWORKER)).status_code == 403


def test_the_api_refuses_while_a_standing_exclusion_decision_cites_the_record(client: TestClient, env: Env) -> None:
    cid = _case(client)
    to_decision(env, cid)
    record = exclusion_setup.approved_record(env, cid)
    decide(env, env.actor(ADJ), cid, Outcome.EXCLUDE, findings={})
    r = client.post(f"/api/cases/{cid}/exclusion-revocations",
                    json={"record_id": record.id, "version": record.version, "reason": REASON},
                    headers=env.headers(ADJ))
    assert r.status_code == 409 and r.json()["error"]["code"] == "decision_stands"
    assert "set aside on appeal" in r.json()["error"]["message"]
    assert REASON not in r.text
    assert _rows(env, cid) == (["approved"], [])


def test_revocation_on_the_page_in_ukrainian_with_the_referral_warning(client: TestClient, env: Env) -> None:
    cid = _case(client)
    record = exclusion_setup.approved_record(env, cid)
    ref = referral.request_referral(env.db.uow(), actor=second(env, ADJ), case_id=cid, authority="ICC OTP")
    referral.review_referral(env.db.uow(), actor=env.actor(ADJ), case_id=cid, referral_id=ref.id, approve=True,
                             expected_version=ref.version)
    adj = login(browser(client), "adjudicator", lang="uk")
    page = adj.get(f"/uk/console/cases/{cid}").text
    assert "Запитати відкликання цього запису" in page
    blank = adj.post(f"/uk/console/cases/{cid}/exclusion/revocations",
                     data={"csrf": token(page), "record_id": record.id, "version": record.version,
                           "revocation_reason": " "})
    msg = errors(blank.text).get("revocation_reason", "")
    assert msg and _cyrillic(msg), errors(blank.text)
    assert _rows(env, cid) == (["approved"], [])
    done = adj.post(f"/uk/console/cases/{cid}/exclusion/revocations",
                    data={"csrf": token(page), "record_id": record.id, "version": record.version,
                          "revocation_reason": REASON}, follow_redirects=False)
    assert done.status_code == 303, errors(done.text)
    page = adj.get(f"/uk/console/cases/{cid}").text
    assert "Очікує, доки другий працівник затвердить відкликання" in page
    assert f'action="/uk/console/cases/{cid}/exclusion/revocations/review"' not in page  # never one's own
    assert "якщо відкликання затвердять" in page  # the approved referral is named before anyone approves
    with env.db.uow() as uow:
        rev_id, rev_version = uow.session.execute(select(ExclusionRevocation.id, ExclusionRevocation.version)).one()
    forged_own = adj.post(f"/uk/console/cases/{cid}/exclusion/revocations/review",
                          data={"csrf": token(page), "id": rev_id, "version": rev_version, "decision": "approve"})
    shown = errors(forged_own.text).get("revocation_review_reasons", "")
    assert shown and _cyrillic(shown)
    assert _rows(env, cid) == (["approved"], ["requested"])
    # a second adjudicator approves on the page
    second(env, ADJ, name="adj-two")
    other = login(browser(TestClient(client.app)), "adj-two", lang="uk")
    page2 = other.get(f"/uk/console/cases/{cid}").text
    assert "Розгляньте запит на відкликання запису" in page2
    ok = other.post(f"/uk/console/cases/{cid}/exclusion/revocations/review",
                    data={"csrf": token(page2), "id": rev_id, "version": rev_version, "decision": "approve",
                          "revocation_review_reasons": "Згоден"}, follow_redirects=False)
    assert ok.status_code == 303, errors(ok.text)
    assert _rows(env, cid) == (["revoked"], ["approved"])
    after = other.get(f"/uk/console/cases/{cid}").text
    assert "органу, який його отримав, необхідно повідомити, що запис відкликано" in after
    assert 'data-status="revoked"' in after and "Відкликано:" in after
    # a new record may be written about the person now
    analyst = login(browser(TestClient(client.app)), "screening-analyst", lang="uk")
    assert 'action="/uk/console/cases/' + cid + '/exclusion"' in analyst.get(f"/uk/console/cases/{cid}").text


def test_the_page_says_in_russian_that_a_standing_decision_must_be_set_aside(client: TestClient, env: Env) -> None:
    cid = _case(client)
    to_decision(env, cid)
    record = exclusion_setup.approved_record(env, cid)
    adj = login(browser(client), "adjudicator")
    page = adj.get(f"/ru/console/cases/{cid}").text  # before the decision: the form is offered
    decide(env, second(env, ADJ), cid, Outcome.EXCLUDE, findings={})
    r = adj.post(f"/ru/console/cases/{cid}/exclusion/revocations",
                 data={"csrf": token(page), "record_id": record.id, "version": record.version,
                       "revocation_reason": REASON})
    assert r.status_code == 409
    assert "отменено по апелляции" in errors(r.text)["revocation_reason"]
    assert _rows(env, cid) == (["approved"], [])
