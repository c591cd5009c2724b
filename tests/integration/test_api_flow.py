"""The newcomer's journey through the API: apply, check status, log in, move the case along."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from safepassage.security.policy import Role
from safepassage.store.models import AuditEntry, Case
from tests.conftest import PASSWORD, Env
from tests.helpers import HOSTILE_NAMES, application, person


def _apply(client: TestClient, **extra: object) -> dict[str, str]:
    r = client.post("/api/applications", json=application(**extra))
    assert r.status_code == 201, r.text
    return r.json()


def test_apply_check_status_and_move_case_along(client: TestClient, env: Env) -> None:
    receipt = _apply(client)
    r = client.post("/api/status", json={"receipt": receipt["receipt"], "passphrase": receipt["passphrase"]})
    assert r.status_code == 200 and r.json()["stage"] == "received"

    login = client.post("/api/auth/login", json={"username": "caseworker", "password": PASSWORD})
    assert login.status_code == 200, login.text
    h = {"Authorization": f"Bearer {login.json()['token']}"}
    queue = client.get("/api/cases", params={"stage": "received"}, headers=h).json()
    assert receipt["case_id"] in [c["id"] for c in queue["items"]]
    case = client.get(f"/api/cases/{receipt['case_id']}", headers=h).json()
    assert case["principal"]["last_name"] == "Петров" and case["allowed_transitions"] == ["screening", "withdrawn"]
    # entering screening screens the case; with nothing to review it moves on to review by itself
    r = client.post(
        f"/api/cases/{receipt['case_id']}/transitions", json={"to": "screening", "version": case["version"]}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "review"
    r = client.post("/api/status", json={"receipt": receipt["receipt"], "passphrase": receipt["passphrase"]})
    assert r.json()["stage"] == "review" and r.json()["next_step"]["code"] == "wait_or_answer"


def test_status_answers_identically_for_unknown_receipt_and_wrong_passphrase(client: TestClient) -> None:
    receipt = _apply(client)
    wrong_pass = client.post("/api/status", json={"receipt": receipt["receipt"], "passphrase": "nope-nope"})
    other = client.post("/api/status", json={"receipt": "7KQ4-M2XZ-9PHD-Y", "passphrase": receipt["passphrase"]})
    assert wrong_pass.status_code == other.status_code == 401
    assert wrong_pass.json() == other.json()


def test_receipt_typed_sloppily_still_works(client: TestClient) -> None:
    receipt = _apply(client)
    sloppy = receipt["receipt"].lower().replace("-", " ")
    r = client.post("/api/status", json={"receipt": sloppy, "passphrase": receipt["passphrase"].upper()})
    assert r.status_code == 200


def test_receipt_with_a_typo_is_refused_with_a_clear_message(client: TestClient) -> None:
    receipt = _apply(client)["receipt"]
    i = 0 if receipt[0] != "A" else 1
    typo = receipt[:i] + ("A" if receipt[i] != "A" else "B") + receipt[i + 1 :]
    r = client.post("/api/status", json={"receipt": typo, "passphrase": "x"})
    assert r.status_code == 422 and "typo" in r.json()["error"]["message"]


def test_hostile_names_round_trip_exactly(client: TestClient, env: Env) -> None:
    for name in HOSTILE_NAMES:
        rec = _apply(client, person=person(first=name, last=name[:300]))
        case = client.get(f"/api/cases/{rec['case_id']}", headers=env.headers(Role.CASEWORKER)).json()
        assert case["principal"]["first_name"] == name


def test_stale_version_gets_409_and_changes_nothing(client: TestClient, env: Env) -> None:
    rec = _apply(client)
    h = env.headers(Role.CASEWORKER)
    url = f"/api/cases/{rec['case_id']}/transitions"
    assert client.post(url, json={"to": "screening", "version": 1}, headers=h).status_code == 200
    r = client.post(url, json={"to": "withdrawn", "version": 1}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_version"
    assert client.get(f"/api/cases/{rec['case_id']}", headers=h).json()["stage"] == "review"  # cleared by screening


def test_illegal_transition_is_409_with_allowed_moves_named(client: TestClient, env: Env) -> None:
    rec = _apply(client)
    r = client.post(
        f"/api/cases/{rec['case_id']}/transitions",
        json={"to": "granted", "version": 1},
        headers=env.headers(Role.ADJUDICATOR),
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "illegal_transition" and "screening" in r.json()["error"]["message"]


def test_notes_family_assignment_and_applicant_withdrawal(client: TestClient, env: Env) -> None:
    rec = _apply(client)
    cid = rec["case_id"]
    cw = env.headers(Role.CASEWORKER)
    assert client.post(f"/api/cases/{cid}/notes", json={"text": "Паспорт проверен"}, headers=cw).status_code == 201
    fam = {"relationship": "spouse", "person": person("Юлія", "Петрова"), "version": 1}
    assert client.post(f"/api/cases/{cid}/family", json=fam, headers=cw).status_code == 201
    r = client.post(
        f"/api/cases/{cid}/assignment",
        json={"assignee_id": env.user_ids[Role.CASEWORKER], "version": 2},
        headers=env.headers(Role.SUPERVISOR),
    )
    assert r.status_code == 200 and r.json()["assignee_id"] == env.user_ids[Role.CASEWORKER]
    detail = client.get(f"/api/cases/{cid}", headers=cw).json()
    assert [n["text"] for n in detail["notes"]] == ["Паспорт проверен"]
    assert detail["family"][0]["first_name"] == "Юлія"
    r = client.post("/api/withdrawals", json={"receipt": rec["receipt"], "passphrase": rec["passphrase"]})
    assert r.status_code == 200 and r.json()["stage"] == "withdrawn"
    with env.db.uow() as uow:
        assert uow.session.scalar(select(Case.stage).where(Case.id == cid)) == "withdrawn"
        events = uow.session.scalars(select(AuditEntry.event).where(AuditEntry.object_id == cid)).all()
    assert "case.transitioned" in events and "note.added" not in events  # notes are audited by note id


def test_analyst_never_sees_family_or_narrative(client: TestClient, env: Env) -> None:
    rec = _apply(client, family=[{"relationship": "child", "person": person("Оля", "Петрова")}])
    d = client.get(f"/api/cases/{rec['case_id']}", headers=env.headers(Role.SCREENING_ANALYST)).json()
    assert d["principal"]["last_name"] == "Петров"
    assert d["family"] is None and d["narrative"] is None and d["notes"] is None


def test_supervisor_and_operator_see_no_personal_data(client: TestClient, env: Env) -> None:
    rec = _apply(client)
    for role in (Role.SUPERVISOR, Role.INTAKE_OPERATOR):
        d = client.get(f"/api/cases/{rec['case_id']}", headers=env.headers(role)).json()
        assert d["principal"] is None and "Петров" not in str(d)


def test_missing_and_forbidden_case_answer_identically(client: TestClient, env: Env) -> None:
    rec = _apply(client)
    h = env.headers(Role.AUDITOR)
    forbidden = client.get(f"/api/cases/{rec['case_id']}", headers=h)
    missing = client.get("/api/cases/00000000-0000-4000-8000-000000000000", headers=h)
    assert forbidden.status_code == missing.status_code == 404 and forbidden.json() == missing.json()
