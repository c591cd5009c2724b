"""The per-case fact summary statistics read: milestones from stage events, kept up to date incrementally.

Only clear workflow columns are read (stages, pathway codes, dates, counts of rows); no personal data is
ever decrypted. Each refresh folds in what changed since the last one (stage events, case updates,
arrivals), re-deriving those cases' rows from all their events, so it is idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from safepassage.domain.stages import DECIDED, PRE_JOURNEY, Stage
from safepassage.services import stats_rollup, stats_sources
from safepassage.store.models import Case, PersonRow, StageEvent, SurrenderRow
from safepassage.store.models_stats import ArrivalRow, CaseFactRow, StatsStateRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Database

#: Transactions stamp events before they commit; re-reading this far back catches late commits.
MARGIN = timedelta(minutes=10)
BATCH = 500
FULL_BATCH = 20_000
_STATE = "facts"
FACTS = cast(Table, CaseFactRow.__table__)
_LOCK = 0x5AFE_57A7  # PostgreSQL advisory lock: one refresh at a time
HOUR_STAGES = ("received", "screening", "review", "exclusion_review", "decision_pending", "appeal")


@dataclass(frozen=True)
class _Case:
    id: str
    stage: str
    pathways: str
    priority: str
    created_at: datetime
    stage_changed_at: datetime
    erased: bool


def _hours(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 3600))


def derive(case: _Case, events: Sequence[tuple[str | None, str, datetime]], people: int, principals: int,
           arrived_at: datetime | None, destination: str | None = None) -> dict[str, Any]:
    """One case's fact row from its events (ordered by time): first reach of each step, latest decision."""
    first: dict[str, datetime] = {}
    stay: dict[str, int] = defaultdict(int)
    left: set[str] = set()
    decided_at = outcome = first_outcome = None
    for i, (from_stage, to_stage, at) in enumerate(events):
        first.setdefault(to_stage, at)
        if to_stage in DECIDED:
            decided_at, outcome = at, to_stage
            first_outcome = first_outcome or to_stage
        if i and from_stage is not None:
            stay[from_stage] += _hours(at - events[i - 1][2])
            left.add(from_stage)
    applied = first.get(Stage.RECEIVED.value)
    row: dict[str, Any] = {
        "case_id": case.id,
        "cluster_id": case.id,
        "clustered": 0,
        "pathways": case.pathways,
        "priority": case.priority,
        "people": people,
        "principals": principals,
        "stage": case.stage,
        "stage_changed_at": case.stage_changed_at,
        "contact_at": case.created_at,
        "requested_at": first.get(Stage.SURRENDER_REQUESTED.value),
        "arranged_at": first.get(Stage.SURRENDER_ARRANGED.value),
        "custody_at": first.get(Stage.IN_CUSTODY.value),
        "applied_at": applied,
        "screened_at": first.get(Stage.REVIEW.value),
        "decided_at": decided_at,
        "outcome": outcome,
        "first_outcome": first_outcome,
        "destination": destination if decided_at is not None else None,
        "appealed_at": first.get(Stage.APPEAL.value),
        "withdrawn_at": first.get(Stage.WITHDRAWN.value) if case.stage == Stage.WITHDRAWN.value else None,
        "arrived_at": arrived_at,
    }
    for stage in HOUR_STAGES:
        row[f"h_{stage}"] = stay[stage] if stage in left else None
    pre = [s.value for s in PRE_JOURNEY]
    row["h_pre_journey"] = sum(stay[s] for s in pre) if applied and set(pre) & left else None
    first_decision = next((at for _f, t, at in events if t in DECIDED), None)
    row["h_total"] = _hours(first_decision - applied) if applied and first_decision else None
    return row


