"""The yente-compatible match API: contract checked against yente's own models (as a JSON schema),
screening results, query parameters, and who may call it — staff sessions and systems' API tokens."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from safepassage.demo_data import seed_watchlists
from safepassage.domain.errors import InvalidInput
from safepassage.security.policy import Role
from safepassage.services import api_tokens, watchlists
from safepassage.store.models import AuditEntry
from safepassage.store.models_watchlists import ApiToken
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor
from tests.conftest import Env

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "yente_match_schema.json").read_text())
REQUEST = jsonschema_rs.Draft202012Validator(SCHEMA["EntityMatchQuery"])
RESPONSE = jsonschema_rs.Draft202012Validator(SCHEMA["EntityMatchResponse"])
SECRET_NAME = "Вымысел Тестович Примеров"


def body(**queries: dict[str, Any]) -> dict[str, Any]:
    """An EntityMatchQuery, checked against yente's schema before it is sent."""
    b = {"queries": {k: {"schema": "Person", **v} for k, v in queries.items()}}
    assert REQUEST.is_valid(b), list(REQUEST.iter_errors(b))
    return b


def post(client: TestClient, headers: dict[str, str], b: dict[str, Any], dataset: str = "default",
         **params: Any) -> Any:
    r = client.post(f"/api/match/{dataset}", json=b, headers=headers, params=params)
    if r.status_code == 200:
        errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in RESPONSE.iter_errors(r.json())]
        assert not errors, errors
    return r


@pytest.fixture
def listed(env: Env) -> Env:
    seed_watchlists(env.db)
    return env


def test_a_listed_person_is_found_under_another_spelling_with_yente_shaped_explanations(
    client: TestClient, listed: Env
) -> None:
    b = body(q1={"properties": {"name": ["Vymysel Testovich Primerov"], "birthDate": ["1970-01-01"]}},
             q2={"properties": {"firstName": ["Hanna"], "lastName": ["Vyhadanenko"]}, "id": "client-7"},
             nobody={"properties": {"name": ["Completely Unrelated Person"]}})
    r = post(client, listed.headers(Role.SCREENING_ANALYST), b, limit=3)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["limit"] == 3 and set(out["responses"]) == {"q1", "q2", "nobody"}
    q1 = out["responses"]["q1"]
    top = q1["results"][0]
    assert top["id"] == "demo-fictional-020" and top["match"] is True and top["score"] >= 0.7
    assert top["caption"] == SECRET_NAME and top["schema"] == "Person" and "demo-fictional" in top["datasets"]
    assert top["first_seen"] == "2026-01-15T00:00:00" and q1["total"] == {"value": 1, "relation": "eq"}
    assert {"score", "detail"} <= set(top["explanations"]["name_parts"])
    assert "1970-01-01" in top["explanations"]["safepassage-v1"]["detail"]
    assert q1["query"]["properties"]["birthDate"] == ["1970-01-01"] and q1["status"] == 200
    assert out["responses"]["q2"]["query"]["id"] == "client-7"
    assert out["responses"]["q2"]["results"][0]["id"] == "demo-fictional-021"
    assert out["responses"]["nobody"]["results"] == [] and r.headers["x-batch-size"] == "3"


def test_query_parameters_threshold_cutoff_limit_and_filters(client: TestClient, listed: Env) -> None:
    h = listed.headers(Role.ADJUDICATOR)
    # Another patronymic: needs review (0.60), not a match.
    b = body(q={"properties": {"name": ["Aristarkh Ivanovich Fantomov"]}})
    plain = post(client, h, b).json()["responses"]["q"]
    assert plain["results"] and not plain["results"][0]["match"] and plain["total"]["value"] == 0
    assert post(client, h, b, threshold=0.55).json()["responses"]["q"]["results"][0]["match"] is True
    assert post(client, h, b, cutoff=0.65).json()["responses"]["q"]["results"] == []
    fid = plain["results"][0]["id"]
    assert post(client, h, b, exclude_entity_ids=[fid]).json()["responses"]["q"]["results"] == []
    assert post(client, h, b, exclude_dataset=["demo-fictional"]).json()["responses"]["q"]["results"] == []
    assert post(client, h, b, include_dataset=["other"]).json()["responses"]["q"]["results"] == []
    assert post(client, h, b, topics=["crime.war"]).json()["responses"]["q"]["results"]
    assert post(client, h, b, changed_since="2026-07-01").json()["responses"]["q"]["results"] == []
    assert post(client, h, b, dataset="demo-fictional").json()["responses"]["q"]["results"]
    company = post(client, h, {"queries": {"c": {"schema": "Company", "properties": {"name": "Fantomov"}}}})
    assert company.status_code == 200 and company.json()["responses"]["c"]["results"] == []


