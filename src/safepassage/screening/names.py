"""Name tokens with roles (given / patronymic / surname), stems for case and gender, cognates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from safepassage.screening.text import is_cyrillic, is_initial, tokenize
from safepassage.screening.translit import initial_of, romanise, skeleton

GIVEN = "given"
PATRONYMIC = "patronymic"
SURNAME = "surname"
PART = "part"  # role unknown (e.g. two bare words, or a non-Slavic name)

ROLE_LABEL = {GIVEN: "given name", PATRONYMIC: "patronymic", SURNAME: "surname", PART: "name part"}

# Patronymic = father's name + -ovich/-evich/-ich (m) or -ovna/-evna/-ivna/-ichna (f), with
# optional case endings (Петровича, Петровны).  Works on skeletons, where ч is "Q".
_PATRONYMIC_RE = re.compile(r"^(?P<stem>[a-zA-Z]{2,}?)(?:oviQ|eviQ|ovn|evn|ivn|iniQn|iQn|iQ)(?:a|u|em|e|i|oi|oiu)?$")
# Surname endings that change with gender and grammatical case: -ов/-ова/-ову/-овым ...,
# -ский/-ская/-ского ..., -ой/-ая.  Mapped back to the masculine nominative stem.
_SURNAME_CASE_RE = re.compile(r"^(?P<stem>.{2,}?(?:ov|ev|in))(?:a|u|im|e|oi|ei|oiu)$")
_SURNAME_ADJ_RE = re.compile(r"^(?P<stem>.{2,}?k)(?:aia|oi|oGo|omu|im|om|uiu|ai|i)$")
_SURNAME_ADJ2_RE = re.compile(r"^(?P<stem>.{3,}?)(?:aia|oi|oGo|omu)$")
_GIVEN_CASE_RE = re.compile(r"^(?P<stem>.{2,}?)(?:om|em|ei|oi|[aeiou]+)$")

# Cognate and national forms of the same given name (Ukrainian, Belarusian, English/German
# exonyms) -> Russian form.  Written in plain spellings; folded to stems at import time.
_COGNATES: dict[str, tuple[str, ...]] = {
    "aleksandr": ("oleksandr", "aliaksandr", "alexander", "alexandre", "alessandro"),
    "aleksei": ("oleksii", "aliaksei", "alexis", "alexey", "oleksiy"),
    "nikolai": ("mykola", "mikalai", "nicolai", "nicholas", "nicolas", "nikolaus", "nicola"),
    "vladimir": ("volodymyr", "uladzimir", "wolodymyr"),
    "vladislav": ("uladzislau",),
    "dmitrii": ("dmytro", "dzmitry"),
    "pavel": ("pavlo", "paul", "pavl", "paval"),
    "petr": ("petro", "peter", "piatro", "pyotr", "pierre"),
    "mikhail": ("michael", "michail", "mykhailo", "mikhal", "michel"),
    "fedor": ("fedir", "fiodar", "theodor", "feodor"),
    "iakov": ("yakiv", "jakob", "jacob"),
    "iosif": ("yosyp", "iosyp", "joseph", "josef"),
    "gleb": ("hlib", "hleb"),
    "konstantin": ("kostiantyn", "kanstantsin", "constantin", "constantine"),
    "gennadii": ("hennadii", "hienadz", "genadii"),
    "viktor": ("viktar", "victor"),
    "lev": ("lva", "leo"),
    "evgenii": ("yevhen", "eugene", "eugen", "yauhen"),
    "grigorii": ("hryhorii", "ryhor", "gregory", "gregor"),
    "georgii": ("heorhii", "george", "georg"),
    "sergei": ("serhii", "siarhei", "sergiy", "serge", "sergio"),
    "andrei": ("andrii", "andrew", "andreas", "andre"),
    "elena": ("olena", "alena", "helen", "helena", "yelena", "hellen"),
    "ekaterina": ("kateryna", "katsiaryna", "catherine", "katharina", "katerina", "ekaterine"),
    "tatiana": ("tetiana", "tatsiana"),
    "svetlana": ("svitlana", "sviatlana"),
    "nadezhda": ("nadiia",),
    "vera": ("vira",),
    "anna": ("hanna", "ganna", "anne", "ann"),
    "olga": ("volha", "olha"),
    "liubov": ("liubou",),
    "maria": ("mariia", "mary", "marie", "mariya"),
    "elizaveta": ("yelyzaveta", "elisabeth", "elizabeth"),
    "irina": ("iryna", "irene"),
    "natalia": ("nataliia", "natallia", "natalie", "nathalie"),
    "kirill": ("kyrylo", "kiryl", "cyril"),
    "daniil": ("danylo", "danila", "daniel"),
    "stepan": ("stefan", "stephan", "stsiapan"),
    "maksim": ("maxim", "maksym"),
    "semen": ("symon", "simon", "siamion"),
    "artem": ("artyom", "artsiom"),
    "matvei": ("matthew", "matvii"),
    "timofei": ("tymofii", "tsimafei"),
    "iurii": ("yurii", "jurij", "yury"),
    "antonina": ("antanina",),
}


def _given_stem_raw(sk: str) -> str:
    if len(sk) >= 6 and sk.endswith("is"):
        sk = sk[:-1]  # Latvian/Lithuanian nominative -s: Sergejs, Andrejs, Jurijs
    match = _GIVEN_CASE_RE.match(sk)
    return match.group("stem") if match else sk


_COGNATE_STEMS: dict[str, str] = {}
for _canon, _variants in _COGNATES.items():
    _target = _given_stem_raw(skeleton(_canon))
    for _variant in (_canon, *_variants):
        _COGNATE_STEMS.setdefault(_given_stem_raw(skeleton(_variant)), _target)


@lru_cache(maxsize=200_000)
def given_key(sk: str) -> str:
    """Stem of a given name without case ending, mapped to its Russian cognate."""
    stem = _given_stem_raw(sk)
    return _COGNATE_STEMS.get(stem, stem)


@lru_cache(maxsize=200_000)
def patronymic_key(sk: str) -> str:
    """The father's name inside a patronymic (gender- and case-free), as a given-name key."""
    match = _PATRONYMIC_RE.match(sk)
    return "~" + given_key(match.group("stem")) if match else given_key(sk)


