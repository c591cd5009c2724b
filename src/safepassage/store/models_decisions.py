"""Models: facts, evaluations, decisions, appeals (issue 7: decisions).

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.
Facts, traces, reasons and appeal grounds are personal data: sealed with the case's data key (AAD =
table, column, row id). Outcomes, destination codes, policy versions, dates and deadlines are clear:
queues and statistics need them and they name nobody (a destination is one of the policy's few
codes, such as "eu" or "other", never a place or a free text; see docs/statistics.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from safepassage.store.models import Base, new_id
from safepassage.store.types import utcnow


class CaseFacts(Base):
    """The facts recorded for a case (the policy's vocabulary), sealed; one row per case."""

    __tablename__ = "case_facts"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # sealed {"facts": [...]}
    recorded_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationRow(Base):
    """One evaluation of a case under one policy version; bases, evidence and trace are sealed."""

    __tablename__ = "evaluations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    policy_sha256: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(2))
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: facts, bases, evidence, flags, trace
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionRow(Base):
    """A decision: outcome, dates and deadline in clear; the structured reasons sealed."""

    __tablename__ = "decisions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(16), index=True)  # grant | refuse | exclude
    # The policy's destination code (also inside the sealed reasons); None only for decisions made
    # before migration 0011 whose reasons could not be opened (erased cases).
    destination: Mapped[str | None] = mapped_column(String(16), nullable=True)
    instance: Mapped[str] = mapped_column(String(16), default="first")  # first | appeal
    appeal_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the appeal this decides
    evaluation_id: Mapped[str | None] = mapped_column(ForeignKey("evaluations.id"), nullable=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    exclusion_record_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(36))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    appeal_deadline: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    language: Mapped[str] = mapped_column(String(2))  # the letter's language
    reasons: Mapped[bytes] = mapped_column(LargeBinary)  # sealed structured reasons


class AppealRow(Base):
    """An appeal against a decision; lodged within the deadline, decided by a different adjudicator."""

    __tablename__ = "appeals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), unique=True)
    lodged_by_kind: Mapped[str] = mapped_column(String(16))  # applicant | staff
    lodged_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    lodged_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="lodged", index=True)  # lodged | decided
    grounds: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed text
    outcome_decision_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (Index("ix_appeals_case_status", "case_id", "status"),)
