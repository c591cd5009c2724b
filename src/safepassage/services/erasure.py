"""Erasure and retention: personal data is destroyed by destroying its data key — with four eyes."""

from __future__ import annotations

from sqlalchemy import delete, select

from safepassage.domain.errors import Forbidden, InvalidInput, NotFound, StepUpRequired
from safepassage.domain.retention import due_for_erasure
from safepassage.domain.stages import Stage
from safepassage.security.access import require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.store.models import BlindIndexRow, Case, DataKeyRow, ErasureRequest, NoteRow, PersonRow, SurrenderRow
from safepassage.store.models_documents import DocumentRow, InformationRequestRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

REASONS = frozenset({"applicant_request", "unlawful_processing", "court_order", "duplicate", "retention"})


def _authorised(actor: Actor, action: Action) -> None:
    require(actor, action, (FieldClass.NONE,))
    if actor.kind == "staff" and not actor.stepped_up:
        raise StepUpRequired("Confirm your password and code first (POST /api/auth/step-up).")


def request_erasure(uow: UnitOfWork, *, actor: Actor, case_id: str, reason: str) -> str:
    """Ask for one case's personal data to be destroyed; a second person must approve."""
    _authorised(actor, Action.ERASE)
    if reason not in REASONS:
        raise InvalidInput(f"Reason must be one of: {', '.join(sorted(REASONS - {'retention'}))}.")
    with uow:
        case = uow.get_case(case_id)
        if case is None or case.erased_at is not None:
            raise NotFound("No such case.")
        req = ErasureRequest(kind="erasure", case_ids=[case.id], reason=reason, requested_by=actor.user_id or "")
        uow.session.add(req)
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.ERASURE_REQUESTED, "erasure_request", req.id, fields=(reason,))
        uow.commit()
        return req.id


def plan_retention(uow: UnitOfWork, *, actor: Actor) -> tuple[str | None, int]:
    """List the closed cases past their retention period in one request awaiting approval."""
    _authorised(actor, Action.ERASE)
    now = utcnow()
    with uow:
        closed = uow.session.execute(
            select(Case.id, Case.stage, Case.stage_changed_at).where(
                Case.erased_at.is_(None),
                Case.stage.in_([s.value for s in (Stage.WITHDRAWN, Stage.REFUSED, Stage.GRANTED)]),
            )
        ).all()
        due = sorted(cid for cid, stage, at in closed if due_for_erasure(Stage(stage), at, now))
        if not due:
            return None, 0
        req = ErasureRequest(kind="retention", case_ids=due, reason="retention", requested_by=actor.user_id or "")
        uow.session.add(req)
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.ERASURE_REQUESTED, "erasure_request", req.id, fields=("retention",))
        uow.commit()
        return req.id, len(due)


def approve_erasure(uow: UnitOfWork, *, actor: Actor, request_id: str) -> int:
    """The second person approves: every case in the request is erased now. Returns how many."""
    _authorised(actor, Action.APPROVE_ERASURE)
    with uow:
        req = uow.session.get(ErasureRequest, request_id)
        if req is None or req.status != "pending":
            raise NotFound("No such pending erasure request.")
        if actor.user_id is not None and req.requested_by == actor.user_id:
            raise Forbidden("Four eyes: the person who asked for an erasure cannot approve it.")
        erased = 0
        for case_id in req.case_ids:
            case = uow.get_case(case_id, for_update=True)
            if case is not None and case.erased_at is None:
                _erase(uow, actor, case)
                erased += 1
        req.status, req.approved_by, req.done_at = "done", actor.user_id, utcnow()
        uow.audit.record(actor, AuditEvent.ERASURE_APPROVED, "erasure_request", req.id, fields=(f"count:{erased}",))
        uow.commit()
        return erased


def _erase(uow: UnitOfWork, actor: Actor, case: Case) -> None:
    """Crypto-shred: destroy the data key, delete the ciphertexts, keep a tombstone."""
    key = uow.session.get(DataKeyRow, case.data_key_id)
    if key is not None:
        key.wrapped = None
    for model in (BlindIndexRow, PersonRow, NoteRow, SurrenderRow, DocumentRow, InformationRequestRow):
        uow.session.execute(delete(model).where(model.case_id == case.id))
    case.erased_at = utcnow()
    uow.audit.record(actor, AuditEvent.CASE_ERASED, "case", case.id)
