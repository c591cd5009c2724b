"""Read models the services hand to the web layer: plain data, already filtered by the policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Receipt:
    """What an applicant gets once: the receipt code and the passphrase."""

    case_id: str
    receipt: str
    passphrase: str


@dataclass(frozen=True)
class OpenRequest:
    """A question staff asked the applicant that is waiting for an answer."""

    id: str
    question: str
    due_on: date | None
    asked_at: datetime


@dataclass(frozen=True)
class Status:
    """What an applicant sees about their case."""

    receipt: str
    stage: str
    next_step_code: str
    next_step: str
    updated_at: datetime
    open_requests: tuple[OpenRequest, ...] = ()
    decision: Any = None  # services.appeals.ApplicantOutcome once decided: outcome, appeal deadline


@dataclass(frozen=True)
class CaseSummary:
    """One row of the staff queue (core fields only: no personal data)."""

    id: str
    receipt: str
    stage: str
    pathways: list[str]
    priority: str
    channel: str
    language: str
    assignee_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    erased: bool = False


@dataclass(frozen=True)
class Page:
    """A page of results and the total that matched."""

    items: list[CaseSummary]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class StageChange:
    """One entry of a case's timeline."""

    from_stage: str | None
    to_stage: str
    actor_id: str | None
    at: datetime


@dataclass(frozen=True)
class CaseDetail:
    """A case as one actor may see it: classes they may not read are absent (None)."""

    summary: CaseSummary
    allowed_transitions: list[str]
    timeline: list[StageChange]
    principal: dict[str, Any] | None = None
    family: list[dict[str, Any]] | None = None
    military: dict[str, Any] | None = None
    narrative: str | None = None
    notes: list[dict[str, Any]] | None = None
    surrender: dict[str, Any] | None = None
    visible_fields: list[str] = field(default_factory=list)
    step_up_required: bool = False
    possible_duplicates: list[str] | None = None


@dataclass(frozen=True)
class Session:
    """A fresh staff login."""

    token: str
    user_id: str
    role: str
    expires_at: datetime
