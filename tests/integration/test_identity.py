"""Lookup and duplicate detection through blind indexes, across spellings and channels."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safepassage.security.policy import Role
from safepassage.services import erasure
from safepassage.services.identity import reindex, rows_not_under_current
from safepassage.store.models import BlindIndexRow
from safepassage.store.uow import Actor, Database
from tests.conftest import SECRET, Env
from tests.helpers import application, person


def test_search_finds_a_person_under_another_spelling(client: TestClient, env: Env) -> None:
    rec = client.post(
        "/api/applications", json=application(person=person("Ґрицько", "Шевченко", birth_date="1988-04-02"))
    ).json()
    client.post("/api/applications", json=application(person=person("Ґрицько", "Коваль")))
    h = env.headers(Role.CASEWORKER)
    r = client.post("/api/search/persons", json={"first_name": "Hrytsko", "last_name": "SHEVCHENKO"}, headers=h)
    assert r.status_code == 200 and [c["id"] for c in r.json()["items"]] == [rec["case_id"]]
    r = client.post(
        "/api/search/persons", json={"first_name": "Grytsko", "last_name": "Shevchenko", "birth_year": 1990}, headers=h
    )
    assert r.json()["items"] == []  # the birth year narrows
    assert (
        client.post(
            "/api/search/persons",
            json={"first_name": "Hrytsko", "last_name": "Shevchenko"},
            headers=env.headers(Role.SUPERVISOR),
        ).status_code
        == 403
    )


def test_duplicates_across_channels_and_spellings(client: TestClient, env: Env) -> None:
    web = client.post(
        "/api/applications", json=application(person=person("Алексей", "Петров", birth_date="1994-03-05"))
    ).json()
    body = application(person=person("Aleksey", "Petroff", birth_date="1994"), channel="hotline")
    phone = client.post("/api/cases", json=body, headers=env.headers(Role.INTAKE_OPERATOR)).json()
    other = client.post(
        "/api/applications", json=application(person=person("Алексей", "Петров", birth_date="1971"))
    ).json()
    d = client.get(f"/api/cases/{phone['case_id']}", headers=env.headers(Role.CASEWORKER)).json()
    assert d["possible_duplicates"] == [web["case_id"]]
    assert other["case_id"] not in d["possible_duplicates"]


def test_erasure_removes_index_rows_and_reindex_moves_to_a_new_key(client: TestClient, env: Env) -> None:
    a = client.post("/api/applications", json=application()).json()
    client.post("/api/applications", json=application(person=person("Оля", "Іваненко")))
    rid = erasure.request_erasure(env.db.uow(), actor=Actor.system(), case_id=a["case_id"], reason="duplicate")
    erasure.approve_erasure(env.db.uow(), actor=env.actor(Role.AUDITOR), request_id=rid)
    with env.db.uow() as uow:
        assert (
            uow.session.scalar(
                select(func.count()).select_from(BlindIndexRow).where(BlindIndexRow.case_id == a["case_id"])
            )
            == 0
        )
    rotated = Database(env.db.engine, ring=env.db.ring, secret_key=SECRET, index_key=secrets.token_bytes(32))
    assert rows_not_under_current(rotated) > 0
    assert reindex(rotated) >= 1
    assert rows_not_under_current(rotated) == 0
