"""External tiers: nomenklatura's name-benchmark cases and yente's UN positives, ours vs logic-v2.

PYTHONHASHSEED=0 .venv-bench/bin/python bench/screening_external.py [--no-peer]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_common import DATA, machine
from screening_pairs import peer

from safepassage.screening import MATCH_THRESHOLD, compare

Scorer = Callable[[dict[str, Any], dict[str, Any]], float]


def ent(eid: str, **props: str) -> dict[str, Any]:
    """FtM Person dict from non-empty properties."""
    return {"id": eid, "schema": "Person", "properties": {k: [v] for k, v in props.items() if v}}


def prf(rows: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    """Precision, recall, F1 of (predicted, expected) pairs."""
    tp = sum(p and e for p, e in rows)
    fp = sum(p and not e for p, e in rows)
    fn = sum(e and not p for p, e in rows)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def name_bench(systems: dict[str, tuple[Scorer, float]]) -> None:
    """F1 on nomenklatura's contrib/name_bench cases (Person rows)."""
    with (DATA / "external" / "name_bench_cases.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["schema"] == "Person"]
    print(f"\n## name_bench_cases.csv, Person rows ({len(rows)})")
    for name, (score, threshold) in systems.items():
        preds = [
            (score(ent("a", name=r["name1"]), ent("b", name=r["name2"])) >= threshold, r["is_match"] == "true")
            for r in rows
        ]
        p, r, f = prf(preds)
        print(f"  {name:10s} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")


def un_positives(systems: dict[str, tuple[Scorer, float]]) -> None:
    """Recall on yente's UN positives: treated (perturbed) row i vs untreated row i."""
    base = DATA / "external"
    with (base / "yente_un_positives_treated.csv").open(encoding="utf-8") as fh:
        treated = list(csv.DictReader(fh))
    with (base / "yente_un_positives_untreated.csv").open(encoding="utf-8") as fh:
        untreated = list(csv.DictReader(fh))

    def person(row: dict[str, str], eid: str, full: bool) -> dict[str, Any]:
        props = {
            "name": row["full_name"],
            "firstName": row["first_name"],
            "middleName": row["middle_name"],
            "lastName": row["last_name"],
        }
        if full:
            props |= {"birthDate": row["date_of_birth"], "nationality": row["nationality"], "gender": row["gender"]}
        return ent(eid, **props)

    print(f"\n## yente UN positives, treated vs untreated ({len(treated)} pairs): recall")
    for name, (score, threshold) in systems.items():
        for full in (False, True):
            hits = sum(
                score(person(t, "a", full), person(u, "b", full)) >= threshold
                for t, u in zip(treated, untreated, strict=True)
            )
            label = "names, DOB, nationality, gender" if full else "names only"
            print(f"  {name:10s} {label:34s} {hits / len(treated):.3f}")


def main() -> None:
    """Run the external tiers."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    systems: dict[str, tuple[Scorer, float]] = {"ours": (lambda q, c: compare(q, c).score, MATCH_THRESHOLD)}
    if not args.no_peer:
        systems["logic-v2"] = (peer(), 0.70)
    name_bench(systems)
    un_positives(systems)


if __name__ == "__main__":
    main()
