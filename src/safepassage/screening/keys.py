"""Blocking keys for candidate retrieval: token pairs, token + initial, and typo (deletion) keys.

Keys are computed from the same skeletons used in scoring, so any spelling that scores well
also shares keys.  Each key is hashed to 64 bits (crc32 and adler32 of the key text; both are
stable across processes, unlike ``hash()``), so an index can be saved and loaded.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

from safepassage.screening.names import Tok, given_key, looks_patronymic, patronymic_key, surname_key
from safepassage.screening.person import Person

# Vote weights of a key hit: a shared pair of full names is strong evidence, a full name
# plus a matching initial weaker, a typo-tolerant deletion key weaker still.
PAIR, INITIAL, DELETION, SINGLE = 0, 1, 2, 3
KIND_WEIGHT = (8.0, 3.0, 1.0, 0.5)
MAX_TOKENS = 6  # longer names are truncated for keying only (pairs grow quadratically)
MIN_DELETION_LEN = 5
AFFIX = 4


@lru_cache(maxsize=500_000)
def block_code(skel: str) -> str:
    """Role-free code of a token: gender/case/cognate-folded stem (same on both sides)."""
    if looks_patronymic(skel):
        return patronymic_key(skel)
    return given_key(surname_key(skel))


def _hash(text: str) -> int:
    data = text.encode("utf-8")
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


def _ends(code: str) -> tuple[str, str]:
    # Fixed-length ends rather than halves: an inserted or dropped letter shifts a midpoint
    # but leaves at least one end intact.
    return "<" + code[:AFFIX], ">" + code[-AFFIX:]


def variant_keys(codes: tuple[tuple[str, str, bool], ...]) -> dict[int, int]:
    """Keys (hash -> kind) of one name variant given as (block code, first letter, is initial).

    Pairs of full names; each full name with each other part's first letter; and, for typos,
    the first and last four letters of a full name with each other first letter.
    """
    texts: dict[str, int] = {}
    full = [(code, first) for code, first, initial in codes if not initial and code]
    firsts = [first for _, first, _ in codes if first]
    for i, (code, _) in enumerate(full):
        for code2, _ in full[i + 1 :]:
            a, b = (code, code2) if code <= code2 else (code2, code)
            texts.setdefault(f"P{a}|{b}", PAIR)
    for code, first in full:
        others = list(firsts)
        others.remove(first)
        for init in dict.fromkeys(others):
            texts.setdefault(f"I{code}|{init}", INITIAL)
            if len(code) >= MIN_DELETION_LEN:
                head, tail = _ends(code)
                texts.setdefault(f"D{head}|{init}", DELETION)
                texts.setdefault(f"D{tail}|{init}", DELETION)
    for code, _ in full:
        texts.setdefault("T" + code, SINGLE)
    return {_hash(t): kind for t, kind in texts.items()}


def person_keys(person: Person) -> dict[int, int]:
    """Union of the keys of all name variants of a person (hash -> strongest kind)."""
    return names_keys(person.names)


def names_keys(names: tuple[tuple[Tok, ...], ...]) -> dict[int, int]:
    """Union of the keys of name variants (hash -> strongest kind)."""
    out: dict[int, int] = {}
    seen: set[tuple[tuple[str, str, bool], ...]] = set()
    for toks in names:
        toks = toks[:MAX_TOKENS]
        base = [(block_code(t.skel), t.first, t.initial) for t in toks]
        readings = [tuple(base)]
        for i, tok in enumerate(toks):
            for alt in tok.alts:  # one other reading at a time keeps the key count linear
                readings.append((*base[:i], (block_code(alt), tok.first, tok.initial), *base[i + 1 :]))
        for codes in readings:
            if codes in seen:
                continue  # Cyrillic name, split fields and Latin alias usually share their codes
            seen.add(codes)
            for h, kind in variant_keys(codes).items():
                if out.get(h, SINGLE + 1) > kind:
                    out[h] = kind
    return out
