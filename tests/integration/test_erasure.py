"""Erasure and retention: crypto-shredding with four eyes, on single cases and the demo data set."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.demo import seed
from safepassage.security.policy import Role
from safepassage.services import erasure
from safepassage.services.auditing import verify_chain
from safepassage.services.keys import keys_not_under_current
from safepassage.store.models import Case, DataKeyRow, NoteRow, PersonRow, StaffSession, User
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor
from tests.conftest import _PW_HASH, Env
from tests.helpers import application


def _second_auditor(env: Env) -> Actor:
    uid = str(uuid.uuid4())
    with env.db.uow() as uow:
        uow.session.add(User(id=uid, username="auditor-two", role="auditor", password_hash=_PW_HASH))
        uow.commit()
    return Actor("staff", "auditor", uid)


def test_erasure_needs_a_second_person_and_leaves_a_tombstone(client: TestClient, env: Env) -> None:
    rec = client.post("/api/applications", json=application()).json()
    cid = rec["case_id"]
    cw, aud = env.headers(Role.CASEWORKER), env.headers(Role.AUDITOR)
    client.post(f"/api/cases/{cid}/notes", json={"text": "Ґ note"}, headers=cw)
    r = client.post(f"/api/cases/{cid}/erasure-requests", json={"reason": "applicant_request"}, headers=aud)
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    own = client.post(f"/api/erasure-requests/{request_id}/approval", headers=aud)
    assert own.status_code == 403 and "Four eyes" in own.json()["error"]["message"]
    assert client.get(f"/api/cases/{cid}", headers=cw).json()["principal"]["last_name"] == "Петров"

    assert erasure.approve_erasure(env.db.uow(), actor=_second_auditor(env), request_id=request_id) == 1
    with env.db.uow() as uow:
        case = uow.session.get(Case, cid)
        assert case is not None and case.erased_at is not None
        assert uow.session.get(DataKeyRow, case.data_key_id).wrapped is None  # type: ignore[union-attr]
        assert uow.session.scalars(select(PersonRow).where(PersonRow.case_id == cid)).all() == []
        assert uow.session.scalars(select(NoteRow).where(NoteRow.case_id == cid)).all() == []
    tomb = client.get(f"/api/cases/{cid}", headers=cw)
    assert tomb.status_code == 200 and tomb.json()["erased"] is True and tomb.json()["principal"] is None
    note = client.post(f"/api/cases/{cid}/notes", json={"text": "more"}, headers=cw)
    assert note.status_code == 409 and note.json()["error"]["code"] == "erased"
    again = client.post(f"/api/erasure-requests/{request_id}/approval", headers=aud)
    assert again.status_code == 404
    assert verify_chain(env.db.uow(readonly=True))[0] is None


def test_erasure_requires_step_up_and_a_known_reason(client: TestClient, env: Env) -> None:
    cid = client.post("/api/applications", json=application()).json()["case_id"]
    aud = env.headers(Role.AUDITOR)
    bad = client.post(f"/api/cases/{cid}/erasure-requests", json={"reason": "because"}, headers=aud)
    assert bad.status_code == 422
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(reauth_at=utcnow() - timedelta(hours=1)))
        uow.commit()
    r = client.post(f"/api/cases/{cid}/erasure-requests", json={"reason": "applicant_request"}, headers=aud)
    assert r.status_code == 401 and r.json()["error"]["code"] == "step_up_required"


def test_retention_and_rotation_on_the_demo_data_set(env: Env) -> None:
    seed(env.db, cases=30)
    old = utcnow() - timedelta(days=4 * 365)
    with env.db.uow() as uow:
        uow.session.execute(
            update(Case).where(Case.stage.in_(["withdrawn", "refused", "excluded"])).values(stage_changed_at=old)
        )
        uow.commit()
        due = set(uow.session.scalars(select(Case.id).where(Case.stage.in_(["withdrawn", "refused"]))).all())
        excluded = set(uow.session.scalars(select(Case.id).where(Case.stage == "excluded")).all())
    first = env.actor(Role.AUDITOR)
    request_id, count = erasure.plan_retention(env.db.uow(), actor=first)
    assert request_id is not None and count == len(due) > 0
    assert erasure.approve_erasure(env.db.uow(), actor=_second_auditor(env), request_id=request_id) == count
    with env.db.uow() as uow:
        erased = set(uow.session.scalars(select(Case.id).where(Case.erased_at.is_not(None))).all())
        destroyed = uow.session.scalars(select(DataKeyRow).where(DataKeyRow.wrapped.is_(None))).all()
    assert erased == due and not erased & excluded  # exclusions are kept for prosecutors
    assert len(destroyed) == count
    assert keys_not_under_current(env.db) == 0
    assert erasure.plan_retention(env.db.uow(), actor=first) == (None, 0)  # nothing left to do
    assert verify_chain(env.db.uow(readonly=True))[0] is None


def test_cli_retention_run_needs_two_people(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--no-serve", "--cases", "20", "--data-dir", str(tmp_path)]).exit_code == 0
    db_file = tmp_path / "safepassage-demo.db"
    env = {"SAFEPASSAGE_DATA_DIR": str(tmp_path), "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{db_file}"}
    seeds = {}
    for name in ("dpo-one", "dpo-two"):
        made = runner.invoke(
            app,
            ["users", "create", "--username", name, "--role", "auditor"],
            input="a long enough passphrase\n",
            env=env,
        )
        assert made.exit_code == 0, made.output
        seeds[name] = pyotp.parse_uri(made.output.strip().splitlines()[-1]).secret
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE cases SET stage_changed_at = '2019-01-01 00:00:00' WHERE stage = 'withdrawn'")
        withdrawn = conn.execute("SELECT count(*) FROM cases WHERE stage = 'withdrawn'").fetchone()[0]

    def lines(second: str) -> str:
        return (
            "\n".join(
                [
                    "a long enough passphrase",
                    pyotp.TOTP(seeds["dpo-one"]).now(),
                    "a long enough passphrase",
                    pyotp.TOTP(seeds[second]).now(),
                ]
            )
            + "\n"
        )

    same = runner.invoke(
        app,
        ["retention", "run", "--requested-by", "dpo-one", "--approved-by", "dpo-one"],
        input=lines("dpo-one"),
        env=env,
    )
    assert same.exit_code == 2  # one person cannot be both (and a TOTP code works only once)
    with sqlite3.connect(db_file) as conn:  # the codes above were used once: let this run use them again
        conn.execute("UPDATE users SET totp_last_step = NULL")
    ok = runner.invoke(
        app,
        ["retention", "run", "--requested-by", "dpo-one", "--approved-by", "dpo-two"],
        input=lines("dpo-two"),
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert f"of {withdrawn} cases" in " ".join(ok.output.split())
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT count(*) FROM cases WHERE erased_at IS NOT NULL").fetchone()[0] == withdrawn
    assert runner.invoke(app, ["audit", "verify"], env=env).exit_code == 0


def test_queues_show_erased_cases_as_tombstones(client: TestClient, env: Env) -> None:
    from tests.web.pages_util import browser, login

    cid = client.post("/api/applications", json=application(language="uk")).json()["case_id"]
    rid = erasure.request_erasure(env.db.uow(), actor=Actor.system(), case_id=cid, reason="applicant_request")
    erasure.approve_erasure(env.db.uow(), actor=env.actor(Role.AUDITOR), request_id=rid)
    api = client.get("/api/cases", params={"language": "uk"}, headers=env.headers(Role.CASEWORKER)).json()
    assert [(c["id"], c["erased"]) for c in api["items"]] == [(cid, True)]
    page = login(browser(client), "caseworker", "en").get("/en/console/cases")
    assert page.status_code == 200 and "1 case" in page.text
