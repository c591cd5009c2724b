"""Scale benchmark: build time, resident memory, index size, query latency and throughput.

    .venv/bin/python bench/gen_watchlist.py --n 1000000 --out bench/out/wl_1m.jsonl
    .venv/bin/python bench/screening_scale.py --watchlist bench/out/wl_1m.jsonl --queries 2000

Queries: half are listed persons re-spelled (Latin IOF without patronymic, FIO with a typo,
initials), half are the dev queries (mostly not on this list).  Reports top-1 accuracy on
the re-spelled half as a sanity check of retrieval at scale.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_common import DEV, load_jsonl, machine

from safepassage.screening import Screener, read_entities
from safepassage.screening.translit import romanise


def rss_mb() -> tuple[float, float]:
    """Current and peak resident set size in MB."""
    cur = peak = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            cur = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return cur, peak


def respell(entity: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A listed person as an applicant might write the name."""
    p = entity["properties"]
    first, patr, last = (romanise(p[k][0].lower()).title() for k in ("firstName", "fatherName", "lastName"))
    style = rng.randrange(4)
    if style == 0:
        name = f"{first} {last}"
    elif style == 1:
        i = rng.randrange(1, len(last) - 1)
        name = f"{last[:i] + last[i + 1] + last[i] + last[i + 2 :]} {first} {patr}"
    elif style == 2:
        name = f"{first[0]}. {patr[0]}. {last}"
    else:
        name = f"{first} {patr} {last}"
    props: dict[str, list[str]] = {"name": [name.upper() if rng.random() < 0.15 else name]}
    if rng.random() < 0.7:
        props["birthDate"] = p["birthDate"]
    return {"id": "q-" + entity["id"], "schema": "Person", "properties": props}


def main() -> None:
    """Run the scale benchmark and print figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--watchlist", type=Path, required=True)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--save", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"RSS before build: {rss_mb()[0]:.0f} MB")
    sample: list[dict[str, Any]] = []
    rng = random.Random(args.seed)

    def entities() -> Any:
        for n, e in enumerate(read_entities(args.watchlist)):
            # reservoir sample of listed persons to re-spell as queries
            if len(sample) < args.queries // 2:
                sample.append(e)
            elif rng.random() < (args.queries // 2) / (n + 1):
                sample[rng.randrange(len(sample))] = e
            yield e

    print(f"load average before build: {os.getloadavg()}")
    t0, c0 = time.perf_counter(), time.process_time()
    screener = Screener.build(entities(), workers=args.workers)
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    cur, peak = rss_mb()
    print(
        f"persons: {len(screener):,}; build {build_s:.1f} s wall ({args.workers} workers; main process CPU "
        f"{build_cpu:.1f} s); RSS after build {cur:.0f} MB (peak {peak:.0f} MB, main process)"
    )
    print(f"index: {len(screener.keys):,} keys, {len(screener.postings):,} postings")
    if args.save:
        t0 = time.perf_counter()
        screener.save(args.save)
        save_s = time.perf_counter() - t0
        size = args.save.stat().st_size / 1e6
        del screener
        t0 = time.perf_counter()
        screener = Screener.load(args.save)
        print(f"saved {size:.0f} MB in {save_s:.1f} s; loaded in {time.perf_counter() - t0:.1f} s")
    positives = [(respell(e, rng), e["id"]) for e in sample]
    dev_queries = load_jsonl(DEV / "queries.ftm.jsonl")[: args.queries - len(positives)]
    queries = [q for q, _ in positives] + dev_queries
    rng.shuffle(queries)
    expected = {q["id"]: eid for q, eid in positives}
    latencies = []
    top1 = 0
    print(f"load average before queries: {os.getloadavg()}")
    t_all, c_all = time.perf_counter(), time.process_time()
    for q in queries:
        t0 = time.perf_counter()
        hits = screener.screen(q, top=5)
        latencies.append((time.perf_counter() - t0) * 1000)
        if q["id"] in expected:
            top1 += bool(hits and hits[0].entity_id == expected[q["id"]])
    wall, cpu = time.perf_counter() - t_all, time.process_time() - c_all
    latencies.sort()
    print(
        f"queries: {len(queries)}; {len(queries) / wall:.0f} q/s; "
        f"latency median {statistics.median(latencies):.2f} ms, "
        f"p95 {latencies[int(0.95 * len(latencies))]:.2f} ms, max {latencies[-1]:.1f} ms"
    )
    print(f"queries CPU time {cpu:.1f} s = {len(queries) / cpu:.0f} q/s per CPU-second")
    print(f"re-spelled listed persons: top-1 {100.0 * top1 / max(1, len(expected)):.1f} % of {len(expected)}")
    cur, peak = rss_mb()
    print(f"RSS after queries {cur:.0f} MB (peak {peak:.0f} MB)")


if __name__ == "__main__":
    main()
