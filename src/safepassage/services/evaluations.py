"""Facts and evaluations: staff record a case's facts (sealed), the policy evaluates them, every
evaluation is stored with its policy version and the policy file's hash; `simulate` compares policies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from safepassage.domain.eligibility import DEFAULT_POLICY, Evaluation, Fired, Policy, evaluate, load_policy
from safepassage.domain.errors import Forbidden, InvalidInput, NotFound, StepUpRequired
from safepassage.domain.pathways import Pathway, Priority
from safepassage.security.access import CASE_NOT_FOUND, case_for_read, case_for_update, require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import STEP_UP_CLASSES, Action, FieldClass, Role, grant
from safepassage.services.intake import decode_pathways
from safepassage.store.models import Case
from safepassage.store.models_decisions import CaseFacts, EvaluationRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, Database, UnitOfWork

#: Facts and evaluations reveal what the applicant told us: they are read as narrative.
FACT_FIELDS = (FieldClass.CORE, FieldClass.NARRATIVE)


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy and the SHA-256 of the file it came from."""

    policy: Policy
    sha256: str
    path: Path


@cache
def _load(path: Path, mtime_ns: int) -> LoadedPolicy:
    return LoadedPolicy(load_policy(path), hashlib.sha256(path.read_bytes()).hexdigest(), path)


def policy_from(path: Path) -> LoadedPolicy:
    """A policy file, validated (clear InvalidInput naming the place otherwise), with its hash."""
    try:
        stat = path.stat()
    except OSError:
        raise InvalidInput(f"{path.name}: cannot read the policy file.") from None
    return _load(path.resolve(), stat.st_mtime_ns)


def current_policy() -> LoadedPolicy:
    """The policy in force (the shipped default)."""
    return policy_from(DEFAULT_POLICY)


@dataclass(frozen=True)
class FactsView:
    """A case's recorded facts and the vocabulary they come from."""

    facts: list[str]
    vocabulary: list[str]
    recorded_at: datetime | None
    recorded_by: str | None


@dataclass(frozen=True)
class EvaluationView:
    """A stored evaluation, opened."""

    id: str
    policy_version: str
    policy_sha256: str
    priority: str
    facts: list[str]
    bases: dict[str, list[str]]
    evidence: list[str]
    flags: list[str]
    trace: list[dict[str, str]]
    created_at: datetime
    actor_id: str | None


def check_read_role(actor: Actor, fields: tuple[FieldClass, ...]) -> None:
    """Refuse a role that may not read these classes at all: 403, or 404 if it cannot see cases
    (the same answers as the route inventory gives); staff without a recent step-up must confirm first."""
    try:
        require(actor, Action.READ, fields)
    except Forbidden:
        if actor.kind == "staff" and grant(Role(actor.role), Action.READ) is None:
            raise NotFound(CASE_NOT_FOUND) from None
        raise
    if actor.kind == "staff" and not actor.stepped_up and set(fields) & STEP_UP_CLASSES:
        raise StepUpRequired("Confirm your password (and code) first: POST /api/auth/step-up.")


def _pathways(case: Case) -> frozenset[Pathway]:
    return frozenset(Pathway(p) for p in decode_pathways(case.pathways))


def read_facts(uow: UnitOfWork, case: Case) -> list[str]:
    """The sealed facts of a case (empty when none were recorded)."""
    row = uow.session.get(CaseFacts, case.id)
    if row is None:
        return []
    data = uow.keys.for_case(case).open_json(row.payload, table="case_facts", column="payload", row_id=case.id)
    return list(data["facts"])


def _check_facts(policy: Policy, facts: list[str]) -> list[str]:
    unknown = sorted({f[:40] for f in facts} - set(policy.facts))
    if unknown:
        raise InvalidInput(f"Unknown facts: {', '.join(unknown)}. The policy knows: {', '.join(policy.facts)}.")
    return sorted(set(facts), key=policy.facts.index)


def get_facts(uow: UnitOfWork, *, actor: Actor, case_id: str) -> FactsView:
    """The facts recorded for a case (a sensitive read: audited)."""
    check_read_role(actor, FACT_FIELDS)
    vocabulary = current_policy().policy.facts
    with uow:
        case = case_for_read(uow, actor, case_id, fields=FACT_FIELDS)
        row = uow.session.get(CaseFacts, case.id)
        facts = read_facts(uow, case)
        uow.commit()
        return FactsView(facts, list(vocabulary), row.recorded_at if row else None, row.recorded_by if row else None)


def record_facts(uow: UnitOfWork, *, actor: Actor, case_id: str, facts: list[str]) -> EvaluationView:
    """Record a case's facts (replacing the earlier set) and evaluate it at once under the current policy."""
    loaded = current_policy()
    clean = _check_facts(loaded.policy, facts)
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.ASSESS)
        dk = uow.keys.for_case(case)
        row = uow.session.get(CaseFacts, case.id)
        payload = dk.seal_json({"facts": clean}, table="case_facts", column="payload", row_id=case.id)
        now = utcnow()
        if row is None:
            uow.session.add(CaseFacts(case_id=case.id, payload=payload, recorded_by=actor.user_id, recorded_at=now))
        else:
            row.payload, row.recorded_by, row.recorded_at = payload, actor.user_id, now
        uow.audit.record(actor, AuditEvent.FACTS_RECORDED, "case", case.id, fields=("narrative",))
        view = _store_evaluation(uow, actor, case, loaded, clean)
        uow.commit()
        return view


def evaluate_case(uow: UnitOfWork, *, actor: Actor, case_id: str) -> EvaluationView:
    """Evaluate a case's recorded facts under the current policy; the evaluation is stored."""
    loaded = current_policy()
    with uow:
        case = case_for_update(uow, actor, case_id, action=Action.ASSESS)
        view = _store_evaluation(uow, actor, case, loaded, read_facts(uow, case))
        uow.commit()
        return view


