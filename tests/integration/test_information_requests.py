"""Requests for information through the API, on both databases: staff ask, the applicant answers, staff read it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from safepassage.security.policy import Role
from safepassage.services import casework
from safepassage.store.models import AuditEntry
from safepassage.store.models_documents import InformationRequestRow
from tests.conftest import Env
from tests.helpers import application

QUESTION = "Пришлите фото повестки. Ґ є і ї ё — {{ 7*7 }} <script>alert(1)</script> Д\u200bми\u202eтрий"
ANSWER = "Повестку получил 12.03.2024 в Їжевську. <b>жирный</b> {% raw %} Sеrgеy"


def new_case(client: TestClient) -> dict[str, Any]:
    """A fresh application: case_id, receipt, passphrase."""
    r = client.post("/api/applications", json=application())
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def ask(client: TestClient, env: Env, case_id: str, question: str = QUESTION, role: Role = Role.CASEWORKER,
        **extra: Any) -> Any:
    """Staff ask a question with the case's current version."""
    version = client.get(f"/api/cases/{case_id}", headers=env.headers(Role.ADJUDICATOR)).json()["version"]
    body = {"question": question, "version": version, **extra}
    return client.post(f"/api/cases/{case_id}/information-requests", json=body, headers=env.headers(role))


def creds(case: dict[str, Any]) -> dict[str, str]:
    """The applicant's receipt and passphrase."""
    return {"receipt": case["receipt"], "passphrase": case["passphrase"]}


def test_ask_answer_and_staff_see_the_answer(client: TestClient, env: Env) -> None:
    case = new_case(client)
    r = ask(client, env, case["case_id"], due_on=None)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    status = client.post("/api/status", json=creds(case)).json()
    assert [(q["id"], q["question"]) for q in status["information_requests"]] == [(rid, QUESTION)]

    r = client.post("/api/information-requests/answers", json={**creds(case), "request_id": rid, "text": ANSWER})
    assert r.status_code == 201, r.text
    assert client.post("/api/status", json=creds(case)).json()["information_requests"] == []
    listed = client.get(f"/api/cases/{case['case_id']}/information-requests", headers=env.headers(Role.CASEWORKER))
    assert listed.status_code == 200, listed.text
    [got] = listed.json()
    assert (got["status"], got["question"], got["answer"]) == ("answered", QUESTION, ANSWER)
    assert got["answered_at"] and got["asked_by"] == env.user_ids[Role.CASEWORKER]

    with env.db.uow() as uow:  # the trail names the case, the request id and the field class: nothing typed
        trail = [(e.event, e.actor_role, e.fields) for e in uow.session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == case["case_id"]))]
    events = [(event, role) for event, role, _ in trail]
    assert ("information.requested", "caseworker") in events and ("information.answered", "applicant") in events
    assert all(QUESTION[:8] not in str(f) and ANSWER[:8] not in str(f) for _, _, f in trail)
    assert any(f"request:{rid}" in f for _, _, f in trail)


def test_answer_with_wrong_passphrase_looks_like_a_wrong_receipt(client: TestClient, env: Env) -> None:
    case = new_case(client)
    rid = ask(client, env, case["case_id"]).json()["id"]
    wrong_pass = client.post("/api/information-requests/answers",
                             json={**creds(case), "passphrase": "nope nope", "request_id": rid, "text": "x"})
    other = new_case(client)
    wrong_receipt = client.post("/api/information-requests/answers",
                                json={**creds(case), "receipt": other["receipt"], "request_id": rid, "text": "x"})
    status_wrong = client.post("/api/status", json={**creds(case), "passphrase": "nope nope"})
    assert wrong_pass.status_code == wrong_receipt.status_code == status_wrong.status_code == 401
    assert wrong_pass.json() == wrong_receipt.json() == status_wrong.json()
    with env.db.uow() as uow:
        assert uow.session.get(InformationRequestRow, rid).status == "open"  # type: ignore[union-attr]


