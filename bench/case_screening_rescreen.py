"""Re-screening throughput (cases/s) on a large case database after a watchlist version changes.

    .venv/bin/python bench/case_screening_rescreen.py [--cases 100000] [--list-size 100000] [--changed 1000]
                                                      [--measure 5000] [--url sqlite:///...]

1. Builds a database of `--cases` cases quickly: rows are written in bulk, but exactly as intake writes
   them — a wrapped data key per case, each person's payload sealed with it (AES-GCM, AAD bound to the
   row), 1–3 persons per case (Cyrillic, Ukrainian and Latin names) — plus each case's progress marker
   saying it was screened against list version 1. (Blind indexes, stage events and audit entries of
   intake are left out: re-screening reads none of them.)
2. Imports version 1 of a generated `--list-size` watchlist, then version 2 with `--changed` persons
   added or changed (through the real importer).
3. Runs the real `rescreen.rescreen` over the first `--measure` due cases (`limit`): each case in its
   own transaction — lock, decrypt, screen every person against what changed, record run, hits,
   progress marker and audit entry, commit — and prints cases/s. With `--measure 0` it runs them all.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_common import fresh_database, generated_list, machine
from sqlalchemy import insert

from safepassage.domain.person import PartialDate, Person, PersonName
from safepassage.security.crypto import DataKey
from safepassage.services import case_screening, rescreen, watchlists
from safepassage.store.models import Case, DataKeyRow, PersonRow, new_id
from safepassage.store.models_screening import CaseScreeningState
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, Database

FIRST = ["Алексей", "Ґрицько", "Олена", "Артём", "Пётр", "Мар'яна", "Євген", "Sergey", "Юлія", "Дмитрий", "Іван"]
LAST = ["Петров", "Шевченко", "Коваль", "Ёлкин", "Сидоренко", "Мельник", "Kuznetsov", "Бондаренко", "Лысенко"]
BATCH = 2000


def _cases(db: Database, n: int, versions: dict[str, int]) -> None:
    rng = random.Random(11)
    key = case_screening.versions_key(versions)
    now = utcnow()
    done = 0
    while done < n:
        keys, cases, persons, states = [], [], [], []
        for _ in range(min(BATCH, n - done)):
            dk = DataKey.generate()
            keys.append({"id": str(dk.id), "kek_id": db.ring.kek_id, "wrapped": db.ring.wrap(dk), "created_at": now})
            cid = new_id()
            cases.append({"id": cid, "receipt": secrets.token_hex(8)[:16].upper(), "passphrase_hash": "x" * 64,
                          "stage": "review", "pathways": "|deserter|", "priority": "P2", "channel": "web",
                          "language": "ru", "data_key_id": str(dk.id), "version": 2, "created_at": now,
                          "updated_at": now, "stage_changed_at": now})
            for k in range(rng.choice([1, 1, 2, 3])):
                pid = new_id()
                person = Person(PersonName(rng.choice(FIRST), rng.choice(LAST)),
                                PartialDate(rng.randint(1950, 2010), rng.randint(1, 12), rng.randint(1, 28)))
                payload = {"person": person.to_dict(), "relationship": "" if k == 0 else "child"}
                persons.append({"id": pid, "case_id": cid, "is_principal": k == 0, "created_at": now,
                                "payload": dk.seal_json(payload, table="persons", column="payload", row_id=pid)})
            states.append({"case_id": cid, "versions": versions, "versions_key": key, "screened_at": now})
        with db.engine.begin() as conn:
            conn.execute(insert(DataKeyRow), keys)
            conn.execute(insert(Case), cases)
            conn.execute(insert(PersonRow), persons)
            conn.execute(insert(CaseScreeningState), states)
        done += len(cases)
        print(f"\r  cases written: {done:,}", end="", file=sys.stderr)
    print(file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--list-size", type=int, default=100_000)
    ap.add_argument("--changed", type=int, default=1000)
    ap.add_argument("--measure", type=int, default=5000)
    ap.add_argument("--url", default="")
    args = ap.parse_args()
    wl = generated_list(args.list_size)
    tmp, db = fresh_database(args.url, "rescreen.db")
    engine = db.engine
    system = Actor.system()
    print(f"machine: {machine()}\ndatabase: {engine.dialect.name}")
    watchlists.import_watchlist(db, actor=system, name="bench", path=wl)
    t = time.perf_counter()
    _cases(db, args.cases, {"bench": 1})
    print(f"{args.cases:,} cases written in {time.perf_counter() - t:.0f} s")
    # version 2: `changed` listed persons changed (an alias added) or added (other list persons under new ids),
    # and 20 new listings with names from the applicants' pools, so that re-screening finds some applicants
    lines = wl.read_text(encoding="utf-8").splitlines()
    rng = random.Random(3)
    v2 = tmp / "v2.jsonl"
    half = args.changed // 2
    with v2.open("w", encoding="utf-8") as fh:
        for i, line in enumerate(lines):
            entity = json.loads(line)
            if i < half:
                entity["properties"].setdefault("alias", []).append(entity["properties"]["name"][0].upper())
            fh.write(json.dumps(entity, ensure_ascii=False) + "\n")
        for i, line in enumerate(lines[-(args.changed - half):]):
            fh.write(json.dumps({**json.loads(line), "id": f"bench-new-{i}"}, ensure_ascii=False) + "\n")
        for i in range(20):
            fh.write(json.dumps({"id": f"bench-applicant-{i}", "schema": "Person", "properties": {
                "name": [f"{rng.choice(FIRST)} {rng.choice(LAST)}"],
                "birthDate": [f"{rng.randint(1950, 2010)}"]}}, ensure_ascii=False) + "\n")
    report = watchlists.import_watchlist(db, actor=system, name="bench", path=v2)
    print(f"list v2: {report.added} added, {report.changed} changed (of {report.total:,})")
    t = time.perf_counter()
    watchlists.current_index(db)
    print(f"index build: {time.perf_counter() - t:.1f} s")
    limit = args.measure or None
    t, cpu = time.perf_counter(), time.process_time()
    out = rescreen.rescreen(db, actor=system, limit=limit)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    print(f"re-screened {out.screened:,} of {out.due:,} due cases in {elapsed:.1f} s wall ({cpu:.1f} s CPU): "
          f"{out.screened / elapsed:.0f} cases/s wall, {out.screened / cpu:.0f} cases/s per CPU second; "
          f"{out.new_hits} new hits on {len(out.cases_with_new_hits)} cases")
    if out.screened < out.due:
        print(f"(all {out.due:,} at this rate: about {out.due / (out.screened / elapsed) / 60:.0f} min)")


if __name__ == "__main__":
    main()
