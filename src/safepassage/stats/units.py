"""People, not applications: one unit per person (a principal with their family, or a surrender group).

A unit's milestones come from its case's stage events. Several applications confirmed to be the same
person's are merged into one unit before counting, so a person who applied twice is counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: Funnel measures, in funnel order: each is "people who reached this step within the period".
MEASURES = (
    "contacts",
    "surrender_requested",
    "surrender_arranged",
    "in_custody",
    "custody_to_asylum",
    "applications",
    "screened",
    "decided",
    "granted",
    "refused",
    "excluded",
    "arrived",
    "withdrawn",
    "appeals",
    "appeal_granted",
    "appeal_upheld",
)
OUTCOMES = ("granted", "refused", "excluded")
#: Steps counted per destination: those after a decision (a destination is chosen by deciding).
DESTINATION_MEASURES = ("decided", "granted", "refused", "excluded", "appeal_granted", "appeal_upheld", "arrived")
#: The destination of decisions made before destinations were kept in clear and never filled in.
NOT_RECORDED = "-"


@dataclass(frozen=True)
class Period:
    """A half-open time range [start, end), both aware UTC datetimes."""

    start: datetime
    end: datetime

    def has(self, at: datetime | None) -> bool:
        """Whether a moment lies within the period."""
        return at is not None and self.start <= at < self.end


@dataclass(frozen=True)
class Unit:
    """One person's (or one surrender group's) path through the system."""

    pathways: frozenset[str]
    people: int
    principals: int
    priority: str = "P3"
    contact_at: datetime | None = None
    requested_at: datetime | None = None
    arranged_at: datetime | None = None
    custody_at: datetime | None = None
    applied_at: datetime | None = None
    screened_at: datetime | None = None
    decided_at: datetime | None = None
    outcome: str | None = None
    first_outcome: str | None = None
    destination: str | None = None  # of the latest decision
    appealed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    arrived_at: datetime | None = None
    case_ids: tuple[str, ...] = field(default=())


def _first(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def merge(units: Sequence[Unit]) -> Unit:
    """One person's applications as one unit: first time each step was reached, the latest decision.

    The family counted is the largest listed on any of the applications; a person counts as withdrawn
    only if every one of their applications was withdrawn.
    """
    if len(units) == 1:
        return units[0]
    decided = [u for u in units if u.decided_at is not None]
    latest = max(decided, key=lambda u: u.decided_at or _EPOCH) if decided else None
    first_decided = min(decided, key=lambda u: u.decided_at or _EPOCH) if decided else None
    withdrawn = [u.withdrawn_at for u in units]
    return replace(
        units[0],
        pathways=frozenset().union(*(u.pathways for u in units)),
        people=max(u.people for u in units),
        principals=max(u.principals for u in units),
        priority=min(u.priority for u in units),
        contact_at=_first(u.contact_at for u in units),
        requested_at=_first(u.requested_at for u in units),
        arranged_at=_first(u.arranged_at for u in units),
        custody_at=_first(u.custody_at for u in units),
        applied_at=_first(u.applied_at for u in units),
        screened_at=_first(u.screened_at for u in units),
        decided_at=latest.decided_at if latest else None,
        outcome=latest.outcome if latest else None,
        first_outcome=first_decided.first_outcome if first_decided else None,
        destination=latest.destination if latest else None,
        appealed_at=_first(u.appealed_at for u in units),
        withdrawn_at=max(w for w in withdrawn if w is not None) if all(withdrawn) else None,
        arrived_at=_first(u.arrived_at for u in units),
        case_ids=tuple(c for u in units for c in u.case_ids),
    )


def reached(unit: Unit, period: Period) -> dict[str, bool]:
    """Which funnel steps this unit reached within the period (the SQL aggregate mirrors this)."""
    p = period.has
    decided = p(unit.decided_at)
    appeal_decided = decided and unit.appealed_at is not None
    return {
        "contacts": p(unit.contact_at),
        "surrender_requested": p(unit.requested_at),
        "surrender_arranged": p(unit.arranged_at),
        "in_custody": p(unit.custody_at),
        "custody_to_asylum": unit.custody_at is not None and p(unit.applied_at),
        "applications": p(unit.applied_at),
        "screened": p(unit.screened_at),
        "decided": decided,
        "granted": decided and unit.outcome == "granted",
        "refused": decided and unit.outcome == "refused",
        "excluded": decided and unit.outcome == "excluded",
        "arrived": p(unit.arrived_at),
        "withdrawn": p(unit.withdrawn_at),
        "appeals": p(unit.appealed_at),
        "appeal_granted": appeal_decided and unit.outcome == "granted",
        "appeal_upheld": appeal_decided and unit.outcome != "granted",
    }


def destination_reached(unit: Unit, period: Period) -> tuple[str, list[str]]:
    """The unit's destination (NOT_RECORDED if unknown) and the DESTINATION_MEASURES it reached in the period."""
    if unit.decided_at is None:
        return NOT_RECORDED, []
    hit = reached(unit, period)
    return unit.destination or NOT_RECORDED, [m for m in DESTINATION_MEASURES if hit[m]]


#: Public groups: each person in exactly one, by the first of their pathways in this order.
PUBLIC_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("soldiers", ("surrendering_soldier", "prisoner_of_war", "deserter")),
    ("mobilisation", ("mobilization_evader",)),
    ("persecuted", ("dissident", "persecuted_other")),
    ("war_refugees", ("war_refugee",)),
)


def public_group(pathways: Iterable[str]) -> str:
    """The one public group a person is counted in (a partition, so the groups add up to the total)."""
    present = set(pathways)
    for name, members in PUBLIC_GROUPS:
        if present.intersection(members):
            return name
    return "war_refugees" if not present else "persecuted"
