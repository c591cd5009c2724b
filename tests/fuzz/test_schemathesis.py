"""Schemathesis fuzzing of every /api operation, anonymously and as a staff role it admits (every role with -m slow).

Each test gets its own fresh database (the function-scoped `env` fixture, on SQLite and PostgreSQL)
seeded with a few live cases, and runs many Hypothesis examples against it: schema-valid data
(positive) and schema-violating data (negative). Every answer must be free of server errors, carry a
documented status code and content type, and validate against the response schema; schema-violating
requests must be refused.
"""

from __future__ import annotations

import copy
import re
import secrets
import uuid
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine

from safepassage.security.crypto import KeyRing
from safepassage.security.policy import FieldClass, Role, grant
from safepassage.services import intake
from safepassage.services.views import Receipt
from safepassage.store.uow import Actor, Database
from safepassage.web.app import create_app
from safepassage.web.inventory import ROUTES
from safepassage.web.schemas import ApplicationIn, SurrenderIn
from tests.conftest import Env
from tests.helpers import HOSTILE_NAMES, application, person

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
ROLES: list[Role | None] = [None, *Role]
FAST_EXAMPLES = 10
SLOW_EXAMPLES = 300
# The Authorization header is ours to set per role, not schemathesis' to drop or mangle; and unknown query
# parameters are ignored by design (as HTTP clients and proxies expect), so they are not "negative" data here.
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"with-security-parameters": False, "allow-extra-parameters": False}}
)


def _openapi() -> dict[str, Any]:
    # The OpenAPI document does not depend on the database: build it once, at collection, on a lazy engine.
    db = Database(create_engine("sqlite://"), ring=KeyRing(secrets.token_bytes(32), "collect"), secret_key=b"c" * 32)
    return create_app(db).openapi()


OPENAPI = _openapi()
OPERATIONS = [(path, method.upper()) for path, ops in OPENAPI["paths"].items() for method in ops]
# Operations behind a login run as every identity (each role has other permissions); public ones ignore the
# Authorization header by construction, so they run anonymously and with one stray staff token only.
MATRIX = [
    pytest.param(path, method, role, id=f"{method} {path} as {role.value if role else 'anonymous'}")
    for path, method in OPERATIONS
    for role in (ROLES if OPENAPI["paths"][path][method.lower()].get("security") else [None, Role.CASEWORKER])
]


def _allowed_role(path: str, method: str) -> Role:
    """The first role the policy lets through this operation (so the short run reaches the handler)."""
    rule = ROUTES[(method, path)]
    for role in Role:
        g = grant(role, rule.action) if rule.action else True
        if g is True or (g is not None and set(rule.fields) - {FieldClass.NONE} <= g.fields):
            return role
    return Role.CASEWORKER


# The short run for every commit: each operation anonymously and as one role it lets in (the handler runs);
# refusals per role are already the authorisation matrix's job. The full role matrix runs with -m slow.
SHORT = [
    pytest.param(path, method, role, id=f"{method} {path} as {role.value if role else 'anonymous'}")
    for path, method in OPERATIONS
    for role in dict.fromkeys([None, _allowed_role(path, method)])
]
# Loading is the slow part (~0.5 s), so one schema serves every test; each call names its own app and database.
SCHEMA = schemathesis.openapi.from_dict(copy.deepcopy(OPENAPI), config=CONFIG)


def _seed(env: Env) -> list[Receipt]:
    """Live cases for path parameters: a plain one, one with family, one with hostile names, a surrender."""
    bodies = (
        application(),
        application(family=[{"relationship": "child", "person": person("Оля", "Петрова")}]),
        application(person=person(HOSTILE_NAMES[5], HOSTILE_NAMES[7])),
    )
    live = [
        intake.submit_application(env.db.uow(), actor=Actor.applicant(), application=ApplicationIn(**b).to_domain())
        for b in bodies
    ]
    surrender = SurrenderIn(contact_handle="@x").to_domain()
    live.append(intake.record_surrender_request(env.db.uow(), actor=env.actor(Role.INTAKE_OPERATOR), request=surrender))
    return live


def _realistic(env: Env, op: Any, path: str, method: str, live: list[Receipt]) -> list[Any]:
    """The documented example aimed at each live case: random data rarely gets past validation, this does."""
    request_body = OPENAPI["paths"][path][method.lower()].get("requestBody")
    example: dict[str, Any] | None = None
    multipart = bool(request_body) and "multipart/form-data" in request_body["content"]
    if multipart:  # a document upload: a small real PDF
        example = {"file": b"%PDF-1.4\n% \xd0\x9f\xd0\xb0\xd1\x81\xd0\xbf\xd0\xbe\xd1\x80\xd1\x82\n%%EOF\n"}
    elif request_body:
        ref = request_body["content"]["application/json"]["schema"]["$ref"]
        example = OPENAPI["components"]["schemas"][ref.rsplit("/", 1)[1]]["examples"][0]
    cases = []
    for rec in live:
        body: Any = copy.deepcopy(example) if example is not None else NOT_SET
        if isinstance(body, dict):
            body.update({k: v for k, v in (("receipt", rec.receipt), ("passphrase", rec.passphrase)) if k in body})
            if "assignee_id" in body:
                body["assignee_id"] = env.user_ids[Role.CASEWORKER]
        # Live case ids; other ids (an erasure request's, say) get a fresh UUID: a 404 is an answer worth checking too.
        names = re.findall(r"{(\w+)}", path)
        params = {name: rec.case_id if name == "case_id" else str(uuid.uuid4()) for name in names} or None
        cases.append(op.Case(path_parameters=params, body=body,
                             **({"media_type": "multipart/form-data"} if multipart else {})))
    return cases


def _fuzz(env: Env, path: str, method: str, role: Role | None, max_examples: int) -> None:
    app = create_app(env.db)
    live = _seed(env)
    live_ids = [r.case_id for r in live]
    served = app.openapi()
    assert served == OPENAPI, "the app on the test database serves another schema than the one being fuzzed"
    op = SCHEMA[path][method]
    cases = st.one_of(
        op.as_strategy(generation_mode=GenerationMode.POSITIVE),
        op.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    headers = env.headers(role)

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=cases, live=st.none() | st.sampled_from(live_ids))
    def run(case: Any, live: str | None) -> None:
        # Half the time aim a valid-looking request at a case that exists, so the deep paths get exercised.
        if live and "case_id" in (case.path_parameters or {}) and _is_uuid(case.path_parameters["case_id"]):
            case.path_parameters = {**case.path_parameters, "case_id": live}
        case.call_and_validate(headers=headers, checks=CHECKS, app=app)

    try:
        run()
        # Then the documented example aimed at each live case, so every role also meets the success paths and
        # has those response bodies validated (last, because the logout example ends the session).
        for case in _realistic(env, op, path, method, live):
            case.call_and_validate(headers=headers, checks=CHECKS, app=app)
    finally:
        asgi.shutdown_lifespans()


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(("path", "method", "role"), SHORT)
def test_api_survives_fuzzing(env: Env, path: str, method: str, role: Role | None) -> None:
    """No 5xx, documented status codes, schema-valid bodies; a short run for CI."""
    _fuzz(env, path, method, role, max_examples=FAST_EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize(("path", "method", "role"), MATRIX)
def test_api_survives_heavy_fuzzing(
    env: Env, path: str, method: str, role: Role | None, request: pytest.FixtureRequest
) -> None:
    """The same as every role, with many more examples: `pytest -m slow tests/fuzz`."""
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("heavy fuzzing runs only when selected with -m slow")
    _fuzz(env, path, method, role, max_examples=SLOW_EXAMPLES)
