"""Decisions: grant, refuse or exclude with reasons structured against the legal tests and the policy's
trace; the case moves to its decided stage in the same transaction; appeals are re-decided by a
different adjudicator. Letters are rendered on demand from the sealed reasons (see rendering/letters.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from safepassage.domain.decision import (
    STAGE_OF,
    DifferentAdjudicatorRequired,
    Outcome,
    Reasons,
    appeal_deadline,
    build_reasons,
    days_left,
    parse_findings,
)
from safepassage.domain.errors import Erased, Forbidden, IllegalTransition, NotFound, StaleVersion
from safepassage.domain.stages import DECIDED, Stage, check_transition
from safepassage.security.access import case_for_read, case_for_update
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.services import evaluations
from safepassage.services.exclusion import approved_record
from safepassage.store.models import Case, StageEvent, User
from safepassage.store.models_decisions import AppealRow, DecisionRow
from safepassage.store.models_stats import StatsStateRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, Database, UnitOfWork

#: Reasons and letters name the applicant and say what they told us.
LETTER_FIELDS = (FieldClass.CORE, FieldClass.IDENTITY, FieldClass.NARRATIVE)
LETTER_LANGUAGES = ("ru", "uk", "en")
DECIDABLE = frozenset({Stage.DECISION_PENDING, Stage.APPEAL})
SYSTEM_ID = "system"


def letter_language(case_language: str) -> str:
    """Letters are in ru, uk or en: Belarusian-speaking applicants get Russian (documented in docs/decisions.md)."""
    return case_language if case_language in LETTER_LANGUAGES else "ru"


@dataclass(frozen=True)
class AppealView:
    """An appeal as staff see it."""

    id: str
    decision_id: str
    lodged_by_kind: str
    lodged_at: datetime
    deadline: datetime
    status: str
    grounds: str | None
    outcome_decision_id: str | None


@dataclass(frozen=True)
class DecisionView:
    """A decision; `reasons` only for those who may read them."""

    id: str
    case_id: str
    outcome: str
    instance: str
    decided_by: str
    decided_at: datetime
    appeal_deadline: datetime | None
    days_left: int | None
    policy_version: str
    language: str
    exclusion_record_id: str | None
    reasons: Reasons | None
    appeal: AppealView | None


def approved_exclusion(uow: UnitOfWork, case_id: str) -> tuple[str, str | None] | None:
    """The approved Art. 1F record about the case's principal, as (record id, author id), or None."""
    record = approved_record(uow, case_id)
    return None if record is None else (record.id, record.author_id)


def _open_appeal(uow: UnitOfWork, case_id: str) -> AppealRow | None:
    return uow.session.scalars(
        select(AppealRow).where(AppealRow.case_id == case_id, AppealRow.status == "lodged")
    ).first()


def _move(uow: UnitOfWork, actor: Actor, case: Case, to: Stage, now: datetime) -> None:
    current = Stage(case.stage)
    check_transition(current, to)
    case.stage, case.updated_at, case.stage_changed_at = to.value, now, now
    uow.session.add(
        StageEvent(case_id=case.id, from_stage=current.value, to_stage=to.value, actor_id=actor.user_id, at=now)
    )
    uow.audit.record(actor, AuditEvent.CASE_TRANSITIONED, "case", case.id, fields=("stage",))


def decide(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    outcome: Outcome,
    destination: str,
    legal_basis: str | None,
    findings: dict[str, tuple[str, str]],
    summary: str,
    expected_version: int,
    now: datetime | None = None,
) -> DecisionView:
    """Decide a case awaiting decision (or on appeal: final, no further appeal): reasons checked, case moved."""
    parsed = parse_findings(findings)
    loaded = evaluations.current_policy()
    now = now or utcnow()
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.DECIDE)
        if case.version != expected_version:
            raise StaleVersion(
                f"This case was changed by someone else (your version {expected_version}, current {case.version}). "
                "Reload it and try again; nothing was changed."
            )
        if Stage(case.stage) not in DECIDABLE:
            raise IllegalTransition(
                f"Only a case awaiting decision or on appeal can be decided; this one is in stage '{case.stage}'."
            )
        me = actor.user_id or SYSTEM_ID
        appeal = _open_appeal(uow, case.id)
        if appeal is not None:
            earlier = set(uow.session.scalars(select(DecisionRow.decided_by).where(DecisionRow.case_id == case.id)))
            if me in earlier:
                raise DifferentAdjudicatorRequired(
                    "An appeal must be decided by a different adjudicator than the one who decided the case."
                )
        record = approved_exclusion(uow, case.id) if outcome is Outcome.EXCLUDE else None
        if record is not None and record[1] == me:
            raise Forbidden("The author of the exclusion record cannot decide the exclusion (four eyes).")
        ev_row = evaluations.latest_row(uow, case)
        ev = evaluations.as_evaluation(evaluations.open_evaluation(uow, case, ev_row)) if ev_row else None
        reasons = build_reasons(
            outcome=outcome,
            destination=destination,
            legal_basis=legal_basis,
            findings=parsed,
            summary=summary,
            policy=loaded.policy,
            evaluation=ev,
            exclusion_record_id=record[0] if record else None,
        )
        if Stage(case.stage) is Stage.APPEAL:
            _move(uow, actor, case, Stage.DECISION_PENDING, now)
        _move(uow, actor, case, STAGE_OF[outcome], now)
        row = DecisionRow(
            case_id=case.id,
            outcome=outcome.value,
            destination=reasons.destination,
            instance="appeal" if appeal else "first",
            appeal_id=appeal.id if appeal else None,
            evaluation_id=ev_row.id if ev_row else None,
            policy_version=reasons.policy_version,
            exclusion_record_id=reasons.exclusion_record_id,
            decided_by=me,
            decided_at=now,
            appeal_deadline=None if appeal else appeal_deadline(loaded.policy, outcome, destination, now),
            language=letter_language(case.language),
            reasons=b"",
        )
        uow.session.add(row)
        uow.session.flush()
        row.reasons = uow.keys.for_case(case).seal_json(
            reasons.to_json(), table="decisions", column="reasons", row_id=row.id
        )
        if appeal is not None:
            appeal.status, appeal.outcome_decision_id, appeal.decided_at = "decided", row.id, now
        uow.audit.record(actor, AuditEvent.CASE_DECIDED, "decision", row.id, fields=("core", "narrative"))
        uow.commit()
        return _view(row, reasons, None, now)


