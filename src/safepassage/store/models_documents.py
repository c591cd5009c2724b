"""Models: requests for information and case documents (issue 5).

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.
Everything a person wrote or uploaded — question, answer, file name, file content and its SHA-256 — is
sealed under the case's data key (AAD: table, column, row id); only workflow facts are in clear.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from safepassage.store.models import Base, new_id
from safepassage.store.types import utcnow


class InformationRequestRow(Base):
    """A question staff asked the applicant: open → answered → closed, or open → withdrawn."""

    __tablename__ = "information_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    question: Mapped[bytes] = mapped_column(LargeBinary)  # sealed text
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    asked_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # None: the system
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed text
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class DocumentRow(Base):
    """A document on a case: content and metadata encrypted; size and sniffed media type in clear."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[str | None] = mapped_column(
        ForeignKey("information_requests.id", ondelete="SET NULL"), nullable=True, index=True
    )
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    meta: Mapped[bytes] = mapped_column(LargeBinary)  # sealed {"filename", "sha256"}
    content: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM ciphertext of the file
    uploaded_by_kind: Mapped[str] = mapped_column(String(16))  # "staff" | "applicant"
    uploaded_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