@lru_cache(maxsize=200_000)
def surname_key(sk: str) -> str:
    """Masculine nominative stem of a surname (Петрова/Петрову -> petrov, Лесецкая -> leseCk)."""
    if sk.endswith(("ovs", "evs", "ins", "skis")):
        sk = sk[:-1]  # Latvian/Lithuanian -s: Lavrovs, Ivanovs, Jankovskis
    for regex in (_SURNAME_ADJ_RE, _SURNAME_CASE_RE, _SURNAME_ADJ2_RE):
        match = regex.match(sk)
        if match:
            stem = match.group("stem")
            return stem + "i" if regex is not _SURNAME_CASE_RE else stem
    return sk


@lru_cache(maxsize=200_000)
def looks_patronymic(sk: str) -> bool:
    """True when a skeleton has a patronymic ending (-ovich, -ovna, -ich, -ichna, ...)."""
    return bool(_PATRONYMIC_RE.match(sk)) and len(sk) >= 4


@dataclass(frozen=True, slots=True, eq=False)
class Tok:
    """One name token: what was written, its skeleton, its role, and whether it is an initial.

    Tokens are interned by :func:`make_tok`, so identity equality/hash (eq=False) is both
    correct and fast as a cache key.
    """

    text: str
    skel: str
    role: str
    initial: bool
    first: str  # initial-letter class
    roman: str  # plain romanisation without folding, for measuring typos
    alts: tuple[str, ...] = ()  # other readings of an ambiguous Latin spelling (see _ALT_READINGS)
    keys: tuple[str, str, str] = ("", "", "")  # surname, given, patronymic keys of skel
    patronymic_like: bool = False

    def key(self, role: str, skel: str = "") -> str:
        """Role-specific comparison key (stem with case/gender/cognate folded)."""
        if self.initial:
            return self.first
        if not skel:
            return self.keys[0] if role == SURNAME else self.keys[2] if role == PATRONYMIC else self.keys[1]
        if role == SURNAME:
            return surname_key(skel)
        if role == PATRONYMIC:
            return patronymic_key(skel)
        return given_key(skel)


@lru_cache(maxsize=300_000)
def make_tok(text: str, role: str) -> Tok | None:
    """The interned token for a word in a role (None if nothing letter-like is left)."""
    sk = skeleton(text)
    if not sk:
        return None
    word = text.rstrip(".")
    alts: tuple[str, ...] = ()
    roman = romanise(word)
    if not is_initial(text) and roman.isascii() and not any(is_cyrillic(ch) for ch in word):
        rules = [(regex, repl) for regex, repl in _ALT_READINGS if regex.search(roman)]
        readings = [regex.sub(repl, roman) for regex, repl in rules]
        if len(rules) > 1:  # e.g. GOST 7.79-B Xuczkij needs x and cz read at once
            readings.append(_apply(rules, roman))
        if _GERMAN_MARK.search(roman):
            german = german_reading(roman)
            readings += [german, german.replace("sch", "zh")]
        alts = tuple(dict.fromkeys(r for r in map(skeleton, readings) if r != sk))
    keys = (surname_key(sk), given_key(sk), patronymic_key(sk))
    return Tok(word, sk, role, is_initial(text), initial_of(text), roman, alts, keys, looks_patronymic(sk))


