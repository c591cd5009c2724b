"""Builders for the decision tests: cases moved to a decision, decided, appealed (real services, real DB)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from safepassage.domain.decision import Outcome
from safepassage.domain.stages import Stage
from safepassage.services import casework, decisions, evaluations
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.helpers import application

HOSTILE_REASON = "{{ 7*7 }} <script>alert(1)</script> Ґрицько Євгенія Їжак Ёлкин Sеrgеy Дми\u200bтрий"
REFUSAL = {"credibility": ("not_met", "Розповідь про повістку суперечить документам; ґ є і ї ё")}


def new_case(client: TestClient, **extra: Any) -> dict[str, Any]:
    """A fresh application through the public API: {case_id, receipt, passphrase}."""
    r = client.post("/api/applications", json=application(**extra))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def to_decision(env: Env, case_id: str, facts: list[str] | None = None) -> int:
    """Move a case to decision_pending (recording facts if given); returns its version."""
    path = [Stage.RECEIVED, Stage.SCREENING, Stage.REVIEW, Stage.DECISION_PENDING]
    for _ in range(4):  # screening may move the case on by itself (no hits): follow wherever it is
        with env.db.uow() as uow:
            case = uow.get_case(case_id)
            assert case is not None
            stage, version = Stage(case.stage), case.version
        if stage is Stage.DECISION_PENDING:
            break
        nxt = path[path.index(stage) + 1]
        casework.move_case(env.db.uow(), actor=Actor.system(), case_id=case_id, to=nxt, expected_version=version)
    if facts is not None:
        evaluations.record_facts(env.db.uow(), actor=Actor.system(), case_id=case_id, facts=facts)
    return version_of(env, case_id)


def version_of(env: Env, case_id: str) -> int:
    """The case's current version."""
    with env.db.uow() as uow:
        case = uow.get_case(case_id)
        assert case is not None
        return case.version


def decide(
    env: Env,
    actor: Actor,
    case_id: str,
    outcome: Outcome = Outcome.REFUSE,
    *,
    summary: str = HOSTILE_REASON,
    findings: dict[str, tuple[str, str]] | None = None,
    legal_basis: str | None = None,
    now: datetime | None = None,
    destination: str = "eu",
) -> decisions.DecisionView:
    """Decide through the service with the case's current version."""
    if findings is None:
        findings = REFUSAL if outcome is Outcome.REFUSE else {"credibility": ("met", "Consistent account.")}
    return decisions.decide(
        env.db.uow(),
        actor=actor,
        case_id=case_id,
        outcome=outcome,
        destination=destination,
        legal_basis=legal_basis,
        findings=findings,
        summary=summary,
        expected_version=version_of(env, case_id),
        now=now,
    )


def refused_case(client: TestClient, env: Env, now: datetime | None = None) -> dict[str, Any]:
    """A case refused by the system actor (so any adjudicator may decide its appeal)."""
    rec = new_case(client)
    to_decision(env, rec["case_id"])
    decide(env, Actor.system(), rec["case_id"], now=now)
    return rec


def decision_request(
    client: TestClient, env: Env, method: str, path: str
) -> tuple[str, str, dict[str, Any] | None] | None:
    """A valid request for one of the decision routes (for the authorisation matrix), or None for other routes."""
    creds_paths = {"/api/decision", "/api/appeals", "/api/letter"}
    if path in creds_paths:
        rec = refused_case(client, env)
        body: dict[str, Any] | None = {"receipt": rec["receipt"], "passphrase": rec["passphrase"]}
        return method, path, body
    if "{case_id}" not in path:
        return None
    tail = path.split("{case_id}", 1)[1]
    if tail not in {"/facts", "/evaluations", "/evaluations/latest", "/decisions", "/letter", "/appeals"}:
        return None
    if tail in {"/letter", "/appeals"}:
        rec = refused_case(client, env)
        path = path.replace("{case_id}", rec["case_id"])
        body = {"grounds": "Ґрунти {{ x }}", "version": version_of(env, rec["case_id"])} if method == "POST" else None
        return method, path, body
    rec = new_case(client)
    if tail == "/decisions" and method == "POST":
        version = to_decision(env, rec["case_id"])
        body = {
            "outcome": "refuse",
            "destination": "eu",
            "summary": "Причины",
            "findings": {"credibility": {"finding": "not_met", "reasoning": "Противоречия"}},
            "version": version,
        }
        return method, path.replace("{case_id}", rec["case_id"]), body
    body = {"facts": ["summons_received"]} if tail == "/facts" and method == "POST" else None
    return method, path.replace("{case_id}", rec["case_id"]), body


def _refuse(live: Any) -> None:
    to_decision(live.env, live.case_id)
    decide(live.env, Actor.system(), live.case_id)


def fill_decision(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """The OpenAPI example of a decision, for the live case moved to a decision."""
    return {**ex, "version": to_decision(live.env, live.case_id)}


def fill_staff_appeal(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """The example of a staff appeal, for the live case once refused."""
    _refuse(live)
    return {**ex, "version": version_of(live.env, live.case_id)}


def fill_applicant(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """An applicant's example with the live credentials (the case undecided)."""
    return {**ex, "receipt": live.receipt, "passphrase": live.passphrase}


def fill_applicant_refused(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """An applicant's example with the live credentials, once the case is refused."""
    _refuse(live)
    return fill_applicant(ex, live)


_PAGE_USERS = {"/console/cases/{case_id}/decisions": "adjudicator"}


def page_user(route: str) -> str | None:
    """Which template user's case page offers the form for a decision route (None for other routes)."""
    return _PAGE_USERS.get(route)


def prepare_page(env: Env, route: str, case_id: str) -> None:
    """Bring the case to where its page offers the form for `route` (CSRF inventory)."""
    if route.endswith("/decisions"):
        to_decision(env, case_id)
    elif route.endswith("/evaluations"):
        evaluations.record_facts(env.db.uow(), actor=Actor.system(), case_id=case_id, facts=["at_front"])
    elif route.endswith("/appeals") or route in ("/appeal", "/letter"):
        to_decision(env, case_id)
        decide(env, Actor.system(), case_id)
