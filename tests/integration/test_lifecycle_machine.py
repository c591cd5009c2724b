"""Hypothesis state machine over the real services and database.

Invariants: a decided case went through screening and review; every committed transition has
exactly one audit entry; illegal or stale moves change nothing.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from safepassage.domain.case import Application, SurrenderRequest
from safepassage.domain.errors import DomainError
from safepassage.domain.pathways import Pathway
from safepassage.domain.person import Person, PersonName
from safepassage.domain.stages import DECIDED, Stage
from safepassage.security.policy import Role
from safepassage.services import casework, intake
from safepassage.store.models import AuditEntry, Case, StageEvent
from tests.conftest import Env

ROLES = [Role.CASEWORKER, Role.ADJUDICATOR, Role.INTAKE_OPERATOR, Role.SCREENING_ANALYST, Role.SUPERVISOR]


def run_machine(env: Env) -> None:
    """Build and run the lifecycle state machine against this environment's database."""

    class Lifecycle(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.cases: dict[str, int] = {}  # case id → version we believe current
            self.stages: dict[str, Stage] = {}
            self.committed = 0

        @initialize()
        def start(self) -> None:
            with env.db.uow() as uow:
                self.base_events = uow.count(StageEvent)
                self.base_audit = int(
                    uow.session.scalar(
                        select(func.count()).select_from(AuditEntry).where(AuditEntry.event == "case.transitioned")
                    )
                    or 0
                )

        @rule(kind=st.sampled_from(["web", "surrender"]))
        def new_case(self, kind: str) -> None:
            if kind == "web":
                app = Application(frozenset({Pathway.DESERTER}), Person(PersonName("Іван", "Їжак")))
                r = intake.submit_application(env.db.uow(), actor=env.actor(Role.CASEWORKER), application=app)
                self.stages[r.case_id] = Stage.RECEIVED
            else:
                req = SurrenderRequest("в/ч 1", "юг", "signal", "@x")
                r = intake.record_surrender_request(env.db.uow(), actor=env.actor(Role.INTAKE_OPERATOR), request=req)
                self.stages[r.case_id] = Stage.SURRENDER_REQUESTED
            self.cases[r.case_id] = 1

        @precondition(lambda self: bool(self.cases))
        @rule(data=st.data(), to=st.sampled_from(list(Stage)), role=st.sampled_from(ROLES), stale=st.booleans())
        def move(self, data: st.DataObject, to: Stage, role: Role, stale: bool) -> None:
            case_id = data.draw(st.sampled_from(sorted(self.cases)))
            version = self.cases[case_id] - 1 if stale else self.cases[case_id]
            try:
                out = casework.move_case(
                    env.db.uow(), actor=env.actor(role), case_id=case_id, to=to, expected_version=version
                )
            except DomainError:
                return
            assert not stale, "a stale version was accepted"
            self.cases[case_id] = out.version
            self.stages[case_id] = Stage(out.stage)
            # entering screening screens the case; with no hit it moves on to review by itself (a second move)
            self.committed += 2 if to is Stage.SCREENING and out.stage == Stage.REVIEW else 1

        @invariant()
        def database_agrees(self) -> None:
            with env.db.uow() as uow:
                stored = dict(uow.session.execute(select(Case.id, Case.stage)).all())
                for case_id, stage in self.stages.items():
                    assert stored[case_id] == stage.value
                moves = uow.count(StageEvent) - self.base_events - len(self.cases)
                audits = (
                    int(
                        uow.session.scalar(
                            select(func.count()).select_from(AuditEntry).where(AuditEntry.event == "case.transitioned")
                        )
                        or 0
                    )
                    - self.base_audit
                )
                assert moves == audits == self.committed
                for case_id, stage in self.stages.items():
                    if stage in DECIDED:
                        path = set(
                            uow.session.scalars(select(StageEvent.to_stage).where(StageEvent.case_id == case_id)).all()
                        )
                        assert {"screening", "review", "decision_pending"} <= path

    Lifecycle.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    Lifecycle.TestCase().runTest()


def test_case_lifecycle_state_machine(env: Env) -> None:
    run_machine(env)


@pytest.mark.slow
def test_case_lifecycle_state_machine_soak(env: Env) -> None:
    for _ in range(10):
        run_machine(env)
