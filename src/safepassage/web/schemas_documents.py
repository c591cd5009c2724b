"""API bodies for requests for information and documents; every request body carries a valid example."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from safepassage.services.documents import DocumentInfo
from safepassage.services.information import MAX_ANSWER, MAX_QUESTION, RequestView
from safepassage.services.views import OpenRequest

Uuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{36}$")]


class InformationRequestIn(BaseModel):
    """A question for the applicant; `version` is the case version you last saw."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "Пришлите, пожалуйста, фото повестки (обе стороны). Якщо є — військовий квиток.",
                    "due_on": None,
                    "version": 1,
                }
            ]
        },
    )

    question: Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUESTION)]
    due_on: date | None = Field(None, description="answer by this date (from today to a year ahead)")
    version: int = Field(ge=1)


class AnswerIn(BaseModel):
    """The applicant's answer to one open request, with the receipt code and passphrase."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "receipt": "7KQ4-M2XZ-9PHD-Y",
                    "passphrase": "your passphrase",
                    "request_id": "0b8e0b4e-8d8e-4f5e-9c4a-3a8c2f1d5e6f",
                    "text": "Повестку получил 12.03.2024, фото пришлю позже.",
                }
            ]
        },
    )

    receipt: Annotated[str, StringConstraints(max_length=40)]
    passphrase: Annotated[str, StringConstraints(max_length=200)]
    request_id: Uuid
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ANSWER)]


class OpenRequestOut(BaseModel):
    """A question waiting for the applicant's answer."""

    id: str
    question: str
    due_on: date | None
    asked_at: datetime

    @classmethod
    def of(cls, r: OpenRequest) -> OpenRequestOut:
        """From the service's view."""
        return cls(id=r.id, question=r.question, due_on=r.due_on, asked_at=r.asked_at)


class DocumentOut(BaseModel):
    """A document's metadata (download it from /api/cases/{case_id}/documents/{document_id})."""

    id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by_kind: str
    uploaded_by: str | None
    request_id: str | None

    @classmethod
    def of(cls, d: DocumentInfo) -> DocumentOut:
        """From the service's view."""
        return cls(**d.__dict__)


class InformationRequestOut(BaseModel):
    """A request for information as staff see it: the question, its status, the answer and its documents."""

    id: str
    status: str
    question: str
    due_on: date | None
    asked_by: str | None
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    documents: list[DocumentOut]

    @classmethod
    def of(cls, r: RequestView) -> InformationRequestOut:
        """From the service's view."""
        return cls(**{**r.__dict__, "documents": [DocumentOut.of(d) for d in r.documents]})


class ClosureOut(BaseModel):
    """A request's status after closing: `closed` (it was answered) or `withdrawn` (it was still open)."""

    status: str


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary",
                                        "description": "PDF, JPEG, PNG, WebP or HEIC, at most 10 MB"}},
            }
        }
    },
}
