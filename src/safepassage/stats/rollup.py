"""What one case's fact row adds to the rollup: people per day and month, per milestone; hours per stage.

The rollup (`stats_rollup`) turns every report into a read of pre-summed rows instead of a scan of every
case. A period of whole days is exact: full years from the year rows, full months from the month rows,
the days at either edge from the day rows. Durations are bucketed (hours up to two days, days up to sixty, then weeks).
People with several applications (`clustered`) are left out of the funnel rows and merged at report time.
The steps after a decision are also counted per destination of the latest decision ("dest:<code>:<step>").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from safepassage.stats.units import DESTINATION_MEASURES, NOT_RECORDED

#: (measure, timestamp column, extra condition on the row)
MILESTONES: tuple[tuple[str, str], ...] = (
    ("contacts", "contact_at"),
    ("surrender_requested", "requested_at"),
    ("surrender_arranged", "arranged_at"),
    ("in_custody", "custody_at"),
    ("applications", "applied_at"),
    ("screened", "screened_at"),
    ("decided", "decided_at"),
    ("arrived", "arrived_at"),
    ("withdrawn", "withdrawn_at"),
    ("appeals", "appealed_at"),
)
DURATION_COLUMNS = ("pre_journey", "received", "screening", "review", "exclusion_review", "decision_pending",
                    "appeal", "total")
Key = tuple[str, str, str, int, str]  # grain, bucket, pathways, p1, measure
DESTINATION_PREFIX = "dest:"


def hour_bucket(hours: int) -> int:
    """The lower bound of a duration's bucket: the hour up to 48 h, the day up to 60 days, then the week."""
    if hours < 48:
        return max(0, hours)
    if hours < 24 * 60:
        return hours - hours % 24
    return hours - hours % (24 * 7)


def _buckets(at: datetime) -> Iterator[tuple[str, str]]:
    yield "d", at.date().isoformat()
    yield "m", at.strftime("%Y-%m")
    yield "y", at.strftime("%Y")


def contributions(row: Mapping[str, Any]) -> Iterator[tuple[Key, int, int]]:
    """((grain, bucket, pathways, p1, measure), people, principals) for one fact row."""
    pathways, p1 = row["pathways"], int(row["priority"] == "P1")
    people, principals = int(row["people"]), int(row["principals"])
    if not row["clustered"]:
        measures: list[tuple[str, datetime | None]] = [(m, row[col]) for m, col in MILESTONES]
        decided = row["decided_at"]
        if decided is not None and row["outcome"]:
            measures.append((row["outcome"], decided))
            if row["appealed_at"] is not None:
                measures.append(("appeal_granted" if row["outcome"] == "granted" else "appeal_upheld", decided))
        if row["custody_at"] is not None:
            measures.append(("custody_to_asylum", row["applied_at"]))
        if decided is not None:  # the steps after a decision again, per destination ("dest:eu:granted")
            dest = row["destination"] or NOT_RECORDED
            measures += [(destination_measure(dest, m), at) for m, at in measures if m in DESTINATION_MEASURES]
        for measure, at in measures:
            if at is not None:
                for grain, bucket in _buckets(at):
                    yield (grain, bucket, pathways, p1, measure), people, principals
    for stage in DURATION_COLUMNS:  # per application, whether or not the person applied more than once
        hours = row[f"h_{stage}"]
        at = row["applied_at"] if stage == "pre_journey" else row["decided_at"]
        if hours is not None and at is not None:
            for grain, bucket in _buckets(at):
                yield (grain, bucket, pathways, 0, f"h:{stage}:{hour_bucket(int(hours))}"), 1, 0


def destination_measure(destination: str, measure: str) -> str:
    """The rollup measure of one step per destination."""
    return f"{DESTINATION_PREFIX}{destination}:{measure}"


def cover(start: date, end: date) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """A period [start, end) as full years ("YYYY"), full months ("YYYY-MM") and day ranges (inclusive ISO days)."""
    years: list[str] = []
    months: list[str] = []
    days: list[tuple[str, str]] = []
    cursor = start
    while cursor < end:
        if cursor.month == 1 and cursor.day == 1 and date(cursor.year + 1, 1, 1) <= end:
            years.append(str(cursor.year))
            cursor = date(cursor.year + 1, 1, 1)
        elif cursor.day == 1 and _next_month(cursor) <= end:
            months.append(cursor.strftime("%Y-%m"))
            cursor = _next_month(cursor)
        else:
            stop = min(_next_month(cursor), end)
            days.append((cursor.isoformat(), (stop - timedelta(days=1)).isoformat()))
            cursor = stop
    return years, months, days


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)
