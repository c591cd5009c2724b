"""KEK rotation on the demo data set: the service keeps working, and nothing stays under the old key."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.demo import seed
from safepassage.security.crypto import DecryptionError, KeyRing
from safepassage.security.policy import Role
from safepassage.services import casework
from safepassage.services.auditing import verify_chain
from safepassage.services.keys import keys_not_under_current, rotate_kek
from safepassage.store.models import Case
from safepassage.store.uow import Actor, Database
from tests.conftest import KEK, SECRET, Env


def _read_all(db: Database, actor: Actor) -> int:
    with db.uow(readonly=True) as uow:
        ids = list(uow.session.scalars(select(Case.id)).all())
    for case_id in ids:
        casework.case_detail(db.uow(), actor=actor, case_id=case_id)
    return len(ids)


def test_rotation_rewraps_everything_while_reads_go_on(env: Env) -> None:
    seed(env.db, cases=15)
    new = secrets.token_bytes(32)
    rotating = Database(env.db.engine, ring=KeyRing.of(new, KEK), secret_key=SECRET)
    actor = env.actor(Role.ADJUDICATOR)
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                _read_all(rotating, actor)
            except BaseException as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        assert rotate_kek(rotating, actor=Actor.system()) > 0
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert keys_not_under_current(rotating) == 0
    new_only = Database(env.db.engine, ring=KeyRing.of(new), secret_key=SECRET)
    assert _read_all(new_only, actor) >= 15
    old_only = Database(env.db.engine, ring=KeyRing.of(KEK), secret_key=SECRET)
    with pytest.raises(DecryptionError):
        _read_all(old_only, actor)
    assert verify_chain(env.db.uow(readonly=True))[0] is None
    assert rotate_kek(rotating, actor=Actor.system()) == 0  # idempotent


def test_cli_rotation_in_key_file_mode(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--no-serve", "--cases", "12", "--data-dir", str(tmp_path)]).exit_code == 0
    env = {
        "SAFEPASSAGE_DATA_DIR": str(tmp_path),
        "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'safepassage-demo.db'}",
    }
    old_kek = (tmp_path / "keys" / "kek.key").read_text()
    result = runner.invoke(app, ["keys", "rotate"], env=env)
    assert result.exit_code == 0, result.output
    assert "nothing is left under the old key" in " ".join(result.output.split())
    assert (tmp_path / "keys" / "kek.key").read_text() != old_kek
    assert not (tmp_path / "keys" / "kek-previous.key").exists()
    assert runner.invoke(app, ["audit", "verify"], env=env).exit_code == 0