def test_answer_is_throttled_like_the_status_check(client: TestClient, env: Env) -> None:
    case = new_case(client)
    rid = ask(client, env, case["case_id"]).json()["id"]
    body = {**creds(case), "passphrase": "wrong", "request_id": rid, "text": "x"}
    codes = [client.post("/api/information-requests/answers", json=body).status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    right = client.post("/api/information-requests/answers", json={**body, **creds(case)})
    assert right.status_code == 429  # even the right passphrase waits: guessing gains nothing


def test_bad_answers_are_refused_and_change_nothing(client: TestClient, env: Env) -> None:
    case, other = new_case(client), new_case(client)
    rid = ask(client, env, case["case_id"]).json()["id"]
    foreign = ask(client, env, other["case_id"]).json()["id"]
    send = lambda **kw: client.post(  # noqa: E731
        "/api/information-requests/answers", json={**creds(case), "request_id": rid, "text": ANSWER, **kw})
    assert send(text="").status_code == 422
    assert send(text="   ").status_code == 422
    assert send(text="я" * 20_001).status_code == 422
    assert send(text="bell\x07").status_code == 422
    assert send(request_id="not-a-uuid").status_code == 422
    unknown = send(request_id="00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert send(request_id=foreign).status_code == 404  # another applicant's question answers as unknown
    with env.db.uow() as uow:
        assert {r.status for r in uow.session.scalars(select(InformationRequestRow))} == {"open"}
    assert send().status_code == 201
    again = send(text="второй ответ")
    assert again.status_code == 409 and "already answered" in again.json()["error"]["message"]


def test_staff_input_is_checked_and_stale_versions_refused(client: TestClient, env: Env) -> None:
    case = new_case(client)
    cid = case["case_id"]
    assert ask(client, env, cid, question="").status_code == 422
    assert ask(client, env, cid, question="ы" * 4001).status_code == 422
    assert ask(client, env, cid, due_on="2001-01-01").status_code == 422
    assert ask(client, env, cid, due_on="2999-01-01").status_code == 422
    assert ask(client, env, cid, due_on="31.12.2026").status_code == 422
    stale = client.post(f"/api/cases/{cid}/information-requests", json={"question": "Q", "version": 99},
                        headers=env.headers(Role.CASEWORKER))
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    with env.db.uow() as uow:
        assert uow.count(InformationRequestRow) == 0


def test_who_may_ask(client: TestClient, env: Env) -> None:
    case = new_case(client)
    cid = case["case_id"]
    assert ask(client, env, cid, role=Role.SCREENING_ANALYST).status_code == 201
    assert ask(client, env, cid, role=Role.ADJUDICATOR).status_code == 201
    assert ask(client, env, cid, role=Role.SUPERVISOR).status_code == 403
    assert ask(client, env, cid, role=Role.INTAKE_OPERATOR).status_code == 403
    assert ask(client, env, cid, role=Role.AUDITOR).status_code == 404  # cannot see cases at all
    assert ask(client, env, cid, role=Role.ADMIN).status_code == 404
    assert client.get(f"/api/cases/{cid}/information-requests", headers=env.headers(Role.SUPERVISOR)).status_code == 403
    # a caseworker only on cases assigned to them (or to nobody)
    casework.assign_case(env.db.uow(), actor=env.actor(Role.SUPERVISOR), case_id=cid,
                         assignee_id=env.user_ids[Role.CASEWORKER], expected_version=3)
    assert ask(client, env, cid).status_code == 201
    casework.assign_case(env.db.uow(), actor=env.actor(Role.SUPERVISOR), case_id=cid, assignee_id=None,
                         expected_version=5)
    other_cw = client.post("/api/users", json={"username": "cw-two", "role": "caseworker",
                                                "password": "another long password 123"},
                           headers=env.headers(Role.ADMIN)).json()["id"]
    casework.assign_case(env.db.uow(), actor=env.actor(Role.SUPERVISOR), case_id=cid, assignee_id=other_cw,
                         expected_version=6)
    assert ask(client, env, cid).status_code == 403


def test_close_and_withdraw(client: TestClient, env: Env) -> None:
    case = new_case(client)
    cid, cw = case["case_id"], env.headers(Role.CASEWORKER)
    answered = ask(client, env, cid).json()["id"]
    still_open = ask(client, env, cid, question="Второй вопрос").json()["id"]
    client.post("/api/information-requests/answers", json={**creds(case), "request_id": answered, "text": "Да"})
    r = client.post(f"/api/cases/{cid}/information-requests/{answered}/closure", headers=cw)
    assert r.json() == {"status": "closed"}
    r = client.post(f"/api/cases/{cid}/information-requests/{still_open}/closure", headers=cw)
    assert r.json() == {"status": "withdrawn"}
    assert client.post(f"/api/cases/{cid}/information-requests/{still_open}/closure", headers=cw).status_code == 409
    late = client.post("/api/information-requests/answers", json={**creds(case), "request_id": still_open,
                                                                  "text": "поздно"})
    assert late.status_code == 409
    assert client.post("/api/status", json=creds(case)).json()["information_requests"] == []
    other = new_case(client)["case_id"]  # a request id under another case's path is not found
    assert client.post(f"/api/cases/{other}/information-requests/{answered}/closure", headers=cw).status_code == 404


def test_closed_cases_take_no_questions_and_hide_open_ones(client: TestClient, env: Env) -> None:
    case = new_case(client)
    rid = ask(client, env, case["case_id"]).json()["id"]
    assert client.post("/api/withdrawals", json=creds(case)).status_code == 200
    assert client.post("/api/status", json=creds(case)).json()["information_requests"] == []
    late = client.post("/api/information-requests/answers", json={**creds(case), "request_id": rid, "text": "x"})
    assert late.status_code == 409
    assert ask(client, env, case["case_id"]).status_code == 409
