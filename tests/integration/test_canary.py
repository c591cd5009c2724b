"""Canary test: unique values in every personal field must not appear anywhere but behind encryption.

We run the API (applicant and staff flows, errors included), the CLI and a logged server at DEBUG,
then search stdout/stderr, the logs, the audit table, error bodies, the OpenAPI document and the raw
bytes of the database (SQLite file, WAL and an online backup; every PostgreSQL table as text) for
each canary — plain, casefolded, transliterated, URL-encoded, base64 and JSON-escaped.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from safepassage.screening.translit import romanise
from safepassage.security import logs
from safepassage.security.policy import Role
from tests.conftest import KEK, SECRET, Env

CANARIES = {
    "first": "Канарейкоґ",
    "patronymic": "Щеглович",
    "last": "Синицынаї",
    "latin": "Kanareykog Zyablik",
    "alias": "Чижиков-Снегирёв",
    "birthplace": "Воробьёвськ",
    "unit": "в/ч 97531-канарейка",
    "rank": "старшинаканар",
    "deploy": "Соловьёвка-на-Дону",
    "narrative": "Свиристельщина повестки",
    "family": "Зябликоє",
    "handle": "@kanareyka_handle_77",
    "sector": "Щеглиное направление",
    "note": "Клестовщина заметки",
}


def variants(value: str) -> set[str]:
    """Every form a leak could take."""
    forms = {value, value.casefold(), value.upper(), " ".join(romanise(w) for w in value.split())}
    out = set()
    for f in forms:
        out |= {
            f,
            urllib.parse.quote(f),
            urllib.parse.quote_plus(f),
            json.dumps(f)[1:-1],
            base64.b64encode(f.encode()).decode().rstrip("="),
        }
    return {v for v in out if len(v) >= 6}


def _assert_clean(haystack: str | bytes, where: str) -> None:
    for field, value in CANARIES.items():
        for v in variants(value):
            needle = v.encode() if isinstance(haystack, bytes) else v
            assert needle not in haystack, f"canary {field!r} found in {where} as {v!r}"


def _application() -> dict[str, object]:
    c = CANARIES
    return {
        "pathways": ["deserter"],
        "person": {
            "first_name": c["first"],
            "patronymic": c["patronymic"],
            "last_name": c["last"],
            "latin_spellings": [c["latin"]],
            "aliases": [c["alias"]],
            "birth_date": "1991-07-13",
            "birthplace": c["birthplace"],
            "citizenship": ["ru"],
            "gender": "male",
            "narrative": c["narrative"],
            "military": {
                "status": "mobilised",
                "unit": c["unit"],
                "rank": c["rank"],
                "deployments": [{"place": c["deploy"], "period": {"start": "2023-01"}}],
            },
        },
        "family": [{"relationship": "spouse", "person": {"first_name": c["family"], "last_name": c["last"]}}],
    }


def test_no_canary_escapes_encryption(
    client: TestClient, env: Env, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    logs.configure("DEBUG")
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    try:
        seen = _exercise(client, env)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        logging.getLogger().setLevel(logging.WARNING)
    out, err = capfd.readouterr()
    _assert_clean(out + err, "stdout/stderr (DEBUG logs)")
    _assert_clean("\n".join(seen), "HTTP error bodies, headers and the OpenAPI document")
    with env.db.uow() as uow:
        audit = uow.session.execute(text("SELECT * FROM audit_log")).all()
    _assert_clean(repr(audit), "the audit table")
    _assert_clean(_database_bytes(env, tmp_path), "the raw database")


def _exercise(client: TestClient, env: Env) -> list[str]:
    seen: list[str] = []
    rec = client.post("/api/applications", json=_application())
    assert rec.status_code == 201, rec.text
    body = rec.json()
    cid = body["case_id"]
    cw, op = env.headers(Role.CASEWORKER), env.headers(Role.INTAKE_OPERATOR)
    detail = client.get(f"/api/cases/{cid}", headers=cw)
    with pytest.raises(AssertionError):  # the detector finds what an authorised reader is shown
        _assert_clean(detail.text, "the case page")
    assert client.post(f"/api/cases/{cid}/notes", json={"text": CANARIES["note"]}, headers=cw).status_code == 201
    sr = {"contact_handle": CANARIES["handle"], "sector": CANARIES["sector"], "unit": CANARIES["unit"]}
    assert client.post("/api/surrender-requests", json=sr, headers=op).status_code == 201
    client.post("/api/status", json={"receipt": body["receipt"], "passphrase": body["passphrase"]})
    # error paths: each echoes nothing back
    bad = [
        client.post("/api/applications", json={**_application(), "pathways": ["nope"]}),
        client.post(
            "/api/applications",
            json={
                **_application(),
                "person": {
                    **_application()["person"],  # type: ignore[dict-item]
                    "birth_date": "1991-02-30",
                },
            },
        ),
        client.post("/api/applications", json={**_application(), "extra": CANARIES["first"]}),
        client.post("/api/status", json={"receipt": CANARIES["first"], "passphrase": CANARIES["last"]}),
        client.post("/api/auth/login", json={"username": CANARIES["first"], "password": CANARIES["last"]}),
        client.post(f"/api/cases/{cid}/notes", json={"text": CANARIES["note"] * 2000}, headers=cw),
        client.get(f"/api/cases/{cid}", headers=env.headers(Role.SUPERVISOR)),
    ]
    for r in bad:
        seen.append(f"{r.status_code} {dict(r.headers)} {r.text}")
    seen.append(client.get("/api/openapi.json").text)
    return seen


def _database_bytes(env: Env, tmp_path: Path) -> bytes:
    if env.backend == "sqlite":
        path = Path(str(env.db.engine.url.database))
        backup = tmp_path / "backup.db"
        with sqlite3.connect(path) as src, sqlite3.connect(backup) as dst:
            src.backup(dst)
        files = [p for p in path.parent.glob(path.name + "*")] + [backup]
        return b"".join(p.read_bytes() for p in files)
    chunks = []
    with env.db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                chunks.append(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
    return b"\n".join(chunks)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_canary_in_a_real_server_log_at_debug(env: Env, tmp_path: Path) -> None:
    """`safepassage serve` as deployed (uvicorn, our log config) at DEBUG, with good and bad requests."""
    port = _free_port()
    server_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SAFEPASSAGE_")},
        "SAFEPASSAGE_DATABASE_URL": env.db.engine.url.render_as_string(hide_password=False),
        "SAFEPASSAGE_KEK": base64.b64encode(KEK).decode(),
        "SAFEPASSAGE_SECRET_KEY": base64.b64encode(SECRET).decode(),
        "SAFEPASSAGE_DATA_DIR": str(tmp_path),
        "SAFEPASSAGE_LOG_LEVEL": "DEBUG",
    }
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from safepassage.cli import main; main()", "serve", "--port", str(port)],
            env=server_env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
                time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=30) as http:
                ok = http.post("/api/applications", json=_application())
                assert ok.status_code == 201
                http.post("/api/applications", json={**_application(), "pathways": ["nope"]})
                http.post("/api/status", json={"receipt": CANARIES["first"], "passphrase": CANARIES["last"]})
                http.post("/api/auth/login", json={"username": CANARIES["first"], "password": CANARIES["last"]})
                http.get(f"/api/cases/{ok.json()['case_id']}", headers=env.headers(Role.CASEWORKER))
                http.get(f"/{urllib.parse.quote(CANARIES['first'])}")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert output.strip(), "the server logged nothing at DEBUG: the test would prove nothing"
    _assert_clean(output, "the server's DEBUG log")