# Latin letters that schemes use for different Cyrillic letters.  The main skeleton takes the
# commonest reading; these give the others, tried when the main readings do not agree.
_ALT_READINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![dz])j(?=[aeiouy])"), "zh"),  # French and chat ж: Jirinovski, Ganjin
    (re.compile(r"x"), "kh"),  # GOST 7.79-B and scientific х: Mixail, Xarkov
    (re.compile(r"cz"), "ts"),  # GOST 7.79-B ц: Czvetkov
    (re.compile(r"(?<![ts])ch(?=[aeiouy])"), "sh"),  # French ш: Chostakovitch, Chouvalov
    (re.compile(r"sc(?![h])"), "shch"),  # chat щ: Scechkov
)
# German spelling habits (w for в, sch/tsch, j in ja/jo/ju, -zki) mark a word whose other
# letters may follow German rules too: s for з, z for ц, ch for х, and sch for ж or ш.
_GERMAN_MARK = re.compile(r"w|sch|zki$|j[aeou]")
_GERMAN_RULES: tuple[tuple[re.Pattern[str], str], ...] = (  # order matters: z before s -> z
    (re.compile(r"z"), "ts"),
    (re.compile(r"(?<![ts])ch"), "kh"),
    (re.compile(r"(?:^|(?<=[aeiouy]))s(?=[aeiouy])"), "z"),
)


def _apply(rules: Iterable[tuple[re.Pattern[str], str]], word: str) -> str:
    for regex, repl in rules:
        word = regex.sub(repl, word)
    return word


@lru_cache(maxsize=100_000)
def german_reading(word: str) -> str:
    """A romanised word read with German rules (s = з, z = ц, ch = х)."""
    return _apply(_GERMAN_RULES, word)


def _assign_roles(words: tuple[str, ...]) -> list[str]:
    """Guess roles of a full name string: patronymics are recognisable, order follows from them."""
    n = len(words)
    sks = [skeleton(w) for w in words]
    init = [is_initial(w) for w in words]
    patr = [not init[i] and looks_patronymic(sks[i]) for i in range(n)]
    roles = [PART] * n
    if n >= 3 and patr[1] and not init[0]:
        # IOF: Given Patronymic Surname[-Surname]
        return [GIVEN, PATRONYMIC] + [SURNAME] * (n - 2)
    if n >= 3 and patr[-1]:
        # FIO: Surname[-Surname] Given Patronymic
        return [SURNAME] * (n - 2) + [GIVEN, PATRONYMIC]
    if n >= 3 and all(init[:-1]) and not init[-1]:
        return [GIVEN, PATRONYMIC] + [SURNAME] * (n - 2) if n == 3 else [GIVEN] * (n - 1) + [SURNAME]
    if n >= 2 and init[-1] and not init[0]:
        # "Petrov A. S." / "Petrov A."
        k = sum(init)
        return [SURNAME] * (n - k) + ([GIVEN, PATRONYMIC] if k == 2 else [GIVEN] * k)
    if n == 2 and init[0] and not init[1]:
        return [GIVEN, SURNAME]
    if n == 2 and patr[1]:
        return [GIVEN, PATRONYMIC]
    for i in range(n):
        if patr[i] and n >= 3:
            roles[i] = PATRONYMIC
    return roles


@lru_cache(maxsize=50_000)
def parse_full_name(name: str) -> tuple[Tok, ...]:
    """Tokens of a full-name string with inferred roles."""
    words = tokenize(name)
    roles = _assign_roles(words)
    toks = (make_tok(w, r) for w, r in zip(words, roles, strict=True))
    return tuple(t for t in toks if t is not None)


@lru_cache(maxsize=50_000)
def parse_parts(first: str, father: str, last: str) -> tuple[Tok, ...]:
    """Tokens of split name fields (roles known from the fields)."""
    out: list[Tok] = []
    for text, role in ((first, GIVEN), (father, PATRONYMIC), (last, SURNAME)):
        for word in tokenize(text):
            tok = make_tok(word, role)
            if tok is not None:
                out.append(tok)
    return tuple(out)
