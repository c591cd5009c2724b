"""Benchmark: import an OpenSanctions-style FtM export of N persons, then a changed copy of it; print
wall time, CPU time, peak resident memory, the diff's time, and optionally the screening index build.

    .venv/bin/python bench/watchlist_import.py --n 1000000                        # SQLite under bench/out
    .venv/bin/python bench/watchlist_import.py --n 1000000 --database-url postgresql://postgres@127.0.0.1/bench

The second file differs from the first as a daily export does: every 200th person removed, every 100th
with another birth date, 0.5 % new persons, and `last_seen` moved for everyone (not a change).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_watchlist import persons
from screening_common import machine

from safepassage.security.crypto import KeyRing
from safepassage.services import watchlists
from safepassage.store import schema
from safepassage.store.db import make_engine
from safepassage.store.uow import Actor, Database

OUT = Path(__file__).resolve().parent / "out"


def exported(n: int, seed: int, day: str) -> Iterator[dict[str, Any]]:
    """Persons as OpenSanctions exports them (caption, datasets, dates), plus a few other entities."""
    for i, p in enumerate(persons(n, seed)):
        p |= {"caption": p["properties"]["name"][0], "datasets": ["bench-synthetic"], "referents": [],
              "target": True, "first_seen": "2024-01-01T00:00:00", "last_seen": f"{day}T00:00:00",
              "last_change": "2024-06-01T00:00:00"}
        yield p
        if i % 1000 == 0:  # exports also carry sanctions, companies …: passed over by the import
            yield {"id": f"org-{i}", "schema": "Organization", "properties": {"name": [f"Org {i}"]}}


def write(path: Path, entities: Iterator[dict[str, Any]]) -> int:
    """Write the file whole or not at all (a killed run must not leave a short file to be reused)."""
    count = 0
    part = path.with_suffix(".part")
    with part.open("w", encoding="utf-8") as fh:
        for e in entities:
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
            count += 1
    part.replace(path)
    return count


def changed(v1: Path, extra: int, seed: int) -> Iterator[dict[str, Any]]:
    """The next day's export: removals, changed birth dates, new persons, `last_seen` moved."""
    with v1.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            e = json.loads(line)
            if e["schema"] == "Person":
                if i % 200 == 0:
                    continue
                if i % 100 == 1:
                    e["properties"]["birthDate"] = ["1950-01-01"]
                e["last_seen"] = "2026-11-02T00:00:00"
            yield e
    yield from exported(extra, seed + 1, "2026-11-02")


def timed(label: str, fn: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    print(f"{label}: {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU (this process)")
    return result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--index", action="store_true", help="also build the screening index over the result")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    v1, v2 = OUT / f"wl_export_{args.n}_v1.jsonl", OUT / f"wl_export_{args.n}_v2.jsonl"
    if not v1.exists():
        timed(f"generate {v1.name}", lambda: write(v1, exported(args.n, args.seed, "2026-11-01")))
    if not v2.exists():
        timed(f"generate {v2.name}", lambda: write(v2, changed(v1, args.n // 200, args.seed)))
    url = args.database_url or f"sqlite:///{OUT / 'wl_import.db'}"
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)
    engine = make_engine(url)
    schema.upgrade(engine)
    db = Database(engine, ring=KeyRing.of(secrets.token_bytes(32)), secret_key=secrets.token_bytes(32))
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}; database {engine.dialect.name}")
    print(f"files: {v1.stat().st_size / 1e6:.0f} MB and {v2.stat().st_size / 1e6:.0f} MB")
    system = Actor.system()
    r1 = timed("import v1", lambda: watchlists.import_watchlist(db, actor=system, name="bench", path=v1))
    print(f"  {r1.total} persons, {r1.other_schemas} other entities, {r1.skipped} bad lines; "
          f"peak RSS so far {peak_rss_mb():.0f} MB")
    r2 = timed("import v2", lambda: watchlists.import_watchlist(db, actor=system, name="bench", path=v2))
    print(f"  {r2.total} persons: {r2.added} added, {r2.removed} removed, {r2.changed} changed, "
          f"{r2.unchanged} unchanged; peak RSS so far {peak_rss_mb():.0f} MB")
    d = timed("diff v1 -> v2", lambda: watchlists.diff(db, actor=system, name="bench"))
    print(f"  {len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed")
    c = timed("changes_since v1", lambda: watchlists.changes_since(db, {"bench": 1}))
    print(f"  {len(c.to_screen)} to re-screen")
    with db.uow() as uow:
        rows = uow.count(watchlists.WatchlistEntry)
    print(f"entry rows after two versions: {rows} (unchanged persons are stored once)")
    print(f"PEAK RSS (import, diff): {peak_rss_mb():.0f} MB")
    if args.index:
        index = timed("current_index (screening index over every live entry)",
                      lambda: watchlists.current_index(db, workers=2))
        print(f"  {len(index.screener)} persons indexed; peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
