"""Models: case screening results, hit dispositions, incidents, duplicate links (issue 6: case flow).

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.
Everything that names or describes an applicant (explanations, reasons, what overlapped) is sealed
with the case's data key; scores, entity ids, statuses and watchlist versions are in clear.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from safepassage.store.models import Base, new_id
from safepassage.store.types import utcnow


class ScreeningHit(Base):
    """One person on a case scoring at or above the review threshold against one listed entity."""

    __tablename__ = "screening_hits"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str] = mapped_column(String(36))
    watchlist: Mapped[str] = mapped_column(String(100))
    watchlist_version: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    pair_key: Mapped[str] = mapped_column(String(64), index=True)  # HMAC: applicant fields + entity content
    detail: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: explanation + listed entity snapshot
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending|confirmed|false_positive|needs_info
    remembered_from: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the hit decided before
    reason: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
    decided_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_screening_hits_case_status", "case_id", "status"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class HitDisposition(Base):
    """A remembered analyst decision on one (applicant fields, listed entity content) pair."""

    __tablename__ = "hit_dispositions"
    pair_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    disposition: Mapped[str] = mapped_column(String(16))  # confirmed | false_positive
    hit_id: Mapped[str] = mapped_column(String(36))  # the hit it was decided on (reason lives there)
    decided_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScreeningRun(Base):
    """One screening of one case (at intake or a re-screen): what it was screened against, what it found."""

    __tablename__ = "screening_runs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # intake | rescreen
    versions: Mapped[dict[str, Any]] = mapped_column()  # watchlist name → version
    persons: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer)  # new hits waiting for an analyst
    flags: Mapped[int] = mapped_column(Integer)
    actor_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CaseScreeningState(Base):
    """The watchlist versions a case was last screened against: the re-screen progress marker."""

    __tablename__ = "case_screening_state"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    versions: Mapped[dict[str, Any]] = mapped_column()
    versions_key: Mapped[str] = mapped_column(String(64), index=True)  # canonical form, for grouping
    screened_at: Mapped[datetime] = mapped_column(default=utcnow)


class Incident(Base):
    """A documented incident (public record): unit, place, dates, source. Not personal data of applicants."""

    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    unit: Mapped[str] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(300))
    start: Mapped[str] = mapped_column(String(10))  # ISO date
    end: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentFlag(Base):
    """A person's service overlapping a documented incident: a reason to interview, never to exclude."""

    __tablename__ = "incident_flags"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    basis: Mapped[str] = mapped_column(String(16))  # unit | place
    detail: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: what overlapped
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | acknowledged
    note: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
    decided_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdentityLink(Base):
    """A possible earlier application of the same person; staff confirm (same person) or dismiss."""

    __tablename__ = "identity_links"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    other_case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    detail: Mapped[bytes] = mapped_column(LargeBinary)  # sealed with case_id's key: the explanation
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | confirmed | dismissed
    decided_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
