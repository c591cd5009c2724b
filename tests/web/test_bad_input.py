"""Bad input gets a 4xx in the error shape, a message naming what is wrong, and changes nothing.

Each request is sent against a database holding one live case; every table a request could write
(cases, persons, audit log, notes, stage events, surrender requests, users) is counted before and
after, and the live case itself must be untouched. Error messages must never echo personal data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from safepassage.security.policy import Role
from safepassage.store.models import AuditEntry, Case, NoteRow, PersonRow, StageEvent, SurrenderRow, User
from tests.conftest import Env
from tests.helpers import HOSTILE_NAMES, application, person

TABLES = {
    "cases": Case,
    "persons": PersonRow,
    "audit_log": AuditEntry,
    "notes": NoteRow,
    "stage_events": StageEvent,
    "surrender_requests": SurrenderRow,
    "users": User,
}
NOT_A_UUID = ["123", "not-a-uuid", "00000000-0000-4000-8000-00000000000Z", "' OR 1=1 --"]


@dataclass
class Live:
    """The one live case every bad request is aimed at (or next to)."""

    case_id: str
    receipt: str
    passphrase: str


@dataclass
class Bad:
    """A bad request: how to send it, what must come back."""

    method: str
    route: str  # the OpenAPI path template, to check the status is documented
    url: Callable[[Live], str]
    status: int
    says: str  # a substring the message must contain (case-insensitive): it names what is wrong
    body: Callable[[Live], Any] | None = None
    raw: bytes | None = None
    role: Role | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _app(**extra: Any) -> Callable[[Live], Any]:
    return lambda _: application(**extra)


def _person(**fields: Any) -> Callable[[Live], Any]:
    return lambda _: application(person=person(**fields))


def _case(suffix: str = "") -> Callable[[Live], str]:
    return lambda live: f"/api/cases/{live.case_id}{suffix}"


def _const(url: str) -> Callable[[Live], str]:
    return lambda _: url


def _mistyped(receipt: str) -> str:
    """The receipt with one character changed: the check character must catch it."""
    i = 0 if receipt[0] != "-" else 1
    return receipt[:i] + ("A" if receipt[i] != "A" else "B") + receipt[i + 1 :]


APPS, CASES, STATUS = "/api/applications", "/api/cases", "/api/status"
ONE_CASE = "/api/cases/{case_id}"
CW, ADJ = Role.CASEWORKER, Role.ADJUDICATOR

BAD: dict[str, Bad] = {
    # -- not JSON, or not the JSON expected --
    "malformed json": Bad("POST", APPS, _const(APPS), 422, "json", raw=b'{"pathways": ["deserter"], "person": {'),
    "trailing garbage": Bad("POST", APPS, _const(APPS), 422, "json", raw=b'{"pathways": ["deserter"]} xyz'),
    "body not utf-8": Bad("POST", APPS, _const(APPS), 400, "utf-8", raw=b'{"pathways": ["\xff\xfe"]}'),
    "array instead of object": Bad("POST", APPS, _const(APPS), 422, "dictionary", body=lambda _: [application()]),
    "empty body": Bad("POST", APPS, _const(APPS), 422, "body", raw=b""),
    "note as form data": Bad(
        "POST",
        f"{ONE_CASE}/notes",
        _case("/notes"),
        422,
        "body",
        raw=b"text=hello",
        role=CW,
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    # -- wrong types --
    "pathways a string": Bad("POST", APPS, _const(APPS), 422, "pathways", body=_app(pathways="deserter")),
    "name a number": Bad("POST", APPS, _const(APPS), 422, "person.first_name", body=_person(first=42)),
    "person a list": Bad("POST", APPS, _const(APPS), 422, "person", body=_app(person=[person()])),
    "flag not a boolean": Bad("POST", APPS, _const(APPS), 422, "summons_received", body=_app(summons_received="maybe")),
    "version a word": Bad(
        "POST",
        f"{ONE_CASE}/transitions",
        _case("/transitions"),
        422,
        "version",
        body=lambda _: {"to": "screening", "version": "one"},
        role=CW,
    ),
    "group size a word": Bad(
        "POST",
        "/api/surrender-requests",
        _const("/api/surrender-requests"),
        422,
        "group_size",
        body=lambda _: {"contact_handle": "@x", "group_size": "three"},
        role=Role.INTAKE_OPERATOR,
    ),
    "version zero": Bad(
        "POST",
        f"{ONE_CASE}/transitions",
        _case("/transitions"),
        422,
        "version",
        body=lambda _: {"to": "screening", "version": 0},
        role=CW,
    ),
    # -- oversized fields and bodies --
    "first name 301 chars": Bad("POST", APPS, _const(APPS), 422, "person.first_name", body=_person(first="Я" * 301)),
    "hostile last name 306 chars": Bad(
        "POST", APPS, _const(APPS), 422, "person.last_name", body=_person(last="Гайдамака" * 34)
    ),
    "family name 301 chars": Bad(
        "POST",
        APPS,
        _const(APPS),
        422,
        "family.0.person.first_name",
        body=_app(family=[{"relationship": "child", "person": person(first="x" * 301)}]),
    ),
    "narrative over 20000": Bad("POST", APPS, _const(APPS), 422, "narrative", body=_person(narrative="н" * 20_001)),
    "note over 10000": Bad(
        "POST", f"{ONE_CASE}/notes", _case("/notes"), 422, "text", body=lambda _: {"text": "x" * 10_001}, role=CW
    ),
    "contact handle 301 chars": Bad(
        "POST",
        "/api/surrender-requests",
        _const("/api/surrender-requests"),
        422,
        "contact_handle",
        body=lambda _: {"contact_handle": "@" * 301},
        role=Role.INTAKE_OPERATOR,
    ),
    "too many family members": Bad(
        "POST",
        APPS,
        _const(APPS),
        422,
        "family",
        body=_app(family=[{"relationship": "child", "person": person()}] * 21),
    ),
    # -- impossible dates, wherever a date goes --
    "birth date 30 February": Bad("POST", APPS, _const(APPS), 422, "birth date", body=_person(birth_date="1990-02-30")),
    "birth date in 2999": Bad("POST", APPS, _const(APPS), 422, "birth date", body=_person(birth_date="2999-01-01")),
    "birth month 13": Bad("POST", APPS, _const(APPS), 422, "birth date", body=_person(birth_date="1990-13")),
    "birth date dotted": Bad("POST", APPS, _const(APPS), 422, "birth_date", body=_person(birth_date="30.02.1990")),
    "family birth date 30 Feb": Bad(
        "POST",
        APPS,
        _const(APPS),
        422,
        "birth date",
        body=_app(family=[{"relationship": "child", "person": person(birth_date="2016-02-30")}]),
    ),
    "service period month 13": Bad(
        "POST",
        APPS,
        _const(APPS),
        422,
        "service period",
        body=_person(military={"status": "mobilised", "periods": [{"start": "2022-13"}]}),
    ),
    "deployment in 2999": Bad(
        "POST",
        APPS,
        _const(APPS),
        422,
        "deployment",
        body=_person(military={"deployments": [{"place": "X", "period": {"end": "2999-01-01"}}]}),
    ),
    "linked family member born 1990-02-30": Bad(
        "POST",
        f"{ONE_CASE}/family",
        _case("/family"),
        422,
        "birth date",
        role=CW,
        body=lambda _: {"relationship": "spouse", "person": person(birth_date="1990-02-30"), "version": 1},
    ),
    # -- unknown and missing values --
    "unknown pathway": Bad("POST", APPS, _const(APPS), 422, "pathways.0", body=_app(pathways=["tourist"])),
    "empty pathways": Bad("POST", APPS, _const(APPS), 422, "pathways", body=_app(pathways=[])),
    "no person": Bad("POST", APPS, _const(APPS), 422, "person", body=lambda _: {"pathways": ["deserter"]}),
    "blank names": Bad("POST", APPS, _const(APPS), 422, "name", body=_person(first="  ", last="\t")),
    "unknown top-level field": Bad("POST", APPS, _const(APPS), 422, "is_admin", body=_app(is_admin=True)),
    "unknown person field": Bad("POST", APPS, _const(APPS), 422, "person.ssn", body=_person(ssn="123")),
    "unknown field on staff intake": Bad(
        "POST", CASES, _const(CASES), 422, "priority", body=_app(priority="P1"), role=CW
    ),
    "unknown language": Bad("POST", APPS, _const(APPS), 422, "language", body=_app(language="xx")),
    "citizenship upper case": Bad("POST", APPS, _const(APPS), 422, "citizenship", body=_person(citizenship=["RU"])),
    "control character in name": Bad(
        "POST", APPS, _const(APPS), 422, "control character", body=_person(first="Дми\x07трий")
    ),
    "nul in name": Bad("POST", APPS, _const(APPS), 422, "control character", body=_person(last="Пет\x00ров")),
    "nul in note": Bad(
        "POST",
        f"{ONE_CASE}/notes",
        _case("/notes"),
        422,
        "control character",
        body=lambda _: {"text": "a\x00b"},
        role=CW,
    ),
    "blank note": Bad(
        "POST", f"{ONE_CASE}/notes", _case("/notes"), 422, "empty", body=lambda _: {"text": " "}, role=CW
    ),
    "unknown role for new user": Bad(
        "POST",
        "/api/users",
        _const("/api/users"),
        422,
        "role",
        role=Role.ADMIN,
        body=lambda _: {"username": "new.user", "role": "root", "password": "a long enough passphrase"},
    ),
    "short password for new user": Bad(
        "POST",
        "/api/users",
        _const("/api/users"),
        422,
        "password",
        role=Role.ADMIN,
        body=lambda _: {"username": "new.user", "role": "caseworker", "password": "short"},
    ),
    # -- receipts --
    "receipt with a typo": Bad(
        "POST",
        STATUS,
        _const(STATUS),
        422,
        "typo",
        body=lambda live: {"receipt": _mistyped(live.receipt), "passphrase": live.passphrase},
    ),
    "withdrawal with a typo": Bad(
        "POST",
        "/api/withdrawals",
        _const("/api/withdrawals"),
        422,
        "typo",
        body=lambda live: {"receipt": _mistyped(live.receipt), "passphrase": live.passphrase},
    ),
    "receipt too short": Bad(
        "POST", STATUS, _const(STATUS), 422, "receipt code", body=lambda live: {"receipt": "7KQ4", "passphrase": "x"}
    ),
    "receipt with nul": Bad(
        "POST",
        "/api/withdrawals",
        _const("/api/withdrawals"),
        422,
        "receipt code",
        body=lambda live: {"receipt": live.receipt + "\x00", "passphrase": live.passphrase},
    ),
    "withdrawal with wrong passphrase": Bad(
        "POST",
        "/api/withdrawals",
        _const("/api/withdrawals"),
        401,
        "passphrase",
        body=lambda live: {"receipt": live.receipt, "passphrase": "wrong-wrong-wrong"},
    ),
    # -- stages --
    "unknown target stage": Bad(
        "POST",
        f"{ONE_CASE}/transitions",
        _case("/transitions"),
        422,
        "to",
        body=lambda _: {"to": "approved", "version": 1},
        role=CW,
    ),
    "stage in upper case": Bad(
        "POST",
        f"{ONE_CASE}/transitions",
        _case("/transitions"),
        422,
        "to",
        body=lambda _: {"to": "SCREENING", "version": 1},
        role=CW,
    ),
    "illegal jump to granted": Bad(
        "POST",
        f"{ONE_CASE}/transitions",
        _case("/transitions"),
        409,
        "screening",
        body=lambda _: {"to": "granted", "version": 1},
        role=ADJ,
    ),
    "stale version": Bad(
        "POST",
        f"{ONE_CASE}/transitions",
        _case("/transitions"),
        409,
        "reload",
        body=lambda _: {"to": "screening", "version": 7},
        role=CW,
    ),
    "queue filtered by unknown stage": Bad("GET", CASES, _const("/api/cases?stage=approved"), 422, "stage", role=CW),
    "queue filtered by unknown pathway": Bad(
        "GET", CASES, _const("/api/cases?pathway=tourist"), 422, "pathway", role=CW
    ),
    "queue page of 0": Bad("GET", CASES, _const("/api/cases?limit=0"), 422, "limit", role=CW),
    "queue page of 101": Bad("GET", CASES, _const("/api/cases?limit=101"), 422, "limit", role=CW),
    "queue offset -1": Bad("GET", CASES, _const("/api/cases?offset=-1"), 422, "offset", role=CW),
    "queue assignee with nul": Bad("GET", CASES, _const("/api/cases?assignee=ab%00cd"), 422, "assignee", role=CW),
    # -- assignment --
    "assignee not a user id": Bad(
        "POST",
        f"{ONE_CASE}/assignment",
        _case("/assignment"),
        422,
        "assignee_id",
        body=lambda _: {"assignee_id": "caseworker\x00", "version": 1},
        role=Role.SUPERVISOR,
    ),
    "assignee not a caseworker": Bad(
        "POST",
        f"{ONE_CASE}/assignment",
        _case("/assignment"),
        422,
        "caseworker",
        body=lambda _: {"assignee_id": "00000000-0000-4000-8000-000000000000", "version": 1},
        role=Role.SUPERVISOR,
    ),
    # -- login --
    "login with nul in username": Bad(
        "POST",
        "/api/auth/login",
        _const("/api/auth/login"),
        401,
        "wrong username",
        body=lambda _: {"username": "case\x00worker", "password": "x"},
    ),
    # -- case ids that are not UUIDs, on every route that takes one --
    **{
        f"case id {bad!r} on {suffix or 'GET'}": Bad(
            "POST" if suffix else "GET",
            f"{ONE_CASE}{suffix}",
            _const(f"/api/cases/{bad}{suffix}"),
            422,
            "case_id",
            body=(lambda _: {"to": "screening", "version": 1, "text": "x"}) if suffix else None,
            role=ADJ,
        )
        for bad in NOT_A_UUID
        for suffix in ("", "/transitions", "/notes")
    },
}


@pytest.fixture
def live(client: TestClient) -> Live:
    """One case, as the applicant submitted it."""
    r = client.post("/api/applications", json=application())
    assert r.status_code == 201, r.text
    rec = r.json()
    return Live(rec["case_id"], rec["receipt"], rec["passphrase"])


@pytest.fixture
def documented(client: TestClient) -> dict[tuple[str, str], set[int]]:
    """Status codes the served OpenAPI document lists, per (method, path template)."""
    doc = client.get("/api/openapi.json").json()
    return {
        (method.upper(), path): {int(code) for code in op["responses"]}
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    }


def snapshot(env: Env, case_id: str | None = None) -> dict[str, Any]:
    """Row counts of every table a request could write, and the live case's mutable state."""
    with env.db.uow() as uow:
        state: dict[str, Any] = {name: uow.count(model) for name, model in TABLES.items()}
        if case_id:
            case = uow.get_case(case_id)
            assert case is not None
            state["case"] = (case.stage, case.version, case.assignee_id, case.updated_at)
    return state


