"""Place names in any script and grammatical case: does a deployment place name an incident's locality?

Applicants write where they served in free text — Russian ("под Бучей", "из Ирпеня"), Ukrainian
("під Бучею", "в Ірпені", "у Бородянці") or Latin ("near Bucha") — with typos, homoglyphs and invisible
characters. Each word becomes a set of *forms*, all romanised skeletons (`translit.skeleton`):

- the whole word;
- for Cyrillic, its stem, taken **on the Cyrillic text before romanisation**: Russian by the Snowball
  Russian stemmer (`snowballstemmer`); Ukrainian by the explicit ending table below, because Snowball has
  no Ukrainian stemmer. A word with і/ї/є/ґ is Ukrainian, one with ы/э/ъ/ё Russian, any other both;
- Ukrainian alternations: a nominative closed by і/ї (Ірпінь, Харків, Київ, Ріг) also yields the stem with
  е/о/є (Ірпен-я, Харков-а, Києв-а, Рог-у); a locative in -ці/-зі/-сі also yields -к/-г/-х (Бородянц-і →
  Бородянк-а);
- for Latin (no stemmer), the word without its final vowels (Bucha → buq) or, with none, the word itself
  (Mariupol), and the same і → е/о alternation in skeleton form (Irpin → irpen), so that a Latin incident
  place meets a Cyrillic inflected form.

Two words match when they share a form, or — one typo — when two whole words of at least 5 skeleton
letters, or two stems of at least `STEM_TYPO_MIN` letters, are one edit apart inside the word (same first
and last letter: Бучач is not a typo of Буча, nor Томськ of Омськ). A typo is never allowed on a
short stem: "буч" must not reach "бук" or "луч". Stems shorter than 3 letters are not used (Snowball cuts
"Киев" to "ки"). Accepted on purpose: "бучу" is the accusative of Буча (it matches); "Бучач", another town,
does not. The false-match rate on a list of real toponyms is measured in tests and docs/case-screening.md.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]
from rapidfuzz.distance import Levenshtein

from safepassage.screening.text import clean, is_cyrillic
from safepassage.screening.translit import skeleton

MAX_CHARS = 1_000  # deployment and incident places are at most 300 characters at intake and import
MAX_WORDS = 200
FULL_TYPO_MIN = 5
STEM_TYPO_MIN = 8
MIN_STEM = 3

# Ukrainian noun and adjective endings, longest first (one is removed, as Snowball removes one). Not
# included on purpose: -ові/-еві (the locative of Харків is Харков-і, not Харк-ові) and -ів/-їв, which end
# nominatives (Харків, Львів, Київ); only -ців (з Чернівців) is taken as a genitive plural.
_UK_ENDINGS = tuple(sorted({
    "ого", "ому", "ими", "ами", "ями", "ців",
    "ий", "ій", "ої", "ою", "ею", "єю", "им", "ім", "их", "ах", "ях", "ам", "ям", "ом", "ем", "єм", "ую", "юю",
    "а", "я", "у", "ю", "і", "ї", "е", "є", "о", "и", "ь", "й",
}, key=len, reverse=True))  # fmt: skip
_UK_ONLY, _RU_ONLY = set("іїєґ"), set("ыэъё")
_UK_VOWELS, _UK_CONSONANTS = set("аеєиіїоуюя"), set("бвгґджзйклмнпрстфхцчшщь")
_SOFTENED = {"ц": "к", "з": "г", "с": "х"}  # Бородянці ← Бородянка, Празі ← Прага
_LAT_VOWELS = "aeiou"
_LAT_TO_CYR = str.maketrans("aeopcyxkmtbh", "аеорсухкмтвн")
_CYR_TO_LAT = str.maketrans("аеорсухкмтвніј", "aeopcyxkmtbhij")
_STRESS = dict.fromkeys(map(ord, "\u0300\u0301"), None)  # stress marks split words in \w terms
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʹʺʼ′″"), None)
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile("[a-z]")
_RU = snowballstemmer.stemmer("russian")
_RU_LOCK = threading.Lock()  # a Snowball stemmer object keeps state between calls


def _fold_script(word: str) -> str:
    """A word mixing Cyrillic and Latin look-alikes (Бучa with a Latin a) in its dominant script."""
    if word.isascii() or not _LATIN.search(word):
        return word
    cyr, lat = sum(1 for ch in word if is_cyrillic(ch)), len(_LATIN.findall(word))
    if cyr:
        return word.translate(_LAT_TO_CYR) if cyr >= lat else word.translate(_CYR_TO_LAT)
    return word


@lru_cache(maxsize=20_000)
def words(text: str) -> tuple[str, ...]:
    """Cleaned words of a place: invisible characters, stress marks and apostrophes dropped, scripts folded."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_STRESS)
    text = clean(text).translate(_APOSTROPHES)
    return tuple(_fold_script(w) for w in _WORD.findall(text)[:MAX_WORDS])


