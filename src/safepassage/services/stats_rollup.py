"""Keeping the rollup in step with the fact summary: subtract a row's old contributions, add its new ones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from safepassage.stats.rollup import Key, contributions
from safepassage.store.models_stats import CaseFactRow, StatsRollupRow

FACTS = cast(Table, CaseFactRow.__table__)
ROLLUP = cast(Table, StatsRollupRow.__table__)
CHUNK = 2000


def _rows(session: Session, ids: Iterable[str]) -> Iterable[Any]:
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield from session.execute(select(FACTS).where(FACTS.c.case_id.in_(ids[i:i + CHUNK]))).mappings()


class Delta:
    """Changes to the rollup caused by rewriting some fact rows, applied in the same transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[str] = set()
        self.counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])

    def before(self, ids: Iterable[str]) -> None:
        """Call before rows of these cases change: their current contributions are taken out."""
        new = [i for i in ids if i not in self.seen]
        self.seen.update(new)
        for row in _rows(self.session, new):
            for key, people, principals in contributions(row):
                self.counts[key][0] -= people
                self.counts[key][1] -= principals

    def apply(self) -> None:
        """Add the rows' new contributions and write the net changes."""
        for row in _rows(self.session, sorted(self.seen)):
            for key, people, principals in contributions(row):
                self.counts[key][0] += people
                self.counts[key][1] += principals
        changes = [
            {"grain": k[0], "bucket": k[1], "pathways": k[2], "p1": k[3], "measure": k[4], "people": v[0],
             "principals": v[1]}
            for k, v in self.counts.items() if v[0] or v[1]
        ]
        if not changes:
            return
        dialect = self.session.get_bind().dialect.name
        stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(ROLLUP)
        stmt = stmt.on_conflict_do_update(
            index_elements=["grain", "bucket", "pathways", "p1", "measure"],
            set_={"people": ROLLUP.c.people + stmt.excluded.people,
                  "principals": ROLLUP.c.principals + stmt.excluded.principals},
        )
        self.session.connection().execute(stmt, changes)


def rebuild(session: Session) -> None:
    """The whole rollup again from every fact row (after a full rebuild of the facts)."""
    session.execute(delete(StatsRollupRow))
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for row in session.execute(select(FACTS).execution_options(yield_per=20_000)).mappings():
        for key, people, principals in contributions(cast(Mapping[str, Any], row)):
            c = counts[key]
            c[0] += people
            c[1] += principals
    rows = [{"grain": k[0], "bucket": k[1], "pathways": k[2], "p1": k[3], "measure": k[4], "people": v[0],
             "principals": v[1]} for k, v in counts.items()]
    for i in range(0, len(rows), 20_000):
        session.connection().execute(insert(ROLLUP), rows[i:i + 20_000])