def _view(row: DecisionRow, reasons: Reasons | None, appeal: AppealView | None, now: datetime) -> DecisionView:
    return DecisionView(
        row.id,
        row.case_id,
        row.outcome,
        row.instance,
        row.decided_by,
        row.decided_at,
        row.appeal_deadline,
        days_left(row.appeal_deadline, now),
        row.policy_version,
        row.language,
        row.exclusion_record_id,
        reasons,
        appeal,
    )


def open_reasons(uow: UnitOfWork, case: Case, row: DecisionRow) -> Reasons:
    """A decision's sealed reasons, opened."""
    data = uow.keys.for_case(case).open_json(row.reasons, table="decisions", column="reasons", row_id=row.id)
    return Reasons.from_json(data)


def fill_destinations(db: Database, batch: int = 500) -> tuple[int, int]:
    """Copy the destination code out of the sealed reasons of decisions made before it was kept in clear.

    Run by `safepassage db upgrade` after migration 0011 (migrations never hold the case keys).
    Idempotent. Decisions of erased cases cannot be opened and stay without a destination: statistics
    count them as "not recorded". Returns (filled, left unreadable). If anything was filled, the
    statistics summary is rebuilt at its next refresh.
    """
    filled = unreadable = 0
    skip: set[str] = set()
    while True:
        with db.uow() as uow:
            stmt = select(DecisionRow).where(DecisionRow.destination.is_(None))
            if skip:
                stmt = stmt.where(DecisionRow.id.not_in(skip))
            rows = list(uow.session.scalars(stmt.order_by(DecisionRow.id).limit(batch)))
            if not rows:
                break
            for row in rows:
                case = uow.session.get(Case, row.case_id)
                try:
                    if case is None or case.erased_at is not None:
                        raise Erased("erased")
                    row.destination = open_reasons(uow, case, row).destination
                    filled += 1
                except Erased:
                    skip.add(row.id)
                    unreadable += 1
            if filled:
                uow.session.execute(delete(StatsStateRow))
            uow.commit()
    return filled, unreadable


def _appeal_view(uow: UnitOfWork, case: Case, a: AppealRow, with_grounds: bool) -> AppealView:
    grounds = None
    if with_grounds and a.grounds is not None:
        grounds = uow.keys.for_case(case).decrypt(a.grounds, table="appeals", column="grounds", row_id=a.id).decode()
    return AppealView(
        a.id, a.decision_id, a.lodged_by_kind, a.lodged_at, a.deadline, a.status, grounds, a.outcome_decision_id
    )


def decision_rows(uow: UnitOfWork, case_id: str) -> list[DecisionRow]:
    """A case's decisions, oldest first."""
    return list(
        uow.session.scalars(
            select(DecisionRow).where(DecisionRow.case_id == case_id).order_by(DecisionRow.decided_at, DecisionRow.id)
        )
    )


def list_decisions(uow: UnitOfWork, *, actor: Actor, case_id: str, now: datetime | None = None) -> list[DecisionView]:
    """A case's decisions and appeals with their reasons (a sensitive read: audited)."""
    evaluations.check_read_role(actor, LETTER_FIELDS)
    now = now or utcnow()
    with uow:
        case = case_for_read(uow, actor, case_id, fields=LETTER_FIELDS)
        appeals = {a.decision_id: a for a in uow.session.scalars(select(AppealRow).where(AppealRow.case_id == case.id))}
        out = []
        for row in decision_rows(uow, case.id):
            a = appeals.get(row.id)
            out.append(_view(row, open_reasons(uow, case, row), _appeal_view(uow, case, a, True) if a else None, now))
        uow.commit()
        return out


