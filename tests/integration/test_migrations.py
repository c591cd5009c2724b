"""Migrations: empty → head → empty on both databases, and head matches the models exactly."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from safepassage.store import schema
from safepassage.store.db import make_engine, normalise_url
from safepassage.store.models import Base
from tests.conftest import BACKENDS, PG_URL, _pg_db_url, _skip_without_pg


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new, empty database."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        yield engine
        engine.dispose()
        return
    _skip_without_pg()
    name = f"sp_mig_{secrets.token_hex(5)}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_pg_db_url(name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_to_head_and_down_to_empty(empty_engine: Engine) -> None:
    schema.upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    schema.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    schema.upgrade(empty_engine)  # and up again: downgrade left nothing behind that blocks it
    assert set(Base.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_head_matches_the_models(empty_engine: Engine) -> None:
    schema.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_audit_log_refuses_update_and_delete(empty_engine: Engine) -> None:
    schema.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (seq, at, actor_role, event, object_type, fields, prev_hash, hash) "
                "VALUES (1, '2026-01-01 00:00:00', 'system', 'x', 'case', '[]', 'p', 'h')"
            )
        )
    for stmt in ("UPDATE audit_log SET event = 'y'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), empty_engine.begin() as conn:
            conn.execute(text(stmt))
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT event FROM audit_log")).scalar_one() == "x"
