"""Counting people over the fact summary: one grouped query for single-application people, plus the few
people with several applications merged in Python (the same rules, `stats.units.reached`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from safepassage.domain.stages import CLOSED
from safepassage.services.stats_facts import HOUR_STAGES
from safepassage.stats.units import MEASURES, Period, Unit, merge, reached
from safepassage.store.models_stats import CaseFactRow

F = CaseFactRow
#: (pathways, priority) → measure → [people, principals]
Tally = dict[tuple[frozenset[str], str], dict[str, list[int]]]


def _in(col: Any, period: Period) -> ColumnElement[bool]:
    return and_(col >= period.start, col < period.end)


def _conditions(period: Period) -> dict[str, ColumnElement[bool]]:
    """The SQL twin of `stats.units.reached` (a test checks both agree on the same data)."""
    decided = _in(F.decided_at, period)
    appeal_decided = and_(decided, F.appealed_at.is_not(None))
    return {
        "contacts": _in(F.contact_at, period),
        "surrender_requested": _in(F.requested_at, period),
        "surrender_arranged": _in(F.arranged_at, period),
        "in_custody": _in(F.custody_at, period),
        "custody_to_asylum": and_(F.custody_at.is_not(None), _in(F.applied_at, period)),
        "applications": _in(F.applied_at, period),
        "screened": _in(F.screened_at, period),
        "decided": decided,
        "granted": and_(decided, F.outcome == "granted"),
        "refused": and_(decided, F.outcome == "refused"),
        "excluded": and_(decided, F.outcome == "excluded"),
        "arrived": _in(F.arrived_at, period),
        "withdrawn": _in(F.withdrawn_at, period),
        "appeals": _in(F.appealed_at, period),
        "appeal_granted": and_(appeal_decided, F.outcome == "granted"),
        "appeal_upheld": and_(appeal_decided, F.outcome != "granted"),
    }


def _key(pathways: str, priority: str) -> tuple[frozenset[str], str]:
    return frozenset(p for p in pathways.split("|") if p), priority


def _unit(r: Any) -> Unit:
    return Unit(
        pathways=frozenset(p for p in r.pathways.split("|") if p), people=r.people, principals=r.principals,
        priority=r.priority, contact_at=r.contact_at, requested_at=r.requested_at, arranged_at=r.arranged_at,
        custody_at=r.custody_at, applied_at=r.applied_at, screened_at=r.screened_at, decided_at=r.decided_at,
        outcome=r.outcome, first_outcome=r.first_outcome, appealed_at=r.appealed_at, withdrawn_at=r.withdrawn_at,
        arrived_at=r.arrived_at, case_ids=(r.case_id,),
    )


def units_of_clusters(session: Session) -> list[Unit]:
    """Every person with more than one application, as one merged unit."""
    clusters: dict[str, list[Unit]] = defaultdict(list)
    for r in session.execute(select(F).where(F.clustered == 1)).scalars():
        clusters[r.cluster_id].append(_unit(r))
    return [merge(sorted(us, key=lambda u: u.case_ids)) for us in clusters.values()]


def tally(session: Session, period: Period) -> Tally:
    """People and principals reaching each funnel step in the period, by pathway set and priority."""
    conds = _conditions(period)
    cols = []
    for m in MEASURES:
        cols.append(func.coalesce(func.sum(case((conds[m], F.people), else_=0)), 0).label(f"{m}__people"))
        cols.append(func.coalesce(func.sum(case((conds[m], F.principals), else_=0)), 0).label(f"{m}__principals"))
    stmt = select(F.pathways, F.priority, *cols).where(F.clustered == 0).group_by(F.pathways, F.priority)
    out: Tally = defaultdict(lambda: {m: [0, 0] for m in MEASURES})
    for row in session.execute(stmt).mappings():
        counts = out[_key(row["pathways"], row["priority"])]
        for m in MEASURES:
            counts[m][0] += int(row[f"{m}__people"])
            counts[m][1] += int(row[f"{m}__principals"])
    for unit in units_of_clusters(session):
        counts = out[(unit.pathways, unit.priority)]
        for m, hit in reached(unit, period).items():
            if hit:
                counts[m][0] += unit.people
                counts[m][1] += unit.principals
    return dict(out)


def durations(session: Session, period: Period) -> dict[str, dict[frozenset[str], dict[int, int]]]:
    """Hours spent per stage by cases decided in the period (applications, not people): histograms."""
    decided = _in(F.decided_at, period)
    parts = [
        select(literal(stage).label("stage"), F.pathways, getattr(F, f"h_{stage}").label("h"), func.count().label("n"))
        .where(decided, getattr(F, f"h_{stage}").is_not(None))
        .group_by(F.pathways, getattr(F, f"h_{stage}"))
        for stage in (*HOUR_STAGES, "total")
    ]
    parts.append(
        select(literal("pre_journey").label("stage"), F.pathways, F.h_pre_journey.label("h"), func.count().label("n"))
        .where(_in(F.applied_at, period), F.h_pre_journey.is_not(None))
        .group_by(F.pathways, F.h_pre_journey)
    )
    out: dict[str, dict[frozenset[str], dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for stage, pathways, hours, n in session.execute(union_all(*parts)):
        hist = out[stage][_key(pathways, "")[0]]
        hist[int(hours)] = hist.get(int(hours), 0) + int(n)
    return out


AGE_BUCKETS = ((7, "0-7"), (30, "8-30"), (90, "31-90"))


def backlog(session: Session, now: datetime) -> dict[str, dict[str, list[int]]]:
    """Open cases now, by stage and days in that stage: [cases, people] per bucket."""
    whens: list[tuple[ColumnElement[bool], str]] = [
        (F.stage_changed_at >= now - timedelta(days=days), label) for days, label in AGE_BUCKETS
    ]
    bucket = case(*whens, else_=literal("90+"))
    stmt = (
        select(F.stage, bucket.label("age"), func.count(), func.coalesce(func.sum(F.people), 0))
        .where(F.stage.not_in([s.value for s in CLOSED]))
        .group_by(F.stage, bucket)
    )
    out: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for stage, age, cases, people in session.execute(stmt):
        out[stage][age] = [int(cases), int(people)]
    return {stage: dict(ages) for stage, ages in out.items()}


def monthly(session: Session, period: Period, column: str, month: Callable[[Any], Any]) -> dict[str, int]:
    """People per calendar month of a milestone within the period (single-application people only)."""
    col = getattr(F, column)
    label = month(col)
    stmt = (
        select(label, func.sum(F.people)).where(_in(col, period), F.clustered == 0).group_by(label)
    )
    return {str(k): int(v) for k, v in session.execute(stmt) if k is not None}