BAD_REQUESTS: list[tuple[str, dict[str, Any], Any, int, str]] = [
    ("nope", {}, {"queries": {"q": {"schema": "Person", "properties": {"name": ["x"]}}}}, 404, "No such dataset"),
    ("default", {}, {"queries": {}}, 422, "No queries"),
    ("default", {"algorithm": "logic-v2"}, None, 422, "algorithm"),
    ("default", {"limit": 501}, None, 422, "limit"),
    ("default", {"changed_since": "yesterday"}, None, 422, "changed_since"),
    ("default", {}, {"queries": {"q": {"schema": "Spaceship", "properties": {}}}}, 422, "schema"),
    ("default", {}, {"queries": {"q": {"schema": "Person", "properties": {"name": ["Я" * 501]}}}}, 422, "longer than"),
    ("default", {}, {"queries": {"q": {"schema": "Person", "properties": {"name": [{"a": 1}]}}}}, 422, "string"),
    ("default", {}, {"queries": {f"q{i}": {"schema": "Person", "properties": {"name": ["x"]}} for i in range(101)}},
     422, "Too many"),
    ("default", {}, {"queries": {"q": {"properties": {"name": ["x"]}}}}, 422, "schema"),
]


def test_bad_requests_get_a_clear_error_and_echo_nothing(client: TestClient, listed: Env) -> None:
    for dataset, params, payload, status, says in BAD_REQUESTS:
        sent = payload or {"queries": {"q": {"schema": "Person", "properties": {"name": [SECRET_NAME]}}}}
        r = client.post(f"/api/match/{dataset}", json=sent, headers=listed.headers(Role.SCREENING_ANALYST),
                        params=params)
        assert r.status_code == status, (says, r.text)
        assert says in r.json()["error"]["message"]
        assert SECRET_NAME not in r.text and "ЯЯЯ" not in r.text


def test_the_audit_log_records_who_matched_but_never_what(client: TestClient, listed: Env) -> None:
    hostile = "Пëтр <b>Ёлкин</b>\u202e\u200b"
    r = post(client, listed.headers(Role.SCREENING_ANALYST), body(q={"properties": {"name": [hostile, SECRET_NAME]}}))
    assert r.status_code == 200
    with listed.db.engine.connect() as conn:
        rows = [tuple(map(str, row)) for row in conn.execute(text("SELECT * FROM audit_log"))]
    entry = [row for row in rows if "match.queried" in row]
    assert len(entry) == 1 and listed.user_ids[Role.SCREENING_ANALYST] in entry[0]
    dump = repr(rows)
    assert "Ёлкин" not in dump and "Vymysel" not in dump and SECRET_NAME not in dump


def _token(env: Env, role: Role = Role.SCREENING_ANALYST, name: str = "partner-ngo") -> api_tokens.NewToken:
    return api_tokens.create_token(env.db, actor=env.actor(Role.ADMIN), name=name, role=role, days=30)


def test_a_system_token_matches_and_only_its_hash_is_stored(client: TestClient, listed: Env) -> None:
    made = _token(listed)
    b = body(q={"properties": {"name": ["Primerov Vymysel"]}})
    r = post(client, {"Authorization": f"Bearer {made.token}"}, b)
    assert r.status_code == 200 and r.json()["responses"]["q"]["results"][0]["id"] == "demo-fictional-020"
    with listed.db.engine.connect() as conn:
        dump = repr([tuple(row) for row in conn.execute(text("SELECT * FROM api_tokens"))])
        audit = conn.execute(select(AuditEntry.actor_id).where(AuditEntry.event == "match.queried")).scalars().all()
    assert made.token not in dump and made.token[6:] not in dump
    assert audit == [made.id]
    # The token is for the match API only: no other endpoint takes it.
    for method, path in (("GET", "/api/watchlists"), ("GET", "/api/cases")):
        assert client.request(method, path, headers={"Authorization": f"Bearer {made.token}"}).status_code == 401


def test_revoked_expired_and_unknown_tokens_get_401_and_a_role_without_match_403(
    client: TestClient, listed: Env
) -> None:
    b = body(q={"properties": {"name": ["Primerov"]}})
    revoked, expired, demoted = _token(listed, name="revoked"), _token(listed, name="expired"), _token(
        listed, name="demoted")
    api_tokens.revoke_token(listed.db, actor=listed.actor(Role.ADMIN), name="revoked")
    with listed.db.uow() as uow:
        uow.session.execute(update(ApiToken).where(ApiToken.name == "expired")
                            .values(expires_at=utcnow() - timedelta(seconds=1)))
        uow.session.execute(update(ApiToken).where(ApiToken.name == "demoted").values(role="caseworker"))
        uow.commit()
    for t in (revoked.token, expired.token, "sptok_" + "A" * 43, "not-a-token"):
        r = post(client, {"Authorization": f"Bearer {t}"}, b)
        assert r.status_code == 401, (t, r.text)
    assert post(client, {}, b).status_code == 401
    assert post(client, {"Authorization": f"Bearer {demoted.token}"}, b).status_code == 403
    for role in (Role.CASEWORKER, Role.INTAKE_OPERATOR, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN):
        assert post(client, listed.headers(role), b).status_code == 403, role


