"""SQLAlchemy 2 models. Personal data lives only in encrypted blobs (see security/crypto.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from safepassage.store.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A random (never sequential) identifier."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """Declarative base with a stable constraint-naming convention (Alembic batch mode needs it)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}  # noqa: RUF012


class User(Base):
    """A staff account."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed; see security/totp.py
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)  # replay protection
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StaffSession(Base):
    """A server-side login session; only the token's hash is stored."""

    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    reauth_at: Mapped[datetime] = mapped_column(default=utcnow)  # last password(+TOTP) check: step-up
    expires_at: Mapped[datetime] = mapped_column()


class LoginFailure(Base):
    """One failed attempt, keyed by a keyed hash of the account, address or receipt (never in clear)."""

    __tablename__ = "login_failures"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_login_failures_key_at", "key_hash", "at"),)


class DataKeyRow(Base):
    """A per-case data key, wrapped by the KEK; destroying it erases the case's personal data."""

    __tablename__ = "data_keys"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(64))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Case(Base):
    """One case per principal applicant. Only non-identifying workflow data is in clear."""

    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    passphrase_hash: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(32), index=True)
    pathways: Mapped[str] = mapped_column(String(200))  # "|deserter|dissident|": portable filtering
    priority: Mapped[str] = mapped_column(String(2), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(nullable=True)  # tombstone: personal data destroyed

    persons: Mapped[list[PersonRow]] = relationship(
        back_populates="case", order_by="PersonRow.created_at", cascade="all, delete-orphan"
    )
    surrender: Mapped[SurrenderRow | None] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class PersonRow(Base):
    """A person on a case (the principal or a family member); everything personal is in `payload`."""

    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    is_principal: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship(back_populates="persons")


class SurrenderRow(Base):
    """Logistics of a surrender request; unit, sector and contact are encrypted."""

    __tablename__ = "surrender_requests"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    group_size: Mapped[int] = mapped_column(Integer)
    urgency: Mapped[str] = mapped_column(String(16))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class NoteRow(Base):
    """A caseworker's note; the text is encrypted."""

    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class StageEvent(Base):
    """One committed stage change: the case's timeline."""

    __tablename__ = "stage_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_stage: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Append-only, HMAC-chained audit record: who did what to which object — never personal data."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column()
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    fields: Mapped[list[str]] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)


class ErasureRequest(Base):
    """A request to destroy personal data (one case, or a retention batch); needs a second person."""

    __tablename__ = "erasure_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # "erasure" | "retention"
    case_ids: Mapped[list[str]] = mapped_column()
    reason: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(36))
    approved_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)


class BlindIndexRow(Base):
    """A keyed-hash token of a person's normalised name (and birth year) — no plaintext."""

    __tablename__ = "blind_index"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_blind_index_token", "kind", "token"),)


# Area models live in their own modules; importing them here registers their tables on Base.metadata.
from safepassage.store import (  # noqa: E402
    models_decisions,  # noqa: F401
    models_documents,  # noqa: F401
    models_exclusion,  # noqa: F401
    models_screening,  # noqa: F401
    models_stats,  # noqa: F401
    models_watchlists,  # noqa: F401
)
