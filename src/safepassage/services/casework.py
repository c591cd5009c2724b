"""Case work by staff: the queue, the case page, stage changes, assignment, notes, family links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from safepassage.domain.case import FamilyMember
from safepassage.domain.errors import IllegalTransition, InvalidInput, StaleVersion
from safepassage.domain.pathways import Pathway, Priority
from safepassage.domain.person import clean_text, validate_person
from safepassage.domain.stages import CLOSED, DECIDED, Stage, allowed_targets, check_transition
from safepassage.security.access import case_for_read, case_for_update, in_scope, require, role_of
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import (
    STEP_UP_CLASSES,
    Action,
    FieldClass,
    Role,
    action_for_move,
    grant,
    readable_fields,
)
from safepassage.services import case_screening, identity
from safepassage.services.intake import decode_pathways, person_row
from safepassage.services.views import CaseDetail, CaseSummary, Page, StageChange
from safepassage.store.models import Case, NoteRow, PersonRow, StageEvent, User, new_id
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

MAX_NOTE = 10_000
#: Stages a plain move may not reach: decisions (with reasons) and appeals (with a deadline) have services.
NOT_BY_MOVE = DECIDED | {Stage.APPEAL}
MAX_PAGE = 100


def summary(case: Case) -> CaseSummary:
    """The core, non-personal view of a case."""
    return CaseSummary(
        id=case.id,
        receipt=case.receipt,
        stage=case.stage,
        pathways=decode_pathways(case.pathways),
        priority=case.priority,
        channel=case.channel,
        language=case.language,
        assignee_id=case.assignee_id,
        version=case.version,
        created_at=case.created_at,
        updated_at=case.updated_at,
        erased=case.erased_at is not None,
    )


def _check_version(case: Case, expected: int) -> None:
    if case.version != expected:
        raise StaleVersion(
            f"This case was changed by someone else (your version {expected}, current {case.version}). "
            "Reload it and try again; nothing was changed."
        )


@dataclass(frozen=True)
class QueueFilter:
    """What a queue is filtered by (None: any)."""

    stage: Stage | None = None
    pathway: Pathway | None = None
    priority: Priority | None = None
    assignee_id: str | None = None  # a user id, or "none" for unassigned
    language: str | None = None

    def statement(self) -> Select[tuple[Case]]:
        """The SELECT of the matching cases (no order, no page)."""
        stmt = select(Case)
        if self.stage:
            stmt = stmt.where(Case.stage == self.stage.value)
        if self.pathway:
            stmt = stmt.where(Case.pathways.like(f"%|{self.pathway.value}|%"))
        if self.priority:
            stmt = stmt.where(Case.priority == self.priority.value)
        if self.language:
            stmt = stmt.where(Case.language == self.language)
        if self.assignee_id == "none":
            stmt = stmt.where(Case.assignee_id.is_(None))
        elif self.assignee_id:
            stmt = stmt.where(Case.assignee_id == self.assignee_id)
        return stmt


def count(uow: UnitOfWork, stmt: Select[tuple[Case]]) -> int:
    """How many rows a SELECT matches."""
    return int(uow.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def list_cases(
    uow: UnitOfWork, *, actor: Actor, where: QueueFilter = QueueFilter(), limit: int = 50, offset: int = 0
) -> Page:
    """The case queue, filtered and paginated; core fields only."""
    require(actor, Action.LIST)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"limit must be 1–{MAX_PAGE} and offset ≥ 0.")
    with uow:
        stmt = where.statement()
        rows = uow.session.scalars(
            stmt.order_by(Case.priority, Case.created_at, Case.id).limit(limit).offset(offset)
        ).all()
        return Page([summary(c) for c in rows], count(uow, stmt), limit, offset)


def open_persons(uow: UnitOfWork, case: Case) -> list[tuple[PersonRow, dict[str, Any]]]:
    """Every person on a case, decrypted: (row, {"person": ..., "relationship": ...})."""
    dk = uow.keys.for_case(case)
    return [(row, dk.open_json(row.payload, table="persons", column="payload", row_id=row.id)) for row in case.persons]


def case_detail(uow: UnitOfWork, *, actor: Actor, case_id: str) -> CaseDetail:
    """A case with every field class the actor may read (sensitive reads are audited)."""
    fields = readable_fields(role_of(actor)) if actor.kind == "staff" else frozenset()
    step_up_required = not actor.stepped_up and bool(fields & STEP_UP_CLASSES)
    if step_up_required:
        fields = fields - STEP_UP_CLASSES  # personal data only after a fresh password (+TOTP) check
    with uow:
        case = case_for_read(uow, actor, case_id, fields=fields)
        if case.erased_at is not None:  # a tombstone: the personal data is gone with its key
            uow.commit()
            return CaseDetail(summary(case), [], _timeline(uow, case), visible_fields=[FieldClass.CORE.value])
        dk = uow.keys.for_case(case)
        persons = open_persons(uow, case)
        principal = next((p for r, p in persons if r.is_principal), None)
        out: dict[str, Any] = {}
        if principal and FieldClass.IDENTITY in fields:
            person = principal["person"]
            pid = next(r.id for r, _ in persons if r.is_principal)
            out["principal"] = {"id": pid, **person_out(person, frozenset({FieldClass.IDENTITY}))}
            out["military"] = person.get("military") if FieldClass.MILITARY in fields else None
            out["narrative"] = person.get("narrative", "") if FieldClass.NARRATIVE in fields else None
            out["possible_duplicates"] = identity.possible_duplicates(uow, case, persons)
        if FieldClass.FAMILY in fields:
            out["family"] = [
                {"id": r.id, "relationship": p["relationship"], **person_out(p["person"], fields)}
                for r, p in persons
                if not r.is_principal
            ]
        if FieldClass.NOTES in fields:
            notes = uow.session.scalars(
                select(NoteRow).where(NoteRow.case_id == case.id).order_by(NoteRow.created_at)
            ).all()
            out["notes"] = [
                {
                    "id": n.id,
                    "author_id": n.author_id,
                    "at": n.created_at,
                    "text": dk.decrypt(n.body, table="notes", column="body", row_id=n.id).decode(),
                }
                for n in notes
            ]
        if FieldClass.SURRENDER in fields and case.surrender is not None:
            s = case.surrender
            out["surrender"] = {
                "group_size": s.group_size,
                "urgency": s.urgency,
                **dk.open_json(s.payload, table="surrender_requests", column="payload", row_id=case.id),
            }
        timeline = _timeline(uow, case)
        moves = [t.value for t in sorted(allowed_targets(Stage(case.stage))) if _may_move(actor, case, t)
                 and t not in NOT_BY_MOVE]  # decisions and appeals have their own forms (services/decisions.py)
        uow.commit()  # the audit entries of sensitive reads
        return CaseDetail(
            summary(case),
            moves,
            timeline,
            visible_fields=sorted(f.value for f in fields),
            step_up_required=step_up_required,
            **out,
        )


def _timeline(uow: UnitOfWork, case: Case) -> list[StageChange]:
    events = uow.session.scalars(select(StageEvent).where(StageEvent.case_id == case.id).order_by(StageEvent.at))
    return [StageChange(e.from_stage, e.to_stage, e.actor_id, e.at) for e in events]


def person_out(person: dict[str, Any], fields: frozenset[FieldClass]) -> dict[str, Any]:
    """A stored person in the API's shape, with military service and narrative only if readable."""
    name = person["name"]
    out: dict[str, Any] = {
        "first_name": name["first"],
        "patronymic": name.get("patronymic", ""),
        "last_name": name["last"],
        "latin_spellings": name.get("latin", []),
        "aliases": name.get("aliases", []),
        "birth_date": person.get("birth_date"),
        "birthplace": person.get("birthplace", ""),
        "citizenship": person.get("citizenship", []),
        "gender": person.get("gender"),
    }
    if FieldClass.MILITARY in fields:
        out["military"] = person.get("military")
    if FieldClass.NARRATIVE in fields:
        out["narrative"] = person.get("narrative", "")
    return out


