"""Unicode clean-up and tokenisation of personal names (script-agnostic, no transliteration)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Invisible characters that survive copy-paste from PDFs, chats and web forms: zero-width
# spaces/joiners, bidi controls, soft hyphen, BOM.  They split or glue words invisibly.
_INVISIBLE = dict.fromkeys(
    [
        0x00AD,
        0x180E,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ],
    None,
)

# Latin letters that look like Cyrillic ones (and back).  Mixed-script tokens are a classic
# evasion/typo pattern ("Пeтров" with a Latin e); we fold a token to its dominant script.
_LAT_TO_CYR = str.maketrans("aeopcyxkmtbh", "аеорсухкмтвн")
_CYR_TO_LAT = str.maketrans("аеорсухкмтвніј", "aeopcyxkmtbhij")

# Apostrophes and primes stand for soft/hard signs in transliterations (Il'ya, Solov'ev);
# they carry no sound of their own, so they are dropped inside a token.
_APOSTROPHES = "'’‘`´ʹʺʼ′″\""

_LATIN_RE = re.compile("[a-z]")
_SPLIT_RE = re.compile(r"[\s,;/()\[\]{}|_+·・]+")
# "VladimirPutin", "AlisherUsmanov": a lower-to-upper case change inside a word is a space.
_CAMEL_RE = re.compile(r"(?<=[a-zа-яёіїєґ])(?=[A-ZА-ЯЁІЇЄҐ])")
# Look-alike digits in names typed to evade filters (Ig0r Sech1n, I9or).
_LEET = str.maketrans("0134579", "oieastg")
_LEET_RE = re.compile(r"[^\W\d_]\d|\d[^\W\d_]")
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]{1,2}\.){2,}[^\W\d_]{0,2}\.?$")


def is_cyrillic(ch: str) -> bool:
    """True for a Cyrillic letter."""
    return "\u0400" <= ch <= "\u052f"


def _fold_script(token: str) -> str:
    cyr = sum(1 for ch in token if is_cyrillic(ch))
    lat = sum(1 for ch in token if "a" <= ch <= "z")
    if cyr and lat:
        return token.translate(_LAT_TO_CYR) if cyr >= lat else token.translate(_CYR_TO_LAT)
    return token


@lru_cache(maxsize=50_000)
def clean(text: str) -> str:
    """NFKC, drop invisible characters, casefold and squeeze whitespace."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    return " ".join(text.split())


@lru_cache(maxsize=50_000)
def tokenize(name: str) -> tuple[str, ...]:
    """Split a name into cleaned tokens; hyphenated parts and run-together initials separate.

    Each returned token is either a word (letters only, script-folded) or an initial of one or
    two letters followed by a dot (e.g. ``"a."``, ``"yu."``).
    """
    out: list[str] = []
    text = clean(_CAMEL_RE.sub(" ", name))
    if _LEET_RE.search(text):
        text = " ".join(w.translate(_LEET) if _LEET_RE.search(w) else w for w in text.split())
    for raw in _SPLIT_RE.split(text):
        if not raw:
            continue
        if raw.isalpha():
            # Fast path for a plain word: fold scripts only when Latin and non-Latin mix.
            if not raw.isascii() and _LATIN_RE.search(raw):
                raw = _fold_script(raw)
            out.append(raw + "." if len(raw) == 1 else raw)
            continue
        if _INITIALS_RE.match(raw):
            # "A.S." or "Yu.V." -> separate initials
            out.extend(part + "." for part in raw.split(".") if part)
            continue
        for piece in raw.replace("\u2010", "-").replace("\u2013", "-").split("-"):
            piece = piece.strip(".")
            dotted = raw.endswith(".") and len(piece) <= 2
            word = "".join(ch for ch in piece if ch.isalpha() or ch in _APOSTROPHES)
            word = "".join(ch for ch in word if ch not in _APOSTROPHES)
            if not word:
                continue
            word = _fold_script(word)
            out.append(word + "." if dotted or len(word) == 1 else word)
    return tuple(out)


def is_initial(token: str) -> bool:
    """True when a token from :func:`tokenize` is an initial ("a.", "yu.")."""
    return token.endswith(".")
