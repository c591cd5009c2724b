"""Demo data for decisions: cases that reach a decided stage (or an appeal) go through the decision and
appeal services, with facts, reasons per legal test and hostile strings — never a plain stage move."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from safepassage.domain.decision import Outcome
from safepassage.domain.stages import Stage
from safepassage.security.policy import Role
from safepassage.services import appeals, decisions, evaluations, exclusion
from safepassage.store.models import Case, User
from safepassage.store.uow import Actor, Database

REASON = "Демо: {{ 7*7 }} <script>alert(1)</script> — ґ є і ї ё, Дми\u200bтрий"
DEMO_EXCLUSION = {  # fictional: an Art. 1F record written by an analyst, approved by an adjudicator
    "category": "1F(a)",
    "acts": "Демо-запись: вымышленные действия на блокпосту {{ 7*7 }}.",
    "act_time": "2022-03-05",
    "act_place": "Ірпінь",
    "act_unit": "в/ч 00000",
    "legal_characterisation": "War crime of wilful killing, Rome Statute art. 8(2)(a)(i)",
    "basis_sources": ["self_disclosure"],
    "mode_of_liability": "direct_perpetration",
    "mental_element": "Own account (fictional demo).",
    "duress_applies": False,
    "duress_finding": "No threat to life or limb (fictional demo).",
    "superior_orders_applies": False,
    "superior_orders_finding": "Manifestly unlawful (fictional demo).",
    "other_defences": "",
    "proportionality": "",
    "standard_of_proof": "Clear and credible (fictional demo).",
    "evidence": [{"kind": "statement", "id": "narrative", "note": "Demo"}],
}


def _staff(db: Database, role: Role) -> Actor:
    with db.uow() as uow:
        uid = uow.session.scalar(select(User.id).where(User.role == role.value, User.disabled.is_(False)).limit(1))
    return Actor("staff", role.value, uid or str(uuid.uuid4()))


def _version(db: Database, case_id: str) -> tuple[Stage, int]:
    with db.uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return Stage(case.stage), case.version


def reach(db: Database, case_id: str, stage: Stage) -> None:
    """Bring a demo case awaiting decision to `stage` (granted, refused, excluded, or appeal after a refusal)."""
    system = Actor.system()
    current, version = _version(db, case_id)
    if stage is Stage.APPEAL:
        if current in (Stage.REFUSED, Stage.EXCLUDED):
            appeals.lodge_appeal(db.uow(), actor=system, case_id=case_id, grounds=REASON, expected_version=version)
        return
    if current is not Stage.DECISION_PENDING:
        return
    ev = evaluations.record_facts(db.uow(), actor=system, case_id=case_id, facts=["family_in_danger"])
    version = _version(db, case_id)[1]  # the evaluation may have raised the priority
    if stage is Stage.GRANTED:
        dest = "eu" if ev.bases.get("eu") else next(iter(ev.bases))
        decisions.decide(
            db.uow(),
            actor=system,
            case_id=case_id,
            outcome=Outcome.GRANT,
            destination=dest,
            legal_basis=ev.bases[dest][0],
            findings={"credibility": ("met", "Последовательный рассказ.")},
            summary=REASON,
            expected_version=version,
        )
    elif stage is Stage.REFUSED:
        decisions.decide(
            db.uow(),
            actor=system,
            case_id=case_id,
            outcome=Outcome.REFUSE,
            destination="eu",
            legal_basis=None,
            findings={"credibility": ("not_met", "Противоречия в датах. " + REASON)},
            summary=REASON,
            expected_version=version,
        )
    elif stage is Stage.EXCLUDED:
        view = exclusion.save_record(
            db.uow(), actor=_staff(db, Role.SCREENING_ANALYST), case_id=case_id, data=DEMO_EXCLUSION, submit=True
        )
        approver = Actor("staff", Role.ADJUDICATOR.value, str(uuid.uuid4()))  # a second adjudicator
        exclusion.review_record(
            db.uow(),
            actor=approver,
            case_id=case_id,
            record_id=view.id,
            approve=True,
            reasons="",
            expected_version=view.version,
        )
        decisions.decide(
            db.uow(),
            actor=system,
            case_id=case_id,
            outcome=Outcome.EXCLUDE,
            destination="eu",
            legal_basis=None,
            findings={},
            summary=REASON,
            expected_version=_version(db, case_id)[1],
        )
