"""Unit–incident flags: service history (unit, place, dates) overlapping a documented incident flags the
case for an interview — never an exclusion by itself. An analyst acknowledges each flag.

Incidents are public records (unit, place, date range, source), imported from CSV
(`safepassage incidents import FILE`); what an applicant's service had in common with one is sealed
with the case's data key.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from safepassage.domain.errors import InvalidInput, NotFound, StaleVersion
from safepassage.domain.person import clean_text
from safepassage.screening.places import same_place
from safepassage.screening.translit import skeleton
from safepassage.security.access import case_for_update
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action
from safepassage.store.models import Case, PersonRow, new_id
from safepassage.store.models_screening import Incident, IncidentFlag
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

COLUMNS = ("ref", "unit", "place", "start", "end", "summary", "source")
FLAG_NOT_FOUND = "No such incident flag."
MAX_NOTE = 2_000
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# Unit types in Russian, Ukrainian and English (and the usual abbreviations: омсбр, дшп, вдд), by the start of
# their romanised skeleton (ш is 'w' there).
_TYPES = {
    "omsbr": "brigade", "ombr": "brigade", "odwbr": "brigade", "brig": "brigade",
    "dwp": "regiment", "polk": "regiment", "regim": "regiment",
    "dwd": "division", "vdd": "division", "divi": "division",
    "bata": "battalion", "armi": "army", "flot": "fleet", "fleet": "fleet",
    "otrad": "detachment", "detac": "detachment",
}


# ---- matching (pure) ----------------------------------------------------------------------------------


def _span(text: str | None, *, end: bool) -> date | None:
    """A partial ISO date as the first (or last) day it can mean."""
    if not text:
        return None
    parts = [int(p) for p in str(text).split("-")]
    year, month, day = parts[0], parts[1] if len(parts) > 1 else (12 if end else 1), parts[2] if len(parts) > 2 else 0
    if not day:
        day = (date(year + (month == 12), month % 12 + 1, 1) - date.resolution).day if end else 1
    return date(year, month, day)


def overlaps(start: str | None, end: str | None, inc_start: str, inc_end: str) -> bool:
    """Whether a (possibly partial, possibly open) period overlaps an incident's date range."""
    a, b = _span(start, end=False) or date.min, _span(end, end=True) or date.max
    return a <= (_span(inc_end, end=True) or date.max) and (_span(inc_start, end=False) or date.min) <= b


def unit_key(text: str) -> tuple[frozenset[str], str]:
    """(numbers in the unit's name, its type) — '64-я отдельная мотострелковая бригада' → ({'64'}, 'brigade')."""
    numbers = frozenset(re.findall(r"\d{2,}", text))
    kind = ""
    for sk in _words(text):
        kind = next((v for k, v in _TYPES.items() if sk.startswith(k)), "")
        if kind:
            break
    return numbers, kind


def _words(text: str) -> list[str]:
    """Romanised, case-folded skeletons of the words (digits and punctuation dropped)."""
    return [skeleton(w).lower() for w in re.findall(r"[^\W\d_]+", text.casefold())]


def same_unit(a: str, b: str) -> bool:
    """Same military unit: a shared 4–6 digit unit number (в/ч 51460), or the same number and type."""
    (na, ka), (nb, kb) = unit_key(a), unit_key(b)
    shared = na & nb
    if any(len(n) >= 4 for n in shared):
        return True
    return bool(shared) and bool(ka) and ka == kb


@dataclass(frozen=True)
class Overlap:
    """Why one person's service overlaps one incident."""

    basis: str  # unit | place
    value: str  # the applicant's unit or deployment place
    period: str  # the applicant's period, or "" when no dates are known


