"""Article 1F exclusion records: written by one person, approved or returned by a different one.

A record never follows automatically from a screening hit or from unit membership: a person writes it,
field by field against the legal tests (category, acts, individual responsibility, defences, proportionality,
standard of proof, evidence), and a second person with the right role approves it. Approving does not
decide the case; it is what makes an `exclude` decision (services of issue 7: decisions) and a referral
for prosecution possible. Family members keep their own cases: a record names one person only. An approved
record can be revoked, again by two people (`services/exclusion_revocation.py`); a revoked one supports
nothing, and a new record may then be written about the person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from safepassage.domain.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    StaleVersion,
    StepUpRequired,
)
from safepassage.domain.exclusion import (
    BASIS_SOURCES,
    CATEGORIES,
    EDITABLE,
    EVIDENCE_KINDS,
    LONG,
    MAX_EVIDENCE,
    MODES,
    NARRATIVE_REF,
    STATUSES,
    TEXT_FIELDS,
    RecordInvalid,
    clean,
    validate,
)
from safepassage.domain.stages import OPEN, PRE_JOURNEY, Stage
from safepassage.security.access import CASE_NOT_FOUND, case_for_read, case_for_update, require, role_of
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass, grant
from safepassage.store.models import Case, NoteRow, PersonRow
from safepassage.store.models_exclusion import ExclusionRecord
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

__all__ = [  # the rules, re-exported for the routes and other services
    "BASIS_SOURCES", "CATEGORIES", "EVIDENCE_KINDS", "LONG", "MAX_EVIDENCE", "MODES", "NARRATIVE_REF", "STATUSES",
    "TEXT_FIELDS", "RecordInvalid", "clean", "validate",
]
WORKING_STAGES = frozenset(OPEN - PRE_JOURNEY)
#: The status of a record whose revocation two people approved (services/exclusion_revocation.py): it stays
#: on the case for the history, and supports nothing (neither an exclusion decision nor a referral).
REVOKED = "revoked"


@dataclass(frozen=True)
class ExclusionRecordRef:
    """An approved record, as decisions and referrals need it (no content)."""

    id: str
    case_id: str
    person_id: str
    category: str
    author_id: str
    approver_id: str
    approved_at: datetime


@dataclass(frozen=True)
class RecordView:
    """A record with its opened content, for those who may read exclusion material."""

    id: str
    case_id: str
    person_id: str
    is_principal: bool
    category: str
    status: str
    author_id: str
    approver_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    content: dict[str, Any]
    review_reasons: str


# ---- the workflow -------------------------------------------------------------------------------------


def _staff(actor: Actor) -> None:
    if actor.kind != "staff" or not actor.user_id:
        raise Forbidden("Exclusion records are written and approved by people, never automatically.")


def fresh(actor: Actor) -> None:
    """Exclusion material is shown and changed only after a recent re-authentication (step-up)."""
    if actor.kind == "staff" and not actor.stepped_up:
        raise StepUpRequired("Confirm your password and code first (POST /api/auth/step-up): exclusion material "
                             "is shown and changed only after a recent re-authentication.")


def _working(case: Case) -> None:
    if Stage(case.stage) not in WORKING_STAGES:
        raise IllegalTransition(
            "Exclusion records are written and reviewed only while the case is open (received to appeal)."
        )


def _seal(uow: UnitOfWork, case: Case, column: str, row_id: str, value: Any) -> bytes:
    return uow.keys.for_case(case).seal_json(value, table="exclusion_records", column=column, row_id=row_id)


def _open(uow: UnitOfWork, case: Case, record: ExclusionRecord) -> RecordView:
    dk = uow.keys.for_case(case)
    content = dk.open_json(record.content, table="exclusion_records", column="content", row_id=record.id)
    reasons = ""
    if record.review is not None:
        reasons = dk.open_json(record.review, table="exclusion_records", column="review", row_id=record.id)
    principal = next((p.id for p in case.persons if p.is_principal), None)
    return RecordView(
        record.id, record.case_id, record.person_id, record.person_id == principal, record.category, record.status,
        record.author_id, record.approver_id, record.version, record.created_at, record.updated_at,
        record.submitted_at, record.reviewed_at, content, reasons,
    )


def _record(uow: UnitOfWork, case: Case, record_id: str, expected_version: int | None) -> ExclusionRecord:
    record = uow.session.scalars(
        select(ExclusionRecord)
        .where(ExclusionRecord.id == record_id, ExclusionRecord.case_id == case.id)
        .with_for_update()
    ).first()
    if record is None:
        raise NotFound("No such exclusion record on this case.")
    if expected_version is not None and record.version != expected_version:
        raise StaleVersion(
            f"This record was changed by someone else (your version {expected_version}, current "
            f"{record.version}). Reload it and try again; nothing was changed."
        )
    return record


def record_for_update(uow: UnitOfWork, case: Case, record_id: str, expected_version: int | None) -> ExclusionRecord:
    """A record on this case, locked for the change, checked against the caller's version (for other services)."""
    return _record(uow, case, record_id, expected_version)