def _may_move(actor: Actor, case: Case, target: Stage) -> bool:
    if actor.kind != "staff":
        return False
    g = grant(Role(actor.role), action_for_move(Stage(case.stage), target))
    return g is not None and in_scope(actor, g, case)


def move_case(uow: UnitOfWork, *, actor: Actor, case_id: str, to: Stage, expected_version: int) -> CaseSummary:
    """Move a case to another stage; refuses illegal moves, unauthorised roles and stale versions."""
    with uow:
        case = case_for_update(uow, actor, case_id, action=lambda c: action_for_move(Stage(c.stage), to))
        current = Stage(case.stage)
        _check_version(case, expected_version)
        check_transition(current, to)
        if to in NOT_BY_MOVE:
            raise IllegalTransition(
                "A decision needs reasons: decide with the decision form (POST /api/cases/{id}/decisions); "
                "an appeal is lodged with POST /api/cases/{id}/appeals, within its deadline. Nothing was changed."
            )
        case_screening.guard_move(uow, case, current, to)  # unresolved hits hold the case
        now = utcnow()
        case.stage, case.updated_at, case.stage_changed_at = to.value, now, now
        uow.session.add(
            StageEvent(case_id=case.id, from_stage=current.value, to_stage=to.value, actor_id=actor.user_id, at=now)
        )
        uow.audit.record(actor, AuditEvent.CASE_TRANSITIONED, "case", case.id, fields=("stage",))
        case_screening.on_stage_entered(uow, actor=actor, case=case, stage=to)  # screens on entering screening
        uow.commit()
        return summary(case)


