"""Builders for the statistics tests: a hand-built data set with known answers (real services, real DB)."""

from __future__ import annotations

from typing import Any

from safepassage.domain.case import Application, FamilyMember, Relationship, SurrenderRequest
from safepassage.domain.decision import Outcome
from safepassage.domain.pathways import Pathway
from safepassage.domain.person import PartialDate, Person, PersonName
from safepassage.domain.stages import Stage
from safepassage.security.policy import Role
from safepassage.services import appeals, casework, evaluations, intake, statistics
from safepassage.store.models import new_id
from safepassage.store.models_screening import IdentityLink
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.decisions_util import decide, version_of
from tests.helpers import application

SYSTEM = Actor.system()
S = Stage


def apply_(env: Env, pathways: set[Pathway], family: int = 0, summons: bool = False) -> str:
    person = Person(PersonName("Алексей", "Петров"), PartialDate(1990, 4))
    members = tuple(FamilyMember(Relationship.CHILD, Person(PersonName(f"Оля{i}", "Петрова"))) for i in range(family))
    app = Application(frozenset(pathways), person, family=members, summons_received=summons)
    return intake.submit_application(env.db.uow(), actor=Actor.applicant(), application=app).case_id


def surrender(env: Env, size: int) -> str:
    req = SurrenderRequest("в/ч 00000", "юг", "signal", "@h", size)
    return intake.record_surrender_request(env.db.uow(), actor=SYSTEM, request=req).case_id


def move(env: Env, case_id: str, *stages: Stage) -> None:
    for stage in stages:
        with env.db.uow(readonly=True) as uow:
            case = uow.get_case(case_id)
            assert case is not None
            version, current = case.version, case.stage
        if current == stage.value:
            continue  # the case flow moved it already (screening with no hits goes on to review)
        casework.move_case(env.db.uow(), actor=SYSTEM, case_id=case_id, to=stage, expected_version=version)


def link(env: Env, a: str, b: str, status: str = "confirmed") -> str:
    with env.db.uow() as uow:
        link = IdentityLink(id=new_id(), case_id=b, other_case_id=a, score=0.99, detail=b"\x00", status=status,
                            decided_at=utcnow())
        uow.session.add(link)
        uow.commit()
        return link.id


TO_DECISION = (S.SCREENING, S.REVIEW, S.DECISION_PENDING)


def build(env: Env) -> dict[str, str]:
    ids = {
        "a": apply_(env, {Pathway.MOBILIZATION_EVADER}, family=2, summons=True),
        "b": apply_(env, {Pathway.MOBILIZATION_EVADER}, family=1),
        "c": apply_(env, {Pathway.DESERTER}),
        "d": surrender(env, 3),
        "e": surrender(env, 2),
        "f": apply_(env, {Pathway.DISSIDENT}, family=1),
        "g": apply_(env, {Pathway.WAR_REFUGEE, Pathway.DISSIDENT}),
    }
    move(env, ids["a"], *TO_DECISION)
    evaluations.evaluate_case(env.db.uow(), actor=SYSTEM, case_id=ids["a"])
    decide(env, SYSTEM, ids["a"], Outcome.GRANT, legal_basis="eu_qd_9_2_e")
    statistics.record_arrival(env.db.uow(), actor=env.actor(Role.SUPERVISOR), case_id=ids["a"],
                              arrived_on=utcnow().date())
    move(env, ids["b"], S.WITHDRAWN)
    link(env, ids["a"], ids["b"])
    move(env, ids["c"], S.WITHDRAWN)
    move(env, ids["d"], S.SURRENDER_ARRANGED, S.IN_CUSTODY, S.RECEIVED)
    move(env, ids["e"], S.SURRENDER_ARRANGED)
    move(env, ids["f"], *TO_DECISION)
    decide(env, SYSTEM, ids["f"], Outcome.REFUSE)
    appeals.lodge_appeal(env.db.uow(), actor=SYSTEM, case_id=ids["f"], grounds="Ґрунти",
                         expected_version=version_of(env, ids["f"]))
    evaluations.evaluate_case(env.db.uow(), actor=SYSTEM, case_id=ids["f"])
    decide(env, env.actor(Role.ADJUDICATOR), ids["f"], Outcome.GRANT, legal_basis="conv_political")
    return ids




def granted_case(env: Env, case_id: str | None = None) -> str:
    """A granted application (a fresh one unless given)."""
    case_id = case_id or apply_(env, {Pathway.DESERTER})
    move(env, case_id, *TO_DECISION)
    evaluations.evaluate_case(env.db.uow(), actor=SYSTEM, case_id=case_id)
    decide(env, SYSTEM, case_id, Outcome.GRANT, legal_basis="eu_qd_9_2_e")
    return case_id


def fill_arrival(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """OpenAPI-example filler: grant the live case first (arrival needs a granted case)."""
    granted_case(live.env, live.case_id)
    return ex


def stats_request(client: Any, env: Env, method: str, path: str) -> tuple[str, str, dict[str, Any] | None] | None:
    """A valid request for a statistics route (authorisation matrix), or None for other routes."""
    if path.endswith("/arrival") and "{case_id}" in path:
        case_id = client.post("/api/applications", json=application()).json()["case_id"]
        granted_case(env, case_id)
        body = {"arrived_on": None} if path.startswith("/api/") else None
        return method, path.replace("{case_id}", case_id), body
    if path == "/api/stats":
        return method, "/api/stats?from=2026-01-01&to=2026-03-31", None
    return None


def prepare_page(env: Env, route: str, case_id: str) -> None:
    """CSRF inventory: the arrival form shows on granted cases only."""
    if route.endswith("/arrival"):
        granted_case(env, case_id)