def send(client: TestClient, env: Env, bad: Bad, live: Live) -> Response:
    """Send one bad request as its role."""
    headers = {**env.headers(bad.role), **bad.headers}
    if bad.raw is not None:
        headers.setdefault("content-type", "application/json")
        return client.request(bad.method, bad.url(live), content=bad.raw, headers=headers)
    if bad.body is None:
        return client.request(bad.method, bad.url(live), headers=headers)
    return client.request(bad.method, bad.url(live), json=bad.body(live), headers=headers)


def assert_error_shape(r: Response, status: int) -> str:
    """The answer is the JSON error shape with this status; returns the message."""
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    code, message = body["error"]["code"], body["error"]["message"]
    assert isinstance(code, str) and code and code != "internal_error"
    assert isinstance(message, str) and len(message) >= 10 and "Traceback" not in message
    return message


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_refused_clearly_and_changes_nothing(
    client: TestClient, env: Env, live: Live, documented: dict[tuple[str, str], set[int]], name: str
) -> None:
    bad = BAD[name]
    before = snapshot(env, live.case_id)
    r = send(client, env, bad, live)
    message = assert_error_shape(r, bad.status)
    assert bad.says.lower() in message.lower(), message
    assert bad.status in documented[(bad.method, bad.route)], f"{bad.status} is not in the OpenAPI document"
    after = snapshot(env, live.case_id)
    if name == "login with nul in username":  # a failed login is audited by design; nothing else may change
        assert after["audit_log"] == before["audit_log"] + 1
        after["audit_log"] = before["audit_log"]
    assert after == before


