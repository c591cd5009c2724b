"""Birth dates: parse full or partial dates and compare them the way a reviewer would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DMY_RE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A birth date of which the month and day may be unknown."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


@lru_cache(maxsize=100_000)
def parse_date(text: str) -> PartialDate | None:
    """Parse YYYY, YYYY-MM, YYYY-MM-DD (FtM) or DD.MM.YYYY; None if unreadable."""
    text = text.strip()
    match = _ISO_RE.match(text)
    if match:
        year, month, day = match.group(1), match.group(2), match.group(3)
    else:
        dmy = _DMY_RE.match(text)
        if not dmy:
            return None
        day, month, year = dmy.group(1), dmy.group(2), dmy.group(3)
    y = int(year)
    m = int(month) if month else None
    d = int(day) if day else None
    if not 1800 <= y <= 2200:
        return None
    if m is not None and not 1 <= m <= 12:
        m, d = None, None
    if d is not None and not 1 <= d <= 31:
        d = None
    return PartialDate(y, m, d)


@dataclass(frozen=True, slots=True)
class DobOutcome:
    """How two sets of birth dates relate: a kind, a score effect and a readable reason."""

    kind: str
    bonus: float  # added to the name score when the names already agree
    factor: float  # multiplies the score
    text: str


MISSING = DobOutcome("missing", 0.0, 1.0, "birth date not known on both sides (neutral)")

# Ordered from strongest agreement to strongest conflict; the best pair of dates wins.
_RANK = ["exact", "month", "year", "swapped", "same_year", "year_pm1", "year_pm3", "year_pm5", "far"]


def _compare_one(a: PartialDate, b: PartialDate) -> DobOutcome:
    gap = abs(a.year - b.year)
    both_full = a.day is not None and b.day is not None and a.month is not None and b.month is not None
    if gap == 0:
        if both_full and (a.month, a.day) == (b.month, b.day):
            return DobOutcome("exact", 0.12, 1.0, f"birth dates identical ({a})")
        if both_full and (a.month, a.day) == (b.day, b.month):
            return DobOutcome("swapped", 0.06, 1.0, f"birth dates {a} and {b}: day and month swapped")
        if a.month is None or b.month is None:
            return DobOutcome("year", 0.06, 1.0, f"birth year {a.year} agrees (one side gives only the year)")
        if a.month == b.month and (a.day is None or b.day is None):
            return DobOutcome("month", 0.08, 1.0, f"birth year and month agree ({a} / {b})")
        return DobOutcome("same_year", 0.0, 0.9, f"same birth year, other day ({a} vs {b}): slight penalty")
    if gap == 1:
        same_dm = a.month is not None and (a.month, a.day) == (b.month, b.day)
        if same_dm:
            return DobOutcome("year_pm1", 0.0, 0.94, f"birth dates {a} and {b}: same day, year off by one")
        if a.month is None or b.month is None:
            return DobOutcome("year_pm1", 0.0, 0.92, f"birth years {a.year} and {b.year} one apart: slight penalty")
        return DobOutcome("year_pm1", 0.0, 0.88, f"birth dates {a} and {b}: year off by one, other day")
    if gap <= 3:
        return DobOutcome("year_pm3", 0.0, 0.72, f"birth years {a.year} and {b.year} {gap} apart: penalty")
    if gap <= 5:
        return DobOutcome("year_pm5", 0.0, 0.62, f"birth years {a.year} and {b.year} {gap} apart: penalty")
    return DobOutcome("far", 0.0, 0.5, f"birth years {a.year} and {b.year} {gap} apart: strong penalty")


def compare_dates(left: tuple[PartialDate, ...], right: tuple[PartialDate, ...]) -> DobOutcome:
    """Best agreement between any birth date of one side and any of the other."""
    if not left or not right:
        return MISSING
    best: DobOutcome | None = None
    for a in left:
        for b in right:
            outcome = _compare_one(a, b)
            if best is None or _RANK.index(outcome.kind) < _RANK.index(best.kind):
                best = outcome
    assert best is not None
    return best
