"""Models: Article 1F exclusion records and referrals (issue 7: exclusion).

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.

What the record says (acts, responsibility, defences, evidence) is personal data and is sealed with the
case's data key; category, status, who wrote and who approved, and when, are clear so that queues,
four-eyes checks and statistics ("referred for prosecution") work without decrypting anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from safepassage.store.models import Base, new_id
from safepassage.store.types import utcnow


class ExclusionRecord(Base):
    """A structured Art. 1F record about one person on a case: drafted by one person, approved by another."""

    __tablename__ = "exclusion_records"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # No foreign key: erasing a case deletes its person rows, and must not be blocked by (or silently
    # delete) the record that prosecutors may still need to know existed.
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    category: Mapped[str] = mapped_column(String(8))  # "1F(a)" | "1F(b)" | "1F(c)"
    # draft | submitted | returned | approved | revoked (after an approved revocation: see ExclusionRevocation)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    author_id: Mapped[str] = mapped_column(String(36))
    approver_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # approved or returned it
    content: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: exclusion_records.content.<id>
    review: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed reviewer's reasons
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (Index("ix_exclusion_records_case_status", "case_id", "status"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - a concurrent change is a 409, never lost


class Referral(Base):
    """A referral for prosecution of a person with an approved exclusion record; four eyes, then export."""

    __tablename__ = "referrals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(String(36))
    record_id: Mapped[str] = mapped_column(ForeignKey("exclusion_records.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)  # requested|approved|declined
    requested_by: Mapped[str] = mapped_column(String(36))
    approved_by: Mapped[str | None] = mapped_column(String(36), nullable=True)  # approved or declined it
    content: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: receiving authority, grounds
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    exported_at: Mapped[datetime | None] = mapped_column(nullable=True)  # first export
    export_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class ExclusionRevocation(Base):
    """A request to revoke an approved exclusion record: asked for by one officer, approved or declined by a
    different one. Once approved the record's status is `revoked` and it no longer supports anything."""

    __tablename__ = "exclusion_revocations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("exclusion_records.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="requested")  # requested | approved | declined
    requested_by: Mapped[str] = mapped_column(String(36))
    decided_by: Mapped[str | None] = mapped_column(String(36), nullable=True)  # approved or declined it
    content: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: the reason, and the reviewer's reasons
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - a concurrent review is a 409, never lost
