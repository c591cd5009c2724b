"""Appeals: lodged by the applicant or by staff only within the policy's deadline (time frozen with
`now=`), the case moves to `appeal`, and whoever decided the case can never decide its appeal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.domain.decision import AppealDeadlinePassed, DifferentAdjudicatorRequired, Outcome
from safepassage.domain.errors import DomainError, Forbidden, IllegalTransition
from safepassage.security.policy import Role
from safepassage.services import appeals
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.decisions_util import decide, new_case, refused_case, to_decision, version_of

pytestmark = pytest.mark.db
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _stage(client: TestClient, env: Env, case_id: str) -> str:
    stage: str = client.get(f"/api/cases/{case_id}", headers=env.headers(Role.ADJUDICATOR)).json()["stage"]
    return stage


def test_applicant_appeals_on_the_last_day_but_not_a_second_after(client: TestClient, env: Env) -> None:
    late = refused_case(client, env, now=T0)
    with pytest.raises(AppealDeadlinePassed, match="2026-12-01"):
        appeals.lodge_appeal_by_applicant(
            env.db.uow(),
            receipt=late["receipt"],
            passphrase=late["passphrase"],
            grounds="",
            now=T0 + timedelta(days=30, seconds=1),
        )
    assert _stage(client, env, late["case_id"]) == "refused"
    out = appeals.applicant_outcome(
        env.db.uow(), receipt=late["receipt"], passphrase=late["passphrase"], now=T0 + timedelta(days=30, seconds=1)
    )
    assert out is not None and not out.can_appeal and out.days_left == -1

    ok = refused_case(client, env, now=T0)
    lodged = appeals.lodge_appeal_by_applicant(
        env.db.uow(),
        receipt=ok["receipt"],
        passphrase=ok["passphrase"],
        grounds="Мене не вислухали {{ 7*7 }}",
        now=T0 + timedelta(days=30),
    )
    assert lodged.appeal_status == "lodged" and not lodged.can_appeal
    assert _stage(client, env, ok["case_id"]) == "appeal"
    with pytest.raises(IllegalTransition):  # one appeal per decision
        appeals.lodge_appeal_by_applicant(
            env.db.uow(), receipt=ok["receipt"], passphrase=ok["passphrase"], grounds="", now=T0 + timedelta(days=1)
        )


def test_staff_lodge_within_the_deadline_and_the_api_refuses_after_it(client: TestClient, env: Env) -> None:
    rec = refused_case(client, env, now=datetime.now(UTC) - timedelta(days=31))
    r = client.post(
        f"/api/cases/{rec['case_id']}/appeals",
        json={"grounds": "", "version": version_of(env, rec["case_id"])},
        headers=env.headers(Role.CASEWORKER),
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "appeal_deadline_passed"
    r = client.post("/api/appeals", json={"receipt": rec["receipt"], "passphrase": rec["passphrase"]})
    assert r.status_code == 409 and "ended" in r.json()["error"]["message"]
    assert _stage(client, env, rec["case_id"]) == "refused"

    fresh = refused_case(client, env)
    stale = client.post(
        f"/api/cases/{fresh['case_id']}/appeals", json={"version": 1}, headers=env.headers(Role.CASEWORKER)
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    r = client.post(
        f"/api/cases/{fresh['case_id']}/appeals",
        json={"grounds": "Ґрунти: нові документи", "version": version_of(env, fresh["case_id"])},
        headers=env.headers(Role.CASEWORKER),
    )
    assert r.status_code == 201, r.text
    assert _stage(client, env, fresh["case_id"]) == "appeal"
    listed = client.get(f"/api/cases/{fresh['case_id']}/decisions", headers=env.headers(Role.ADJUDICATOR)).json()
    assert listed[0]["appeal"]["status"] == "lodged" and listed[0]["appeal"]["grounds"] == "Ґрунти: нові документи"


def test_a_grant_and_an_undecided_case_cannot_be_appealed(client: TestClient, env: Env) -> None:
    rec = new_case(client)
    r = client.post("/api/appeals", json={"receipt": rec["receipt"], "passphrase": rec["passphrase"]})
    assert r.status_code == 409
    to_decision(env, rec["case_id"], facts=[])
    decide(env, Actor.system(), rec["case_id"], Outcome.GRANT, legal_basis="conv_political")
    r = client.post("/api/appeals", json={"receipt": rec["receipt"], "passphrase": rec["passphrase"]})
    assert r.status_code == 409 and _stage(client, env, rec["case_id"]) == "granted"


def test_the_original_adjudicator_is_refused_and_another_decides_the_appeal(client: TestClient, env: Env) -> None:
    rec = new_case(client)
    to_decision(env, rec["case_id"])
    r = client.post(
        f"/api/cases/{rec['case_id']}/decisions",
        headers=env.headers(Role.ADJUDICATOR),
        json={
            "outcome": "refuse",
            "destination": "eu",
            "summary": "Причины",
            "findings": {"nexus": {"finding": "not_met", "reasoning": "Нет связи"}},
            "version": version_of(env, rec["case_id"]),
        },
    )
    assert r.status_code == 201, r.text
    assert (
        client.post(
            "/api/appeals",
            json={"receipt": rec["receipt"], "passphrase": rec["passphrase"], "grounds": "Несправедливо"},
        ).status_code
        == 201
    )
    body = {
        "outcome": "refuse",
        "destination": "eu",
        "summary": "Again",
        "findings": {"nexus": {"finding": "not_met", "reasoning": "Still"}},
        "version": version_of(env, rec["case_id"]),
    }
    same = client.post(f"/api/cases/{rec['case_id']}/decisions", json=body, headers=env.headers(Role.ADJUDICATOR))
    assert same.status_code == 403 and same.json()["error"]["code"] == "different_adjudicator_required"
    assert _stage(client, env, rec["case_id"]) == "appeal"
    other = Actor("staff", "adjudicator", str(uuid.uuid4()))
    view = decide(env, other, rec["case_id"], Outcome.REFUSE)
    assert view.instance == "appeal" and _stage(client, env, rec["case_id"]) == "refused"
    status = client.post("/api/decision", json={"receipt": rec["receipt"], "passphrase": rec["passphrase"]}).json()
    assert status["instance"] == "appeal" and status["appeal_status"] == "decided" and not status["can_appeal"]
    assert status["appeal_deadline"] is None  # a decision on appeal is final


ROLES = [Role.ADJUDICATOR, Role.CASEWORKER, Role.SUPERVISOR, Role.SCREENING_ANALYST]


@given(
    first=st.integers(0, 2),
    steps=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(ROLES)), min_size=1, max_size=4),
)
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_whoever_decided_a_case_never_decides_its_appeal(
    client: TestClient, env: Env, first: int, steps: list[tuple[int, Role]]
) -> None:
    people = [str(uuid.UUID(int=i + 1)) for i in range(3)]  # three staff members, any role they are given
    rec = new_case(client)
    to_decision(env, rec["case_id"])
    decide(env, Actor("staff", "adjudicator", people[first]), rec["case_id"])
    deciders = {people[first]}
    appeals.lodge_appeal(
        env.db.uow(),
        actor=Actor.system(),
        case_id=rec["case_id"],
        grounds="",
        expected_version=version_of(env, rec["case_id"]),
    )
    for who, role in steps:
        actor = Actor("staff", role.value, people[who])
        try:
            decide(env, actor, rec["case_id"])
        except DifferentAdjudicatorRequired:
            assert people[who] in deciders and role is Role.ADJUDICATOR
            continue
        except Forbidden:
            assert role is not Role.ADJUDICATOR  # only adjudicators decide at all
            continue
        except DomainError as exc:  # nothing else may refuse a lawful appeal decision
            raise AssertionError(exc) from exc
        assert role is Role.ADJUDICATOR and people[who] not in deciders, "a decider re-decided their own case"
        assert _stage(client, env, rec["case_id"]) == "refused"
        return  # decided on appeal: final
    assert _stage(client, env, rec["case_id"]) == "appeal"  # nobody lawful tried: still waiting
