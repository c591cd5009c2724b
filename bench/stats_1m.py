"""Statistics at scale: build an N-case database (default 1,000,000) fast, then time the statistics.

    .venv/bin/python bench/stats_1m.py [--cases N] [--url sqlite:////tmp/stats1m.db] [--keep]

Cases, stage events, persons, surrender requests and decisions (with their destination codes) are bulk-
inserted with SQLAlchemy Core (clear columns as the services write them; personal-data blobs are a few
random bytes, since statistics never read them). Then it times: the first full build of the fact
summary, the dashboard report (incremental refresh included), an incremental refresh after 1,000 new
stage changes, and one public quarter release.
Prints the figures; docs/statistics.md records them.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from safepassage.security.crypto import KeyRing
from safepassage.services import statistics, stats_facts
from safepassage.store import schema
from safepassage.store.db import make_engine
from safepassage.store.models import Base, Case, DataKeyRow, PersonRow, StageEvent, SurrenderRow
from safepassage.store.models_decisions import DecisionRow
from safepassage.store.uow import Actor, Database

PATHWAYS = ["mobilization_evader", "deserter", "surrendering_soldier", "prisoner_of_war", "dissident", "war_refugee",
            "persecuted_other"]
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)


DECIDED = ("granted", "refused", "excluded")
OUTCOME_OF = {"granted": "grant", "refused": "refuse", "excluded": "exclude"}


def _decisions(rng: random.Random, events: list[dict[str, Any]], blob: bytes) -> list[dict[str, Any]]:
    """A decision row per decided stage event (as `services.decisions.decide` writes them), 80 % for the EU."""
    dest = "eu" if rng.random() < 0.8 else "other"
    return [{"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "case_id": ev["case_id"],
             "outcome": OUTCOME_OF[ev["to_stage"]], "destination": dest, "instance": "first", "appeal_id": None,
             "evaluation_id": None, "policy_version": "bench", "exclusion_record_id": None, "decided_by": "bench",
             "decided_at": ev["at"], "appeal_deadline": None, "language": "ru", "reasons": blob}
            for ev in events if ev["to_stage"] in DECIDED]


def _case(rng: random.Random, key_id: str) -> tuple[dict[str, Any], list[dict[str, Any]], int, int]:
    """One case, its stage events, its persons count and surrender group size (0: not a surrender)."""
    cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    t = START + timedelta(seconds=rng.random() * SPAN.total_seconds())
    events: list[dict[str, Any]] = []
    group = 0

    def move(frm: str | None, to: str, hours: float) -> None:
        nonlocal t
        t += timedelta(hours=hours)
        events.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "case_id": cid,
                       "from_stage": frm, "to_stage": to, "actor_id": None, "at": t})

    created = t
    if rng.random() < 0.1:
        pathways = "|surrendering_soldier|"
        group = rng.choice((1, 1, 1, 2, 3))
        move(None, "surrender_requested", 0)
        stage = "surrender_requested"
        for nxt, p in (("surrender_arranged", 0.6), ("in_custody", 0.7), ("received", 0.85)):
            if rng.random() > p:
                break
            move(stage, nxt, rng.expovariate(1 / 48))
            stage = nxt
        if stage != "received":
            return _row(cid, stage, pathways, created, t, key_id), events, 0, group
    else:
        chosen = sorted(set(rng.choices(PATHWAYS, weights=(30, 15, 2, 3, 15, 30, 5), k=rng.choice((1, 1, 1, 2)))))
        pathways = "|" + "|".join(chosen) + "|"
        move(None, "received", 0)
        stage = "received"
    for nxt, p, mean in (("screening", 0.9, 24), ("review", 0.9, 72), ("decision_pending", 0.8, 240)):
        if rng.random() > p:
            if rng.random() < 0.3:
                move(stage, "withdrawn", rng.expovariate(1 / 100))
                stage = "withdrawn"
            return _row(cid, stage, pathways, created, t, key_id), events, 1 + int(rng.random() < 0.3), group
        move(stage, nxt, rng.expovariate(1 / mean))
        stage = nxt
    if rng.random() < 0.85:
        outcome = rng.choices(("granted", "refused", "excluded"), weights=(60, 35, 5))[0]
        move(stage, outcome, rng.expovariate(1 / 120))
        stage = outcome
        if outcome != "granted" and rng.random() < 0.2:
            move(stage, "appeal", rng.expovariate(1 / 200))
            move("appeal", "decision_pending", rng.expovariate(1 / 300))
            final = rng.choice(("granted", "refused"))
            move("decision_pending", final, rng.expovariate(1 / 100))
            stage = final
    return _row(cid, stage, pathways, created, t, key_id), events, 1 + int(rng.random() < 0.3), group


def _row(cid: str, stage: str, pathways: str, created: datetime, last: datetime, key_id: str) -> dict[str, Any]:
    return {"id": cid, "receipt": cid.replace("-", "")[:16], "passphrase_hash": "x" * 64, "stage": stage,
            "pathways": pathways, "priority": "P2", "channel": "web", "language": "ru", "assignee_id": None,
            "data_key_id": key_id, "version": 1, "created_at": created, "updated_at": last,
            "stage_changed_at": last, "erased_at": None}


def build(db: Database, n: int, seed: int = 8) -> None:
    """Bulk-insert n cases with their events, persons and surrender rows."""
    rng = random.Random(seed)
    key_id = str(uuid.uuid4())
    blob = secrets.token_bytes(16)
    with db.engine.begin() as conn:
        conn.execute(insert(DataKeyRow), [{"id": key_id, "kek_id": "bench", "wrapped": blob,
                                           "created_at": datetime.now(UTC)}])
    batch = 20_000
    for start in range(0, n, batch):
        cases, events, persons, groups, decisions = [], [], [], [], []
        for _ in range(min(batch, n - start)):
            row, evs, people, group = _case(rng, key_id)
            cases.append(row)
            events.extend(evs)
            decisions.extend(_decisions(rng, evs, blob))
            for i in range(people):
                persons.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "case_id": row["id"],
                                "is_principal": i == 0, "payload": blob, "created_at": row["created_at"]})
            if group:
                groups.append({"case_id": row["id"], "group_size": group, "urgency": "days", "payload": blob})
        with db.engine.begin() as conn:
            conn.execute(insert(Case), cases)
            conn.execute(insert(StageEvent), events)
            if persons:
                conn.execute(insert(PersonRow), persons)
            if groups:
                conn.execute(insert(SurrenderRow), groups)
            if decisions:
                conn.execute(insert(DecisionRow), decisions)
        print(f"  inserted {start + len(cases):,} cases", flush=True)


def _timed(label: str, fn: Any, repeat: int = 1) -> Any:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label}: {best:.2f} s" + (f" (best of {repeat})" if repeat > 1 else ""), flush=True)
    return out


def main() -> None:
    """Build (unless the database exists and --keep), then time the statistics."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--url", default="sqlite:////tmp/stats1m.db")
    ap.add_argument("--keep", action="store_true", help="reuse an existing database built before")
    ap.add_argument("--rebuild", action="store_true", help="with --keep: rebuild the statistics summary")
    args = ap.parse_args()
    if args.url.startswith("sqlite:") and not args.keep:
        path = args.url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    engine = make_engine(args.url)
    db = Database(engine, ring=KeyRing.of(secrets.token_bytes(32)), secret_key=secrets.token_bytes(32))
    if not args.keep:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        schema.upgrade(engine)
        _timed(f"bulk insert of {args.cases:,} cases", lambda: build(db, args.cases))
        with engine.begin() as conn:  # as after any bulk load: the planner needs statistics
            _timed("ANALYZE after the bulk load", lambda: conn.execute(text("ANALYZE")))
        _timed("first full build of the fact summary and rollup", lambda: stats_facts.refresh(db, full=True))
    elif args.rebuild:
        Base.metadata.create_all(engine)  # tables added since the database was built
        _timed("full rebuild of the fact summary and rollup", lambda: stats_facts.refresh(db, full=True))
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM cases")).scalar()
        e = conn.execute(text("SELECT count(*) FROM stage_events")).scalar()
    print(f"database: {n:,} cases, {e:,} stage events ({engine.dialect.name})")
    system = Actor.system()
    everything = statistics.parse_period("2023-01-01", "2026-12-31")
    quarter = statistics.parse_period("2024-04-01", "2024-06-30")
    _timed("dashboard report, 4 years (refresh with nothing new + all figures)",
           lambda: statistics.report(db, actor=system, period=everything), repeat=3)
    report = _timed("dashboard report, one quarter", lambda: statistics.report(db, actor=system, period=quarter),
                    repeat=3)
    print(f"  one quarter: {report.funnel['decided']['all']:,} people decided; per destination "
          f"{report.destinations['decided']}", flush=True)
    with engine.begin() as conn:  # 1,000 stage changes arrive
        ids = [r[0] for r in conn.execute(text("SELECT id FROM cases WHERE stage = 'received' LIMIT 1000"))]
        now = datetime.now(UTC)
        conn.execute(insert(StageEvent), [{"id": str(uuid.uuid4()), "case_id": i, "from_stage": "received",
                                           "to_stage": "screening", "actor_id": None, "at": now} for i in ids])
        conn.execute(text("UPDATE cases SET stage = 'screening' WHERE id IN (SELECT case_id FROM stage_events "
                          "WHERE to_stage = 'screening' AND from_stage = 'received' AND case_id IN "
                          "(SELECT id FROM cases WHERE stage = 'received' LIMIT 1000))"))
    _timed(f"incremental refresh after {len(ids):,} stage changes", lambda: stats_facts.refresh(db))
    _timed("public release of one closed quarter (computed once, then frozen)",
           lambda: statistics.public_release(db, "2024-Q2"))
    _timed("public release again (served frozen)", lambda: statistics.public_release(db, "2024-Q2"), repeat=3)
    engine.dispose()


if __name__ == "__main__":
    main()