def _rows(session: Session, where: Callable[[Any], ColumnElement[bool]]) -> list[dict[str, Any]]:
    """Fact rows of the cases selected by `where(case_id column)` (an IN list or an id range)."""
    cases = [
        _Case(r.id, r.stage, r.pathways, r.priority, r.created_at, r.stage_changed_at, r.erased_at is not None)
        for r in session.execute(
            select(Case.id, Case.stage, Case.pathways, Case.priority, Case.created_at, Case.stage_changed_at,
                   Case.erased_at).where(where(Case.id))
        )
    ]
    events: dict[str, list[tuple[str | None, str, datetime]]] = defaultdict(list)
    for ev in session.execute(
        select(StageEvent.case_id, StageEvent.from_stage, StageEvent.to_stage, StageEvent.at)
        .where(where(StageEvent.case_id))
    ):
        events[ev.case_id].append((ev.from_stage, ev.to_stage, ev.at))
    persons = dict(session.execute(
        select(PersonRow.case_id, func.count()).where(where(PersonRow.case_id)).group_by(PersonRow.case_id)
    ).all())
    groups = dict(session.execute(
        select(SurrenderRow.case_id, SurrenderRow.group_size).where(where(SurrenderRow.case_id))
    ).all())
    arrivals = dict(session.execute(
        select(ArrivalRow.case_id, ArrivalRow.arrived_on).where(where(ArrivalRow.case_id))
    ).all())
    destinations = stats_sources.latest_destinations(session, where)
    erased = [c.id for c in cases if c.erased]
    previous = {
        r.case_id: (r.people, r.principals)
        for r in session.execute(
            select(CaseFactRow.case_id, CaseFactRow.people, CaseFactRow.principals)
            .where(CaseFactRow.case_id.in_(erased))
        )
    } if erased else {}
    rows = []
    for case in cases:
        group = int(groups.get(case.id) or 0)
        people, principals = int(persons.get(case.id) or 0), 1
        if group:
            people, principals = max(people, group), group  # a surrender group's size, until people are listed
        people = max(1, people)
        if case.erased and case.id in previous:
            people, principals = previous[case.id]  # erasure deletes the person rows: keep the count made before
        arrived = arrivals.get(case.id)
        arrived_at = datetime(arrived.year, arrived.month, arrived.day, tzinfo=UTC) if arrived else None
        evs = sorted(events.get(case.id, []), key=lambda e: e[2])
        rows.append(derive(case, evs, people, principals, arrived_at, destinations.get(case.id)))
    return rows


def _cluster(session: Session, touched: Sequence[str], delta: stats_rollup.Delta | None = None) -> None:
    """Recompute the person clusters around the touched cases from the confirmed links (merges and splits)."""
    closed: set[str] = set()
    frontier = set(touched)
    while frontier:
        closed |= frontier
        linked = {c for pair in stats_sources.confirmed_links(session, frontier) for c in pair}
        roots = set(session.scalars(select(CaseFactRow.cluster_id).where(CaseFactRow.case_id.in_(frontier))).all())
        mates = set(session.scalars(select(CaseFactRow.case_id).where(CaseFactRow.cluster_id.in_(roots))).all())
        frontier = (linked | mates | roots) - closed
    pairs = stats_sources.confirmed_links(session, closed)
    was_linked = session.scalar(
        select(func.count()).select_from(CaseFactRow).where(CaseFactRow.case_id.in_(closed), CaseFactRow.clustered == 1)
    )
    if not pairs and not was_linked:
        return  # nothing linked, nothing was linked before: rows keep cluster = themselves
    parent = {c: c for c in closed}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    components: dict[str, list[str]] = defaultdict(list)
    for case_id in closed:
        components[find(case_id)].append(case_id)
    if delta is not None:
        delta.before(closed)
    for root, members in components.items():
        session.execute(
            update(CaseFactRow).where(CaseFactRow.case_id.in_(members))
            .values(cluster_id=root, clustered=1 if len(members) > 1 else 0)
        )


