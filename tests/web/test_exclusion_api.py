"""The exclusion and referral API as its users meet it: clear errors, four eyes, nothing changed on refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from safepassage.security.policy import Role
from safepassage.store.models import AuditEntry, StaffSession
from safepassage.store.models_exclusion import ExclusionRecord
from safepassage.store.types import utcnow
from safepassage.web.api_exclusion import RECORD_EXAMPLE
from tests.conftest import PASSWORD, Env
from tests.helpers import application


def _case(client: TestClient) -> str:
    case_id: str = client.post("/api/applications", json=application()).json()["case_id"]
    return case_id


def _post(client: TestClient, env: Env, path: str, body: dict[str, Any], role: Role) -> Any:
    return client.post(path, json=body, headers=env.headers(role))


def test_write_submit_review_and_refer_through_the_api(client: TestClient, env: Env) -> None:
    cid = _case(client)
    base = f"/api/cases/{cid}"
    r = _post(client, env, f"{base}/exclusion-records", RECORD_EXAMPLE, Role.SCREENING_ANALYST)
    assert r.status_code == 201, r.text
    rec = r.json()
    assert rec["status"] == "submitted" and rec["is_principal"] and rec["content"]["act_place"].startswith("Ірпінь")
    own = _post(client, env, f"{base}/exclusion-reviews",
                {"id": rec["id"], "version": rec["version"], "approve": True}, Role.SCREENING_ANALYST)
    assert own.status_code == 403  # an analyst may not approve at all
    ok = _post(client, env, f"{base}/exclusion-reviews",
               {"id": rec["id"], "version": rec["version"], "approve": True}, Role.ADJUDICATOR)
    assert ok.status_code == 200 and ok.json()["status"] == "approved", ok.text
    listed = client.get(f"{base}/exclusion-records", headers=env.headers(Role.ADJUDICATOR)).json()
    assert [x["id"] for x in listed] == [rec["id"]]
    ref = _post(client, env, f"{base}/referrals", {"authority": "ICC OTP"}, Role.ADJUDICATOR)
    assert ref.status_code == 201, ref.text
    self_review = _post(client, env, f"{base}/referral-reviews",
                        {"id": ref.json()["id"], "version": 1, "approve": True}, Role.ADJUDICATOR)
    assert self_review.status_code == 403 and "Four eyes" in self_review.json()["error"]["message"]
    refs = client.get(f"{base}/referrals", headers=env.headers(Role.ADJUDICATOR)).json()
    assert [x["status"] for x in refs] == ["requested"]


def test_an_adjudicator_cannot_approve_their_own_record(client: TestClient, env: Env) -> None:
    cid = _case(client)
    rec = _post(client, env, f"/api/cases/{cid}/exclusion-records", RECORD_EXAMPLE, Role.ADJUDICATOR).json()
    r = _post(client, env, f"/api/cases/{cid}/exclusion-reviews",
              {"id": rec["id"], "version": rec["version"], "approve": True}, Role.ADJUDICATOR)
    assert r.status_code == 403 and "Four eyes" in r.json()["error"]["message"]
    with env.db.uow() as uow:
        assert uow.session.get(ExclusionRecord, rec["id"]).status == "submitted"  # type: ignore[union-attr]


def test_an_incomplete_submission_names_every_field_and_saves_nothing(client: TestClient, env: Env) -> None:
    cid = _case(client)
    body = {"category": "1F(b)", "acts": "<script>alert(1)</script>", "submit": True,
            "duress_applies": True, "evidence": [{"kind": "document", "id": "ґ-1"}]}
    r = _post(client, env, f"/api/cases/{cid}/exclusion-records", body, Role.SCREENING_ANALYST)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    message = r.json()["error"]["message"]
    for field in ("act_time", "act_place", "legal_characterisation", "mental_element", "duress_applies",
                  "superior_orders_finding", "standard_of_proof", "proportionality", "evidence"):
        assert f"{field}:" in message, field
    assert "<script>" not in message  # the answer never echoes what was typed
    with env.db.uow() as uow:
        assert uow.count(ExclusionRecord) == 0
        events = uow.session.scalars(select(AuditEntry.event).where(AuditEntry.event.like("exclusion.%"))).all()
    assert events == []
    unknown = _post(client, env, f"/api/cases/{cid}/exclusion-records", {**RECORD_EXAMPLE, "colour": "red"},
                    Role.SCREENING_ANALYST)
    assert unknown.status_code == 422 and "colour" in unknown.json()["error"]["message"]


def test_who_may_read_exclusion_material(client: TestClient, env: Env) -> None:
    cid = _case(client)
    _post(client, env, f"/api/cases/{cid}/exclusion-records", RECORD_EXAMPLE, Role.SCREENING_ANALYST)
    for role, status in ((Role.ADJUDICATOR, 200), (Role.SCREENING_ANALYST, 200), (Role.CASEWORKER, 403),
                         (Role.SUPERVISOR, 403), (Role.INTAKE_OPERATOR, 403), (Role.AUDITOR, 404), (Role.ADMIN, 404),
                         (None, 401)):
        for what in ("exclusion-records", "referrals"):
            r = client.get(f"/api/cases/{cid}/{what}", headers=env.headers(role))
            assert r.status_code == status, (role, what, r.text)
    missing = client.get("/api/cases/00000000-0000-4000-8000-000000000000/exclusion-records",
                         headers=env.headers(Role.ADJUDICATOR))
    assert missing.status_code == 404


def test_exclusion_material_needs_a_recent_step_up(client: TestClient, env: Env) -> None:
    cid = _case(client)
    rec = _post(client, env, f"/api/cases/{cid}/exclusion-records", RECORD_EXAMPLE, Role.SCREENING_ANALYST).json()
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(reauth_at=utcnow() - timedelta(hours=1)))
        uow.commit()
    for what in ("exclusion-records", "referrals"):
        r = client.get(f"/api/cases/{cid}/{what}", headers=env.headers(Role.ADJUDICATOR))
        assert r.status_code == 401 and r.json()["error"]["code"] == "step_up_required"
        assert "Rome" not in r.text
    stale = _post(client, env, f"/api/cases/{cid}/exclusion-reviews",
                  {"id": rec["id"], "version": rec["version"], "approve": True}, Role.ADJUDICATOR)
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "step_up_required"
    with env.db.uow() as uow:
        assert uow.session.get(ExclusionRecord, rec["id"]).status == "submitted"  # type: ignore[union-attr]
    # the refusal does not end the session: stepping up makes the same request work
    assert client.post("/api/auth/step-up", json={"password": PASSWORD},
                       headers=env.headers(Role.ADJUDICATOR)).status_code == 204
    ok = _post(client, env, f"/api/cases/{cid}/exclusion-reviews",
               {"id": rec["id"], "version": rec["version"], "approve": True}, Role.ADJUDICATOR)
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