def test_body_over_one_megabyte_is_413_and_changes_nothing(
    client: TestClient, env: Env, documented: dict[tuple[str, str], set[int]]
) -> None:
    before = snapshot(env)
    huge = json.dumps(application(person=person(narrative="н" * 600_000))).encode()  # ~1.2 MB of UTF-8
    assert len(huge) > 1_000_000
    r = client.post("/api/applications", content=huge, headers={"content-type": "application/json"})
    assert_error_shape(r, 413)
    assert r.json()["error"]["code"] == "too_large"
    assert 413 in documented[("POST", "/api/applications")]
    assert snapshot(env) == before


def test_body_over_one_megabyte_without_length_is_413_and_changes_nothing(client: TestClient, env: Env) -> None:
    """A chunked upload that never declares its length is cut off all the same."""
    before = snapshot(env)
    chunk = json.dumps(application(person=person(narrative="x" * 100_000))).encode()

    def chunks() -> Iterator[bytes]:
        for _ in range(12):
            yield chunk

    r = client.post("/api/applications", content=chunks(), headers={"content-type": "application/json"})
    assert_error_shape(r, 413)
    assert snapshot(env) == before


def test_declared_length_that_is_not_a_number_is_refused(client: TestClient, env: Env) -> None:
    before = snapshot(env)
    r = client.post(
        "/api/applications", content=b"{}", headers={"content-type": "application/json", "content-length": "12abc"}
    )
    assert 400 <= r.status_code < 500
    assert snapshot(env) == before