def _write(session: Session, ids: Sequence[str], delta: stats_rollup.Delta) -> None:
    rows = _rows(session, lambda col: col.in_(ids))
    delta.before(ids)
    clusters = {
        r.case_id: (r.cluster_id, r.clustered)
        for r in session.execute(
            select(CaseFactRow.case_id, CaseFactRow.cluster_id, CaseFactRow.clustered)
            .where(CaseFactRow.case_id.in_(ids))
        )
    }
    for row in rows:  # keep a case's existing cluster membership
        row["cluster_id"], row["clustered"] = clusters.get(row["case_id"], (row["case_id"], 0))
    session.execute(delete(CaseFactRow).where(CaseFactRow.case_id.in_(ids)))
    if rows:
        session.connection().execute(insert(FACTS), rows)  # Core: one executemany
    _cluster(session, ids, delta)


def _changed(session: Session, since: datetime) -> list[str]:
    found: set[str] = set()
    found.update(session.scalars(select(StageEvent.case_id).where(StageEvent.at >= since)).all())
    found.update(session.scalars(select(Case.id).where(Case.updated_at >= since)).all())
    found.update(session.scalars(select(ArrivalRow.case_id).where(ArrivalRow.recorded_at >= since)).all())
    found.update(stats_sources.links_decided_since(session, since))
    return sorted(found)


def _batches(ids: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for case_id in ids:
        batch.append(case_id)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _rebuild(session: Session) -> int:
    """Every case's row again, in id ranges (no long IN lists); then every person cluster from the links."""
    kept = {r.case_id: (r.cluster_id, r.clustered) for r in session.execute(
        select(CaseFactRow.case_id, CaseFactRow.cluster_id, CaseFactRow.clustered).where(CaseFactRow.clustered == 1))}
    erased_counts = _rows_of_erased(session)
    session.execute(delete(CaseFactRow).where(CaseFactRow.case_id.not_in(erased_counts)) if erased_counts
                    else delete(CaseFactRow))
    ids = session.scalars(select(Case.id).order_by(Case.id)).all()
    for i in range(0, len(ids), FULL_BATCH):
        lo, hi = ids[i], ids[min(i + FULL_BATCH, len(ids)) - 1]
        rows = _rows(session, _between(lo, hi))
        for row in rows:
            row["cluster_id"], row["clustered"] = kept.get(row["case_id"], (row["case_id"], 0))
        session.execute(delete(CaseFactRow).where(CaseFactRow.case_id.in_(
            [r["case_id"] for r in rows if r["case_id"] in erased_counts])))
        if rows:
            session.connection().execute(insert(FACTS), rows)  # Core: one executemany
    linked = {c for pair in stats_sources.all_confirmed_links(session) for c in pair} | set(kept)
    for batch in _batches(sorted(linked)):
        _cluster(session, batch)
    stats_rollup.rebuild(session)
    if session.get_bind().dialect.name == "postgresql":
        # the planner needs fresh statistics on tables just refilled (autovacuum may be off or late): without
        # them the next refresh's IN-list reads of a few hundred rows become scans of a million
        session.execute(text("ANALYZE stats_case_facts, stats_rollup"))
    return len(ids)


def _between(lo: str, hi: str) -> Callable[[Any], ColumnElement[bool]]:
    return lambda col: and_(col >= lo, col <= hi)


def _rows_of_erased(session: Session) -> set[str]:
    """Erased cases that already have a row: their people count (made before erasure) must survive."""
    return set(session.scalars(
        select(CaseFactRow.case_id).join(Case, Case.id == CaseFactRow.case_id).where(Case.erased_at.is_not(None))
    ).all())


def refresh(db: Database, *, full: bool = False) -> int:
    """Fold every change since the last refresh into the fact summary (everything if `full`); returns cases."""
    with db.uow() as uow:
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
        started = utcnow()
        state = session.get(StatsStateRow, _STATE)
        if full or state is None:
            count = _rebuild(session)
        else:
            ids = _changed(session, state.at - MARGIN)
            delta = stats_rollup.Delta(session)
            for batch in _batches(ids):
                _write(session, batch, delta)
            delta.apply()
            count = len(ids)
        if state is None:
            session.add(StatsStateRow(name=_STATE, at=started))
        else:
            state.at = started
        uow.commit()
        return count
