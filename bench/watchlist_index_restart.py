"""Benchmark: what a restart costs for the screening index — building it from the database, or loading the
copy the last build saved (tagged with HMAC-SHA256) — and the results being the same.

    .venv/bin/python bench/watchlist_index_restart.py [--n 100000] [--url sqlite:///...]

Imports a generated N-person list (bench/gen_watchlist.py), then times: the build (what every restart
paid before), saving it (file size), and a restarted process's load (tag check included); screens a
few hundred generated names with both and checks the hits are identical.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_common import fresh_database, generated_list, machine

from safepassage.screening import Screener
from safepassage.services import watchlist_index, watchlists
from safepassage.store.uow import Actor, Database


def main() -> None:
    """Import, build and save, then load as a restarted process would; print the times."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--url", default="")
    args = ap.parse_args()
    wl = generated_list(args.n)
    tmp, db = fresh_database(args.url, "restart.db")
    print(f"machine: {machine()}\ndatabase: {db.engine.dialect.name}")
    t = time.perf_counter()
    watchlists.import_watchlist(db, actor=Actor.system(), name="bench", path=wl)
    print(f"import of {args.n:,} persons: {time.perf_counter() - t:.1f} s (set-up)")

    def process() -> Database:  # a (re)started process: same database, same data directory
        return Database(db.engine, ring=db.ring, secret_key=db.secret_key, cache_dir=tmp / "cache")

    t = time.perf_counter()
    first = watchlists.current_index(Database(db.engine, ring=db.ring, secret_key=db.secret_key))
    build = time.perf_counter() - t
    print(f"build from the database (every restart before): {build:.1f} s")
    path = watchlist_index._saved_path(process(), first.key)
    assert path is not None
    t = time.perf_counter()
    watchlist_index._save(process(), first.key, first.screener)
    print(f"save with its tag: {time.perf_counter() - t:.1f} s; file {path.stat().st_size / 2**20:,.0f} MB")
    built = 0
    real = Screener.build

    def counting(cls: type[Screener], *a: object, **k: object) -> Screener:
        nonlocal built
        built += 1
        return real(*a, **k)  # type: ignore[arg-type]

    Screener.build = classmethod(counting)  # type: ignore[method-assign, assignment]
    t = time.perf_counter()
    loaded = watchlists.current_index(process())
    load = time.perf_counter() - t
    assert built == 0, "the saved index was not used"
    print(f"load after a restart (tag checked): {load:.1f} s — {build / load:.0f}× faster than building")
    rng = random.Random(5)
    lines = wl.read_text(encoding="utf-8").splitlines()
    queries = [json.loads(rng.choice(lines)) for _ in range(300)]
    same = all([(h.entity_id, h.score) for h in first.screener.screen(q)]
               == [(h.entity_id, h.score) for h in loaded.screener.screen(q)] for q in queries)
    print(f"same hits for {len(queries)} listed names: {same}")


if __name__ == "__main__":
    main()