CANARY = "Zyxwq-Канарейка-7Q"


@pytest.mark.parametrize("birth_date", ["1990-02-30", "2999-01-01", "1990-13", "30.02.1990"])
def test_errors_never_echo_the_name_submitted(client: TestClient, env: Env, birth_date: str) -> None:
    before = snapshot(env)
    body = application(
        person=person(
            first=CANARY,
            last=CANARY + "-фамилия",
            patronymic=CANARY,
            birthplace=CANARY,
            birth_date=birth_date,
            aliases=[CANARY],
        )
    )
    for url, headers in (("/api/applications", {}), ("/api/cases", env.headers(Role.INTAKE_OPERATOR))):
        r = client.post(url, json=body, headers=headers)
        assert_error_shape(r, 422)
        assert "zyxwq" not in r.text.lower() and "канарейка" not in r.text.lower(), r.text
    assert snapshot(env) == before


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_names_with_a_bad_date_are_refused_without_echo(client: TestClient, env: Env, name: str) -> None:
    before = snapshot(env)
    family = [{"relationship": "sibling", "person": person(first=name, last=name, birth_date="1990-02-30")}]
    r = client.post("/api/applications", json=application(person=person(first=name, last=name), family=family))
    message = assert_error_shape(r, 422)
    assert "birth date" in message.lower()
    assert name not in r.text and json.dumps(name)[1:-1] not in r.text
    assert snapshot(env) == before


def test_errors_never_echo_personal_data_in_other_fields(client: TestClient, env: Env) -> None:
    """Oversized, mistyped and unknown-field errors name the field, not its content."""
    before = snapshot(env)
    secret = "Ёлкин-" + CANARY
    bodies = [
        application(person=person(first=secret, narrative=secret * 2000)),
        application(person=person(first=secret, citizenship=[secret])),
        application(person=person(first=secret, gender=secret)),
        application(person=person(first=secret), family=[{"relationship": secret, "person": person(first=secret)}]),
        application(person=person(first=secret, military={"status": "mobilised", "unit": secret * 20})),
    ]
    for body in bodies:
        r = client.post("/api/applications", json=body)
        assert_error_shape(r, 422)
        assert "zyxwq" not in r.text.lower() and "Ёлкин" not in r.text, r.text
    assert snapshot(env) == before
