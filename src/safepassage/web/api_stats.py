"""JSON API for statistics: the staff report, the public release, arrivals. Parse, call one service, answer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from safepassage.services import statistics
from safepassage.store.types import utcnow
from safepassage.web.api import ERRORS
from safepassage.web.deps import DB, Staff, UoW

router = APIRouter(prefix="/api", responses=ERRORS)
DateParam = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")]


class ArrivalIn(BaseModel):
    """The day the people of a granted case arrived (empty: today)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"arrived_on": None}]})

    arrived_on: date | None = Field(None, description="not in the future, not before the case was opened")


class ArrivalOut(BaseModel):
    """The arrival as recorded."""

    case_id: str
    arrived_on: date


def default_period(start: str | None, end: str | None) -> tuple[str, str]:
    """The asked period, or the last twelve months up to today."""
    today = utcnow().date()
    return start or (today - timedelta(days=365)).isoformat(), end or today.isoformat()


@router.get("/stats", response_model=dict[str, Any], tags=["statistics"])
def staff_report(actor: Staff, db: DB, start: Annotated[DateParam, Query(alias="from")] = None,
                 end: Annotated[DateParam, Query(alias="to")] = None) -> dict[str, Any]:
    """The full statistics of a period (default: the last twelve months), counted in people. Staff with the grant."""
    period = statistics.parse_period(*default_period(start, end))
    return statistics.report(db, actor=actor, period=period).as_dict()


@router.get("/stats/public", response_model=dict[str, Any], tags=["statistics"])
def public(db: DB, quarter: Annotated[str | None, Query(max_length=8, description="YYYY-QN")] = None) -> dict[str, Any]:
    """Public figures per closed quarter: frozen once published, cells under 10 people withheld (null)."""
    if quarter:
        return {"releases": [statistics.public_release(db, quarter)]}
    return {"releases": statistics.public_index(db)}


@router.post("/cases/{case_id}/arrival", status_code=201, response_model=ArrivalOut, tags=["cases"])
def record_arrival(case_id: UUID, body: ArrivalIn, actor: Staff, uow: UoW) -> ArrivalOut:
    """Record that the people of a granted case arrived (once per case)."""
    day = body.arrived_on or utcnow().date()
    statistics.record_arrival(uow, actor=actor, case_id=str(case_id), arrived_on=day)
    return ArrivalOut(case_id=str(case_id), arrived_on=day)
