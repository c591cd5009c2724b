"""Statistics read from other areas' tables (screening, decisions, exclusion), each in its own function.

Every function reads clear columns only and answers None when its area's table is not there yet, so
the report says "not available" instead of a wrong zero.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, or_, select
from sqlalchemy.orm import Session

from safepassage.stats.units import Period
from safepassage.store.models import Base


def _table(name: str) -> Table | None:
    return Base.metadata.tables.get(name)


def confirmed_links(session: Session, case_ids: Collection[str]) -> list[tuple[str, str]]:
    """Confirmed "same person" links (issue 6's identity links) touching the given cases."""
    links = _table("identity_links")
    if links is None or not case_ids:
        return []
    ids = list(case_ids)
    stmt = select(links.c.case_id, links.c.other_case_id).where(
        links.c.status == "confirmed", or_(links.c.case_id.in_(ids), links.c.other_case_id.in_(ids))
    )
    return [(a, b) for a, b in session.execute(stmt)]


def all_confirmed_links(session: Session) -> list[tuple[str, str]]:
    """Every confirmed "same person" link (for a full rebuild)."""
    links = _table("identity_links")
    if links is None:
        return []
    stmt = select(links.c.case_id, links.c.other_case_id).where(links.c.status == "confirmed")
    return [(a, b) for a, b in session.execute(stmt)]


def links_decided_since(session: Session, since: datetime) -> list[str]:
    """Cases on either side of an identity link confirmed or dismissed since `since`."""
    links = _table("identity_links")
    if links is None:
        return []
    rows = session.execute(select(links.c.case_id, links.c.other_case_id).where(links.c.decided_at >= since))
    return [c for pair in rows for c in pair]


def latest_destinations(session: Session, where: Callable[[Any], ColumnElement[bool]]) -> dict[str, str | None]:
    """The destination code of each selected case's latest decision (`where` takes the case-id column)."""
    decisions = _table("decisions")
    if decisions is None or "destination" not in decisions.c:
        return {}
    out: dict[str, tuple[datetime, str, str | None]] = {}
    stmt = select(decisions.c.case_id, decisions.c.decided_at, decisions.c.id, decisions.c.destination).where(
        where(decisions.c.case_id)
    )
    for case_id, at, row_id, dest in session.execute(stmt):
        if case_id not in out or (at, row_id) > out[case_id][:2]:
            out[case_id] = (at, row_id, dest)
    return {case_id: v[2] for case_id, v in out.items()}


def _in(col: Any, period: Period) -> ColumnElement[bool]:
    return and_(col >= period.start, col < period.end)


def screening_figures(session: Session, period: Period) -> dict[str, Any] | None:
    """Screening hit rates and analyst workload (issue 6's tables), or None until they exist.

    Persons screened and hits raised come from screening runs in the period; workload is hits decided
    in the period per analyst (as a distribution: analysts are never named here).
    """
    runs, hits = _table("screening_runs"), _table("screening_hits")
    if runs is None or hits is None:
        return None
    screened, raised = session.execute(
        select(func.coalesce(func.sum(runs.c.persons), 0), func.coalesce(func.sum(runs.c.hits), 0))
        .where(_in(runs.c.at, period))
    ).one()
    decided: dict[str, int] = dict(session.execute(
        select(hits.c.status, func.count()).where(_in(hits.c.decided_at, period)).group_by(hits.c.status)
    ).all())
    per_analyst = sorted(int(n) for (n,) in session.execute(
        select(func.count()).where(_in(hits.c.decided_at, period), hits.c.decided_by.is_not(None))
        .group_by(hits.c.decided_by)
    ))
    pending = int(session.scalar(select(func.count()).where(hits.c.status == "pending")) or 0)
    return {
        "persons_screened": int(screened),
        "hits_raised": int(raised),
        "hits_per_100_persons": round(100 * int(raised) / int(screened), 1) if screened else None,
        "hits_decided": {str(k): int(v) for k, v in decided.items()},
        "confirmed_share": (round(int(decided.get("confirmed", 0)) / sum(decided.values()), 3)
                            if decided else None),
        "analysts": len(per_analyst),
        "decided_per_analyst_median": per_analyst[len(per_analyst) // 2] if per_analyst else None,
        "decided_per_analyst_max": per_analyst[-1] if per_analyst else None,
        "pending_now": pending,
    }


def referral_figures(session: Session, period: Period) -> dict[str, Any] | None:
    """Referrals for prosecution (issue 7's exclusion tables) in the period, by status; None until they exist."""
    refs = _table("referrals")
    if refs is None:
        return None
    requested = int(session.scalar(
        select(func.count(func.distinct(refs.c.person_id))).where(_in(refs.c.requested_at, period))
    ) or 0)
    by_status: dict[str, int] = dict(session.execute(
        select(refs.c.status, func.count(func.distinct(refs.c.person_id)))
        .where(_in(refs.c.decided_at, period)).group_by(refs.c.status)
    ).all())
    return {"requested": requested, "decided": {str(k): int(v) for k, v in by_status.items()}}
