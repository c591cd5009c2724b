"""The authorisation matrix, generated from the route inventory and the policy table.

Every route × (anonymous and every role) gets the status the policy says. A route added to the app
without an inventory entry fails `test_every_route_has_a_policy_entry`.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from safepassage.security.policy import Action, Role, grant
from safepassage.services import erasure
from safepassage.store.uow import Actor
from safepassage.web.app import create_app
from safepassage.web.inventory import ROUTES, Rule
from tests import stats_util
from tests.conftest import PASSWORD, Env
from tests.decisions_util import decision_request
from tests.helpers import application, person
from tests.web import documents_setup, exclusion_setup, screening_setup, watchlists_setup

ACTORS: list[Role | None] = [None, *Role]


def _app_routes() -> set[tuple[str, str]]:
    """Every (method, path) the app serves: the OpenAPI document plus routes kept out of it."""
    app = create_app(db=object())  # type: ignore[arg-type]  # routes only; never served
    found = {(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops}
    for route in app.routes:
        methods = getattr(route, "methods", None)
        if isinstance(route, Mount) or not methods or not hasattr(route, "path"):
            continue
        found |= {(m, route.path) for m in methods if m not in {"HEAD", "OPTIONS"}}
    return found


def test_every_route_has_a_policy_entry() -> None:
    missing = _app_routes() - set(ROUTES)
    stale = set(ROUTES) - _app_routes()
    assert not missing, f"routes without an entry in web/inventory.py: {sorted(missing)}"
    assert not stale, f"inventory entries for routes that no longer exist: {sorted(stale)}"


def expected(rule: Rule, role: Role | None) -> set[int]:
    """The statuses the policy allows for this route and actor."""
    if not rule.staff:
        return {200, 201, 204}
    if role is None:
        return {401}
    if rule.action is None:
        return {200, 201, 204}
    g = grant(role, rule.action)
    if g is not None and set(rule.fields) - {f for f in rule.fields if f.value == "none"} <= g.fields:
        return {200, 201, 204}
    if rule.on_case and grant(role, Action.READ) is None:
        return {404}  # cannot see cases at all: "not found" and "not allowed" answer the same
    return {403}


def _request(client: TestClient, env: Env, method: str, path: str) -> tuple[str, str, dict[str, Any] | None]:
    """A valid request for the route, with a fresh case where it names one."""
    body: dict[str, Any] | None = None
    stats = stats_util.stats_request(client, env, method, path)  # statistics, arrivals
    if stats is not None:
        return stats
    listed = watchlists_setup.request_for(client, env, method, path)  # watchlists, the match API
    if listed is not None:
        return listed
    ours = documents_setup.request_for(client, env, method, path)  # documents, requests for information
    if ours is not None:
        return ours
    screening = screening_setup.request_for(client, env, method, path)  # hits, flags, duplicates
    if screening is not None:
        return screening
    special = decision_request(client, env, method, path)  # facts, decisions, letters, appeals
    if special is not None:
        return special
    if "{case_id}" in path:
        created = client.post("/api/applications", json=application()).json()
        path = path.replace("{case_id}", created["case_id"])
    if "{request_id}" in path:
        created = client.post("/api/applications", json=application()).json()
        request_id = erasure.request_erasure(
            env.db.uow(), actor=Actor.system(), case_id=created["case_id"], reason="applicant_request"
        )
        path = path.replace("{request_id}", request_id)
    if path.endswith("/erasure-requests"):
        body = {"reason": "applicant_request"}
    elif path.endswith("/transitions"):
        body = {"to": "screening", "version": 1}
    elif path.endswith("/assignment"):
        body = {"assignee_id": env.user_ids[Role.CASEWORKER], "version": 1}
    elif path.endswith("/notes"):
        body = {"text": "Заметка {{ x }}"}
    elif path.endswith("/family"):
        body = {"relationship": "child", "person": person("Їжачок", "Петров"), "version": 1}
    elif path == "/api/cases" and method == "POST":
        body = application(channel="hotline")
    elif path == "/api/applications":
        body = application()
    elif path == "/api/surrender-requests":
        body = {"contact_handle": "@h", "unit": "в/ч 1", "group_size": 2}
    elif path in ("/api/status", "/api/withdrawals"):
        created = client.post("/api/applications", json=application()).json()
        body = {"receipt": created["receipt"], "passphrase": created["passphrase"]}
    elif path == "/api/search/persons":
        body = {"first_name": "Aleksei", "last_name": "PETROV"}
    elif path == "/api/auth/step-up":
        body = {"password": PASSWORD}
    elif path == "/api/auth/login":
        body = {"username": "auditor", "password": PASSWORD}
    elif path == "/api/users":
        body = {"username": "new-user", "role": "caseworker", "password": PASSWORD}
    body = exclusion_setup.body_for(env, method, path) or body  # exclusion records and referrals
    return method, path, body


@pytest.mark.parametrize("role", ACTORS, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_as_policy_says(client: TestClient, env: Env, route: tuple[str, str], role: Role | None) -> None:
    method, path, body = _request(client, env, *route)
    headers = env.headers(role)
    if route == ("POST", "/api/auth/logout") and role is not None:
        pass  # logging out ends the template session: fine, each test has its own database
    files = body.pop(documents_setup.FILES, None) if body else None  # a multipart upload
    r = client.request(method, path, json=None if files else body, data=body if files else None, files=files,
                       headers=headers)
    assert r.status_code in expected(ROUTES[route], role), (role, route, r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert set(r.json()) == {"error"} and {"code", "message"} <= set(r.json()["error"])
