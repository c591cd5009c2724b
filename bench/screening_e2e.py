"""End to end: index the dev watchlist (optionally plus N synthetic persons), screen every dev
query, score the results the way the data README does, and time it.

    .venv/bin/python bench/screening_e2e.py                       # dev watchlist only
    .venv/bin/python bench/screening_e2e.py --extra bench/out/wl_100k.jsonl --workers 2
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_common import DEV, load_jsonl, machine, print_table, rate_table

from safepassage.screening import Screener, read_entities
from safepassage.screening.cli import screen_lines


def main() -> None:
    """Run the end-to-end benchmark."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--extra", type=Path, default=None, help="synthetic watchlist to add (FtM JSON lines)")
    ap.add_argument("--extra-n", type=int, default=None)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()}")

    def entities() -> Iterator[dict[str, Any]]:
        yield from read_entities(DEV / "watchlist.ftm.jsonl")
        if args.extra:
            yield from itertools.islice(read_entities(args.extra), args.extra_n)

    t0 = time.perf_counter()
    screener = Screener.build(entities(), workers=args.workers)
    print(f"watchlist {len(screener):,} persons; build {time.perf_counter() - t0:.1f} s ({args.workers} workers)")
    queries = load_jsonl(DEV / "queries.ftm.jsonl")
    labels = {lab["query_id"]: lab for lab in load_jsonl(DEV / "labels.jsonl")}
    t0, c0 = time.perf_counter(), time.process_time()
    results = [json.loads(line) for line, _ in screen_lines(screener, queries, 5, args.workers)]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"screened {len(queries)} queries in {wall:.2f} s wall = {len(queries) / wall:.0f} q/s "
        f"({args.workers} workers; main-process CPU {cpu:.2f} s); load average {os.getloadavg()}"
    )
    if args.workers == 1:
        print(f"CPU time per query {1000 * cpu / len(queries):.2f} ms = {len(queries) / cpu:.0f} q/s per CPU-second")
    rows: dict[str, list[dict[str, Any]]] = {}
    for res in results:
        lab = dict(labels[res["query_id"]])
        m = res["matches"]
        lab["top_ok"] = bool(m and m[0]["entity_id"] == lab["entity_id"])
        lab["top_match"] = lab["top_ok"] and m[0]["match"]
        lab["any_match"] = any(x["match"] for x in m)
        lab["any_review"] = any(x["review"] for x in m)
        rows.setdefault(lab["kind"], []).append(lab)
    print_table(
        "positives (end to end)",
        rate_table(
            rows["positive"],
            {"top1": lambda r: r["top_ok"], "top1+match": lambda r: r["top_match"]},
        ),
    )
    for kind in ("namesake", "innocent", "namesake_same_name_other_dob"):
        items = rows.get(kind, [])
        match = 100.0 * sum(r["any_match"] for r in items) / max(1, len(items))
        review = 100.0 * sum(r["any_review"] for r in items) / max(1, len(items))
        print(f"{kind:30s} n={len(items):4d}  any match {match:5.2f} %  any at/above review {review:5.2f} %")


if __name__ == "__main__":
    main()
