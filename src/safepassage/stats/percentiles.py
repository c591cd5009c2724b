"""Percentiles from histograms (value → count), so the database only returns small grouped counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import ceil


def percentile(histogram: Mapping[int, int], q: float) -> int | None:
    """The nearest-rank q-th percentile (0 < q ≤ 100) of a histogram; None when it is empty."""
    if not 0 < q <= 100:
        raise ValueError("q must be in (0, 100]")
    n = sum(histogram.values())
    if n <= 0:
        return None
    rank = max(1, ceil(q / 100 * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)  # pragma: no cover - unreachable: ranks never exceed n


def summary(histogram: Mapping[int, int], qs: Sequence[float] = (50, 90)) -> dict[str, int | None]:
    """Count and the given percentiles of a histogram."""
    out: dict[str, int | None] = {"n": sum(histogram.values())}
    out.update({f"p{int(q)}": percentile(histogram, q) for q in qs})
    return out
