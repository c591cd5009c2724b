"""Fold any spelling of an East Slavic name token to one canonical Latin "skeleton".

Cyrillic is first romanised with one fixed table, then *every* Latin string (romanised
Cyrillic or a passport/BGN/ISO 9/German/French/chat spelling) goes through the same folding
rules.  Because both sides pass through identical rules, the rules need not be linguistically
pretty, only consistent: e.g. "io" -> "e" makes Fyodor, Fiodor, Fjodor, Фёдор and Федор all
``fedor``.

Skeleton alphabet: lowercase Latin letters plus five placeholders for sounds that schemes
spell in many ways: ``Z`` (ж: zh, ž, zs), ``W`` (ш/щ: sh, sch, shch, š, ŝ, sz),
``Q`` (ч: ch, tsch, tch, č, cz), ``C`` (ц: ts, tz, c), ``G`` (г/х/ґ: g, h, kh, gh, x-as-kh).
Г and Х are merged on purpose: Ukrainian spells г as h (Hryhorii) and chat Russian spells х
as h (Mihail), so the distinction is unrecoverable from Latin input.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from safepassage.screening.text import is_initial

_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
    "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "ј": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

# Latin letters with diacritics used by ISO 9, scientific, Czech/Polish/German-style spellings.
_LAT_DIACRITICS = {
    "š": "sh", "č": "ch", "ž": "zh", "ŝ": "shch", "ë": "yo", "ö": "yo", "ü": "yu",
    "ä": "ya", "ĭ": "y", "ǐ": "y", "ı": "i", "ł": "l", "ß": "ss", "ć": "ch", "ś": "sh",
    "ź": "zh", "ż": "zh", "ǵ": "g", "ẑ": "zh", "ĉ": "ch", "ȟ": "kh", "è": "e", "é": "e",
    # ISO 9 / GOST 7.79-A: û = ю, â = я; ALA-LC ė = э; Belarusian ŭ = ў; Czech-style ě = е
    "û": "yu", "â": "ya", "ė": "e", "ŭ": "u", "ï": "yi", "ě": "ye", "ů": "u",
}  # fmt: skip

# Ordered longest-first so that e.g. "shch" wins over "sh" and "tsch" over "ts".
_RULES: list[tuple[str, str]] = [
    ("schtsch", "W"), ("shtch", "W"), ("szcz", "W"), ("shch", "W"), ("sch", "W"), ("shh", "W"),
    ("tsch", "Q"), ("tch", "Q"), ("sh", "W"), ("sz", "W"),
    ("zh", "Z"), ("zs", "Z"), ("dzh", "dZ"),
    ("kh", "G"), ("gh", "G"), ("ch", "Q"), ("cz", "Q"),
    ("ts", "C"), ("tz", "C"), ("tc", "C"), ("ph", "f"), ("th", "t"),
    ("ou", "u"), ("x", "ks"), ("q", "k"), ("w", "v"), ("h", "G"), ("g", "G"),
    ("y", "i"), ("j", "i"),
]  # fmt: skip
_RULE_RE = re.compile("|".join(re.escape(src) for src, _ in _RULES))
_RULE_MAP = dict(_RULES)

# A lone "c" is ц in ISO 9, chat and Czech-style spellings (Kuznecov); only the English
# "ct" (Victor) is hard.
_C_RE = re.compile(r"c(?=t)")
_GU_RE = re.compile(r"Gu(?=[ei])")  # French Serguei, Guennadi
# German/Czech "Ch" before a consonant is х (Chruschtschow, Chrystyna).
_GERMAN_CH_RE = re.compile(r"^ch(?=[rl])")
_DROP = dict.fromkeys(map(ord, "'’‘`´ʹʺʼ′″\"-. "), None)
_DOUBLE_RE = re.compile(r"(.)\1+")
_VOWELS = "aeiou"


_ROMANISE = str.maketrans({**_CYR, **_LAT_DIACRITICS})


def romanise(token: str) -> str:
    """Plain romanisation of a token with one fixed table (no folding of variants)."""
    text = token.translate(_ROMANISE)
    if text.isascii():
        return text
    # Other accents (ā, ò, ñ) and other scripts (Georgian, Arabic, Han, Hangul ...): anyascii's
    # tables are a rough but consistent romanisation, enough to compare with Latin spellings.
    return anyascii(text).lower().translate(_DROP)


@lru_cache(maxsize=300_000)
def skeleton(token: str) -> str:
    """Canonical Latin skeleton of one cleaned name token (see module docstring)."""
    text = romanise(token.rstrip(".")).translate(_DROP)
    text = _GERMAN_CH_RE.sub("kh", text)
    text = _RULE_RE.sub(lambda m: _RULE_MAP[m.group(0)], text)
    text = _C_RE.sub("k", text).replace("c", "C")
    text = _GU_RE.sub("G", text)
    text = _DOUBLE_RE.sub(r"\1", text)
    # Glides: ye/ie/je at the start or after a vowel are a plain e (Yevgeny, Sergeyev);
    # io/yo/jo is ё, which lists write as e (Fyodor/Fedor, Semyonovich/Semenovich).
    text = text.replace("io", "e").replace("ie", "e")
    # -off/-ow endings (Smirnoff, Romanow) are the same -ov.
    if text.endswith("of") and len(text) > 4:
        text = text[:-1] + "v"
    return _DOUBLE_RE.sub(r"\1", text)


@lru_cache(maxsize=50_000)
def initial_of(token: str) -> str:
    """First-letter class of a token or initial, used to check initials.

    Classes merge first letters that spellings of one Cyrillic letter start with: Е/Ё/Э/И/Й/Ю/Я
    (e, i, y, j, ye, yu, ya ...) -> "i"; Г/Х (g, h, kh, x) and К -> "k"; Ц/Т/Ч (ts, tc, c, ch) -> "t";
    В/W -> "v"; Ж/З (zh, z) -> "z"; Ш/Щ/С (sh, sch, s) -> "s".
    """
    text = romanise(token.rstrip(".")).translate(_DROP)
    if not text:
        return ""
    return _INITIAL_CLASS.get(text[0], text[0])


_INITIAL_CLASS = {
    "e": "i", "y": "i", "j": "i", "g": "k", "h": "k", "x": "k", "c": "t", "w": "v", "q": "k",
}  # fmt: skip


def is_initial_token(token: str) -> bool:
    """True when the token is an initial."""
    return is_initial(token)
