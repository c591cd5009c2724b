"""The audit chain: written with every change, free of personal data, and tamper-evident."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from safepassage.security.policy import Role
from safepassage.services.auditing import verify_chain
from safepassage.store.models import AuditEntry
from tests.conftest import Env
from tests.helpers import application, person

CANARY = "Канарейкин"


def _activity(client: TestClient, env: Env) -> str:
    rec = client.post("/api/applications", json=application(person=person("Zёрнышко", CANARY))).json()
    h = env.headers(Role.CASEWORKER)
    client.get(f"/api/cases/{rec['case_id']}", headers=h)
    client.post(f"/api/cases/{rec['case_id']}/transitions", json={"to": "screening", "version": 1}, headers=h)
    client.post(f"/api/cases/{rec['case_id']}/notes", json={"text": f"{CANARY} note"}, headers=h)
    return str(rec["case_id"])


def test_chain_verifies_and_holds_no_personal_data(client: TestClient, env: Env) -> None:
    case_id = _activity(client, env)
    broken, count = verify_chain(env.db.uow(readonly=True))
    assert broken is None and count >= 4
    with env.db.uow() as uow:
        rows = uow.session.scalars(select(AuditEntry)).all()
        dump = repr([(r.actor_id, r.actor_role, r.event, r.object_type, r.object_id, r.fields) for r in rows])
        events = [(r.event, r.object_id) for r in rows]
    assert CANARY not in dump and "Zёрнышко" not in dump
    assert ("case.read", case_id) in events  # reading identity data is audited
    assert ("case.transitioned", case_id) in events


def test_tampering_is_found_at_the_changed_entry(client: TestClient, env: Env) -> None:
    _activity(client, env)
    with env.db.engine.begin() as conn:
        # Simulate an attacker with raw database access who bypasses the append-only trigger.
        if env.backend == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("UPDATE audit_log SET actor_role = 'admin' WHERE seq = 2"))
    broken, _ = verify_chain(env.db.uow(readonly=True))
    assert broken == 2


def _tamper(env: Env, statements: list[str]) -> None:
    with env.db.engine.begin() as conn:
        if env.backend == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for stmt in statements:
            conn.execute(text(stmt))


@pytest.mark.parametrize(
    ("kind", "statements", "first_bad"),
    [
        ("change", ["UPDATE audit_log SET fields = '[\"identity\"]' WHERE seq = 3"], 3),
        ("deletion", ["DELETE FROM audit_log WHERE seq = 3"], 4),
        (
            "insertion",
            [
                "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3",
                "INSERT INTO audit_log (seq, at, actor_id, actor_role, event, object_type, object_id, fields, "
                "prev_hash, hash) SELECT 3, at, actor_id, actor_role, 'auth.logout', object_type, object_id, fields, "
                "prev_hash, 'forged' FROM audit_log WHERE seq = 103",
                "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103",
            ],
            3,
        ),
        (
            "reordering",
            [
                "UPDATE audit_log SET seq = 1000 WHERE seq = 3",
                "UPDATE audit_log SET seq = 3 WHERE seq = 4",
                "UPDATE audit_log SET seq = 4 WHERE seq = 1000",
            ],
            3,
        ),
    ],
)
def test_any_tampering_is_found_at_or_after_the_entry(
    client: TestClient, env: Env, kind: str, statements: list[str], first_bad: int
) -> None:
    _activity(client, env)
    assert verify_chain(env.db.uow(readonly=True))[0] is None
    _tamper(env, statements)
    broken, _ = verify_chain(env.db.uow(readonly=True))
    assert broken is not None and broken >= 3 and broken <= first_bad, (kind, broken)