def assign_case(
    uow: UnitOfWork, *, actor: Actor, case_id: str, assignee_id: str | None, expected_version: int
) -> CaseSummary:
    """Assign a case to a caseworker (or unassign it)."""
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.ASSIGN)
        _check_version(case, expected_version)
        if assignee_id is not None:
            user = uow.session.get(User, assignee_id)
            if user is None or user.disabled or user.role != Role.CASEWORKER:
                raise InvalidInput("Cases can only be assigned to an active caseworker.")
        case.assignee_id, case.updated_at = assignee_id, utcnow()
        uow.audit.record(actor, AuditEvent.CASE_ASSIGNED, "case", case.id, fields=("assignee",))
        uow.commit()
        return summary(case)


def add_note(uow: UnitOfWork, *, actor: Actor, case_id: str, text: str) -> str:
    """Add an encrypted note to a case; returns the note id."""
    body = clean_text(text, field_name="Note", limit=MAX_NOTE)
    if not body:
        raise InvalidInput("A note cannot be empty.")
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.ANNOTATE)
        note_id = new_id()
        blob = uow.keys.for_case(case).encrypt(body.encode(), table="notes", column="body", row_id=note_id)
        uow.session.add(NoteRow(id=note_id, case_id=case.id, author_id=actor.user_id or "", body=blob))
        uow.audit.record(actor, AuditEvent.NOTE_ADDED, "note", note_id, fields=("notes",))
        uow.commit()
        return note_id


def add_family_member(
    uow: UnitOfWork, *, actor: Actor, case_id: str, member: FamilyMember, expected_version: int
) -> str:
    """Link a family member to a case; each member is assessed on their own."""
    person = validate_person(member.person)
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.LINK_FAMILY)
        _check_version(case, expected_version)
        if Stage(case.stage) in CLOSED:
            raise IllegalTransition("This case is closed; family members can only be added to open cases.")
        row = person_row(
            uow.keys.for_case(case), case.id, person, principal=False, relationship=member.relationship.value
        )
        uow.session.add(row)
        uow.session.flush()
        identity.index_person(uow, case_id=case.id, person_id=row.id, person=person)
        case.updated_at = utcnow()
        uow.audit.record(actor, AuditEvent.FAMILY_LINKED, "case", case.id, fields=("family",))
        uow.commit()
        return row.id
