"""Builders for case-screening tests: real watchlist imports, incidents, cases moved into screening."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from safepassage.security.policy import Role
from safepassage.services import incidents, watchlists
from safepassage.store.uow import Actor, Database
from tests.conftest import Env
from tests.helpers import application, person


def listed(entity_id: str, name: str, birth: str | None = None, **props: list[str]) -> dict[str, Any]:
    """A listed person as OpenSanctions publishes it (FtM JSON)."""
    p: dict[str, list[str]] = {"name": [name], **props}
    if birth:
        p["birthDate"] = [birth]
    return {"id": entity_id, "schema": "Person", "properties": p}


def load_watchlist(db: Database, entities: list[dict[str, Any]], name: str = "test-list") -> int:
    """Import entities as the next version of a list (through the real importer); returns the version."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "list.jsonl"
        path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
        return watchlists.import_watchlist(db, actor=Actor.system(), name=name, path=path).version


INCIDENT = {
    "ref": "demo-1", "unit": "64-я отдельная мотострелковая бригада", "place": "Буча, Киевская область",
    "start": "2022-03-01", "end": "2022-03-31", "summary": "Test incident", "source": "test fixture",
}


def load_incidents(db: Database, rows: list[dict[str, str]] | None = None) -> None:
    """Import incidents through the real CSV reader."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(incidents.COLUMNS))
            w.writeheader()
            w.writerows(rows or [INCIDENT])
        incidents.import_incidents(db.uow(), actor=Actor.system(), rows=incidents.read_csv(path))


def apply(client: TestClient, **extra: Any) -> dict[str, Any]:
    """Submit an application through the API; returns the receipt body."""
    r = client.post("/api/applications", json=application(**extra))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def to_screening(client: TestClient, env: Env, case_id: str, version: int = 1) -> dict[str, Any]:
    """The caseworker moves a received case into screening (which screens it)."""
    r = client.post(f"/api/cases/{case_id}/transitions", json={"to": "screening", "version": version},
                    headers=env.headers(Role.CASEWORKER))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def results(client: TestClient, env: Env, case_id: str, role: Role = Role.SCREENING_ANALYST) -> dict[str, Any]:
    """The case's screening results as the analyst reads them."""
    r = client.get(f"/api/cases/{case_id}/screening", headers=env.headers(role))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def case_with_hit(client: TestClient, env: Env) -> tuple[str, dict[str, Any]]:
    """A case in screening with one pending hit (the default applicant Алексей Петров is listed)."""
    load_watchlist(env.db, [listed("wl-petrov", "Aleksei Petrov")])
    case_id = apply(client)["case_id"]
    to_screening(client, env, case_id)
    hit = results(client, env, case_id)["hits"][0]
    return case_id, hit


def case_with_flag(client: TestClient, env: Env) -> tuple[str, dict[str, Any]]:
    """A case in screening with one pending incident flag (service in the incident's unit at the time)."""
    load_incidents(env.db)
    military = {"status": "mobilised", "unit": "64 ОМСБр", "periods": [{"start": "2021-10", "end": "2022-05"}]}
    case_id = apply(client, person=person("Иван", "Сидоренко", military=military))["case_id"]
    to_screening(client, env, case_id)
    flag = results(client, env, case_id)["flags"][0]
    return case_id, flag


def case_with_duplicate(client: TestClient, env: Env) -> tuple[str, dict[str, Any]]:
    """Two applications of the same person in two spellings; returns the later case and its pending link."""
    apply(client, person=person("Алексей", "Петров", birth_date="1990-04-03"))
    case_id = apply(client, person=person("Aleksei", "PETROV", birth_date="1990-04-03"))["case_id"]
    r = client.get(f"/api/cases/{case_id}/duplicates", headers=env.headers(Role.CASEWORKER))
    assert r.status_code == 200, r.text
    link: dict[str, Any] = r.json()[0]
    return case_id, link
