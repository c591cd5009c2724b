"""Every request body in the OpenAPI document carries a complete, valid example, and the example works.

A developer reading /api/docs copies the example, replaces the placeholders (case id, receipt and
passphrase, assignee id, version) with their own values, and sends it: it must succeed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from safepassage.security.crypto import KeyRing
from safepassage.security.policy import Role
from safepassage.services import information
from safepassage.store.uow import Database
from safepassage.web.app import create_app
from tests import decisions_util, stats_util
from tests.conftest import KEK, SECRET, Env
from tests.helpers import application
from tests.web import exclusion_setup, screening_setup


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document (it does not depend on the database, so a lazy engine will do)."""
    db = Database(create_engine("sqlite://"), ring=KeyRing(KEK, "doc"), secret_key=SECRET)
    return create_app(db).openapi()


DOC = openapi_document()
BODIES = {
    (method.upper(), path): op["requestBody"]
    for path, ops in DOC["paths"].items()
    for method, op in ops.items()
    # multipart uploads (documents) carry a file, not JSON: tests/integration/test_documents.py covers them
    if "requestBody" in op and "multipart/form-data" not in op["requestBody"]["content"]
}


def _body_schema(request_body: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a JSON request body, with its $ref resolved against the document."""
    schema = request_body["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = DOC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _examples(request_body: dict[str, Any]) -> list[Any]:
    """Examples as Swagger UI shows them: on the media type, or on the body's schema."""
    media = request_body["content"]["application/json"]
    found = [e["value"] for e in media.get("examples", {}).values()]
    if "example" in media:
        found.append(media["example"])
    return found + list(_body_schema(request_body).get("examples", []))


def _validator(request_body: dict[str, Any]) -> jsonschema_rs.Validator:
    schema = copy.deepcopy(request_body["content"]["application/json"]["schema"])
    return jsonschema_rs.Draft202012Validator({**schema, "components": DOC["components"]}, validate_formats=True)


def test_the_document_has_request_bodies() -> None:
    """Guards the tests below against passing vacuously."""
    assert len(BODIES) >= 10
    assert ("POST", "/api/applications") in BODIES and ("POST", "/api/cases/{case_id}/family") in BODIES


@pytest.mark.parametrize(("method", "path"), list(BODIES), ids=[f"{m} {p}" for m, p in BODIES])
def test_every_request_body_has_a_complete_valid_example(method: str, path: str) -> None:
    body = BODIES[(method, path)]
    assert "application/json" in body["content"], f"{method} {path}: no JSON body"
    examples = _examples(body)
    assert examples, f"{method} {path}: the request body has no example"
    schema, validator = _body_schema(body), _validator(body)
    for example in examples:
        errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(example)]
        assert not errors, f"{method} {path}: example does not match the schema: {errors}"
        missing = set(schema.get("required", ())) - set(example)
        assert not missing, f"{method} {path}: example lacks required {missing}"


# -- submitting each example --------------------------------------------------------------------


@dataclass
class Live:
    """Live values to put in place of an example's placeholders."""

    env: Env
    case_id: str
    receipt: str
    passphrase: str
    version: int


@dataclass
class Use:
    """Who may call an operation, and how to fill in its example."""

    role: Role | None
    fill: Callable[[dict[str, Any], Live], dict[str, Any]] = lambda ex, _: ex
    then: Callable[[TestClient, Live, dict[str, Any], Any], None] = lambda *_: None


def _credentials(ex: dict[str, Any], live: Live) -> dict[str, Any]:
    return {**ex, "receipt": live.receipt, "passphrase": live.passphrase}


def _versioned(ex: dict[str, Any], live: Live) -> dict[str, Any]:
    return {**ex, "version": live.version}


def _detail(client: TestClient, live: Live, role: Role = Role.ADJUDICATOR) -> dict[str, Any]:
    r = client.get(f"/api/cases/{live.case_id}", headers=live.env.headers(role))
    assert r.status_code == 200, r.text
    detail: dict[str, Any] = r.json()
    return detail


def _check_family(client: TestClient, live: Live, ex: dict[str, Any], _: Any) -> None:
    family = _detail(client, live)["family"]
    assert [m["first_name"] for m in family] == [ex["person"]["first_name"]]


def _check_note(client: TestClient, live: Live, ex: dict[str, Any], _: Any) -> None:
    assert [n["text"] for n in _detail(client, live)["notes"]] == [ex["text"]]


def _check_created_case(client: TestClient, live: Live, ex: dict[str, Any], out: Any) -> None:
    r = client.get(f"/api/cases/{out['case_id']}", headers=live.env.headers(Role.ADJUDICATOR))
    assert r.status_code == 200, r.text
    got = r.json()
    if "person" in ex:
        assert got["principal"]["last_name"] == ex["person"]["last_name"]
        assert sorted(got["pathways"]) == sorted(ex["pathways"])
    else:
        assert got["surrender"]["contact_handle"] == ex["contact_handle"]


def _check_login(client: TestClient, live: Live, ex: dict[str, Any], out: Any) -> None:
    assert out["role"] == ex["username"]
    r = client.get("/api/cases", headers={"Authorization": f"Bearer {out['token']}"})
    assert r.status_code == 200


def _open_question(ex: dict[str, Any], live: Live) -> dict[str, Any]:
    rid = information.ask(live.env.db.uow(), actor=live.env.actor(Role.CASEWORKER), case_id=live.case_id,
                          question="Пришлите повестку", due_on=None, expected_version=live.version)
    return {**_credentials(ex, live), "request_id": rid}


