"""Pairwise scoring of two persons with a readable explanation; the public ``compare``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from safepassage.screening.align import CONFLICT_FACTOR, MISSING_FACTOR, NameScore, PartMatch, align_names
from safepassage.screening.dates import compare_dates
from safepassage.screening.names import PART, Tok, make_tok
from safepassage.screening.person import Person, person_from_entity

# At or above MATCH_THRESHOLD a hit is a likely match; below REVIEW_THRESHOLD it is cleared
# automatically; in between a screening analyst reviews it.
MATCH_THRESHOLD = 0.70
REVIEW_THRESHOLD = 0.48
GENDER_FACTOR = 0.85  # recorded genders differ (data errors happen, so not a veto)
DOB_BONUS_FLOOR = 0.5  # an agreeing birth date only helps names that already resemble


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a score is what it is: aligned parts, birth dates, and the arithmetic."""

    parts: tuple[PartMatch, ...]
    name_score: float
    birth_date: str
    adjustments: tuple[str, ...]
    score: float

    def verdict(self) -> str:
        """'likely match', 'needs review' or 'cleared'."""
        if self.score >= MATCH_THRESHOLD:
            return "likely match"
        return "needs review" if self.score >= REVIEW_THRESHOLD else "cleared"

    def __str__(self) -> str:
        bits = [str(p) for p in self.parts]
        bits.append(f"name score {self.name_score:.2f}")
        bits.append(self.birth_date)
        bits.extend(self.adjustments)
        bits.append(f"final score {self.score:.2f}: {self.verdict()}")
        return "; ".join(bits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the explanation."""
        return {
            "text": str(self),
            "verdict": self.verdict(),
            "name_score": round(self.name_score, 4),
            "parts": [str(p) for p in self.parts],
            "birth_date": self.birth_date,
            "adjustments": list(self.adjustments),
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Result of :func:`compare`: a score in [0, 1] and its explanation."""

    score: float
    explanation: Explanation

    @property
    def is_match(self) -> bool:
        """Score reaches MATCH_THRESHOLD."""
        return self.score >= MATCH_THRESHOLD

    @property
    def needs_review(self) -> bool:
        """Score reaches REVIEW_THRESHOLD."""
        return self.score >= REVIEW_THRESHOLD


def _variant_penalty(ns: NameScore, query: Person, candidate: Person) -> float:
    """A part missing from one spelling variant but known elsewhere for that person conflicts.

    Aliases often omit the patronymic; without this, a namesake with another patronymic would
    match the short alias as if the patronymic were simply unknown.
    """
    factor = 1.0
    for role in ns.query_only & candidate.roles:
        factor *= CONFLICT_FACTOR[role] / MISSING_FACTOR[role]
    for role in ns.candidate_only & query.roles:
        factor *= CONFLICT_FACTOR[role] / MISSING_FACTOR[role]
    return factor


def best_name_score(query: Person, candidate: Person, explain: bool = True) -> NameScore:
    """Best alignment over all name variants of both persons."""
    best: NameScore | None = None
    for qn in query.names:
        for cn in candidate.names:
            ns = align_names(qn, cn, explain)
            penalty = _variant_penalty(ns, query, candidate)
            if penalty != 1.0 and not explain:
                ns = NameScore(ns.score * penalty, (), ns.query_only, ns.candidate_only)
            elif penalty != 1.0:
                note = PartMatch(PART, "(other variant)", "(this variant)", penalty, "part known elsewhere")
                ns = NameScore(ns.score * penalty, (*ns.parts, note), ns.query_only, ns.candidate_only)
            if best is None or ns.score > best.score:
                best = ns
    if best is not None and best.score < JOIN_BELOW:
        # The same letters with the spaces elsewhere ("Lauren Tnkunda" / "Laurent Nkunda").
        if SPACING_FACTOR > best.score and not query.joined.isdisjoint(candidate.joined):
            note = PartMatch(PART, "(whole name)", "(whole name)", SPACING_FACTOR, "same letters, spaced differently")
            best = NameScore(SPACING_FACTOR, (note,) if explain else ())
    uneven = any(len(qn) != len(cn) for qn in query.names for cn in candidate.names)
    if best is not None and best.score < JOIN_BELOW and uneven:
        # Words run together or split apart ("Ramimakhlouf", "Patr ushev"): retry with
        # adjacent words joined where the join is a word of the other side.
        for qn, cn in _joined(query, candidate):
            ns = align_names(qn, cn, explain)
            if ns.score > best.score:
                best = ns
    return best if best is not None else NameScore(0.0, ())


JOIN_BELOW = 0.9
SPACING_FACTOR = 0.9


def _join_pairs(names: tuple[tuple[Tok, ...], ...], words: frozenset[str]) -> list[tuple[Tok, ...]]:
    out = []
    for toks in names:
        for i in range(len(toks) - 1):
            a, b = toks[i], toks[i + 1]
            if a.initial or b.initial or (a.skel + b.skel not in words and a.roman + b.roman not in words):
                continue
            tok = make_tok(a.text + b.text, a.role if a.role == b.role else PART)
            if tok is not None:
                out.append((*toks[:i], tok, *toks[i + 2 :]))
    return out


def _joined(query: Person, candidate: Person) -> list[tuple[tuple[Tok, ...], tuple[Tok, ...]]]:
    # Concatenated skeletons or romanisations, not a fresh skeleton of the joined text: this
    # runs for many candidate pairs and must stay cheap.
    pairs = [(qn, cn) for qn in _join_pairs(query.names, candidate.words) for cn in candidate.names]
    pairs += [(qn, cn) for qn in query.names for cn in _join_pairs(candidate.names, query.words)]
    return pairs


def quick_score(query: Person, candidate: Person) -> float:
    """The score of :func:`score_persons` without building an explanation (for ranking)."""
    score = best_name_score(query, candidate, explain=False).score
    dob = compare_dates(query.dobs, candidate.dobs)
    if dob.bonus and score >= DOB_BONUS_FLOOR:
        score = min(1.0, score + dob.bonus)
    score *= dob.factor
    if query.gender and candidate.gender and query.gender != candidate.gender:
        score *= GENDER_FACTOR
    return max(0.0, min(1.0, score))


def score_persons(query: Person, candidate: Person) -> MatchResult:
    """Score two normalised persons (see :func:`compare`)."""
    best = best_name_score(query, candidate)
    dob = compare_dates(query.dobs, candidate.dobs)
    score = best.score
    adjustments: list[str] = []
    if dob.bonus and score >= DOB_BONUS_FLOOR:
        score = min(1.0, score + dob.bonus)
        adjustments.append(f"birth date +{dob.bonus:.2f}")
    if dob.factor != 1.0:
        score *= dob.factor
        adjustments.append(f"birth date x{dob.factor:.2f}")
    if query.gender and candidate.gender and query.gender != candidate.gender:
        score *= GENDER_FACTOR
        adjustments.append(f"recorded gender differs x{GENDER_FACTOR}")
    score = max(0.0, min(1.0, score))
    explanation = Explanation(best.parts, best.score, dob.text, tuple(adjustments), score)
    return MatchResult(score, explanation)


def compare(query: Mapping[str, Any], candidate: Mapping[str, Any]) -> MatchResult:
    """Compare two FtM Person entity dicts; ``.score`` in [0, 1] and ``.explanation``."""
    return score_persons(person_from_entity(query), person_from_entity(candidate))
