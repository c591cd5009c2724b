"""Blind indexes: keyed hashes of spelling-independent name keys, for lookup and duplicate detection
without plaintext in the database.

Every Latin or Cyrillic spelling of a name folds to one key (Петров, Petrov, Petroff, Петрова →
"petrov"; Ґрицько, Hrytsko, Grytsko → one key), and each kind of token has its own HMAC key, derived
from an index key kept outside the database. What they leak is documented in docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from safepassage.screening.names import given_key, surname_key
from safepassage.screening.text import tokenize
from safepassage.screening.translit import skeleton
from safepassage.security.secrets import derive_key

KINDS = ("sn", "sn_gn", "sn_gn_by")


def _words(text: str) -> list[str]:
    return [skeleton(t) for t in tokenize(text) if len(t) > 1]


def name_pairs(first: str, last: str, spellings: Iterable[str] = ()) -> set[tuple[str, str]]:
    """(surname key, given-name key) pairs from the split name and every full-name spelling seen."""
    pairs = set()
    firsts, lasts = _words(first), _words(last)
    if firsts and lasts:
        pairs.add((surname_key(lasts[-1]), given_key(firsts[0])))
    for text in spellings:
        words = _words(text)
        if len(words) >= 2:  # either order: "Aleksei Petrov" and "PETROV Aleksei"
            pairs.add((surname_key(words[-1]), given_key(words[0])))
            pairs.add((surname_key(words[0]), given_key(words[1])))
    return {(s, g) for s, g in pairs if s and g}


def tokens(index_key: bytes, pairs: set[tuple[str, str]], birth_year: int | None) -> set[tuple[str, str]]:
    """(kind, token) rows for one person; tokens are truncated HMACs under per-kind keys."""
    out = set()
    for surname, given in pairs:
        values = {"sn": surname, "sn_gn": f"{surname}|{given}"}
        if birth_year is not None:
            values["sn_gn_by"] = f"{surname}|{given}|{birth_year}"
        for kind, value in values.items():
            key = derive_key(index_key, f"blind-index/{kind}")
            out.add((kind, hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]))
    return out


def index_key_id(index_key: bytes) -> str:
    """A non-secret id of the index key, so re-indexing knows which rows are current."""
    return "idx-" + hashlib.sha256(b"safepassage-index-id|" + index_key).hexdigest()[:16]