def person_on_case(case: Case, person_id: str | None) -> str:
    """The id of a person on this case (the principal when None), or InvalidInput."""
    for p in case.persons:
        if (person_id is None and p.is_principal) or p.id == person_id:
            return p.id
    raise InvalidInput("person_id: no such person on this case.")


def _check_statements(uow: UnitOfWork, case: Case, content: dict[str, Any]) -> None:
    """Statement references must name the applicant's account or a note on this very case."""
    ids = {r["id"] for r in content["evidence"] if r["kind"] == "statement"} - {NARRATIVE_REF}
    if not ids:
        return
    found = set(uow.session.scalars(select(NoteRow.id).where(NoteRow.case_id == case.id, NoteRow.id.in_(ids))))
    if ids - found:
        raise RecordInvalid({"evidence": "A statement reference must be 'narrative' (the applicant's account) or "
                                         "the id of a note on this case."})


def save_record(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    data: Mapping[str, Any],
    record_id: str | None = None,
    person_id: str | None = None,
    expected_version: int | None = None,
    submit: bool = False,
) -> RecordView:
    """Start a draft record about a person on the case (the principal by default), or edit one's own draft;
    with `submit`, also submit it for review (then it must be complete)."""
    _staff(actor)
    category, content = validate(data, complete=submit)
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.RECORD_EXCLUSION)
        fresh(actor)
        _working(case)
        _check_statements(uow, case, content)
        now = utcnow()
        if record_id is None:
            pid = person_on_case(case, person_id)
            # One current record per person: a revoked one no longer counts, so a new one may replace it.
            open_ = uow.session.scalars(
                select(ExclusionRecord.status).where(ExclusionRecord.case_id == case.id,
                                                     ExclusionRecord.person_id == pid,
                                                     ExclusionRecord.status != REVOKED)
            ).all()
            if open_:
                raise Conflict("This person already has an exclusion record on this case: continue or review "
                               "that one.")
            record = ExclusionRecord(case_id=case.id, person_id=pid, category=category, status="draft",
                                     author_id=actor.user_id or "", created_at=now, updated_at=now, content=b"")
            uow.session.add(record)
            uow.session.flush()
        else:
            record = _record(uow, case, record_id, expected_version)
            if record.author_id != actor.user_id:
                raise Forbidden("Only the record's author edits it; as a reviewer, approve it or return it.")
            if record.status not in EDITABLE:
                raise Conflict("Only a draft or a returned record can be edited.")
            record.category, record.updated_at = category, now
        record.content = _seal(uow, case, "content", record.id, content)
        uow.audit.record(actor, AuditEvent.EXCLUSION_DRAFTED, "exclusion_record", record.id, fields=("exclusion",))
        if submit:
            record.status, record.submitted_at = "submitted", now
            uow.audit.record(actor, AuditEvent.EXCLUSION_SUBMITTED, "exclusion_record", record.id,
                             fields=("status",))
        uow.session.flush()
        view = _open(uow, case, record)
        uow.commit()
        return view