def _store_evaluation(
    uow: UnitOfWork, actor: Actor, case: Case, loaded: LoadedPolicy, facts: list[str]
) -> EvaluationView:
    ev = evaluate(loaded.policy, _pathways(case), frozenset(facts))
    row = EvaluationRow(
        case_id=case.id,
        policy_version=ev.policy_version,
        policy_sha256=loaded.sha256,
        priority=ev.priority.value,
        actor_id=actor.user_id,
        created_at=utcnow(),
        payload=b"",
    )
    uow.session.add(row)
    uow.session.flush()
    body = _evaluation_json(ev, facts)
    row.payload = uow.keys.for_case(case).seal_json(body, table="evaluations", column="payload", row_id=row.id)
    uow.audit.record(actor, AuditEvent.CASE_EVALUATED, "evaluation", row.id, fields=("narrative",))
    if ev.priority.value < case.priority:  # the queue follows the policy upwards; a person lowers priority
        case.priority, case.updated_at = ev.priority.value, utcnow()
    return _view(row, body)


def _evaluation_json(ev: Evaluation, facts: list[str]) -> dict[str, Any]:
    return {
        "facts": facts,
        "bases": ev.bases,
        "evidence": ev.evidence,
        "flags": ev.flags,
        "trace": [{"rule_id": f.rule_id, "description": f.description, "because": f.because} for f in ev.trace],
    }


def _view(row: EvaluationRow, body: dict[str, Any]) -> EvaluationView:
    return EvaluationView(
        row.id,
        row.policy_version,
        row.policy_sha256,
        row.priority,
        body["facts"],
        body["bases"],
        body["evidence"],
        body["flags"],
        body["trace"],
        row.created_at,
        row.actor_id,
    )


def latest_row(uow: UnitOfWork, case: Case) -> EvaluationRow | None:
    """The case's most recent evaluation row."""
    return uow.session.scalars(
        select(EvaluationRow)
        .where(EvaluationRow.case_id == case.id)
        .order_by(EvaluationRow.created_at.desc(), EvaluationRow.id)
        .limit(1)
    ).first()


def open_evaluation(uow: UnitOfWork, case: Case, row: EvaluationRow) -> EvaluationView:
    """A stored evaluation, unsealed."""
    body = uow.keys.for_case(case).open_json(row.payload, table="evaluations", column="payload", row_id=row.id)
    return _view(row, body)


def as_evaluation(view: EvaluationView) -> Evaluation:
    """A stored evaluation back in the domain's shape (for decisions)."""
    trace = [Fired(t["rule_id"], t["description"], t["because"]) for t in view.trace]
    return Evaluation(view.policy_version, view.bases, view.evidence, Priority(view.priority), view.flags, trace)


def latest_evaluation(uow: UnitOfWork, *, actor: Actor, case_id: str) -> EvaluationView | None:
    """The case's most recent evaluation with its trace, or None (a sensitive read: audited)."""
    check_read_role(actor, FACT_FIELDS)
    with uow:
        case = case_for_read(uow, actor, case_id, fields=FACT_FIELDS)
        row = latest_row(uow, case)
        view = open_evaluation(uow, case, row) if row else None
        uow.commit()
        return view


# ---- simulate ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What a new policy would change for one case."""

    case_id: str
    receipt: str
    field: str  # priority | bases.<destination> | evidence | flags
    before: str
    after: str


@dataclass(frozen=True)
class Simulation:
    """The changes a candidate policy would make, over every case with personal data."""

    current_version: str
    candidate_version: str
    cases: int
    changed_cases: int
    changes: list[Change]


def _diff(case: Case, a: Evaluation, b: Evaluation) -> list[Change]:
    out = []
    if a.priority != b.priority:
        out.append(Change(case.id, case.receipt, "priority", a.priority.value, b.priority.value))
    for dest in sorted(set(a.bases) | set(b.bases)):
        before, after = a.bases.get(dest, []), b.bases.get(dest, [])
        if set(before) != set(after):
            out.append(
                Change(case.id, case.receipt, f"bases.{dest}", ", ".join(before) or "—", ", ".join(after) or "—")
            )
    for name in ("evidence", "flags"):
        before, after = getattr(a, name), getattr(b, name)
        if set(before) != set(after):
            out.append(Change(case.id, case.receipt, name, "; ".join(before) or "—", "; ".join(after) or "—"))
    return out


def simulate(db: Database, *, actor: Actor, candidate: Policy, current: Policy | None = None) -> Simulation:
    """Evaluate every case (sealed facts opened) under the current and the candidate policy; list the differences.

    Facts the candidate does not declare are ignored for it (a rule cannot name them). Erased cases are skipped.
    """
    require(actor, Action.ASSESS, FACT_FIELDS)
    current = current or current_policy().policy
    changes: list[Change] = []
    cases = changed = 0
    with db.uow() as uow:
        for case in uow.session.scalars(
            select(Case).where(Case.erased_at.is_(None)).order_by(Case.created_at, Case.id)
        ):
            facts = frozenset(read_facts(uow, case))
            pathways = _pathways(case)
            a = evaluate(current, pathways, facts & frozenset(current.facts))
            b = evaluate(candidate, pathways, facts & frozenset(candidate.facts))
            diff = _diff(case, a, b)
            cases += 1
            changed += bool(diff)
            changes += diff
        uow.audit.record(actor, AuditEvent.POLICY_SIMULATED, "policy", None, fields=("narrative",))
        uow.commit()
    return Simulation(current.version, candidate.version, cases, changed, changes)
