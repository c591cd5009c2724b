"""Reads for the screening analyst: the queue of cases waiting for one, a case's screening results, and
one hit with the applicant's relevant fields beside the listed person. Every read of screening
intelligence goes through the access chokepoints and is audited; personal data needs a recent step-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from safepassage.domain.errors import InvalidInput, NotFound, StepUpRequired
from safepassage.security.access import CASE_NOT_FOUND, case_for_read, require
from safepassage.security.policy import Action, FieldClass, Role, grant, readable_fields
from safepassage.services import case_screening, duplicates, incidents
from safepassage.services.casework import person_out, summary
from safepassage.services.views import CaseSummary
from safepassage.store.models import Case, PersonRow
from safepassage.store.models_screening import IncidentFlag, ScreeningHit, ScreeningRun
from safepassage.store.uow import Actor, UnitOfWork

MAX_PAGE = 100
STEP_UP = "Confirm your password and code first (POST /api/auth/step-up)."


@dataclass(frozen=True)
class QueueItem:
    """A case waiting for an analyst: how many hits and flags, and the best score."""

    case: CaseSummary
    hits: int
    flags: int
    top_score: float


def _may_read(actor: Actor, *fields: FieldClass) -> None:
    """Roles that cannot see cases at all get "no such case"; roles that can, but not these fields, 403."""
    if actor.kind == "staff" and grant(Role(actor.role), Action.READ) is None:
        raise NotFound(CASE_NOT_FOUND)
    require(actor, Action.READ, fields)


def _stepped_up(actor: Actor) -> None:
    if actor.kind == "staff" and not actor.stepped_up:
        raise StepUpRequired(STEP_UP)


def queue(uow: UnitOfWork, *, actor: Actor, limit: int = 50, offset: int = 0) -> tuple[list[QueueItem], int]:
    """Cases with hits or incident flags waiting for an analyst, oldest first; core fields and counts only."""
    require(actor, Action.DISPOSE_HIT, (FieldClass.EXCLUSION,))
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"limit must be 1–{MAX_PAGE} and offset ≥ 0.")
    with uow:
        hits = {c: (int(n), float(m)) for c, n, m in uow.session.execute(
            select(ScreeningHit.case_id, func.count(), func.max(ScreeningHit.score))
            .where(ScreeningHit.status.in_(case_screening.UNRESOLVED)).group_by(ScreeningHit.case_id))}
        flags = {c: int(n) for c, n in uow.session.execute(
            select(IncidentFlag.case_id, func.count()).where(IncidentFlag.status == "pending")
            .group_by(IncidentFlag.case_id))}
        ids = sorted(set(hits) | set(flags))
        rows = uow.session.scalars(select(Case).where(Case.id.in_(ids))
                                   .order_by(Case.priority, Case.stage_changed_at, Case.id)
                                   .limit(limit).offset(offset)).all() if ids else []
        items = [QueueItem(summary(c), hits.get(c.id, (0, 0.0))[0], flags.get(c.id, 0), hits.get(c.id, (0, 0.0))[1])
                 for c in rows]
        return items, len(ids)


def case_results(uow: UnitOfWork, *, actor: Actor, case_id: str) -> dict[str, Any]:
    """A case's screening: hits (with explanations), incident flags and runs (audited exclusion read)."""
    _may_read(actor, FieldClass.CORE, FieldClass.EXCLUSION)
    _stepped_up(actor)
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.CORE, FieldClass.EXCLUSION))
        runs = uow.session.scalars(select(ScreeningRun).where(ScreeningRun.case_id == case.id)
                                   .order_by(ScreeningRun.at)).all()
        out = {
            "case": summary(case),
            "hits": case_screening.hit_rows(uow, case) if case.erased_at is None else [],
            "flags": incidents.flag_rows(uow, case) if case.erased_at is None else [],
            "runs": [{"id": r.id, "kind": r.kind, "versions": r.versions, "persons": r.persons, "hits": r.hits,
                      "flags": r.flags, "at": r.at} for r in runs],
            "unresolved": case_screening.unresolved(uow, case.id),
        }
        uow.commit()
        return out


def hit_detail(uow: UnitOfWork, *, actor: Actor, case_id: str, hit_id: str) -> dict[str, Any]:
    """One hit: the applicant's screening-relevant fields beside the listed person, with the explanation."""
    _may_read(actor, FieldClass.CORE, FieldClass.IDENTITY, FieldClass.EXCLUSION)
    _stepped_up(actor)
    with uow:
        fields = {FieldClass.CORE, FieldClass.IDENTITY, FieldClass.EXCLUSION}
        case = case_for_read(uow, actor, case_id, fields=fields)
        hit = uow.session.get(ScreeningHit, hit_id)
        if hit is None or hit.case_id != case.id or case.erased_at is not None:
            raise NotFound(case_screening.HIT_NOT_FOUND)
        row = uow.session.get(PersonRow, hit.person_id)
        assert row is not None
        data = uow.keys.for_case(case).open_json(row.payload, table="persons", column="payload", row_id=row.id)
        shown = frozenset(fields) | (readable_fields(Role(actor.role)) & {FieldClass.MILITARY}
                                     if actor.kind == "staff" else frozenset())
        applicant = person_out(data["person"], frozenset(shown))
        applicant.pop("narrative", None)
        hit_row = next(h for h in case_screening.hit_rows(uow, case) if h["id"] == hit.id)
        uow.commit()
        return {"hit": hit_row, "case": summary(case), "applicant": applicant, "principal": row.is_principal,
                "relationship": data.get("relationship", "")}


def duplicates_of(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    """Possible earlier applications of a case's principal (identity read, audited)."""
    _may_read(actor, FieldClass.CORE, FieldClass.IDENTITY)
    _stepped_up(actor)
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.CORE, FieldClass.IDENTITY))
        out = duplicates.link_rows(uow, case)
        uow.commit()
        return out
