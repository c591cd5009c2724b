"""Small-cell suppression: no published figure is 1–9, and no withheld small cell can be worked out from the
published ones — by subtraction along the row's equation or by the bounds an informed attacker knows.

The checks here are independent of the implementation: a brute-force enumeration of every assignment
of the withheld cells consistent with what was published.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.stats.percentiles import percentile, summary
from safepassage.stats.suppression import MIN_SPREAD, THRESHOLD, TOTAL, suppress_row, suppress_table
from safepassage.stats.units import Period, Unit, merge, public_group, reached

GROUPS = ("soldiers", "mobilisation", "persecuted", "war_refugees")
# Small counts matter most, large ones make the secondary suppression work.
COUNT = st.one_of(st.integers(0, 12), st.integers(0, 25), st.sampled_from([0, 1, 2, 9, 10, 11, 19]))
ROWS = st.fixed_dictionaries({g: COUNT for g in GROUPS})


def _feasible_values(groups: dict[str, int], published: dict[str, int | None], cap: int) -> dict[str, set[int]]:
    """Every value each withheld cell can take, over all assignments consistent with the publication.

    The attacker knows: published cells; zeros are published (withheld cells are ≥ 1); the row adds up.
    Withheld groups are searched up to `cap` (beyond every true value); a withheld total follows from them,
    and with a published total the last withheld group does.
    """
    withheld = [g for g in groups if published[g] is None]
    known = sum(v for g, v in published.items() if g != TOTAL and v is not None)
    seen: dict[str, set[int]] = {k: set() for k, v in published.items() if v is None}
    total = published[TOTAL]
    free = withheld if total is None else withheld[:-1]
    for values in itertools.product(range(1, cap + 1), repeat=len(free)):
        trial = dict(zip(free, values, strict=True))
        if total is None:
            trial[TOTAL] = known + sum(values)
        else:
            last = total - known - sum(values)
            if last < 1:
                continue
            trial[withheld[-1]] = last
        for k, v in trial.items():
            seen[k].add(v)
    return seen


@settings(max_examples=200, deadline=None)
@given(ROWS)
def test_no_small_cell_is_published_or_derivable(groups: dict[str, int]) -> None:
    row = suppress_row(groups)
    values = {**groups, TOTAL: sum(groups.values())}
    for k, v in row.cells.items():
        assert v is None or v == values[k], "a published figure differs from the truth"
        assert v is None or v == 0 or v >= THRESHOLD, f"{k}={v} published below the threshold"
    withheld = [k for k, v in row.cells.items() if v is None]
    if not withheld:
        return
    assert len(withheld) >= 2, "a single withheld cell is the total minus the others"
    if len(withheld) == len(row.cells):
        return  # nothing of this row is published
    cap = max(values[g] for g in GROUPS) + THRESHOLD
    feasible = _feasible_values(groups, row.cells, cap)
    for k in withheld:
        assert values[k] in feasible[k]
        if 0 < values[k] < THRESHOLD:
            small = {v for v in feasible[k] if v < THRESHOLD}
            assert len(feasible[k]) > MIN_SPREAD, f"{k}={values[k]} narrowed to {sorted(feasible[k])}"
            assert len(small) >= 2 or len(feasible[k]) > MIN_SPREAD


@given(ROWS, ROWS)
def test_a_row_never_leaves_exactly_one_cell_withheld(a: dict[str, int], b: dict[str, int]) -> None:
    """Across rows (different measures) there is no equation; within a row, the difference of the total and
    the published groups is the sum of at least two withheld cells, never one small cell."""
    for groups in (a, b):
        row = suppress_row(groups)
        total = row.cells[TOTAL]
        if total is None:
            continue
        withheld = [g for g in GROUPS if row.cells[g] is None]
        rest = total - sum(v for g, v in row.cells.items() if g != TOTAL and v is not None)
        assert len(withheld) != 1
        if len(withheld) == 0:
            assert rest == 0


def test_known_examples() -> None:
    assert suppress_row({"a": 50, "b": 3, "c": 0, "d": 20}).cells == {"a": 50, "b": None, "c": 0, "d": None,
                                                                       TOTAL: 73}
    # two ones: their sum 2 would give both away, so a third cell joins them
    row = suppress_row({"a": 1, "b": 1, "c": 12, "d": 40}).cells
    assert row["a"] is None and row["b"] is None and row["c"] is None and row["d"] == 40
    assert suppress_row({"a": 0, "b": 0, "c": 0, "d": 0}).cells == dict.fromkeys(["a", "b", "c", "d", TOTAL], 0)
    only = suppress_row({"a": 4, "b": 0, "c": 0, "d": 0}).cells
    assert only["a"] is None and only[TOTAL] is None
    assert set(suppress_table({"x": {"a": 10}, "y": {"a": 2}})) == {"x", "y"}
    with pytest.raises(ValueError):
        suppress_row({"a": -1})


def test_percentiles() -> None:
    assert percentile({}, 50) is None
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1}, 50) == 2
    assert percentile({5: 9, 100: 1}, 90) == 5 and percentile({5: 9, 100: 1}, 100) == 100
    assert summary({3: 2}) == {"n": 2, "p50": 3, "p90": 3}
    with pytest.raises(ValueError):
        percentile({1: 1}, 0)


def test_merge_counts_a_person_once_with_the_latest_decision() -> None:
    from datetime import UTC, datetime

    t = [datetime(2026, 1, d, tzinfo=UTC) for d in range(1, 10)]
    a = Unit(frozenset({"deserter"}), people=3, principals=1, applied_at=t[0], decided_at=t[2], outcome="refused",
             first_outcome="refused", withdrawn_at=None, case_ids=("a",))
    b = Unit(frozenset({"dissident"}), people=2, principals=1, applied_at=t[1], decided_at=t[4], outcome="granted",
             first_outcome="granted", withdrawn_at=t[5], case_ids=("b",))
    m = merge([a, b])
    assert (m.people, m.applied_at, m.outcome, m.withdrawn_at) == (3, t[0], "granted", None)
    assert m.pathways == {"deserter", "dissident"} and public_group(m.pathways) == "soldiers"
    hits = reached(m, Period(t[0], t[8]))
    assert hits["granted"] and not hits["refused"] and not hits["withdrawn"]


def test_cover_splits_a_period_into_months_and_edge_days() -> None:
    from datetime import date

    from safepassage.stats.rollup import cover, hour_bucket

    assert cover(date(2026, 1, 1), date(2026, 4, 1)) == ([], ["2026-01", "2026-02", "2026-03"], [])
    assert cover(date(2026, 1, 15), date(2026, 3, 10)) == ([], ["2026-02"], [("2026-01-15", "2026-01-31"),
                                                                             ("2026-03-01", "2026-03-09")])
    assert cover(date(2026, 1, 15), date(2026, 1, 20)) == ([], [], [("2026-01-15", "2026-01-19")])
    assert cover(date(2025, 12, 1), date(2026, 1, 1)) == ([], ["2025-12"], [])
    assert cover(date(2023, 11, 30), date(2026, 3, 1)) == (
        ["2024", "2025"], ["2023-12", "2026-01", "2026-02"], [("2023-11-30", "2023-11-30")])
    assert [hour_bucket(h) for h in (0, 47, 50, 24 * 59 + 5, 24 * 70)] == [0, 47, 48, 24 * 59, 24 * 70 - 24 * 70 % 168]
