"""Shared helpers for the screening benchmarks: data paths, loading, grouping of variants."""

from __future__ import annotations

import json
import os
import platform
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SCREENING_DATA", REPO.parent / "shared" / "data" / "screening"))
DEV = DATA / "dev"


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """All JSON lines of a file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def machine() -> str:
    """One-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def spelling_only(variant: str) -> bool:
    """Positive that differs only in spelling: no modifier, DOB agreeing or absent."""
    parts = variant.split("/")
    form, dob = parts[1], parts[2]
    return "+" not in form and dob in ("dob_exact", "dob_missing", "dob_year_only", "dob_dm_swap")


def groups(variant: str) -> list[str]:
    """Report groups a labelled variant belongs to: scheme, each modifier, DOB treatment."""
    parts = variant.split("/")
    scheme, form, dob = parts[0], parts[1], parts[2]
    mods = form.split("+")[1:]
    out = [f"scheme:{scheme}", f"dob:{dob}"]
    out.extend(f"mod:{m}" for m in mods)
    if not mods:
        out.append("mod:none")
    if spelling_only(variant):
        out.append(f"spelling_only:{scheme}")
        out.append("spelling_only:ALL")
    return out


def rate_table(
    rows: Iterable[dict[str, Any]], systems: dict[str, Callable[[dict[str, Any]], bool]]
) -> list[tuple[str, int, dict[str, float]]]:
    """Per group: n and the share of rows for which each system's predicate holds (in %)."""
    bucket: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        bucket["ALL"].append(row)
        for g in groups(row["variant"]):
            bucket[g].append(row)
    table = []
    for g in sorted(bucket, key=lambda k: (k != "ALL", k)):
        items = bucket[g]
        table.append((g, len(items), {s: 100.0 * sum(map(f, items)) / len(items) for s, f in systems.items()}))
    return table


def print_table(title: str, table: list[tuple[str, int, dict[str, float]]]) -> None:
    """Print a rate table side by side."""
    if not table:
        return
    systems = list(table[0][2])
    print(f"\n## {title}")
    print(f"{'group':34s} {'n':>5s} " + " ".join(f"{s:>10s}" for s in systems))
    for g, n, rates in table:
        print(f"{g:34s} {n:5d} " + " ".join(f"{rates[s]:10.1f}" for s in systems))


OUT = Path(__file__).resolve().parent / "out"


def generated_list(size: int) -> Path:
    """A generated watchlist of `size` persons (FtM JSONL), made once by gen_watchlist.py and kept in bench/out."""
    import subprocess
    import sys

    path = OUT / f"wl_{size}.jsonl"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(Path(__file__).with_name("gen_watchlist.py")), "--n", str(size),
                        "--out", str(path)], check=True)
    return path


def fresh_database(url: str, filename: str) -> tuple[Path, Any]:
    """A migrated database (`url`, or a new SQLite file in a temporary directory) with fresh random keys."""
    import secrets
    import tempfile

    from safepassage.security.crypto import KeyRing
    from safepassage.store import schema
    from safepassage.store.db import make_engine
    from safepassage.store.uow import Database

    tmp = Path(tempfile.mkdtemp())
    engine = make_engine(url or f"sqlite:///{tmp / filename}")
    schema.upgrade(engine)
    return tmp, Database(engine, ring=KeyRing.of(secrets.token_bytes(32)), secret_key=secrets.token_bytes(32))
