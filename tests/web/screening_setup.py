"""Set-up for the generated route tests: a real screening hit, incident flag or possible duplicate."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Env
from tests.screening_support import apply, case_with_duplicate, case_with_flag, case_with_hit

_OURS = ("/screening", "/hits", "/flags", "/duplicates")


def request_for(client: TestClient, env: Env, method: str, path: str) -> tuple[str, str, dict[str, Any] | None] | None:
    """(method, path, body) for a screening route; None for anyone else's route."""
    if not any(part in path for part in _OURS):
        return None
    body: dict[str, Any] | None = None
    if path.endswith("/dispositions") or path.endswith("/hits") or "{hit_id}" in path:
        case_id, hit = case_with_hit(client, env)
        path = path.replace("{hit_id}", hit["id"])
        body = {"hit_id": hit["id"], "disposition": "false_positive", "reason": "Другой год рождения {{ x }}",
                "version": hit["version"]}
    elif path.endswith("/acknowledgements") or path.endswith("/flags"):
        case_id, flag = case_with_flag(client, env)
        body = {"flag_id": flag["id"], "note": "Интервью: март 2022 <b>"}
    elif path.endswith("/duplicates/decisions") or (method == "POST" and path.endswith("/duplicates")):
        case_id, link = case_with_duplicate(client, env)
        body = {"link_id": link["id"], "decision": "dismissed"}
    else:
        case_id = apply(client)["case_id"]
    return method, path.replace("{case_id}", case_id), body


# ---- the CSRF inventory (tests/web/test_csrf_inventory.py) ---------------------------------------------------


def page_user(route: str) -> str | None:
    """Who sees the form for a screening route."""
    if route.endswith(("/hits", "/flags")):
        return "screening-analyst"
    return "caseworker" if route.endswith("/duplicates") else None


def prepare_page(env: Env, route: str, case_id: str) -> str | None:
    """Make the hit, flag or duplicate whose form the route's page shows; returns that page's path."""
    live = SimpleNamespace(env=env, case_id=case_id)
    if route.endswith("/hits"):
        return f"/ru/console/cases/{case_id}/hits/{fill_disposition({}, live)['hit_id']}"
    if route.endswith("/flags"):
        fill_acknowledgement({}, live)
        return f"/ru/console/cases/{case_id}"
    if route.endswith("/duplicates"):
        fill_link_decision({}, live)
        return f"/ru/console/cases/{case_id}"
    return None


# ---- filling in the OpenAPI examples (tests/web/test_openapi_examples.py) --------------------------------


def _live_case(live: Any) -> tuple[Env, str]:
    return live.env, live.case_id


def fill_disposition(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """A real pending hit on the example's case: its applicant is listed, and the case enters screening."""
    from safepassage.domain.stages import Stage
    from safepassage.services import casework, screening_review
    from safepassage.store.uow import Actor
    from tests.screening_support import listed, load_watchlist

    env, case_id = _live_case(live)
    load_watchlist(env.db, [listed("wl-example", "Aleksei Petrov")])
    casework.move_case(env.db.uow(), actor=Actor.system(), case_id=case_id, to=Stage.SCREENING, expected_version=1)
    hit = screening_review.case_results(env.db.uow(), actor=Actor.system(), case_id=case_id)["hits"][0]
    return {**ex, "hit_id": hit["id"], "version": hit["version"]}


def fill_acknowledgement(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """A real incident flag: a family member served in the incident's unit at the time."""
    from safepassage.domain.case import FamilyMember, Relationship
    from safepassage.domain.person import MilitaryService, PartialDate, Period, Person, PersonName, ServiceStatus
    from safepassage.domain.stages import Stage
    from safepassage.services import casework, screening_review
    from safepassage.store.uow import Actor
    from tests.screening_support import load_incidents

    env, case_id = _live_case(live)
    load_incidents(env.db)
    service = MilitaryService(ServiceStatus.MOBILISED, "64 омсбр",
                              periods=(Period(PartialDate(2022, 1, None), PartialDate(2022, 6, None)),))
    member = FamilyMember(Relationship("sibling"), Person(PersonName("Пётр", "Петров"), military=service))
    casework.add_family_member(env.db.uow(), actor=Actor.system(), case_id=case_id, member=member, expected_version=1)
    casework.move_case(env.db.uow(), actor=Actor.system(), case_id=case_id, to=Stage.SCREENING, expected_version=2)
    flag = screening_review.case_results(env.db.uow(), actor=Actor.system(), case_id=case_id)["flags"][0]
    return {**ex, "flag_id": flag["id"]}


def fill_link_decision(ex: dict[str, Any], live: Any) -> dict[str, Any]:
    """A real possible duplicate: the same applicant applies again."""
    from safepassage.domain.case import Application
    from safepassage.domain.pathways import Pathway
    from safepassage.domain.person import Person, PersonName
    from safepassage.services import intake, screening_review
    from safepassage.store.uow import Actor

    env, case_id = _live_case(live)
    app = Application(frozenset({Pathway.DESERTER}), Person(PersonName("Aleksei", "PETROV")))
    intake.submit_application(env.db.uow(), actor=Actor.system(), application=app)
    link = screening_review.duplicates_of(env.db.uow(), actor=Actor.system(), case_id=case_id)[0]
    return {**ex, "link_id": link["id"]}
