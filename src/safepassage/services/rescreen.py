"""Re-screening: when a watchlist version changes, every open or granted case already screened is screened
again against what changed since the versions it last saw (added and changed entries only).

Resumable and exactly-once: each case is screened in its own transaction that also moves its progress
marker (`case_screening_state.versions`) to the current versions, so after a crash a restart picks up
exactly the cases not yet committed — none twice, none missed. Concurrent runs are safe: the case row
is locked and the marker re-checked before screening.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from safepassage.domain.stages import OPEN, Stage
from safepassage.screening import Screener
from safepassage.services import case_screening, watchlists
from safepassage.store.models import Case
from safepassage.store.models_screening import CaseScreeningState
from safepassage.store.uow import Actor, Database

#: Stages whose cases are re-screened: every open case, and granted ones (a grant can be revisited).
RESCREENED = frozenset(s.value for s in OPEN | {Stage.GRANTED})


@dataclass
class RescreenReport:
    """What one re-screening pass did."""

    versions: dict[str, int]
    due: int = 0
    screened: int = 0
    new_hits: int = 0
    new_flags: int = 0
    cases_with_new_hits: list[str] = field(default_factory=list)
    seconds: float = 0.0


def due_cases(db: Database, versions_key: str) -> list[tuple[str, str]]:
    """(case id, versions key) of every re-screenable case not yet screened against `versions_key`."""
    with db.uow(readonly=True) as uow:
        rows = uow.session.execute(
            select(Case.id, CaseScreeningState.versions_key)
            .join(CaseScreeningState, CaseScreeningState.case_id == Case.id)
            .where(CaseScreeningState.versions_key != versions_key, Case.stage.in_(sorted(RESCREENED)),
                   Case.erased_at.is_(None))
            .order_by(Case.id)
        ).all()
    return [(case_id, key) for case_id, key in rows]


def rescreen(
    db: Database, *, actor: Actor | None = None, progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> RescreenReport:
    """Screen every due case against what changed since it was last screened; returns counts.

    `progress(done, total)` is called after each case; `limit` stops after that many cases (tests,
    batches). Cases are committed one by one.
    """
    actor = actor or Actor.system()
    started = time.perf_counter()
    index = watchlists.current_index(db)
    target = case_screening.versions_key(index.versions)
    due = due_cases(db, target)
    report = RescreenReport(dict(index.versions), due=len(due))
    screeners: dict[str, Screener] = {}
    for n, (case_id, _) in enumerate(due[:limit] if limit is not None else due, 1):
        with db.uow() as uow:
            case = uow.get_case(case_id, for_update=True)
            state = uow.session.get(CaseScreeningState, case_id)
            if case is None or state is None or state.versions_key == target or case.erased_at is not None:
                continue  # screened meanwhile (another run), or erased
            if state.versions_key not in screeners:
                changes = watchlists.changes_since(db, dict(state.versions))
                screeners[state.versions_key] = watchlists.screener_for(db, changes.to_screen)
            result = case_screening.screen_case(uow, actor=actor, case=case, index=index, kind="rescreen",
                                                screener=screeners[state.versions_key])
            if result.new_hits or result.new_flags:
                case_screening.advance(uow, case)
            uow.commit()
        report.screened += 1
        report.new_hits += result.new_hits
        report.new_flags += result.new_flags
        if result.new_hits:
            report.cases_with_new_hits.append(case_id)
        if progress:
            progress(n, len(due))
    report.seconds = time.perf_counter() - started
    return report
