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
MIN_DELETION_LEN = 4


@lru_cache(maxsize=500_000)
def block_code(skel: str) -> str:
    """Role-free code of a token: gender/case/cognate-folded stem (same on both sides)."""
    if looks_patronymic(skel):
        return patronymic_key(skel)
    return given_key(surname_key(skel))


@lru_cache(maxsize=500_000)
def _deletions(code: str) -> tuple[str, ...]:
    if len(code) < MIN_DELETION_LEN:
        return (code,)
    return (code, *dict.fromkeys(code[:i] + code[i + 1 :] for i in range(len(code))))


def _hash(text: str) -> int:
    data = text.encode("utf-8")
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


@lru_cache(maxsize=500_000)
def _hashed(text: str) -> int:
    return _hash(text)


def variant_keys(toks: tuple[Tok, ...]) -> dict[int, int]:
    """Keys (hash -> kind) of one name variant."""
    toks = toks[:MAX_TOKENS]
    full = [(block_code(t.skel), t.first) for t in toks if not t.initial and t.skel]
    firsts = [t.first for t in toks if t.first]
    out: dict[int, int] = {}

    def put(text: str, kind: int) -> None:
        h = _hashed(text)
        if out.get(h, SINGLE + 1) > kind:
            out[h] = kind

    for i, (code, first) in enumerate(full):
        put("T" + code, SINGLE)
        for code2, _ in full[i + 1 :]:
            a, b = (code, code2) if code <= code2 else (code2, code)
            put(f"P{a}|{b}", PAIR)
        others = list(firsts)
        others.remove(first)
        for init in dict.fromkeys(others):
            put(f"I{code}|{init}", INITIAL)
            for d in _deletions(code)[1:]:
                put(f"D{d}|{init}", DELETION)
            put(f"D{code}|{init}", DELETION)
    return out


def person_keys(person: Person) -> dict[int, int]:
    """Union of the keys of all name variants of a person (hash -> strongest kind)."""
    out: dict[int, int] = {}
    for toks in person.names:
        for h, kind in variant_keys(toks).items():
            if out.get(h, SINGLE + 1) > kind:
                out[h] = kind
    return out
