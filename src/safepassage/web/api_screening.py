"""The screening API: the analyst's queue, a case's screening results, hit dispositions, incident-flag
acknowledgements, possible duplicates. Parse, call one service, shape the answer."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import ConfigDict, Field

from safepassage.services import case_screening, duplicates, incidents, screening_review
from safepassage.web import schemas as s
from safepassage.web.api import ERRORS
from safepassage.web.deps import Staff, UoW

router = APIRouter(prefix="/api", responses=ERRORS)
Reason = Annotated[str, Field(min_length=1, max_length=case_screening.MAX_REASON)]


class DispositionIn(s.Strict):
    """An analyst's disposition of one screening hit; the reason is required."""

    hit_id: UUID
    disposition: Literal["confirmed", "false_positive", "needs_info"]
    reason: Reason
    version: int = Field(ge=1, le=2**31 - 1, description="the hit's version as you read it (409 if stale)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "hit_id": "0193a5c4-7d2e-7c1a-9f3e-5b8d2a4c6e10", "disposition": "false_positive",
        "reason": "Listed person born 1961 in Omsk; applicant born 1990 in Kazan (passport seen).", "version": 1}]})


class AcknowledgementIn(s.Strict):
    """Acknowledge an incident flag: what the interview should cover (never an exclusion by itself)."""

    flag_id: UUID
    note: Annotated[str, Field(min_length=1, max_length=incidents.MAX_NOTE)]

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "flag_id": "0193a5c4-7d2e-7c1a-9f3e-5b8d2a4c6e11",
        "note": "Interview: where the applicant's company was in March 2022 and what it did."}]})


class LinkDecisionIn(s.Strict):
    """Confirm that a possible duplicate is the same person (the cases are linked), or dismiss it."""

    link_id: UUID
    decision: Literal["confirmed", "dismissed"]

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "link_id": "0193a5c4-7d2e-7c1a-9f3e-5b8d2a4c6e12", "decision": "confirmed"}]})


class QueueItemOut(s.Strict):
    """A case waiting for a screening analyst."""

    case: s.CaseSummaryOut
    hits: int
    flags: int
    top_score: float


class QueueOut(s.Strict):
    """The analyst's queue, oldest first within priority."""

    items: list[QueueItemOut]
    total: int
    limit: int
    offset: int


class HitOut(s.Strict):
    """A screening hit: score, explanation, list and version, the listed entity, disposition."""

    id: str
    person_id: str
    entity_id: str
    watchlist: str
    watchlist_version: int
    score: float
    status: str
    version: int
    remembered: bool
    explanation: dict[str, Any]
    entity: dict[str, Any]
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class FlagOut(s.Strict):
    """An incident flag: the documented incident and what in the person's service overlapped it."""

    id: str
    person_id: str
    basis: str
    status: str
    incident: dict[str, str]
    value: str
    period: str
    note: str | None
    decided_by: str | None
    decided_at: datetime | None


class RunOut(s.Strict):
    """One screening of the case."""

    id: str
    kind: str
    versions: dict[str, int]
    persons: int
    hits: int
    flags: int
    at: datetime


class CaseScreeningOut(s.Strict):
    """Everything screening found on a case, and how many items still wait for an analyst."""

    case: s.CaseSummaryOut
    hits: list[HitOut]
    flags: list[FlagOut]
    runs: list[RunOut]
    unresolved: int


class ResolvedOut(s.Strict):
    """The item's new status and where the case stands now."""

    id: str
    status: str
    version: int | None = None
    case_stage: str | None = None
    case_version: int | None = None


class DuplicateOut(s.Strict):
    """A possible earlier (or later) application of the same person."""

    id: str
    other_case_id: str
    other_receipt: str
    other_channel: str
    score: float
    status: str
    explanation: dict[str, Any] | None
    decided_by: str | None
    decided_at: datetime | None


@router.get("/screening/queue", response_model=QueueOut, tags=["screening"])
def queue(actor: Staff, uow: UoW, limit: Annotated[int, Query(ge=1, le=100)] = 50,
          offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> QueueOut:
    """Cases with screening hits or incident flags waiting for an analyst."""
    items, total = screening_review.queue(uow, actor=actor, limit=limit, offset=offset)
    return QueueOut(items=[QueueItemOut(case=s.CaseSummaryOut(**asdict(i.case)), hits=i.hits, flags=i.flags,
                                        top_score=i.top_score) for i in items], total=total, limit=limit,
                    offset=offset)


@router.get("/cases/{case_id}/screening", response_model=CaseScreeningOut, tags=["screening"])
def case_screening_results(case_id: UUID, actor: Staff, uow: UoW) -> CaseScreeningOut:
    """The case's screening hits (with explanations), incident flags and screening runs."""
    out = screening_review.case_results(uow, actor=actor, case_id=str(case_id))
    return CaseScreeningOut(case=s.CaseSummaryOut(**asdict(out["case"])), hits=[HitOut(**h) for h in _hits(out)],
                            flags=[FlagOut(**f) for f in out["flags"]], runs=[RunOut(**r) for r in out["runs"]],
                            unresolved=out["unresolved"])


def _hits(out: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in h.items() if k != "case_id"} for h in out["hits"]]


@router.post("/cases/{case_id}/screening/dispositions", response_model=ResolvedOut, tags=["screening"])
def dispose(case_id: UUID, body: DispositionIn, actor: Staff, uow: UoW) -> ResolvedOut:
    """Confirm a hit (the case goes to exclusion review), mark it a false positive, or ask for information."""
    return ResolvedOut(**case_screening.dispose_hit(
        uow, actor=actor, case_id=str(case_id), hit_id=str(body.hit_id), disposition=body.disposition,
        reason=body.reason, expected_version=body.version))


@router.post("/cases/{case_id}/screening/acknowledgements", response_model=ResolvedOut, tags=["screening"])
def acknowledge(case_id: UUID, body: AcknowledgementIn, actor: Staff, uow: UoW) -> ResolvedOut:
    """Acknowledge an incident flag with a note for the interview."""
    return ResolvedOut(**incidents.acknowledge_flag(uow, actor=actor, case_id=str(case_id), flag_id=str(body.flag_id),
                                                    note=body.note))


@router.get("/cases/{case_id}/duplicates", response_model=list[DuplicateOut], tags=["screening"])
def possible_duplicates(case_id: UUID, actor: Staff, uow: UoW) -> list[DuplicateOut]:
    """Other applications that may be the same person (any spelling, any channel)."""
    return [DuplicateOut(**d) for d in screening_review.duplicates_of(uow, actor=actor, case_id=str(case_id))]


@router.post("/cases/{case_id}/duplicates/decisions", response_model=ResolvedOut, tags=["screening"])
def decide_duplicate(case_id: UUID, body: LinkDecisionIn, actor: Staff, uow: UoW) -> ResolvedOut:
    """Confirm (same person: statistics count the two applications once) or dismiss a possible duplicate."""
    return ResolvedOut(**duplicates.decide_link(uow, actor=actor, case_id=str(case_id), link_id=str(body.link_id),
                                                decision=body.decision))
