"""Does screening slow intake? Latency of intake and of the move into screening, with screening on and off.

    .venv/bin/python bench/case_screening_intake.py [--list-size 100000] [--cases 200] [--url sqlite:///...]

Against a real database (SQLite file by default, or --url) through the real services:

- intake: `intake.submit_application` (principal + 0–2 family members; blind indexes and duplicate
  detection included);
- screening: `casework.move_case(to=screening)`, which screens every person on the case against the
  watchlist index (a generated N-person list imported through `watchlists.import_watchlist`) and,
  with nothing to review, moves the case on to review — all in one transaction;
- "off": the same move with the screening hook disabled (what the move cost before issue 6), and
  finally intake with duplicate detection disabled too (what intake cost before issue 6).

The index is built once per list version and kept by the process (its build time is printed
separately: a server pays it at the first screening after an import). Prints p50/p95/mean in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_common import fresh_database, generated_list, machine

from safepassage.domain.case import Application, FamilyMember, Relationship
from safepassage.domain.pathways import Pathway
from safepassage.domain.person import PartialDate, Person, PersonName
from safepassage.domain.stages import Stage
from safepassage.services import case_screening, casework, duplicates, intake, watchlists
from safepassage.store.uow import Actor

FIRST = ["Алексей", "Ґрицько", "Олена", "Артём", "Пётр", "Мар'яна", "Євген", "Sergey", "Юлія", "Дмитрий"]
LAST = ["Петров", "Шевченко", "Коваль", "Ёлкин", "Сидоренко", "Мельник", "Kuznetsov", "Бондаренко"]


def _ms(xs: list[float]) -> str:
    xs = sorted(xs)
    return (f"p50 {1000 * xs[len(xs) // 2]:7.1f} ms   p95 {1000 * xs[int(len(xs) * 0.95)]:7.1f} ms   "
            f"mean {1000 * statistics.fmean(xs):7.1f} ms")


def _application(rng: random.Random) -> Application:
    def person() -> Person:
        return Person(PersonName(rng.choice(FIRST), rng.choice(LAST)),
                      PartialDate(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)))

    family = tuple(FamilyMember(Relationship.CHILD, person()) for _ in range(rng.choice([0, 1, 2])))
    return Application(frozenset({Pathway.MOBILIZATION_EVADER}), person(), family=family)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--list-size", type=int, default=100_000)
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--url", default="")
    args = ap.parse_args()
    wl = generated_list(args.list_size)
    _tmp, db = fresh_database(args.url, "bench.db")
    engine = db.engine
    case_screening.register_database(db)  # the process's handle: the index is built once and shared
    system = Actor.system()
    t = time.perf_counter()
    report = watchlists.import_watchlist(db, actor=system, name="bench", path=wl)
    print(f"machine: {machine()}")
    print(f"database: {engine.dialect.name}; watchlist: {report.total:,} persons imported in "
          f"{time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    watchlists.current_index(db)
    print(f"index build (once per list version, kept by the process): {time.perf_counter() - t:.1f} s")

    rng = random.Random(7)
    hook, detect = case_screening.on_stage_entered, duplicates.detect
    runs = (("screening on", True, True), ("screening off", False, True), ("screening on", True, True),
            ("screening and duplicate detection off", False, False))
    for label, enabled, dedup in runs:
        case_screening.on_stage_entered = hook if enabled else (lambda *a, **k: None)
        duplicates.detect = detect if dedup else (lambda *a, **k: 0)
        intake_t, move_t, stages = [], [], {"review": 0, "screening": 0}
        for _ in range(args.cases):
            t0 = time.perf_counter()
            rec = intake.submit_application(db.uow(), actor=system, application=_application(rng))
            t1 = time.perf_counter()
            moved = casework.move_case(db.uow(), actor=system, case_id=rec.case_id, to=Stage.SCREENING,
                                       expected_version=1)
            t2 = time.perf_counter()
            intake_t.append(t1 - t0)
            move_t.append(t2 - t1)
            stages[moved.stage] = stages.get(moved.stage, 0) + 1
        print(f"\n{label}: {args.cases} applications")
        print(f"  intake (submit)        {_ms(intake_t)}")
        print(f"  move into screening    {_ms(move_t)}")
        print(f"  intake + screening     {_ms([a + b for a, b in zip(intake_t, move_t, strict=True)])}")
        if enabled:
            print(f"  cleared to review: {stages['review']}, held for an analyst: {stages['screening']}")
    case_screening.on_stage_entered, duplicates.detect = hook, detect


if __name__ == "__main__":
    main()
