"""Spelling families the dev set does not contain: ISO 9, GOST 7.79-B, scientific, ALA-LC,
German (Duden) and French style.  Each dev watchlist person is re-spelled in each family
(IOF order, no birth date) and compared with its entry; a namesake with another person's
patronymic is compared too.  A self-check of generalisation, not a substitute for the
private held-out set.

    .venv/bin/python bench/screening_families.py
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_common import DEV, load_jsonl

from safepassage.screening import MATCH_THRESHOLD, REVIEW_THRESHOLD, compare

BASE = dict(zip("абвгдезиклмнопрстуф", "abvgdeziklmnoprstuf", strict=True))
FAMILIES: dict[str, dict[str, str]] = {
    "iso9": {**BASE, "ё": "ë", "ж": "ž", "й": "j", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ",
             "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ю": "û", "я": "â"},
    "gost779b": {**BASE, "ё": "yo", "ж": "zh", "й": "j", "х": "x", "ц": "cz", "ч": "ch", "ш": "sh",
                 "щ": "shh", "ъ": "``", "ы": "y'", "ь": "`", "э": "e`", "ю": "yu", "я": "ya"},
    "scientific": {**BASE, "ё": "ë", "ж": "ž", "й": "j", "х": "x", "ц": "c", "ч": "č", "ш": "š",
                   "щ": "šč", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ю": "ju", "я": "ja"},
    "ala_lc": {**BASE, "ё": "ë", "ж": "zh", "й": "ĭ", "х": "kh", "ц": "t͡s", "ч": "ch", "ш": "sh",
               "щ": "shch", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "ė", "ю": "i͡u", "я": "i͡a"},
    "german": {**BASE, "в": "w", "ё": "jo", "ж": "sch", "з": "s", "й": "j", "х": "ch", "ц": "z",
               "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e",
               "ю": "ju", "я": "ja"},
    "french": {**BASE, "ё": "io", "ж": "j", "й": "ï", "у": "ou", "х": "kh", "ц": "ts", "ч": "tch",
               "ш": "ch", "щ": "chtch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iou", "я": "ia"},
}  # fmt: skip


def spell(word: str, family: str) -> str:
    """Re-spell a Cyrillic word in a family, with the family's usual word-level habits."""
    table = FAMILIES[family]
    low = word.lower()
    if family == "german":
        low = re.sub(r"ий$", "i", low)
        low = re.sub(r"(?<=[аеиоуыэюя])с(?=[аеиоуыэюя])", "ss", low)
    if family == "french":
        low = re.sub(r"ий$", "i", low)
        low = re.sub(r"(?<=[аеиоуыэюя])с(?=[аеиоуыэюя])", "ss", low)
        low = re.sub(r"г(?=[еи])", "gu", low)
    out = "".join(table.get(ch, ch) for ch in low)
    if family == "german":
        out = re.sub(r"ow$", "ow", out.replace("ov", "ow")) if out.endswith("ov") else out
    if family in ("german", "french"):
        out = re.sub(r"skij$|skii$", "ski", out)
    return out[:1].upper() + out[1:]


def main() -> None:
    """Print recall and namesake false matches per family."""
    rng = random.Random(5)
    watchlist = load_jsonl(DEV / "watchlist.ftm.jsonl")[:1200]
    patronymics = [w["properties"]["fatherName"][0] for w in watchlist]
    print(f"{'family':12s} {'n':>5s} {'match%':>7s} {'review%':>8s} {'namesake match%':>16s}")
    for family in FAMILIES:
        hits = reviews = false = 0
        for w in watchlist:
            p: dict[str, Any] = w["properties"]
            first, patr, last = p["firstName"][0], p["fatherName"][0], p["lastName"][0]
            q = {
                "id": "q",
                "schema": "Person",
                "properties": {"name": [" ".join(spell(x, family) for x in (first, patr, last))]},
            }
            score = compare(q, w).score
            hits += score >= MATCH_THRESHOLD
            reviews += score >= REVIEW_THRESHOLD
            other = rng.choice([x for x in patronymics[:50] if x[:3] != patr[:3]])
            if p.get("gender") == ["female"]:
                other = other.replace("ович", "овна").replace("евич", "евна")
            ns = {
                "id": "n",
                "schema": "Person",
                "properties": {"name": [" ".join(spell(x, family) for x in (first, other, last))]},
            }
            false += compare(ns, w).score >= MATCH_THRESHOLD
        n = len(watchlist)
        print(f"{family:12s} {n:5d} {100 * hits / n:7.1f} {100 * reviews / n:8.1f} {100 * false / n:16.1f}")


if __name__ == "__main__":
    main()