def test_only_admins_create_tokens_and_only_for_roles_that_may_match(env: Env) -> None:
    from safepassage.domain.errors import Conflict, Forbidden

    with pytest.raises(Forbidden):
        api_tokens.create_token(env.db, actor=env.actor(Role.SCREENING_ANALYST), name="x1",
                                role=Role.SCREENING_ANALYST)
    with pytest.raises(InvalidInput, match="allowed to use the match API"):
        api_tokens.create_token(env.db, actor=Actor.system(), name="x2", role=Role.ADMIN)
    with pytest.raises(InvalidInput):
        api_tokens.create_token(env.db, actor=Actor.system(), name="Bad Name!", role=Role.ADJUDICATOR)
    with pytest.raises(InvalidInput):
        api_tokens.create_token(env.db, actor=Actor.system(), name="x3", role=Role.ADJUDICATOR, days=400)
    api_tokens.create_token(env.db, actor=Actor.system(), name="x4", role=Role.ADJUDICATOR)
    with pytest.raises(Conflict):
        api_tokens.create_token(env.db, actor=Actor.system(), name="x4", role=Role.ADJUDICATOR)
    listed = api_tokens.list_tokens(env.db, actor=env.actor(Role.ADMIN))
    assert [t.name for t in listed] == ["x4"] and listed[0].revoked_at is None


def test_the_match_api_sees_a_new_watchlist_version_at_once(client: TestClient, listed: Env, tmp_path: Path) -> None:
    h = listed.headers(Role.SCREENING_ANALYST)
    b = body(q={"properties": {"name": ["Zinovy Novoprybuvshy"]}})
    assert post(client, h, b).json()["responses"]["q"]["results"] == []
    path = tmp_path / "v2.jsonl"
    line = {"id": "demo-new", "schema": "Person", "properties": {"name": ["Зиновий Новоприбывший"]}}
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    watchlists.import_watchlist(listed.db, actor=Actor.system(), name="late", path=path)
    # The previous index answers while the new one is built aside (as yente does); the header says which.
    deadline = time.monotonic() + 60
    while True:
        r = post(client, h, b)
        if r.headers["x-watchlist-versions"] == "demo-fictional=1,late=1" or time.monotonic() > deadline:
            break
        assert r.headers["x-watchlist-versions"] == "demo-fictional=1"
        time.sleep(0.05)
    assert r.json()["responses"]["q"]["results"][0]["id"] == "demo-new"
    assert post(client, h, b, dataset="demo-fictional").json()["responses"]["q"]["results"] == []
    assert post(client, h, b, dataset="late").json()["responses"]["q"]["results"][0]["id"] == "demo-new"


YENTE_PYTHON = os.environ.get("SAFEPASSAGE_YENTE_PYTHON", "")
_CHECK = """
import json, sys
from yente.data.common import EntityMatchQuery, EntityMatchResponse
req, resp = json.load(sys.stdin)
EntityMatchQuery.model_validate(req)
EntityMatchResponse.model_validate(resp)
print("ok")
"""


@pytest.mark.slow  # needs yente in its own virtualenv (PyICU compiles for ~8 min): `pytest -m slow` with it set
def test_yente_s_own_models_accept_request_and_answer(client: TestClient, listed: Env) -> None:
    """The strongest check: yente's pydantic models, in their own virtualenv (see tests/data/gen_yente_schema.py).

    Every run checks the same contract against the JSON schema generated from those models (above); this one
    asks yente itself, so it runs with the slow set, where SAFEPASSAGE_YENTE_PYTHON must name that Python.
    """
    assert YENTE_PYTHON, "set SAFEPASSAGE_YENTE_PYTHON to a Python with yente 5.5 installed (see docs/watchlists.md)"
    b = body(q1={"properties": {"name": ["Vymysel Primerov"], "birthDate": "1970"}},
             q2={"properties": {"name": ["Aleksei Petrov"]}})
    r = post(client, listed.headers(Role.SCREENING_ANALYST), b)
    assert r.status_code == 200 and r.json()["responses"]["q1"]["results"]
    done = subprocess.run([YENTE_PYTHON, "-c", _CHECK], input=json.dumps([b, r.json()]), capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
