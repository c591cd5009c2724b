"""Token similarity and the alignment of two name variants into a multiplicative name score.

The name score is a product of one factor per name part: 1.0 when a part agrees exactly,
a little less for a case/gender/cognate form, less again for a typo, a fixed factor for an
initial, a strong penalty for a conflicting part (namesakes differ exactly there) and a mild
one for a part known on one side only.  Every factor is shown in the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import OSA, Levenshtein

from safepassage.screening.names import (
    GIVEN,
    PART,
    PATRONYMIC,
    ROLE_LABEL,
    SURNAME,
    Tok,
    german_reading,
)
from safepassage.screening.translit import skeleton

# Two different values for the same part: the score is multiplied by this.
CONFLICT_FACTOR = {SURNAME: 0.4, GIVEN: 0.5, PATRONYMIC: 0.6, PART: 0.45}
# A part known on one side only (lists often drop the patronymic; a lone surname is weak).
MISSING_FACTOR = {SURNAME: 0.6, GIVEN: 0.7, PATRONYMIC: 0.93, PART: 0.9}
# An initial that agrees with the first letter: weak evidence, so a moderate factor.
INITIAL_FACTOR = {SURNAME: 0.6, GIVEN: 0.86, PATRONYMIC: 0.9, PART: 0.85}
FORM_FACTOR = {SURNAME: 0.96, GIVEN: 0.97, PATRONYMIC: 0.98, PART: 0.96}
CROSS_ROLE_FACTOR = 0.9  # a given name typed into the surname field and the like
EXTRA_SAME_ROLE_FACTOR = 0.97  # e.g. a second given name the other side lacks
FUZZY_FLOOR = {SURNAME: 0.65, GIVEN: 0.65, PATRONYMIC: 0.65, PART: 0.66}
FUZZY_CURVE = 0.75  # <1: the first edits cost little, a barely similar name nearly a conflict

EXACT, FORM, FUZZY, INITIAL, NONE = "exact", "form", "fuzzy", "initial", "none"
ALT_MIN_SIM = 0.45

_FORM_HOW = {
    SURNAME: "same surname, other gender or case form",
    GIVEN: "same given name (case form or national variant)",
    PATRONYMIC: "same father's name (other form)",
    PART: "same name, other form",
}


def _german_agrees(a: Tok, b: Tok, roles: tuple[str, ...]) -> bool:
    # German spellings whose word shows no German mark of its own (Nasar, Sachar); the rest
    # of the name usually does, and its other words brought the candidate in.
    for x, y in ((a, b), (b, a)):
        if x.roman.isascii() and x.roman != y.roman:
            gx = skeleton(german_reading(x.roman))
            if gx != x.skel and any(x.key(r, gx) == y.key(r) for r in roles):
                return True
    return False


def _father_and_son(a: Tok, b: Tok) -> bool:
    pa, pb = a.patronymic_like, b.patronymic_like
    if pa == pb:
        return False
    patr, plain = (a, b) if pa else (b, a)
    return patr.keys[2][1:] == plain.keys[1]


def _stem_for_fuzzy(tok: Tok, role: str) -> str:
    key = tok.key(role)
    if key.startswith("~"):
        return key[1:]
    if role == PATRONYMIC and len(tok.skel) > 6:
        # A typo can hide the -ovich ending; drop a suffix-sized tail instead.
        return tok.skel[:-4]
    return key


@lru_cache(maxsize=1 << 19)
def token_similarity(a: Tok, b: Tok, role: str) -> tuple[float, str, str]:
    """Similarity in [0, 1] of two tokens in a role, the kind of agreement and a reason."""
    if a.initial or b.initial:
        if a.first != b.first:
            return 0.0, NONE, "initials differ"
        return 0.6, INITIAL, "initials agree" if a.initial and b.initial else "initial agrees"
    if a.skel == b.skel:
        same = a.text.casefold() == b.text.casefold()
        return 1.0, EXACT, "identical" if same else "same name, other spelling or script"
    if role == PATRONYMIC and _father_and_son(a, b):
        # A given name against the patronymic made from it (Georgii / Georgievich) is the
        # classic father-and-son trap, not a spelling variant.
        return 0.0, NONE, "given name vs patronymic"
    roles = (SURNAME, GIVEN) if role == PART else (role,)
    for r in roles:
        if a.key(r) == b.key(r):
            return 0.95, FORM, _FORM_HOW[r]
    # Typos.  Given names and patronymics are compared on their stems only, because the
    # shared -ovich/-ovna suffix would make any two patronymics look alike.
    sim = 0.0
    if role == PATRONYMIC:
        # The shared -ovich/-ovna tail says nothing, so edits count against the rest only.
        for x, y in ((a.skel, b.skel), (a.roman, b.roman)):
            span = max(len(x), len(y)) - 4
            if span >= 3:
                sim = max(sim, 1.0 - OSA.distance(x, y) / span)
    else:
        # Typos made in Latin can create or break digraphs (kropotkin -> krkpotcin), which
        # the skeleton magnifies; the plain romanisation measures them as typed.
        sim = max(OSA.normalized_similarity(a.skel, b.skel), OSA.normalized_similarity(a.roman, b.roman))
        if len(a.roman) == len(b.roman) and OSA.distance(a.roman, b.roman) == 1 != Levenshtein.distance(
            a.roman, b.roman
        ):
            # Two neighbouring letters swapped, the commonest typing slip: half an edit.
            sim = max(sim, 1.0 - 0.5 / len(a.roman))
    for r in roles:
        sim = max(sim, OSA.normalized_similarity(_stem_for_fuzzy(a, r), _stem_for_fuzzy(b, r)))
    if sim >= ALT_MIN_SIM:
        # Other readings of ambiguous Latin letters are tried only for look-alike words:
        # they are costly and cannot turn two unrelated names into one.
        if a.alts or b.alts:
            for x in (a.skel, *a.alts):
                for y in (b.skel, *b.alts):
                    if (x, y) != (a.skel, b.skel) and any(a.key(r, x) == b.key(r, y) for r in roles):
                        return 0.95, FORM, "same name, another reading of the Latin spelling"
        if _german_agrees(a, b, roles):
            return 0.95, FORM, "same name, German-style spelling"
    if sim < FUZZY_FLOOR[role]:
        return 0.0, NONE, "different"
    return sim, FUZZY, "similar spelling (typo?)"


def part_factor(role: str, sim: float, kind: str) -> float:
    """Multiplicative factor of one aligned part."""
    if kind == EXACT:
        return 1.0
    if kind == FORM:
        return FORM_FACTOR[role]
    if kind == INITIAL:
        return INITIAL_FACTOR[role]
    floor = FUZZY_FLOOR[role]
    conflict = CONFLICT_FACTOR[role]
    # From the conflict factor at the floor to 0.95 at identity (concave, see FUZZY_CURVE).
    return float(conflict + (0.95 - conflict) * ((sim - floor) / (1.0 - floor)) ** FUZZY_CURVE)


class PartMatch(NamedTuple):
    """One line of the name alignment (a NamedTuple: cheap to build in the hot loop)."""

    role: str
    query: str
    candidate: str
    factor: float
    how: str

    def __str__(self) -> str:
        label = ROLE_LABEL[self.role]
        if not self.query or not self.candidate:
            side = "query" if not self.query else "candidate"
            return f"{label} '{self.candidate or self.query}' absent in {side} (x{self.factor:.2f})"
        return f"{label} '{self.query}' ~ '{self.candidate}': {self.how} (x{self.factor:.2f})"


@dataclass(frozen=True, slots=True)
class NameScore:
    """Outcome of aligning two name variants."""

    score: float
    parts: tuple[PartMatch, ...]
    query_only: frozenset[str] = frozenset()  # roles present only in the query variant
    candidate_only: frozenset[str] = frozenset()


def _pair_role(q: str, c: str) -> tuple[str, bool]:
    if q == c or q == PART:
        return c, False
    if c == PART:
        return q, False
    return c, True


def align_names(qn: tuple[Tok, ...], cn: tuple[Tok, ...], explain: bool = True) -> NameScore:
    """Greedy best one-to-one alignment of name tokens, and the resulting name score.

    With ``explain=False`` the part-by-part record is skipped (ranking many candidates).
    """
    cands: list[tuple[float, int, int, int, str, str, str, bool]] = []
    for i, qt in enumerate(qn):
        q_role = qt.role
        for j, ct in enumerate(cn):
            c_role = ct.role
            if q_role == c_role or q_role == PART:
                role, cross = c_role, False
            elif c_role == PART:
                role, cross = q_role, False
            else:
                role, cross = c_role, True
            sim, kind, how = token_similarity(qt, ct, role)
            if kind is NONE or (cross and (kind is FUZZY or kind is INITIAL)):
                continue
            cands.append((-sim, i + j, i, j, role, kind, how, cross))
    cands.sort()
    used_q: set[int] = set()
    used_c: set[int] = set()
    parts: list[PartMatch] = []
    matched_roles: set[str] = set()
    score = 1.0
    strong = False
    for neg_sim, _, i, j, role, kind, how, cross in cands:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        factor = part_factor(role, -neg_sim, kind)
        if cross:
            factor *= CROSS_ROLE_FACTOR
            how += ", given in another field"
        score *= factor
        matched_roles.add(role)
        if explain:
            parts.append(PartMatch(role, qn[i].text, cn[j].text, factor, how))
        strong = strong or kind is EXACT or kind is FORM or (kind is FUZZY and role in (SURNAME, PART))
    if not strong:
        score *= 0.5  # initials or a fuzzy given name alone never make a name
    rest_q = [i for i in range(len(qn)) if i not in used_q]
    rest_c = [j for j in range(len(cn)) if j not in used_c]
    # Unmatched parts: the same role on both sides is a conflict; otherwise merely missing.
    for i in list(rest_q):
        role_q = qn[i].role
        j = -1
        for k in rest_c:
            if cn[k].role == role_q:
                j = k
                break
        if j < 0:
            for k in rest_c:
                if cn[k].role == PART or role_q == PART:
                    j = k
                    break
        if j < 0:
            continue
        rest_q.remove(i)
        rest_c.remove(j)
        role = _pair_role(role_q, cn[j].role)[0]
        score *= CONFLICT_FACTOR[role]
        if explain:
            parts.append(PartMatch(role, qn[i].text, cn[j].text, CONFLICT_FACTOR[role], "different"))
    only: dict[bool, set[str]] = {True: set(), False: set()}
    for side, rest in ((qn, rest_q), (cn, rest_c)):
        in_query = side is qn
        for k in rest:
            tok = side[k]
            if tok.role not in matched_roles:
                only[in_query].add(tok.role)
            factor = MISSING_FACTOR[tok.role] if tok.role not in matched_roles else EXTRA_SAME_ROLE_FACTOR
            score *= factor
            if explain:
                parts.append(
                    PartMatch(tok.role, tok.text if in_query else "", "" if in_query else tok.text, factor, "")
                )
    return NameScore(score, tuple(parts), frozenset(only[True]), frozenset(only[False]))
