"""Generate a large synthetic watchlist (FtM JSON lines) for scale benchmarks.

Name parts are sampled from the dev watchlist (given names, patronymics, surname stems) and
surnames are multiplied by adding syllables, so a million persons have realistic clusters:
about 12 % share the 100 most common surnames.  Deterministic for a given seed.

    .venv/bin/python bench/gen_watchlist.py --n 1000000 --out bench/out/wl_1m.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_common import DEV, load_jsonl

from safepassage.screening.translit import romanise

SYLLABLES = ["ко", "ва", "ли", "ро", "ни", "ше", "ту", "ра", "ми", "до", "бе", "за", "пу", "ги", "че", "ха"]
MALE_ENDINGS = ["ов", "ев", "ин", "ский", "кин", "енко", "ук"]


def _feminine(surname: str) -> str:
    if surname.endswith("ский"):
        return surname[:-4] + "ская"
    if surname.endswith(("ов", "ев", "ин")):
        return surname + "а"
    return surname


def _patronymic_female(patr: str) -> str:
    for m, f in (("ович", "овна"), ("евич", "евна"), ("ич", "ична")):
        if patr.endswith(m):
            return patr[: -len(m)] + f
    return patr


def vocabulary() -> dict[str, list[str]]:
    """Name parts of the dev watchlist, split by gender."""
    male_first, female_first, patr, stems, common = [], [], [], [], Counter()
    for w in load_jsonl(DEV / "watchlist.ftm.jsonl"):
        p = w["properties"]
        first, father, last = p["firstName"][0], p["fatherName"][0], p["lastName"][0]
        (female_first if p.get("gender") == ["female"] else male_first).append(first)
        if father.endswith(("ович", "евич", "ич")):
            patr.append(father)
        masc = last[:-1] if last.endswith(("ова", "ева", "ина")) else last.replace("ская", "ский")
        common[masc] += 1
        for end in MALE_ENDINGS:
            if masc.endswith(end) and len(masc) > len(end) + 2:
                stems.append(masc[: -len(end)])
                break
    return {
        "male": sorted(set(male_first)),
        "female": sorted(set(female_first)),
        "patronymic": sorted(set(patr)),
        "stems": sorted(set(stems)),
        "common": [s for s, _ in common.most_common(100)],
    }


def persons(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """n synthetic FtM Person dicts."""
    rng = random.Random(seed)
    vocab = vocabulary()
    for i in range(n):
        female = rng.random() < 0.12
        if rng.random() < 0.12:
            surname = rng.choice(vocab["common"])
        else:
            stem = rng.choice(vocab["stems"])
            for _ in range(rng.choice((0, 1, 1, 2))):
                stem += rng.choice(SYLLABLES)
            surname = stem + rng.choice(MALE_ENDINGS)
        first = rng.choice(vocab["female" if female else "male"])
        patr = rng.choice(vocab["patronymic"])
        if female:
            surname, patr = _feminine(surname), _patronymic_female(patr)
        year = int(rng.gauss(1987, 9))
        dob = f"{year}" if rng.random() < 0.2 else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        props: dict[str, list[str]] = {
            "name": [f"{surname} {first} {patr}"],
            "firstName": [first],
            "fatherName": [patr],
            "lastName": [surname],
            "birthDate": [dob],
            "gender": ["female" if female else "male"],
            "nationality": ["ru"],
        }
        if rng.random() < 0.6:
            props["alias"] = [" ".join(romanise(x.lower()).title() for x in (first, patr, surname))]
        yield {"id": f"syn-{seed}-{i:08d}", "schema": "Person", "properties": props}


def main() -> None:
    """Write the synthetic watchlist."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for person in persons(args.n, args.seed):
            fh.write(json.dumps(person, ensure_ascii=False) + "\n")
    print(f"wrote {args.n} persons to {args.out}")


if __name__ == "__main__":
    main()