def _ru_stem(word: str) -> str:
    with _RU_LOCK:
        return str(_RU.stemWord(word))


def _uk_stems(word: str) -> set[str]:
    """Stems of a Ukrainian word by the ending table, with the і/о and к/ц alternations."""
    ending = next((e for e in _UK_ENDINGS if word.endswith(e) and len(word) - len(e) >= MIN_STEM), "")
    stem = word[: len(word) - len(ending)]
    out = {stem}
    if ending in ("", "ь", "й") and word[-1] in _UK_CONSONANTS:  # a nominative closed by its last vowel
        last = max((i for i, ch in enumerate(stem) if ch in _UK_VOWELS), default=-1)
        if last > 0 and stem[last] == "і":
            out |= {stem[:last] + v + stem[last + 1:] for v in "ео"}
        elif last > 0 and stem[last] == "ї":
            out.add(stem[:last] + "є" + stem[last + 1:])
    if ending == "і" and stem[-1] in _SOFTENED:
        out.add(stem[:-1] + _SOFTENED[stem[-1]])
    if ending == "ців":
        out.add(stem + "ц")
    return out


def _latin_stems(sk: str) -> set[str]:
    """Latin (already a skeleton): without final vowels, and the і → е/о alternation (Irpin → irpen)."""
    bare = sk.rstrip(_LAT_VOWELS)
    out = {bare}  # Mariupol has no ending to take off: the word is its own stem (for the stems' typo rule)
    if bare == sk and len(sk) >= MIN_STEM:
        last = max((i for i, ch in enumerate(sk) if ch in _LAT_VOWELS), default=-1)
        if last > 0 and sk[last] == "i":
            out |= {sk[:last] + v + sk[last + 1:] for v in "eo"}
    return {s for s in out if len(s) >= MIN_STEM}


@lru_cache(maxsize=100_000)
def forms(word: str) -> tuple[str, frozenset[str]]:
    """(skeleton of the whole word, skeletons of its stems) for one cleaned word."""
    full = skeleton(word).lower()
    if not any(is_cyrillic(ch) for ch in word):
        return full, frozenset(_latin_stems(full))
    letters = set(word)
    stems: set[str] = set()
    if not letters & _RU_ONLY:
        stems |= _uk_stems(word)
    if not letters & _UK_ONLY:
        stems.add(_ru_stem(word))
    return full, frozenset(skeleton(s).lower() for s in stems if len(s) >= MIN_STEM) - {full}


def same_word(a: str, b: str) -> bool:
    """Two cleaned words name the same place word, in any script and case (see module docstring)."""
    (fa, sa), (fb, sb) = forms(a), forms(b)
    if fa == fb or fa in sb or fb in sa or not sa.isdisjoint(sb):
        return True
    if _one_typo(fa, fb, FULL_TYPO_MIN):
        return True
    return any(_one_typo(x, y, STEM_TYPO_MIN) for x in _long(sa) for y in _long(sb))


@lru_cache(maxsize=100_000)
def _long(stems: frozenset[str]) -> tuple[str, ...]:
    return tuple(s for s in stems if len(s) >= STEM_TYPO_MIN)


def _one_typo(a: str, b: str, shortest: int) -> bool:
    """One edit apart, inside the word (same first and last letter: Бучач is not a typo of Буча, nor Томськ of
    Омськ), both at least `shortest` letters long."""
    return (min(len(a), len(b)) >= shortest and a[0] == b[0] and a[-1] == b[-1]
            and Levenshtein.distance(a, b, score_cutoff=1) <= 1)


@lru_cache(maxsize=20_000)
def place_words(incident_place: str) -> frozenset[str]:
    """The words naming an incident's locality: before the first comma, longer than two letters."""
    return frozenset(w for w in words(incident_place.split(",")[0]) if len(w) > 2)


@lru_cache(maxsize=20_000)
def _deployment_words(deployment: str) -> frozenset[str]:
    return frozenset(w for w in words(deployment) if len(w) > 2)


def same_place(deployment: str, incident_place: str) -> bool:
    """Every word of the incident's locality appears, in any spelling and grammatical case, in the place."""
    wanted, have = place_words(incident_place), _deployment_words(deployment)
    return bool(wanted) and all(any(same_word(h, w) for h in have) for w in wanted)
