"""Statistics: the funnel in people, "removed from the war", operations, the public release, arrivals.

One function (`report`) feeds the dashboard, the API and `safepassage report`; `public_release` feeds
the public page and `GET /api/stats/public`. Both read only the fact summary (clear columns).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from safepassage.domain.errors import InvalidInput, NotFound
from safepassage.domain.pathways import Pathway
from safepassage.domain.stages import Stage
from safepassage.security.access import case_for_update, require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.services import evaluations, stats_facts, stats_sources, stats_tally
from safepassage.stats import percentiles
from safepassage.stats.suppression import THRESHOLD, suppress_table
from safepassage.stats.units import MEASURES, NOT_RECORDED, PUBLIC_GROUPS, Period, Unit, public_group, reached
from safepassage.store.models_stats import ArrivalRow, PublicReleaseRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, Database, UnitOfWork

MAX_DAYS = 366 * 20
PATHWAYS = tuple(p.value for p in Pathway)
PUBLIC_MEASURES = ("contacts", "surrender_requested", "in_custody", "applications", "granted", "refused",
                   "excluded", "arrived", "withdrawn")
PUBLIC_QUARTERS = 8  # how many closed quarters the public page lists
PUBLIC_LAG = timedelta(days=14)  # a quarter is published this long after it ends (late entries settle)
DURATION_STAGES = ("pre_journey", *stats_facts.HOUR_STAGES, "total")


def parse_period(start: str, end: str) -> Period:
    """A period from two ISO dates (end inclusive); clear errors for bad dates, reversed or huge ranges."""
    try:
        first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except (ValueError, AttributeError):
        raise InvalidInput("Dates must be written as YYYY-MM-DD, for example 2026-01-31.") from None
    if first > last:
        raise InvalidInput("The start date is after the end date.")
    if (last - first).days > MAX_DAYS:
        raise InvalidInput("The period is too long (at most 20 years).")
    return Period(_midnight(first), _midnight(last) + timedelta(days=1))


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


@dataclass(frozen=True)
class Estimate:
    """One line of the "removed from the war" estimate, with its bounds and how they were made."""

    name: str
    low: int
    high: int
    low_rule: str
    high_rule: str


@dataclass
class Report:
    """Everything the dashboard and `safepassage report` show, for one period."""

    start: date
    end: date  # inclusive
    generated_at: datetime
    funnel: dict[str, dict[str, int]]  # measure → {"all": people, pathway: people}
    removed: list[Estimate]
    durations: dict[str, dict[str, dict[str, int | None]]]  # stage → {"all"|pathway: {n, p50, p90}}
    backlog: dict[str, dict[str, list[int]]]  # stage → age bucket → [cases, people]
    monthly: dict[str, dict[str, int]]  # "applications"|"granted" → "YYYY-MM" → people
    # Steps after a decision per destination of the latest decision: measure → destination code → people.
    destinations: dict[str, dict[str, int]] = field(default_factory=dict)
    destination_names: dict[str, str] = field(default_factory=dict)  # code → the policy's name for it
    screening: dict[str, Any] | None = None
    referrals: dict[str, Any] | None = None
    not_available: list[str] = field(default_factory=list)

    def destination_codes(self) -> list[str]:
        """The destination columns: the policy's in its order, then codes only earlier decisions used, then
        "not recorded" if any decision has no destination."""
        seen = {d for per in self.destinations.values() for d in per}
        extra = sorted(seen - set(self.destination_names) - {NOT_RECORDED})
        return [*self.destination_names, *extra, *([NOT_RECORDED] if NOT_RECORDED in seen else [])]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        out["generated_at"] = self.generated_at.isoformat()
        return out


def _funnel(t: stats_tally.Tally) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {m: {"all": 0, **dict.fromkeys(PATHWAYS, 0)} for m in MEASURES}
    for (pathways, _priority), counts in t.items():
        for m in MEASURES:
            people = counts[m][0]
            out[m]["all"] += people
            for p in pathways:
                if p in out[m]:
                    out[m][p] += people
    return out


def _removed(t: stats_tally.Tally) -> list[Estimate]:
    """Principals only (family members are not soldiers), each person in one line: the first that fits."""
    lines = {k: [0, 0] for k in ("surrendered", "deserters", "evaded_mobilisation")}
    for (pathways, p1), c in t.items():
        if {"surrendering_soldier", "prisoner_of_war"} & pathways:
            lines["surrendered"][0] += c["custody_to_asylum"][1]
            lines["surrendered"][1] += c["in_custody"][1]
        elif "deserter" in pathways:
            lines["deserters"][0] += c["granted"][1]
            lines["deserters"][1] += c["applications"][1]
        elif "mobilization_evader" in pathways:
            lines["evaded_mobilisation"][0] += c["granted"][1] if p1 else 0
            lines["evaded_mobilisation"][1] += c["applications"][1]
    rules = {
        "surrendered": ("in custody, then applied for asylum", "reached custody through a surrender request"),
        "deserters": ("deserters granted protection", "deserters who applied"),
        "evaded_mobilisation": ("mobilisation evaders with a summons (P1) granted protection",
                                "mobilisation evaders who applied"),
    }
    out = [Estimate(k, lo, max(lo, hi), *rules[k]) for k, (lo, hi) in lines.items()]
    out.append(Estimate("total", sum(e.low for e in out), sum(e.high for e in out), "sum of the lines",
                        "sum of the lines"))
    return out


def _durations(raw: dict[str, dict[frozenset[str], dict[int, int]]]) -> dict[str, dict[str, dict[str, int | None]]]:
    out: dict[str, dict[str, dict[str, int | None]]] = {}
    for stage in DURATION_STAGES:
        per: dict[str, dict[int, int]] = defaultdict(dict)
        for pathways, hist in raw.get(stage, {}).items():
            for key in ("all", *pathways):
                for h, n in hist.items():
                    per[key][h] = per[key].get(h, 0) + n
        out[stage] = {k: percentiles.summary(v) for k, v in per.items()}
    return out


def _monthly(uow: UnitOfWork, period: Period, units: list[Unit]) -> dict[str, dict[str, int]]:
    apps = stats_tally.monthly(uow.session, period, "applications")
    decided = stats_tally.monthly(uow.session, period, "decided")
    for unit in units:  # people with several applications
        if period.has(unit.applied_at) and unit.applied_at:
            key = unit.applied_at.strftime("%Y-%m")
            apps[key] = apps.get(key, 0) + unit.people
        if period.has(unit.decided_at) and unit.decided_at:
            key = unit.decided_at.strftime("%Y-%m")
            decided[key] = decided.get(key, 0) + unit.people
    return {"applications": dict(sorted(apps.items())), "decided": dict(sorted(decided.items()))}


def _destination_names() -> dict[str, str]:
    """The current policy's destinations, in its order (codes of earlier policies are shown as codes)."""
    return dict(evaluations.current_policy().policy.destinations)


