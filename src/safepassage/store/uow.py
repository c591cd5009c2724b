"""Unit of work: one transaction, its repositories, its audit log and its data keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from safepassage.domain.errors import Erased
from safepassage.security.audit import GENESIS, AuditEvent, EntryContent, chain_hash
from safepassage.security.crypto import DataKey, KeyRing
from safepassage.security.secrets import derive_key
from safepassage.store.db import READONLY
from safepassage.store.models import AuditEntry, Case, DataKeyRow, User
from safepassage.store.types import utcnow

_AUDIT_LOCK = 0x5AFE_A0D1  # PostgreSQL advisory lock serialising appends to the audit chain


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff user, an anonymous applicant, or the system itself."""

    kind: str  # "staff" | "applicant" | "system"
    role: str
    user_id: str | None = None
    stepped_up: bool = True  # password (+TOTP) re-checked recently enough to reveal identity/family

    @classmethod
    def applicant(cls) -> Actor:
        """An anonymous applicant (identified only by holding a receipt and passphrase)."""
        return cls("applicant", "applicant")

    @classmethod
    def system(cls) -> Actor:
        """The system itself (CLI maintenance, demo seeding)."""
        return cls("system", "system")


class AuditLog:
    """Appends HMAC-chained entries inside the caller's transaction."""

    def __init__(self, session: Session, key: bytes) -> None:
        self._session = session
        self._key = key

    def record(
        self,
        actor: Actor,
        event: AuditEvent,
        object_type: str,
        object_id: str | None,
        *,
        fields: Sequence[str] = (),
    ) -> AuditEntry:
        """Append one entry naming only ids and field-class names."""
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
        last = self._session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = utcnow()
        content = EntryContent(
            seq, at.isoformat(), actor.user_id, actor.role, event.value, object_type, object_id, tuple(fields)
        )
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor_id=actor.user_id,
            actor_role=actor.role,
            event=event.value,
            object_type=object_type,
            object_id=object_id,
            fields=list(fields),
            prev_hash=prev,
            hash=chain_hash(self._key, prev, content),
        )
        self._session.add(entry)
        self._session.flush()
        return entry


class Keys:
    """Creates and unwraps per-case data keys for the transaction."""

    def __init__(self, session: Session, ring: KeyRing) -> None:
        self._session = session
        self._ring = ring
        self._cache: dict[str, DataKey] = {}

    def create(self) -> DataKey:
        """A new data key, stored wrapped."""
        dk = DataKey.generate()
        self._session.add(DataKeyRow(id=str(dk.id), kek_id=self._ring.kek_id, wrapped=self._ring.wrap(dk)))
        self._session.flush()  # the case row that names this key references it
        self._cache[str(dk.id)] = dk
        return dk

    def get(self, key_id: str) -> DataKey:
        """Unwrap a data key by id (cached for the transaction)."""
        if key_id not in self._cache:
            row = self._session.get(DataKeyRow, key_id)
            if row is None or row.wrapped is None:
                raise Erased("This case's personal data was erased; only its record of existence remains.")
            self._cache[key_id] = self._ring.unwrap(uuid.UUID(key_id), row.wrapped, row.kek_id)
        return self._cache[key_id]

    def for_case(self, case: Case) -> DataKey:
        """The data key protecting a case's personal data."""
        return self.get(case.data_key_id)


class UnitOfWork:
    """`with uow:` opens a transaction; `uow.commit()` commits it; leaving without commit rolls back."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        ring: KeyRing,
        secret_key: bytes,
        readonly: bool = False,
        index_key: bytes | None = None,
    ):
        self._factory = factory
        self._ring = ring
        self.secret_key = secret_key
        self.audit_key = derive_key(secret_key, "audit-chain")
        self.index_key = index_key or derive_key(secret_key, "blind-index-root")
        self.readonly = readonly
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session (only inside `with uow:`)."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `with`")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        if self.readonly:
            self._session.connection(execution_options={READONLY: True})
        self.audit = AuditLog(self._session, self.audit_key)
        self.keys = Keys(self._session, self._ring)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.rollback()
            session.close()

    def commit(self) -> None:
        """Commit everything done in this unit, audit entries included."""
        self.session.commit()

    def get_case(self, case_id: str, *, for_update: bool = False) -> Case | None:
        """Load a case by id (row-locked on PostgreSQL when updating)."""
        stmt = select(Case).where(Case.id == case_id)
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).first()

    def get_case_by_receipt(self, receipt: str) -> Case | None:
        """Load a case by its receipt code."""
        return self.session.scalars(select(Case).where(Case.receipt == receipt)).first()

    def get_user(self, user_id: str) -> User | None:
        """Load a staff user by id."""
        return self.session.get(User, user_id)

    def get_user_by_name(self, username: str) -> User | None:
        """Load a staff user by username."""
        return self.session.scalars(select(User).where(User.username == username)).first()

    def count(self, model: Any) -> int:
        """Row count of a table (used by tests and reports)."""
        return int(self.session.scalar(select(func.count()).select_from(model)) or 0)


class Database:
    """Process-wide handle: engine, session factory, keys; hands out units of work."""

    def __init__(
        self,
        engine: Engine,
        *,
        ring: KeyRing,
        secret_key: bytes,
        index_key: bytes | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.engine = engine
        self.factory = sessionmaker(engine, expire_on_commit=False)
        self.ring = ring
        self.secret_key = secret_key
        self.index_key = index_key or derive_key(secret_key, "blind-index-root")
        self.cache_dir = cache_dir  # derived files that survive a restart (the watchlist index); None: none

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        """A fresh unit of work."""
        return UnitOfWork(
            self.factory, ring=self.ring, secret_key=self.secret_key, readonly=readonly, index_key=self.index_key
        )
