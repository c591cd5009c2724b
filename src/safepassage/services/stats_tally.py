"""Counting people over the fact summary: one grouped query for single-application people, plus the few
people with several applications merged in Python (the same rules, `stats.units.reached`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from safepassage.domain.stages import OPEN
from safepassage.stats.rollup import DESTINATION_PREFIX, cover
from safepassage.stats.units import (
    DESTINATION_MEASURES,
    MEASURES,
    Period,
    Unit,
    destination_reached,
    merge,
    reached,
)
from safepassage.store.models_stats import CaseFactRow, StatsRollupRow

F = CaseFactRow
R = StatsRollupRow
#: (pathways, P1 flag) → measure → [people, principals]
Tally = dict[tuple[frozenset[str], int], dict[str, list[int]]]


def _in(col: Any, period: Period) -> ColumnElement[bool]:
    return and_(col >= period.start, col < period.end)


def _rollup_where(period: Period) -> ColumnElement[bool]:
    """The rollup rows covering the period exactly: full months, then days at the edges."""
    years, months, days = cover(period.start.date(), period.end.date())
    parts = []
    if years:
        parts.append(and_(R.grain == "y", R.bucket.in_(years)))
    if months:
        parts.append(and_(R.grain == "m", R.bucket.in_(months)))
    parts += [and_(R.grain == "d", R.bucket >= lo, R.bucket <= hi) for lo, hi in days]
    return or_(*parts) if parts else R.grain == "none"


def rollup_rows(session: Session, period: Period) -> list[tuple[str, str, int, str, int, int]]:
    """(month, pathways, p1, measure, people, principals) of the period (a year's rows carry "YYYY")."""
    stmt = (
        select(R.grain, R.bucket, R.pathways, R.p1, R.measure, R.people, R.principals)
        .where(_rollup_where(period))
    )
    return [(b if g != "d" else b[:7], pw, int(p1), m, int(n), int(k))
            for g, b, pw, p1, m, n, k in session.execute(stmt)]


def _key(pathways: str, p1: int) -> tuple[frozenset[str], int]:
    return frozenset(p for p in pathways.split("|") if p), p1


def _unit(r: Any) -> Unit:
    return Unit(
        pathways=frozenset(p for p in r.pathways.split("|") if p), people=r.people, principals=r.principals,
        priority=r.priority, contact_at=r.contact_at, requested_at=r.requested_at, arranged_at=r.arranged_at,
        custody_at=r.custody_at, applied_at=r.applied_at, screened_at=r.screened_at, decided_at=r.decided_at,
        outcome=r.outcome, first_outcome=r.first_outcome, destination=r.destination, appealed_at=r.appealed_at,
        withdrawn_at=r.withdrawn_at,
        arrived_at=r.arrived_at, case_ids=(r.case_id,),
    )


def units_of_clusters(session: Session) -> list[Unit]:
    """Every person with more than one application, as one merged unit."""
    clusters: dict[str, list[Unit]] = defaultdict(list)
    for r in session.execute(select(F).where(F.clustered == 1)).scalars():
        clusters[r.cluster_id].append(_unit(r))
    return [merge(sorted(us, key=lambda u: u.case_ids)) for us in clusters.values()]


Rows = list[tuple[str, str, int, str, int, int]]


def tally(session: Session, period: Period, rows: Rows | None = None, units: list[Unit] | None = None) -> Tally:
    """People and principals reaching each funnel step in the period, by pathway set and P1 flag.

    `rows` and `units` (the period's rollup rows, the merged people) are read here unless given."""
    out: Tally = defaultdict(lambda: {m: [0, 0] for m in MEASURES})
    for _month, pathways, p1, measure, people, principals in rows if rows is not None else rollup_rows(session, period):
        if measure in MEASURES:
            counts = out[_key(pathways, p1)]
            counts[measure][0] += people
            counts[measure][1] += principals
    for unit in units if units is not None else units_of_clusters(session):
        counts = out[(unit.pathways, int(unit.priority == "P1"))]
        for m, hit in reached(unit, period).items():
            if hit:
                counts[m][0] += unit.people
                counts[m][1] += unit.principals
    return dict(out)


def by_destination(period: Period, rows: Rows, units: list[Unit]) -> dict[str, dict[str, int]]:
    """People reaching each step after a decision in the period, per destination: measure → destination → people."""
    out: dict[str, dict[str, int]] = {m: {} for m in DESTINATION_MEASURES}
    for _month, _pathways, _p1, measure, people, _principals in rows:
        if measure.startswith(DESTINATION_PREFIX):
            dest, _, step = measure[len(DESTINATION_PREFIX):].rpartition(":")
            if step in out:
                out[step][dest] = out[step].get(dest, 0) + people
    for unit in units:
        dest, steps = destination_reached(unit, period)
        for step in steps:
            out[step][dest] = out[step].get(dest, 0) + unit.people
    return out


def durations(rows: list[tuple[str, str, int, str, int, int]]) -> dict[str, dict[frozenset[str], dict[int, int]]]:
    """Hours per stage (bucketed) of cases decided in the period (applications, not people): histograms."""
    out: dict[str, dict[frozenset[str], dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for _month, pathways, _p1, measure, n, _ in rows:
        if measure.startswith("h:"):
            _, stage, hours = measure.split(":")
            hist = out[stage][_key(pathways, 0)[0]]
            hist[int(hours)] = hist.get(int(hours), 0) + n
    return out


def monthly(session: Session, period: Period, measure: str) -> dict[str, int]:
    """People per calendar month reaching a step (single-application people; merged ones are added by the caller)."""
    years, months, days = cover(period.start.date(), period.end.date())
    months = sorted([*months, *(f"{y}-{m:02d}" for y in years for m in range(1, 13))])
    parts = [and_(R.grain == "m", R.bucket.in_(months))] if months else []
    parts += [and_(R.grain == "d", R.bucket >= lo, R.bucket <= hi) for lo, hi in days]
    if not parts:
        return {}
    stmt = select(R.bucket, R.people).where(R.measure == measure, or_(*parts))
    out: dict[str, int] = defaultdict(int)
    for bucket, people in session.execute(stmt):
        out[bucket[:7]] += int(people)
    return dict(out)


AGE_BUCKETS = ((7, "0-7"), (30, "8-30"), (90, "31-90"))


def backlog(session: Session, now: datetime) -> dict[str, dict[str, list[int]]]:
    """Open cases now, by stage and days in that stage: [cases, people] per bucket."""
    whens: list[tuple[ColumnElement[bool], str]] = [
        (F.stage_changed_at >= now - timedelta(days=days), label) for days, label in AGE_BUCKETS
    ]
    bucket = case(*whens, else_=literal("90+"))
    stmt = (
        select(F.stage, bucket.label("age"), func.count(), func.coalesce(func.sum(F.people), 0))
        .where(F.stage.in_(sorted(s.value for s in OPEN)))  # index (stage, stage_changed_at)
        .group_by(F.stage, bucket)
    )
    out: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for stage, age, cases, people in session.execute(stmt):
        out[stage][age] = [int(cases), int(people)]
    return {stage: dict(ages) for stage, ages in out.items()}