def report(db: Database, *, actor: Actor, period: Period) -> Report:
    """The statistics of one period (refreshing the fact summary first); audited, aggregates only."""
    require(actor, Action.VIEW_STATS, (FieldClass.NONE,))
    stats_facts.refresh(db)
    with db.uow() as uow:
        rows = stats_tally.rollup_rows(uow.session, period)
        units = stats_tally.units_of_clusters(uow.session)  # people with several applications, merged
        t = stats_tally.tally(uow.session, period, rows, units)
        out = Report(
            start=period.start.date(),
            end=(period.end - timedelta(days=1)).date(),
            generated_at=utcnow(),
            funnel=_funnel(t),
            removed=_removed(t),
            durations=_durations(stats_tally.durations(rows)),
            backlog=stats_tally.backlog(uow.session, utcnow()),
            monthly=_monthly(uow, period, units),
            destinations=stats_tally.by_destination(period, rows, units),
            destination_names=_destination_names(),
            screening=stats_sources.screening_figures(uow.session, period),
            referrals=stats_sources.referral_figures(uow.session, period),
        )
        if out.screening is None:
            out.not_available.append("screening")
        if out.referrals is None:
            out.not_available.append("referrals")
        uow.audit.record(actor, AuditEvent.STATS_REPORTED, "statistics", None, fields=("aggregate",))
        uow.commit()
        return out


# ---- the public release ------------------------------------------------------------------------------


