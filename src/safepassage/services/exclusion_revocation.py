"""Revoking an approved Art. 1F exclusion record: asked for by one officer, approved or declined by another.

A record approved in error, or overtaken by new evidence, must stop supporting an exclusion. An officer who
may review exclusion records asks, with a reason (sealed with the case key, like the record itself); a
*different* officer approves or declines (four eyes, here in the service: the officer who asked can never
decide, whatever their roles). While a revocation is pending the record still counts as approved. Once
approved the record's status is `revoked`: `exclusion.approved_record*` ignore it, so an exclusion decision
or a referral needs a new approved record, which may then be written about the person.

Refused, changing nothing: revoking a record that an exclusion decision standing on the case cites (the
decision must first be set aside on appeal), and revoking while a referral based on the record waits for
its second officer (decide that first). A referral based on the record that was already *approved* does
not stop the revocation, but every answer says when it was approved: the receiving authority must be told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from safepassage.domain.errors import Conflict, Erased, Forbidden, NotFound, StaleVersion
from safepassage.security.access import case_for_read, case_for_update
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.services import exclusion
from safepassage.store.models import Case, new_id
from safepassage.store.models_decisions import DecisionRow
from safepassage.store.models_exclusion import ExclusionRecord, ExclusionRevocation, Referral
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

STATUSES = ("requested", "approved", "declined")


class DecisionStands(Conflict):
    """An exclusion decision standing on the case cites the record: it must first be set aside on appeal."""

    code = "decision_stands"


class ReferralPending(Conflict):
    """A referral based on the record waits for its second officer: approve or decline it first."""

    code = "referral_pending"


@dataclass(frozen=True)
class ReferralNotice:
    """An approved referral for prosecution based on the record: its recipient must be told of a revocation."""

    referral_id: str
    approved_at: datetime | None


@dataclass(frozen=True)
class RevocationView:
    """A revocation with its sealed reasons opened, for those who may read exclusion material."""

    id: str
    case_id: str
    record_id: str
    person_id: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    version: int
    reason: str
    review_reasons: str
    #: Approved referrals based on this record; non-empty means `warning` says who must be told.
    approved_referrals: list[ReferralNotice] = field(default_factory=list)
    warning: str = ""


def _staff(actor: Actor) -> None:
    if actor.kind != "staff" or not actor.user_id:
        raise Forbidden("Exclusion records are revoked by people, never automatically.")


def _reason(text: str, *, name: str, required: str) -> str:
    cleaned, problem = exclusion.clean(text, exclusion.LONG)
    if problem or (required and not cleaned):
        raise exclusion.RecordInvalid({name: problem or required})
    return cleaned


def _live_case(uow: UnitOfWork, actor: Actor, case_id: str, action: Action) -> Case:
    case = case_for_update(uow, actor, case_id, action=action)
    exclusion.fresh(actor)
    if case.erased_at is not None:
        raise Erased("This case's personal data was erased; its exclusion records can no longer be changed.")
    return case


def _seal(uow: UnitOfWork, case: Case, row_id: str, value: dict[str, str]) -> bytes:
    return uow.keys.for_case(case).seal_json(value, table="exclusion_revocations", column="content", row_id=row_id)


def _content(uow: UnitOfWork, case: Case, row: ExclusionRevocation) -> dict[str, str]:
    opened: dict[str, str] = uow.keys.for_case(case).open_json(
        row.content, table="exclusion_revocations", column="content", row_id=row.id)
    return opened


def _approved_referrals(uow: UnitOfWork, record_id: str) -> list[ReferralNotice]:
    rows = uow.session.execute(
        select(Referral.id, Referral.decided_at).where(Referral.record_id == record_id, Referral.status == "approved")
        .order_by(Referral.decided_at)
    ).all()
    return [ReferralNotice(rid, at) for rid, at in rows]


def warning_for(notices: list[ReferralNotice], status: str) -> str:
    """What must be said about approved referrals based on a record being (or asked to be) revoked."""
    if not notices:
        return ""
    dates = ", ".join(n.approved_at.date().isoformat() for n in notices if n.approved_at is not None)
    then = "must be told that the record was revoked" if status == "approved" else \
        "must be told if this revocation is approved"
    return (f"A referral for prosecution based on this record was approved on {dates}: the authority that "
            f"received it {then}.")


def _view(uow: UnitOfWork, case: Case, row: ExclusionRevocation, person_id: str) -> RevocationView:
    content = _content(uow, case, row)
    notices = _approved_referrals(uow, row.record_id) if row.status != "declined" else []
    return RevocationView(
        row.id, row.case_id, row.record_id, person_id, row.status, row.requested_by, row.requested_at,
        row.decided_by, row.decided_at, row.version, content["reason"], content.get("review", ""), notices,
        warning_for(notices, row.status),
    )


def _refuse_if_blocked(uow: UnitOfWork, case: Case, record: ExclusionRecord) -> None:
    """Refuse while a standing exclusion decision cites the record, or a referral based on it is pending."""
    latest = uow.session.scalars(
        select(DecisionRow).where(DecisionRow.case_id == case.id)
        .order_by(DecisionRow.decided_at.desc(), DecisionRow.id.desc())
    ).first()
    if latest is not None and latest.outcome == "exclude" and latest.exclusion_record_id == record.id:
        raise DecisionStands(
            "The exclusion decision standing on this case cites this record: that decision must first be set "
            "aside on appeal before the record can be revoked. Nothing was changed."
        )
    pending = uow.session.scalar(
        select(Referral.id).where(Referral.record_id == record.id, Referral.status == "requested")
    )
    if pending is not None:
        raise ReferralPending(
            "A referral for prosecution based on this record is waiting for a second officer: approve or decline "
            "it first. Nothing was changed."
        )


def request_revocation(
    uow: UnitOfWork, *, actor: Actor, case_id: str, record_id: str, reason: str, expected_version: int | None = None
) -> RevocationView:
    """Ask for an approved record to be revoked, with a reason; a different officer approves or declines."""
    _staff(actor)
    text = _reason(reason, name="reason", required="Say why the record should be revoked.")
    with uow:
        case = _live_case(uow, actor, case_id, Action.REVOKE_EXCLUSION)
        record = exclusion.record_for_update(uow, case, record_id, expected_version)
        if record.status != "approved":
            raise Conflict("Only an approved record can be revoked. Nothing was changed.")
        waiting = uow.session.scalar(select(ExclusionRevocation.id).where(
            ExclusionRevocation.record_id == record.id, ExclusionRevocation.status == "requested"))
        if waiting is not None:
            raise Conflict("A revocation of this record is already waiting for a second officer. Nothing was changed.")
        _refuse_if_blocked(uow, case, record)
        rid = new_id()
        row = ExclusionRevocation(id=rid, case_id=case.id, record_id=record.id, status="requested",
                                  requested_by=actor.user_id or "", requested_at=utcnow(),
                                  content=_seal(uow, case, rid, {"reason": text}))
        uow.session.add(row)
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.EXCLUSION_REVOCATION_REQUESTED, "exclusion_revocation", rid,
                         fields=("exclusion", f"record:{record.id}"))
        view = _view(uow, case, row, record.person_id)
        uow.commit()
        return view


def review_revocation(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    revocation_id: str,
    approve: bool,
    reasons: str = "",
    expected_version: int | None = None,
) -> RevocationView:
    """A different officer approves the revocation (the record stops counting) or declines it with reasons."""
    _staff(actor)
    text = _reason(reasons, name="reasons", required="" if approve else "Say why the revocation is declined.")
    with uow:
        case = _live_case(uow, actor, case_id, Action.APPROVE_REVOCATION)
        row = uow.session.scalars(
            select(ExclusionRevocation)
            .where(ExclusionRevocation.id == revocation_id, ExclusionRevocation.case_id == case.id)
            .with_for_update()
        ).first()
        if row is None:
            raise NotFound("No such revocation on this case.")
        if expected_version is not None and row.version != expected_version:
            raise StaleVersion("This revocation was changed by someone else. Reload it; nothing was changed.")
        if row.requested_by == actor.user_id:
            raise Forbidden("Four eyes: the officer who asked for a revocation cannot approve or decline it.")
        if row.status != "requested":
            raise Conflict("Only a requested revocation can be approved or declined. Nothing was changed.")
        record = exclusion.record_for_update(uow, case, row.record_id, None)
        now = utcnow()
        if approve:
            if record.status != "approved":
                raise Conflict("The record is no longer approved. Nothing was changed.")
            _refuse_if_blocked(uow, case, record)  # a decision or referral may have come since the request
            record.status, record.updated_at = exclusion.REVOKED, now
        row.status, row.decided_by, row.decided_at = ("approved" if approve else "declined"), actor.user_id, now
        row.content = _seal(uow, case, row.id, {"reason": _content(uow, case, row)["reason"], "review": text})
        uow.session.flush()
        event = AuditEvent.EXCLUSION_REVOCATION_APPROVED if approve else AuditEvent.EXCLUSION_REVOCATION_DECLINED
        uow.audit.record(actor, event, "exclusion_revocation", row.id, fields=("status",))
        if approve:
            uow.audit.record(actor, AuditEvent.EXCLUSION_REVOKED, "exclusion_record", record.id,
                             fields=("status", f"revocation:{row.id}"))
        view = _view(uow, case, row, record.person_id)
        uow.commit()
        return view


def revocations_for_case(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[RevocationView]:
    """Every revocation on a case, oldest first (an audited read of exclusion material)."""
    exclusion.may_read(actor)
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.CORE, FieldClass.EXCLUSION))
        rows = uow.session.execute(
            select(ExclusionRevocation, ExclusionRecord.person_id)
            .join(ExclusionRecord, ExclusionRecord.id == ExclusionRevocation.record_id)
            .where(ExclusionRevocation.case_id == case.id)
            .order_by(ExclusionRevocation.requested_at, ExclusionRevocation.id)
        ).all()
        views = [_view(uow, case, r, pid) for r, pid in rows] if case.erased_at is None else []
        uow.commit()
        return views
