"""Measure false matches between real toponyms (tests/unit/screening/data/toponyms.csv).

Each row is one place in Ukrainian, Russian and Latin spelling. A *false pair* is two different places of
which one, written as a deployment place, matches the other as an incident place. `crude_forms` makes case
forms with a crude rule of thumb (not a grammar): enough to see whether case endings make one place reach
another. Run `python -m tests.unit.screening.place_measure` for the figures in docs/case-screening.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

TOPONYMS = Path(__file__).with_name("data") / "toponyms.csv"
Matcher = Callable[[str, str], bool]
Pair = frozenset[int]
_HUSH = "жшчщ"


def load_places() -> list[tuple[str, str, str]]:
    """(Ukrainian, Russian, Latin) for each place."""
    with TOPONYMS.open(encoding="utf-8", newline="") as fh:
        return [(r["uk"], r["ru"], r["latin"]) for r in csv.DictReader(fh)]


def _ru(word: str) -> list[str]:
    if word.endswith("а"):
        stem = word[:-1]
        return [stem + ("и" if stem[-1:] in "кгх" + _HUSH else "ы"), stem + "е", stem + "у", stem + "ой"]
    if word.endswith("я"):
        return [word[:-1] + e for e in ("и", "е", "ю", "ей")]
    if word[-1:] in "ьй":
        return [word[:-1] + e for e in ("я", "е", "ем")]
    if word[-1:] in "ыи":
        return [word[:-1] + e for e in ("ах", "ами")]
    if word[-1:] in "ое":
        return [word[:-1] + e for e in ("а", "е", "ом")]
    return [word + e for e in ("а", "е", "ом")]


def _uk_alternate(word: str) -> list[str]:
    last = max((i for i, ch in enumerate(word) if ch in "аеєиіїоуюя"), default=-1)
    if last > 0 and word[last] == "і":
        return [word[:last] + v + word[last + 1:] for v in "ео"]
    if last > 0 and word[last] == "ї":
        return [word[:last] + "є" + word[last + 1:]]
    return [word]


def _uk(word: str) -> list[str]:
    soft = {"к": "ц", "г": "з", "х": "с"}
    if word.endswith("а"):
        stem = word[:-1]
        if stem[-1:] in _HUSH:
            return [stem + e for e in ("і", "у", "ею")]
        return [stem + "и", stem[:-1] + soft.get(stem[-1], stem[-1]) + "і", stem + "у", stem + "ою"]
    if word.endswith("я"):
        stem = word[:-1]
        return [stem + ("ї" if stem[-1:] in "аеєиіїоуюя" else "і"), stem + "ю", stem + "ею"]
    if word.endswith("ь"):
        return [s + e for s in _uk_alternate(word[:-1]) for e in ("я", "і", "ем")]
    if word[-1:] in "иі":
        return [word[:-1] + e for e in ("ах", "ами")]
    if word.endswith("е"):
        return [word[:-1] + e for e in ("ого", "ому")]
    if word.endswith("о"):
        return [word[:-1] + e for e in ("а", "і", "ом")]
    return [s + e for s in _uk_alternate(word) for e in ("а", "і", "ом")]


def crude_forms(place: tuple[str, str, str]) -> list[str]:
    """Oblique-case forms of a place's last word, Russian and Ukrainian (crude, see module docstring)."""
    uk, ru, _ = place
    out = []
    for name, rule in ((ru, _ru), (uk, _uk)):
        head, _, last = name.rpartition(" ")
        if re.fullmatch(r"[а-яёіїєґ']+", last.lower()):
            out += [f"{head} {f}".strip() for f in rule(last)]
    return out


def false_pairs(match: Matcher, places: list[tuple[str, str, str]]) -> tuple[set[Pair], set[Pair]]:
    """Pairs of different places of which one (as a deployment) matches the other (as an incident): those
    found with nominatives alone, and those found once crude case forms are added (a superset)."""
    forms = [crude_forms(p) for p in places]
    nominative: set[Pair] = set()
    with_forms: set[Pair] = set()
    for i, own in enumerate(places):
        for j, incident in enumerate(places):
            pair = frozenset((i, j))
            if i == j or pair in nominative:
                continue
            if any(match(d, n) for d in own for n in incident):
                nominative.add(pair)
                with_forms.add(pair)
            elif pair not in with_forms and any(match(d, n) for d in forms[i] for n in incident):
                with_forms.add(pair)
    return nominative, with_forms


def recall(match: Matcher, places: list[tuple[str, str, str]], *, with_forms: bool) -> tuple[int, int]:
    """(matched, total) of each place's own spellings (and crude forms) against each of its spellings."""
    total = hits = 0
    for p in places:
        for d in list(p) + (crude_forms(p) if with_forms else []):
            for n in p:
                total += 1
                hits += match(d, n)
    return hits, total


def main() -> None:
    """Print the figures for the current matcher."""
    import time

    from safepassage.screening.places import same_place

    places = load_places()
    t = time.perf_counter()
    found = false_pairs(same_place, places)
    for with_forms, pairs in zip((False, True), found, strict=True):
        hits, total = recall(same_place, places, with_forms=with_forms)
        print("with case forms" if with_forms else "nominatives", len(places), "places:", len(pairs), "false pairs;",
              f"recall {hits}/{total}")
        for pair in sorted(pairs, key=sorted):
            print("   ", " ~ ".join(places[k][0] for k in sorted(pair)))
    print(f"{time.perf_counter() - t:.1f} s")

if __name__ == "__main__":
    main()