def quarter_of(d: date) -> str:
    """The quarter a day belongs to, as "2026-Q3"."""
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def quarter_period(name: str) -> Period:
    """The period of a quarter name; a clear error for anything else."""
    try:
        year_s, q_s = name.strip().upper().split("-Q")
        year, q = int(year_s), int(q_s)
        if not (2000 <= year <= 2100 and 1 <= q <= 4):
            raise ValueError
    except ValueError:
        raise InvalidInput("A quarter is written as YYYY-QN, for example 2026-Q3.") from None
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return Period(_midnight(start), _midnight(end))


def closed_quarters(today: date, count: int = PUBLIC_QUARTERS) -> list[str]:
    """The last `count` quarters that ended at least PUBLIC_LAG before today, newest first."""
    today -= PUBLIC_LAG
    out, year, q = [], today.year, (today.month - 1) // 3 + 1
    for _ in range(count):
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
        out.append(f"{year}-Q{q}")
    return out


def _public_figures(db: Database, period: Period) -> dict[str, Any]:
    stats_facts.refresh(db)
    with db.uow(readonly=True) as uow:
        t = stats_tally.tally(uow.session, period)
    groups = [name for name, _ in PUBLIC_GROUPS]
    rows: dict[str, dict[str, int]] = {m: dict.fromkeys(groups, 0) for m in PUBLIC_MEASURES}
    for (pathways, _priority), counts in t.items():
        g = public_group(pathways)
        for m in PUBLIC_MEASURES:
            rows[m][g] += counts[m][0]
    published = suppress_table(rows)
    return {
        "threshold": THRESHOLD,
        "groups": groups,
        "rows": {m: row.cells for m, row in published.items()},
    }


def public_release(db: Database, quarter: str, *, today: date | None = None) -> dict[str, Any]:
    """The frozen public figures of a closed quarter: computed on first request, then never changed."""
    period = quarter_period(quarter)
    name = quarter_of(period.start.date())
    if period.end.date() + PUBLIC_LAG > (today or utcnow().date()):
        raise NotFound("Figures are published only for quarters that ended at least two weeks ago.")
    with db.uow(readonly=True) as uow:
        row = uow.session.query(PublicReleaseRow).filter_by(period=name).one_or_none()
        if row is not None:
            return {"period": name, "computed_at": row.computed_at.isoformat(), **row.figures}
    figures = _public_figures(db, period)
    with db.uow() as uow:
        existing = uow.session.query(PublicReleaseRow).filter_by(period=name).one_or_none()
        if existing is None:  # a concurrent first request may have frozen it already: theirs stands
            existing = PublicReleaseRow(period=name, figures=figures, computed_at=utcnow())
            uow.session.add(existing)
            uow.commit()
        return {"period": name, "computed_at": existing.computed_at.isoformat(), **existing.figures}


def public_index(db: Database, *, today: date | None = None) -> list[dict[str, Any]]:
    """The releases of the last closed quarters, newest first."""
    day = today or utcnow().date()
    return [public_release(db, q, today=day) for q in closed_quarters(day)]


# ---- arrivals --------------------------------------------------------------------------------------------


def record_arrival(uow: UnitOfWork, *, actor: Actor, case_id: str, arrived_on: date) -> None:
    """Record that the people of a granted case arrived (once per case; not in the future)."""
    if arrived_on > utcnow().date():
        raise InvalidInput("The arrival date cannot be in the future.")
    if arrived_on < date(2000, 1, 1):
        raise InvalidInput("The arrival date is too far in the past.")
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.RECORD_ARRIVAL)
        if case.stage != Stage.GRANTED.value:
            raise InvalidInput("Arrival can only be recorded for a granted case.")
        if uow.session.get(ArrivalRow, case.id) is not None:
            raise InvalidInput("The arrival of this case is already recorded.")
        if arrived_on < case.created_at.date():
            raise InvalidInput("The arrival date is before the case was opened.")
        uow.session.add(ArrivalRow(case_id=case.id, arrived_on=arrived_on, recorded_by=actor.user_id,
                                   recorded_at=utcnow()))
        uow.audit.record(actor, AuditEvent.ARRIVAL_RECORDED, "case", case.id, fields=("core",))
        uow.commit()


def arrival_of(uow: UnitOfWork, case_id: str) -> date | None:
    """The recorded arrival date of a case, if any (inside the caller's transaction)."""
    row = uow.session.get(ArrivalRow, case_id)
    return row.arrived_on if row else None


__all__ = ["Report", "parse_period", "public_index", "public_release", "reached", "record_arrival", "report"]
