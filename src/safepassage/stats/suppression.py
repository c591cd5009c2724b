"""Small-cell suppression for public tables, safe against differencing.

Each published table row is one measure broken down by a *partition* of people (every person in
exactly one group), so the only exact relation between published figures is, per row,
``total = sum of the groups``. Rows are different measures over different cohorts: no equation links
them. Within a row:

1. primary suppression: every cell (total included) with 1 ≤ value < THRESHOLD is withheld;
2. secondary suppression: while an attacker who knows the rules could narrow a primary cell to fewer
   than ``MIN_SPREAD + 1`` possible values from the row's equation and what was published, the
   smallest published non-zero cell is withheld too (groups before the total).

The attacker modelled is the strongest one: they know that zeros are published, that a primary cell
lies in [1, THRESHOLD-1] and a secondary one in [THRESHOLD, ∞), and which cell is which. With one
equation per row and box bounds, the interval arithmetic below is exact, so "not narrowed" here
means not derivable by any subtraction of published figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import inf

THRESHOLD = 10
MIN_SPREAD = 2  # a primary cell must keep at least three possible values
TOTAL = "total"


@dataclass(frozen=True)
class Row:
    """One published row: each cell's value, or None where withheld."""

    cells: dict[str, int | None]

    @property
    def withheld(self) -> frozenset[str]:
        """The names of the withheld cells."""
        return frozenset(k for k, v in self.cells.items() if v is None)


def _bounds(value: int, primary: bool) -> tuple[float, float]:
    return (1, THRESHOLD - 1) if primary else (THRESHOLD if value >= THRESHOLD else 1, inf)


def ranges(
    groups: Mapping[str, int], withheld: frozenset[str], primary: frozenset[str]
) -> dict[str, tuple[float, float]]:
    """What an informed attacker can tell about each withheld cell from the row equation (exact)."""
    values = {**groups, TOTAL: sum(groups.values())}
    sign = {k: (-1 if k == TOTAL else 1) for k in values}
    known = sum(sign[k] * v for k, v in values.items() if k not in withheld)  # Σ±known + Σ±unknown = 0
    box = {k: _bounds(values[k], k in primary) for k in withheld}
    out: dict[str, tuple[float, float]] = {}
    for k in withheld:
        lo_rest = sum(min(sign[j] * box[j][0], sign[j] * box[j][1]) for j in withheld if j != k)
        hi_rest = sum(max(sign[j] * box[j][0], sign[j] * box[j][1]) for j in withheld if j != k)
        # sign[k] * x_k = -(known + rest), rest ∈ [lo_rest, hi_rest]
        a, b = -(known + hi_rest), -(known + lo_rest)
        lo, hi = (a, b) if sign[k] > 0 else (-b, -a)
        out[k] = (max(lo, box[k][0]), min(hi, box[k][1]))
    return out


def _exposed(groups: Mapping[str, int], withheld: frozenset[str], primary: frozenset[str]) -> bool:
    return any(hi - lo < MIN_SPREAD for k, (lo, hi) in ranges(groups, withheld, primary).items() if k in primary)


def suppress_row(groups: Mapping[str, int], threshold: int = THRESHOLD) -> Row:
    """Publish one row (groups of a partition plus their total) with primary and secondary suppression."""
    if threshold != THRESHOLD:
        raise ValueError("the threshold is fixed; change THRESHOLD and its documentation together")
    if any(v < 0 for v in groups.values()):
        raise ValueError("counts cannot be negative")
    values = {**groups, TOTAL: sum(groups.values())}
    primary = frozenset(k for k, v in values.items() if 0 < v < THRESHOLD)
    withheld = set(primary)
    while primary and _exposed(groups, frozenset(withheld), primary):
        candidates = sorted(
            (k for k, v in values.items() if k not in withheld and v > 0),
            key=lambda k: (k == TOTAL, values[k], k),
        )
        if not candidates:
            break  # everything non-zero is withheld already
        withheld.add(candidates[0])
    return Row({k: (None if k in withheld else v) for k, v in values.items()})


def suppress_table(rows: Mapping[str, Mapping[str, int]]) -> dict[str, Row]:
    """Suppress every row of a table (rows are independent measures)."""
    return {name: suppress_row(groups) for name, groups in rows.items()}
