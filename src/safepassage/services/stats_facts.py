"""The per-case fact summary statistics read: milestones from stage events, kept up to date incrementally.

Only clear workflow columns are read (stages, pathway codes, dates, counts of rows); no personal data is
ever decrypted. Each refresh folds in what changed since the last one (stage events, case updates,
arrivals), re-deriving those cases' rows from all their events, so it is idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from safepassage.domain.stages import DECIDED, PRE_JOURNEY, Stage
from safepassage.services import stats_sources
from safepassage.store.models import Case, PersonRow, StageEvent, SurrenderRow
from safepassage.store.models_stats import ArrivalRow, CaseFactRow, StatsStateRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Database

#: Transactions stamp events before they commit; re-reading this far back catches late commits.
MARGIN = timedelta(minutes=10)
BATCH = 500
_STATE = "facts"
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
           arrived_at: datetime | None) -> dict[str, Any]:
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


def _load(session: Session, ids: Sequence[str]) -> list[dict[str, Any]]:
    cases = [
        _Case(r.id, r.stage, r.pathways, r.priority, r.created_at, r.stage_changed_at, r.erased_at is not None)
        for r in session.execute(
            select(Case.id, Case.stage, Case.pathways, Case.priority, Case.created_at, Case.stage_changed_at,
                   Case.erased_at).where(Case.id.in_(ids))
        )
    ]
    events: dict[str, list[tuple[str | None, str, datetime]]] = defaultdict(list)
    for ev in session.execute(
        select(StageEvent.case_id, StageEvent.from_stage, StageEvent.to_stage, StageEvent.at)
        .where(StageEvent.case_id.in_(ids)).order_by(StageEvent.case_id, StageEvent.at)
    ):
        events[ev.case_id].append((ev.from_stage, ev.to_stage, ev.at))
    persons = dict(session.execute(
        select(PersonRow.case_id, func.count()).where(PersonRow.case_id.in_(ids)).group_by(PersonRow.case_id)
    ).all())
    groups = dict(session.execute(
        select(SurrenderRow.case_id, SurrenderRow.group_size).where(SurrenderRow.case_id.in_(ids))
    ).all())
    arrivals = dict(session.execute(
        select(ArrivalRow.case_id, ArrivalRow.arrived_on).where(ArrivalRow.case_id.in_(ids))
    ).all())
    previous = {
        r.case_id: (r.people, r.principals)
        for r in session.execute(
            select(CaseFactRow.case_id, CaseFactRow.people, CaseFactRow.principals).where(CaseFactRow.case_id.in_(ids))
        )
    }
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
        rows.append(derive(case, events.get(case.id, []), people, principals, arrived_at))
    return rows


def _cluster(session: Session, touched: Sequence[str]) -> None:
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
    for root, members in components.items():
        session.execute(
            update(CaseFactRow).where(CaseFactRow.case_id.in_(members))
            .values(cluster_id=root, clustered=1 if len(members) > 1 else 0)
        )


def _write(session: Session, ids: Sequence[str]) -> None:
    rows = _load(session, ids)
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
        session.execute(insert(CaseFactRow), rows)
    _cluster(session, ids)


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


def refresh(db: Database, *, full: bool = False) -> int:
    """Fold every change since the last refresh into the fact summary (everything if `full`); returns cases."""
    with db.uow() as uow:
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
        started = utcnow()
        state = session.get(StatsStateRow, _STATE)
        if full or state is None:
            ids: list[str] = list(session.scalars(select(Case.id).order_by(Case.id)).all())
        else:
            ids = _changed(session, state.at - MARGIN)
        for batch in _batches(ids):
            _write(session, batch)
        if state is None:
            session.add(StatsStateRow(name=_STATE, at=started))
        else:
            state.at = started
        uow.commit()
        return len(ids)