def _periods(mil: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    return [(p.get("start"), p.get("end")) for p in mil.get("periods", ())]


def overlaps_of(military: dict[str, Any] | None, inc: Incident) -> list[Overlap]:
    """Every way a person's service history overlaps an incident (empty: none)."""
    if not military:
        return []
    out: list[Overlap] = []
    unit = military.get("unit") or ""
    if unit and inc.unit and same_unit(unit, inc.unit):
        periods = _periods(military)
        hits = [p for p in periods if overlaps(p[0], p[1], inc.start, inc.end)]
        if hits or not periods:  # no dates known: the interview settles it
            out.append(Overlap("unit", unit, f"{hits[0][0] or '?'} – {hits[0][1] or '…'}" if hits else ""))
    for dep in military.get("deployments", ()):
        period = dep.get("period") or {}
        if inc.place and same_place(dep.get("place", ""), inc.place) and (
            not (period.get("start") or period.get("end")) or overlaps(period.get("start"), period.get("end"),
                                                                        inc.start, inc.end)):
            span = f"{period.get('start') or '?'} – {period.get('end') or '…'}" if period else ""
            out.append(Overlap("place", dep.get("place", ""), span))
    return out


# ---- flags on a case ----------------------------------------------------------------------------------


def flag_case(uow: UnitOfWork, *, case: Case, persons: list[tuple[PersonRow, dict[str, Any]]]) -> int:
    """Flag each person whose service overlaps a documented incident (inside the caller's transaction)."""
    military = [(row, p.get("military")) for row, p in persons if p.get("military")]
    if not military:
        return 0
    stmt = select(IncidentFlag.person_id, IncidentFlag.incident_id, IncidentFlag.basis).where(
        IncidentFlag.case_id == case.id)
    existing = {(p, i, b) for p, i, b in uow.session.execute(stmt).all()}
    dk = uow.keys.for_case(case)
    count = 0
    for inc in uow.session.scalars(select(Incident)).all():
        for row, mil in military:
            for o in overlaps_of(mil, inc):
                if (row.id, inc.id, o.basis) in existing:
                    continue
                existing.add((row.id, inc.id, o.basis))
                flag_id = new_id()
                detail = {"value": o.value, "period": o.period}
                uow.session.add(IncidentFlag(
                    id=flag_id, case_id=case.id, person_id=row.id, incident_id=inc.id, basis=o.basis,
                    detail=dk.seal_json(detail, table="incident_flags", column="detail", row_id=flag_id),
                    status="pending"))
                count += 1
    return count


def acknowledge_flag(uow: UnitOfWork, *, actor: Actor, case_id: str, flag_id: str, note: str) -> dict[str, Any]:
    """The analyst acknowledges a flag (the interview is planned or done) with a note; never an exclusion."""
    from safepassage.services.case_screening import advance, visible

    text = clean_text(note, field_name="Note", limit=MAX_NOTE)
    if not visible(text):
        raise InvalidInput("Write a note: what the interview should cover, or what it established.")
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.DISPOSE_HIT)
        flag = uow.session.get(IncidentFlag, flag_id, with_for_update=True)
        if flag is None or flag.case_id != case.id:
            raise NotFound(FLAG_NOT_FOUND)
        if flag.status != "pending":
            raise StaleVersion("This flag was already acknowledged; reload the case. Nothing was changed.")
        flag.status, flag.decided_by, flag.decided_at = "acknowledged", actor.user_id, utcnow()
        flag.note = uow.keys.for_case(case).seal_json({"note": text}, table="incident_flags", column="note",
                                                      row_id=flag.id)
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.INCIDENT_FLAG_ACKNOWLEDGED, "incident_flag", flag.id,
                         fields=("exclusion", "military"))
        advance(uow, case)
        uow.commit()
        return {"id": flag.id, "status": flag.status, "case_stage": case.stage, "case_version": case.version}


def flag_rows(uow: UnitOfWork, case: Case) -> list[dict[str, Any]]:
    """A case's incident flags with the incident and what overlapped (inside a read of exclusion data)."""
    dk = uow.keys.for_case(case)
    rows = uow.session.execute(select(IncidentFlag, Incident).join(Incident, Incident.id == IncidentFlag.incident_id)
                               .where(IncidentFlag.case_id == case.id).order_by(IncidentFlag.created_at)).all()
    return [{
        "id": f.id, "person_id": f.person_id, "basis": f.basis, "status": f.status,
        "incident": {"ref": i.ref, "unit": i.unit, "place": i.place, "start": i.start, "end": i.end,
                     "summary": i.summary, "source": i.source},
        **dk.open_json(f.detail, table="incident_flags", column="detail", row_id=f.id),
        "note": dk.open_json(f.note, table="incident_flags", column="note", row_id=f.id)["note"] if f.note else None,
        "decided_by": f.decided_by, "decided_at": f.decided_at,
    } for f, i in rows]


# ---- import -------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an incidents import did; issues name line numbers and reasons, never content."""

    added: int = 0
    updated: int = 0
    issues: list[tuple[int, str]] = field(default_factory=list)


def _row(line: int, raw: dict[str, str | None]) -> dict[str, str]:
    row = {k: clean_text(raw.get(k) or "", field_name=k, limit=1000) for k in COLUMNS}
    if not row["ref"] or len(row["ref"]) > 64:
        raise InvalidInput("ref is required (at most 64 characters)")
    if not row["unit"] and not row["place"]:
        raise InvalidInput("a unit or a place is required")
    if len(row["unit"]) > 300 or len(row["place"]) > 300:
        raise InvalidInput("unit and place are limited to 300 characters")
    for key in ("start", "end"):
        if not _DATE.match(row[key]):
            raise InvalidInput(f"{key} must be a date like 2022-03-01 (or 2022-03, 2022)")
        try:
            _span(row[key], end=key == "end")
        except ValueError:
            raise InvalidInput(f"{key} is not a real date") from None
    if _span(row["start"], end=False) > _span(row["end"], end=True):  # type: ignore[operator]
        raise InvalidInput("start is after end")
    if not row["source"]:
        raise InvalidInput("source is required: every incident must say where it is documented")
    return row


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line number, row) for each valid line, (line number, reason) for each bad one."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"line 1: missing columns: {', '.join(missing)} (expected {', '.join(COLUMNS)})")
        for raw in reader:
            try:
                yield reader.line_num, _row(reader.line_num, raw)
            except InvalidInput as exc:
                yield reader.line_num, exc.message


def import_incidents(uow: UnitOfWork, *, actor: Actor, rows: Iterable[tuple[int, dict[str, str] | str]],
                     strict: bool = False) -> ImportResult:
    """Add or update incidents by `ref`; bad lines are reported (with `strict`, any bad line changes nothing)."""
    result = ImportResult()
    with uow:
        for line, row in rows:
            if isinstance(row, str):
                result.issues.append((line, row))
                continue
            inc = uow.session.scalars(select(Incident).where(Incident.ref == row["ref"])).first()
            if inc is None:
                uow.session.add(Incident(id=new_id(), **row))
                result.added += 1
            else:
                for k, v in row.items():
                    setattr(inc, k, v)
                result.updated += 1
        if strict and result.issues:
            line, reason = result.issues[0]
            raise InvalidInput(f"line {line}: {reason}; nothing was imported")
        uow.audit.record(actor, AuditEvent.INCIDENTS_IMPORTED, "incidents", None, fields=())
        uow.commit()
    return result