def _check_question(client: TestClient, live: Live, ex: dict[str, Any], _: Any) -> None:
    r = client.post("/api/status", json={"receipt": live.receipt, "passphrase": live.passphrase})
    assert [q["question"] for q in r.json()["information_requests"]] == [ex["question"]]


USES: dict[tuple[str, str], Use] = {
    ("POST", "/api/cases/{case_id}/information-requests"): Use(Role.CASEWORKER, _versioned, then=_check_question),
    ("POST", "/api/information-requests/answers"): Use(None, _open_question),
    ("POST", "/api/applications"): Use(None, then=_check_created_case),
    ("POST", "/api/status"): Use(None, _credentials),
    ("POST", "/api/withdrawals"): Use(None, _credentials),
    ("POST", "/api/auth/login"): Use(None, then=_check_login),
    ("POST", "/api/auth/step-up"): Use(Role.CASEWORKER),
    ("POST", "/api/users"): Use(Role.ADMIN),
    ("POST", "/api/cases"): Use(Role.INTAKE_OPERATOR, then=_check_created_case),
    ("POST", "/api/surrender-requests"): Use(Role.INTAKE_OPERATOR, then=_check_created_case),
    ("POST", "/api/cases/{case_id}/transitions"): Use(Role.CASEWORKER, _versioned),
    ("POST", "/api/cases/{case_id}/assignment"): Use(
        Role.SUPERVISOR,
        lambda ex, live: {**_versioned(ex, live), "assignee_id": live.env.user_ids[Role.CASEWORKER]},
    ),
    ("POST", "/api/cases/{case_id}/notes"): Use(Role.CASEWORKER, then=_check_note),
    ("POST", "/api/cases/{case_id}/family"): Use(Role.CASEWORKER, _versioned, then=_check_family),
    ("POST", "/api/cases/{case_id}/erasure-requests"): Use(Role.AUDITOR),
    ("POST", "/api/search/persons"): Use(Role.CASEWORKER),
    ("POST", "/api/cases/{case_id}/screening/dispositions"): Use(Role.SCREENING_ANALYST,
                                                                 screening_setup.fill_disposition),
    ("POST", "/api/cases/{case_id}/screening/acknowledgements"): Use(Role.SCREENING_ANALYST,
                                                                     screening_setup.fill_acknowledgement),
    ("POST", "/api/cases/{case_id}/duplicates/decisions"): Use(Role.CASEWORKER, screening_setup.fill_link_decision),
    ("POST", "/api/watchlists/{name}/versions"): Use(Role.SCREENING_ANALYST),
    ("POST", "/api/match/{dataset}"): Use(Role.SCREENING_ANALYST),
    ("POST", "/api/cases/{case_id}/exclusion-records"): Use(Role.SCREENING_ANALYST),
    ("POST", "/api/cases/{case_id}/exclusion-reviews"): Use(Role.ADJUDICATOR, exclusion_setup.fill_review),
    ("POST", "/api/cases/{case_id}/referrals"): Use(Role.ADJUDICATOR, exclusion_setup.fill_referral),
    ("POST", "/api/cases/{case_id}/referral-reviews"): Use(
        Role.ADJUDICATOR, exclusion_setup.fill_referral_review
    ),
    ("POST", "/api/cases/{case_id}/exclusion-revocations"): Use(Role.ADJUDICATOR, exclusion_setup.fill_revocation),
    ("POST", "/api/cases/{case_id}/exclusion-revocation-reviews"): Use(
        Role.ADJUDICATOR, exclusion_setup.fill_revocation_review
    ),
    ("POST", "/api/cases/{case_id}/arrival"): Use(Role.SUPERVISOR, stats_util.fill_arrival),
    ("POST", "/api/cases/{case_id}/facts"): Use(Role.CASEWORKER),
    ("POST", "/api/cases/{case_id}/decisions"): Use(Role.ADJUDICATOR, decisions_util.fill_decision),
    ("POST", "/api/cases/{case_id}/appeals"): Use(Role.CASEWORKER, decisions_util.fill_staff_appeal),
    ("POST", "/api/decision"): Use(None, decisions_util.fill_applicant),
    ("POST", "/api/appeals"): Use(None, decisions_util.fill_applicant_refused),
    ("POST", "/api/letter"): Use(None, decisions_util.fill_applicant_refused),
}


def test_every_request_body_is_exercised_below() -> None:
    """A new operation with a body must say here who may call it and how to fill in its example."""
    assert set(BODIES) <= set(USES), f"say who may call {set(BODIES) - set(USES)} and how to fill in the example"


@pytest.mark.parametrize(("method", "path"), list(BODIES), ids=[f"{m} {p}" for m, p in BODIES])
def test_each_example_succeeds_when_submitted(client: TestClient, env: Env, method: str, path: str) -> None:
    rec = client.post("/api/applications", json=application())
    assert rec.status_code == 201, rec.text
    r = rec.json()
    live = Live(env, r["case_id"], r["receipt"], r["passphrase"], version=1)
    use = USES[(method, path)]
    for example in _examples(BODIES[(method, path)]):
        body = use.fill(copy.deepcopy(example), live)
        url = path.replace("{case_id}", live.case_id).replace("{name}", "example-list").replace("{dataset}", "default")
        resp = client.request(method, url, json=body, headers=env.headers(use.role))
        assert 200 <= resp.status_code < 300, f"{method} {path}: example {body} answered {resp.status_code} {resp.text}"
        is_json = resp.headers.get("content-type", "").startswith("application/json")  # letters are PDF
        use.then(client, live, example, resp.json() if resp.content and is_json else resp.content)