def submit_record(uow: UnitOfWork, *, actor: Actor, case_id: str, record_id: str, expected_version: int) -> RecordView:
    """The author submits a complete record for review by someone else."""
    _staff(actor)
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.RECORD_EXCLUSION)
        fresh(actor)
        _working(case)
        record = _record(uow, case, record_id, expected_version)
        if record.author_id != actor.user_id:
            raise Forbidden("Only the record's author submits it.")
        if record.status not in EDITABLE:
            raise Conflict("Only a draft or a returned record can be submitted.")
        stored = _open(uow, case, record)
        validate({"category": record.category, **stored.content}, complete=True)
        record.status, record.submitted_at = "submitted", utcnow()
        record.updated_at = record.submitted_at
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.EXCLUSION_SUBMITTED, "exclusion_record", record.id, fields=("status",))
        view = _open(uow, case, record)
        uow.commit()
        return view


def review_record(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    record_id: str,
    approve: bool,
    reasons: str,
    expected_version: int,
) -> RecordView:
    """A different person approves a submitted record, or returns it to its author with reasons."""
    _staff(actor)
    text, problem = clean(reasons, LONG)
    if problem:
        raise RecordInvalid({"reasons": problem})
    if not approve and not text:
        raise RecordInvalid({"reasons": "Say why the record goes back to its author."})
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.APPROVE_EXCLUSION)
        fresh(actor)
        _working(case)
        record = _record(uow, case, record_id, expected_version)
        if record.author_id == actor.user_id:
            raise Forbidden("Four eyes: the author of an exclusion record cannot approve or return it.")
        if record.status != "submitted":
            raise Conflict("Only a submitted record can be approved or returned.")
        record.status = "approved" if approve else "returned"
        record.approver_id, record.reviewed_at = actor.user_id, utcnow()
        record.updated_at = record.reviewed_at
        record.review = _seal(uow, case, "review", record.id, text)
        uow.session.flush()
        event = AuditEvent.EXCLUSION_APPROVED if approve else AuditEvent.EXCLUSION_RETURNED
        uow.audit.record(actor, event, "exclusion_record", record.id, fields=("status",))
        view = _open(uow, case, record)
        uow.commit()
        return view


def may_read(actor: Actor) -> None:
    """Refuse a role that may not read exclusion material: 404 if it sees no cases at all, else 403."""
    try:
        require(actor, Action.READ, (FieldClass.EXCLUSION,))
    except Forbidden:
        if grant(role_of(actor), Action.READ) is None:
            raise NotFound(CASE_NOT_FOUND) from None
        raise
    fresh(actor)


def records_for_case(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[RecordView]:
    """Every exclusion record on a case, opened (the read is audited as exclusion material)."""
    may_read(actor)
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.CORE, FieldClass.EXCLUSION))
        rows = uow.session.scalars(
            select(ExclusionRecord).where(ExclusionRecord.case_id == case.id).order_by(ExclusionRecord.created_at)
        ).all()
        views = [_open(uow, case, r) for r in rows] if case.erased_at is None else []
        uow.commit()  # the audited read
        return views


def approved_record(uow: UnitOfWork, case_id: str) -> ExclusionRecordRef | None:
    """The approved record for the case's principal person, or None (inside the caller's transaction)."""
    principal = uow.session.scalar(
        select(PersonRow.id).where(PersonRow.case_id == case_id, PersonRow.is_principal.is_(True))
    )
    if principal is None:
        return None
    return approved_record_for(uow, case_id, principal)


def approved_record_for(uow: UnitOfWork, case_id: str, person_id: str) -> ExclusionRecordRef | None:
    """The approved record about one person on a case, or None (inside the caller's transaction).

    A revoked record is not approved any more; one whose revocation is only pending still is."""
    row = uow.session.scalars(
        select(ExclusionRecord).where(
            ExclusionRecord.case_id == case_id,
            ExclusionRecord.person_id == person_id,
            ExclusionRecord.status == "approved",
        )
    ).first()
    if row is None or row.approver_id is None or row.reviewed_at is None:
        return None
    return ExclusionRecordRef(
        row.id, row.case_id, row.person_id, row.category, row.author_id, row.approver_id, row.reviewed_at
    )


def open_content(uow: UnitOfWork, case: Case, record_id: str) -> RecordView:
    """A record's opened content for another service in the same transaction (access checked by the caller)."""
    record = uow.session.get(ExclusionRecord, record_id)
    if record is None or record.case_id != case.id:
        raise NotFound("No such exclusion record on this case.")
    return _open(uow, case, record)
