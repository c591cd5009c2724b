"""Appeals: lodged by the applicant (receipt + passphrase) or by staff, only within the deadline the
policy set for the decision; the case moves to `appeal` in the same transaction. The re-decision (by a
different adjudicator, enforced in services/decisions.py) closes the appeal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from safepassage.domain.decision import MAX_GROUNDS, check_appeal_in_time, days_left
from safepassage.domain.errors import IllegalTransition, StaleVersion
from safepassage.domain.person import clean_text
from safepassage.domain.stages import Stage, check_transition
from safepassage.security.access import case_for_update
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action
from safepassage.services import decisions
from safepassage.services.intake import _case_by_credentials, check_status
from safepassage.services.views import Status
from safepassage.store.models import Case, StageEvent
from safepassage.store.models_decisions import AppealRow, DecisionRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class ApplicantOutcome:
    """What the applicant sees of their decision: outcome, dates, the appeal and its deadline."""

    outcome: str
    instance: str
    decided_at: datetime
    appeal_deadline: datetime | None
    days_left: int | None
    can_appeal: bool
    appeal_status: str | None
    appeal_lodged_at: datetime | None


def _latest(uow: UnitOfWork, case: Case) -> DecisionRow | None:
    rows = decisions.decision_rows(uow, case.id)
    return rows[-1] if rows else None


def _lodge(uow: UnitOfWork, actor: Actor, case: Case, grounds: str, now: datetime) -> str:
    decision = _latest(uow, case)
    if decision is None or Stage(case.stage) not in (Stage.REFUSED, Stage.EXCLUDED):
        raise IllegalTransition("Only a refusal or an exclusion can be appealed, once it has been decided.")
    if uow.session.scalars(select(AppealRow.id).where(AppealRow.decision_id == decision.id)).first():
        raise IllegalTransition("An appeal against this decision has already been lodged.")
    check_appeal_in_time(decision.appeal_deadline, now)
    assert decision.appeal_deadline is not None
    check_transition(Stage(case.stage), Stage.APPEAL)
    row = AppealRow(
        case_id=case.id,
        decision_id=decision.id,
        lodged_by_kind=actor.kind if actor.kind != "system" else "staff",
        lodged_by=actor.user_id,
        lodged_at=now,
        deadline=decision.appeal_deadline,
        status="lodged",
    )
    uow.session.add(row)
    uow.session.flush()
    if grounds:
        row.grounds = uow.keys.for_case(case).encrypt(
            grounds.encode(), table="appeals", column="grounds", row_id=row.id
        )
    current = case.stage
    case.stage, case.updated_at, case.stage_changed_at = Stage.APPEAL.value, now, now
    uow.session.add(
        StageEvent(case_id=case.id, from_stage=current, to_stage=Stage.APPEAL.value, actor_id=actor.user_id, at=now)
    )
    uow.audit.record(actor, AuditEvent.CASE_TRANSITIONED, "case", case.id, fields=("stage",))
    uow.audit.record(
        actor, AuditEvent.APPEAL_LODGED, "appeal", row.id, fields=("core",) + (("narrative",) if grounds else ())
    )
    return row.id


def lodge_appeal(
    uow: UnitOfWork, *, actor: Actor, case_id: str, grounds: str, expected_version: int, now: datetime | None = None
) -> str:
    """Staff lodge an appeal on the applicant's behalf (within the deadline); returns the appeal id."""
    text = clean_text(grounds, field_name="Grounds of appeal", limit=MAX_GROUNDS)
    now = now or utcnow()
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.LODGE_APPEAL)
        if case.version != expected_version:
            raise StaleVersion(
                f"This case was changed by someone else (your version {expected_version}, current {case.version}). "
                "Reload it and try again; nothing was changed."
            )
        appeal_id = _lodge(uow, actor, case, text, now)
        uow.commit()
        return appeal_id


def lodge_appeal_by_applicant(
    uow: UnitOfWork, *, receipt: str, passphrase: str, grounds: str, now: datetime | None = None
) -> ApplicantOutcome:
    """The applicant appeals their own refusal or exclusion (within the deadline)."""
    text = clean_text(grounds, field_name="Grounds of appeal", limit=MAX_GROUNDS)
    now = now or utcnow()
    with uow:
        found = _case_by_credentials(uow, receipt, passphrase)
        case = uow.get_case(found.id, for_update=True)
        assert case is not None
        _lodge(uow, Actor.applicant(), case, text, now)
        uow.commit()
        outcome = _outcome(uow, case, now)
        assert outcome is not None
        return outcome


def appeal_with_status(
    uow: UnitOfWork, *, receipt: str, passphrase: str, grounds: str, now: datetime | None = None
) -> Status:
    """The applicant appeals (see `lodge_appeal_by_applicant`); answers with their status page's data."""
    lodge_appeal_by_applicant(uow, receipt=receipt, passphrase=passphrase, grounds=grounds, now=now)
    return check_status(uow, receipt=receipt, passphrase=passphrase)


def _outcome(uow: UnitOfWork, case: Case, now: datetime) -> ApplicantOutcome | None:
    d = _latest(uow, case)
    if d is None:
        return None
    appeal = uow.session.scalars(select(AppealRow).where(AppealRow.decision_id == d.id)).first()
    open_appeal = uow.session.scalars(
        select(AppealRow).where(AppealRow.case_id == case.id, AppealRow.status == "lodged")
    ).first()
    can = (
        appeal is None
        and case.stage in (Stage.REFUSED.value, Stage.EXCLUDED.value)
        and d.appeal_deadline is not None
        and now <= d.appeal_deadline
    )
    decided = uow.session.scalars(select(AppealRow).where(AppealRow.outcome_decision_id == d.id)).first()
    shown = open_appeal or appeal or decided
    return ApplicantOutcome(
        d.outcome,
        d.instance,
        d.decided_at,
        d.appeal_deadline,
        days_left(d.appeal_deadline, now),
        can,
        shown.status if shown else None,
        shown.lodged_at if shown else None,
    )


def outcome_of(uow: UnitOfWork, case: Case, now: datetime | None = None) -> ApplicantOutcome | None:
    """The decision part of the applicant's status (the case was loaded by their credentials)."""
    return _outcome(uow, case, now or utcnow())


def applicant_outcome(
    uow: UnitOfWork, *, receipt: str, passphrase: str, now: datetime | None = None
) -> ApplicantOutcome | None:
    """The applicant's decision and appeal, or None while undecided."""
    now = now or utcnow()
    with uow:
        case = _case_by_credentials(uow, receipt, passphrase)
        return _outcome(uow, case, now)


def applicant_letter(
    uow: UnitOfWork, *, receipt: str, passphrase: str, lang: str | None = None
) -> decisions.LetterData:
    """The applicant's latest decision letter (the download is audited, by id only)."""
    with uow:
        case = _case_by_credentials(uow, receipt, passphrase)
        data = decisions.letter_data_for(uow, case, None, lang)
        uow.audit.record(Actor.applicant(), AuditEvent.LETTER_READ, "decision", data.decision.id, fields=("core",))
        uow.commit()
        return data
