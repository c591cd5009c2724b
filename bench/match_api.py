"""Benchmark: latency of POST /api/match/default on a real server process with a 100,000-person list.

    .venv/bin/python bench/match_api.py [--n 100000] [--requests 300]

Starts `safepassage serve` (tests/serverproc.py) on a fresh SQLite database under bench/out, imports the
list, creates an API token, and sends yente-style requests over HTTP: one query per request (half
listed persons re-spelled in Latin without patronymic, half persons not on the list), then batches of
20. The first request builds the screening index and is reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from gen_watchlist import persons  # noqa: E402
from screening_common import machine  # noqa: E402
from tests.serverproc import TEST_KEK_ID, ServerProcess  # noqa: E402

from safepassage.screening.translit import romanise  # noqa: E402
from safepassage.security.crypto import KeyRing  # noqa: E402
from safepassage.security.policy import Role  # noqa: E402
from safepassage.services import api_tokens, watchlists  # noqa: E402
from safepassage.store import schema  # noqa: E402
from safepassage.store.db import make_engine  # noqa: E402
from safepassage.store.uow import Actor, Database  # noqa: E402

OUT = ROOT / "bench" / "out"


def queries(listed: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """Half listed persons re-spelled (Latin, given name and surname, no patronymic), half unlisted persons."""
    found = []
    with listed.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 397 == 0:
                e = json.loads(line)
                p = e["properties"]
                name = f"{romanise(p['firstName'][0]).title()} {romanise(p['lastName'][0]).title()}"
                found.append({"id": e["id"], "schema": "Person", "properties": {"name": [name]}})
            if len(found) >= n // 2:
                break
    others = [{"schema": "Person", "properties": {"name": p["properties"]["name"], "birthDate": p["properties"][
        "birthDate"]}} for p in persons(n - len(found), seed + 99)]
    mixed = [q for pair in zip(found, others, strict=False) for q in pair]
    return mixed + found[len(others):] + others[len(found):]


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    listed = OUT / f"wl_{args.n}.jsonl"
    if not listed.exists():
        with listed.open("w", encoding="utf-8") as fh:
            for p in persons(args.n, args.seed):
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    path = OUT / "match_api.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    kek, secret = secrets.token_bytes(32), secrets.token_bytes(32)
    db = Database(make_engine(url), ring=KeyRing(kek, TEST_KEK_ID), secret_key=secret)
    schema.upgrade(db.engine)
    t = time.perf_counter()
    watchlists.import_watchlist(db, actor=Actor.system(), name="bench", path=listed)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"import of {args.n} persons: {time.perf_counter() - t:.1f} s")
    token = api_tokens.create_token(db, actor=Actor.system(), name="bench", role=Role.SCREENING_ANALYST).token
    qs = queries(listed, args.requests, args.seed)
    headers = {"Authorization": f"Bearer {token}"}
    with ServerProcess(url, kek=kek, secret_key=secret, data_dir=OUT / "match_api_data") as srv, \
            httpx.Client(base_url=srv.base_url, headers=headers, timeout=600) as client:
        t = time.perf_counter()
        r = client.post("/api/match/default", json={"queries": {"q": qs[0]}})
        r.raise_for_status()
        print(f"first request (builds the index over {args.n} persons): {time.perf_counter() - t:.1f} s")
        single, top, listed_n, others_with_results = [], 0, 0, 0
        for q in qs:
            t = time.perf_counter()
            r = client.post("/api/match/default", json={"queries": {"q": q}})
            single.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
            results = r.json()["responses"]["q"]["results"]
            if q.get("id"):
                listed_n += 1
                top += bool(results) and results[0]["id"] == q["id"]
            else:
                others_with_results += bool(results)
        print(f"one query per request, {len(single)} requests: median {statistics.median(single):.1f} ms, "
              f"p95 {pct(single, 0.95):.1f} ms, max {max(single):.1f} ms")
        print(f"  listed persons found as the top result: {top}/{listed_n} (Latin spelling, no patronymic, no DOB; "
              f"namesakes share names in a synthetic list); unlisted persons with any result >= cutoff: "
              f"{others_with_results}/{len(qs) - listed_n}")
        batch, size = [], 20
        t0 = time.perf_counter()
        for i in range(0, len(qs), size):
            t = time.perf_counter()
            r = client.post("/api/match/default", json={"queries": {f"q{j}": q for j, q in enumerate(qs[i:i + size])}})
            batch.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
        total = time.perf_counter() - t0
        print(f"batches of {size}: median {statistics.median(batch):.0f} ms per request, "
              f"{len(qs) / total:.0f} queries/s over {len(batch)} requests")


if __name__ == "__main__":
    main()