@dataclass(frozen=True)
class LetterData:
    """Everything a decision letter says, already opened (rendered by rendering/letters.py)."""

    receipt: str
    name: str
    decision: DecisionView
    reasons: Reasons
    bases: dict[str, str]  # legal basis id → the policy's description
    destinations: dict[str, str]
    language: str


def _principal_name(uow: UnitOfWork, case: Case) -> str:
    from safepassage.services.casework import open_persons

    for row, data in open_persons(uow, case):
        if row.is_principal:
            n = data["person"]["name"]
            return " ".join(p for p in (n.get("first", ""), n.get("patronymic", ""), n.get("last", "")) if p)
    return ""


def letter_data_for(uow: UnitOfWork, case: Case, decision_id: str | None, lang: str | None) -> LetterData:
    """The letter of one decision (the latest if None) of a case loaded through a chokepoint."""
    rows = decision_rows(uow, case.id)
    row = rows[-1] if rows and decision_id is None else next((r for r in rows if r.id == decision_id), None)
    if row is None:
        raise NotFound("No such decision.")
    policy = evaluations.current_policy().policy
    return LetterData(
        case.receipt,
        _principal_name(uow, case),
        _view(row, None, None, utcnow()),
        open_reasons(uow, case, row),
        dict(policy.bases),
        dict(policy.destinations),
        lang if lang in LETTER_LANGUAGES else row.language,
    )


def staff_letter(
    uow: UnitOfWork, *, actor: Actor, case_id: str, decision_id: str | None, lang: str | None = None
) -> LetterData:
    """A decision letter for staff to download (audited)."""
    evaluations.check_read_role(actor, LETTER_FIELDS)
    with uow:
        case = case_for_read(uow, actor, case_id, fields=LETTER_FIELDS)
        data = letter_data_for(uow, case, decision_id, lang)
        uow.audit.record(actor, AuditEvent.LETTER_READ, "decision", data.decision.id, fields=("identity", "narrative"))
        uow.commit()
        return data


@dataclass(frozen=True)
class DeadlineRow:
    """What the queue shows about a decided case's appeal."""

    outcome: str
    deadline: datetime | None
    days_left: int | None
    appeal_status: str | None


def deadlines(
    uow: UnitOfWork, *, actor: Actor, case_ids: list[str], now: datetime | None = None
) -> dict[str, DeadlineRow]:
    """Latest decision's appeal deadline (clear columns only) for each listed case that has one."""
    from safepassage.security.access import require

    require(actor, Action.LIST)
    now = now or utcnow()
    out: dict[str, DeadlineRow] = {}
    if not case_ids:
        return out
    with uow:
        rows = uow.session.scalars(
            select(DecisionRow)
            .where(DecisionRow.case_id.in_(case_ids))
            .order_by(DecisionRow.decided_at, DecisionRow.id)
        )
        latest: dict[str, DecisionRow] = {r.case_id: r for r in rows}
        appeals = {
            a.decision_id: a.status
            for a in uow.session.scalars(select(AppealRow).where(AppealRow.case_id.in_(case_ids)))
        }
        for cid, r in latest.items():
            out[cid] = DeadlineRow(r.outcome, r.appeal_deadline, days_left(r.appeal_deadline, now), appeals.get(r.id))
    return out


def decider_names(uow: UnitOfWork, ids: list[str]) -> dict[str, str]:
    """Usernames of deciders (staff pages show who decided)."""
    with uow:
        users: list[User] = list(uow.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
        return {u.id: u.username for u in users}


def decided_stage(stage: str) -> bool:
    """Whether a stage is a decided one."""
    return Stage(stage) in DECIDED


def as_json(view: DecisionView) -> dict[str, Any]:
    """A decision in the API's shape."""
    return {
        "id": view.id,
        "case_id": view.case_id,
        "outcome": view.outcome,
        "instance": view.instance,
        "decided_by": view.decided_by,
        "decided_at": view.decided_at,
        "appeal_deadline": view.appeal_deadline,
        "days_left": view.days_left,
        "policy_version": view.policy_version,
        "language": view.language,
        "exclusion_record_id": view.exclusion_record_id,
        "reasons": view.reasons.to_json() if view.reasons else None,
        "appeal": None
        if view.appeal is None
        else {
            "id": view.appeal.id,
            "lodged_by": view.appeal.lodged_by_kind,
            "lodged_at": view.appeal.lodged_at,
            "deadline": view.appeal.deadline,
            "status": view.appeal.status,
            "grounds": view.appeal.grounds,
            "outcome_decision_id": view.appeal.outcome_decision_id,
        },
    }
