"""Shared fixtures: a fresh, migrated database per test on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text, update
from sqlalchemy.orm import Session

from safepassage.security.crypto import KeyRing
from safepassage.security.policy import Role
from safepassage.security.secrets import hash_password, token_hash
from safepassage.store import schema
from safepassage.store.db import make_engine, normalise_url
from safepassage.store.models import Base, StaffSession, User
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, Database
from safepassage.web.app import create_app

# pytest-xdist workers inherit COLUMNS=80; the CLI's consoles would then wrap ids and paths in their output.
# Tests read CLI output as it goes to a file or pipe (wide), the way CI logs and scripts see it.
os.environ.pop("COLUMNS", None)
PG_URL = os.environ.get("SAFEPASSAGE_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]
KEK = secrets.token_bytes(32)
SECRET = secrets.token_bytes(32)
PASSWORD = "correct horse battery staple"  # every template user's password


def pytest_configure(config: pytest.Config) -> None:
    """In CI, PostgreSQL is required: a missing URL is a failure, not a skip."""
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true but SAFEPASSAGE_TEST_DATABASE_URL is not set: PostgreSQL tests are required.")


@dataclass
class Env:
    """A test database with one logged-in user per role."""

    db: Database
    backend: str
    user_ids: dict[Role, str]
    tokens: dict[Role, str]

    def actor(self, role: Role) -> Actor:
        """The staff actor of the template user with this role."""
        return Actor("staff", role.value, self.user_ids[role])

    def headers(self, role: Role | None) -> dict[str, str]:
        """Authorization headers for a role (none for anonymous)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


_PW_HASH = hash_password(PASSWORD)  # one Argon2 hash for all: tests must not pay for seven
#: Every table, children first (the PostgreSQL reset deletes in this order).
TABLES = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "alembic_version"]


def _seed_users(conn: Connection, ids: dict[Role, str], tokens: dict[Role, str]) -> None:
    """One user and one live session per role, with the given ids and tokens."""
    now = utcnow()
    with Session(bind=conn) as s:
        for role in Role:
            s.add(
                User(
                    id=ids[role],
                    username=role.value.replace("_", "-"),
                    role=role.value,
                    password_hash=_PW_HASH,
                    created_at=now,
                    updated_at=now,
                )
            )
        s.flush()
        for role in Role:
            s.add(
                StaffSession(
                    token_hash=token_hash(tokens[role]),
                    user_id=ids[role],
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(hours=12),
                )
            )
        s.flush()


def _refresh_sessions(engine: Engine) -> None:
    """The template's sessions were made at the start of the run: make them fresh for this test
    (otherwise a run longer than the idle timeout or the step-up window fails its late tests)."""
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(StaffSession).values(last_seen_at=now, reauth_at=now, expires_at=now + timedelta(hours=12))
        )


def _seed_template(url: str) -> tuple[dict[Role, str], dict[Role, str]]:
    engine = make_engine(url)
    schema.upgrade(engine)
    ids = {role: str(uuid.uuid4()) for role in Role}
    tokens = {role: secrets.token_urlsafe(32) for role in Role}
    with engine.begin() as conn:
        _seed_users(conn, ids, tokens)
    engine.dispose()
    return ids, tokens


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Role, str], dict[Role, str]]:
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    ids, toks = _seed_template(f"sqlite:///{path}")
    return path, ids, toks


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[tuple[Engine, dict[Role, str], dict[Role, str]]]:
    """One migrated PostgreSQL database for the session; each test empties and re-seeds it (≈10 ms)."""
    name = f"sp_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    ids, toks = _seed_template(_pg_db_url(name))
    engine = make_engine(_pg_db_url(name))
    yield engine, ids, toks
    engine.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_pg(engine: Engine, ids: dict[Role, str], tokens: dict[Role, str]) -> None:
    with engine.begin() as conn:
        # Replica role skips triggers: the audit log's append-only guard and FK checks, for cleanup only.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("SET LOCAL session_replication_role = DEFAULT"))
        _seed_users(conn, ids, tokens)


def _pg_db_url(name: str) -> str:
    base = normalise_url(PG_URL)
    return base.rsplit("/", 1)[0] + "/" + name


def _skip_without_pg() -> None:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (set SAFEPASSAGE_TEST_DATABASE_URL)")


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    """A fresh migrated database per test (copied from a template), on each backend."""
    ring = KeyRing.of(KEK)
    if request.param == "sqlite":
        tmpl, ids, toks = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "test.db"
        shutil.copy(tmpl, path)
        engine = make_engine(f"sqlite:///{path}")
        _refresh_sessions(engine)
        yield Env(Database(engine, ring=ring, secret_key=SECRET), "sqlite", ids, toks)
        engine.dispose()
        return
    _skip_without_pg()
    engine, ids, toks = request.getfixturevalue("_pg_database")
    _reset_pg(engine, ids, toks)
    yield Env(Database(engine, ring=ring, secret_key=SECRET), "postgresql", ids, toks)


@pytest.fixture
def client(env: Env) -> Iterator[TestClient]:
    """An in-process HTTP client on the test database."""
    with TestClient(create_app(env.db), raise_server_exceptions=False) as c:
        yield c
