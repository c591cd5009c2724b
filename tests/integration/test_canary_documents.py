"""Canaries in questions, answers, file names and file contents never escape encryption (see test_canary.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from safepassage.security import logs
from safepassage.security.policy import Role
from tests.conftest import Env
from tests.helpers import application
from tests.integration.test_canary import _database_bytes, variants

CANARIES = {
    "question": "Дроздовщина вопроса",
    "answer": "Малиновкаї ответа",
    "filename": "Свиристелька-паспорт",
    "content": "Пеночкинская справка",
}


def _assert_clean(haystack: str | bytes, where: str) -> None:
    for field, value in CANARIES.items():
        for v in variants(value):
            needle = v.encode() if isinstance(haystack, bytes) else v
            assert needle not in haystack, f"canary {field!r} found in {where} as {v!r}"


def test_no_document_or_answer_canary_escapes(
    client: TestClient, env: Env, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    logs.configure("DEBUG")
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    seen: list[str] = []
    try:
        case = client.post("/api/applications", json=application()).json()
        cid, cw = case["case_id"], env.headers(Role.CASEWORKER)
        creds = {"receipt": case["receipt"], "passphrase": case["passphrase"]}
        r = client.post(f"/api/cases/{cid}/information-requests", json={"question": CANARIES["question"], "version": 1},
                        headers=cw)
        rid = r.json()["id"]
        assert client.post("/api/information-requests/answers",
                           json={**creds, "request_id": rid, "text": CANARIES["answer"]}).status_code == 201
        pdf = b"%PDF-1.4\n" + CANARIES["content"].encode() + b"\n%%EOF"
        up = client.post(f"/api/cases/{cid}/documents", headers=cw,
                         files={"file": (CANARIES["filename"] + ".pdf", pdf, "application/pdf")})
        assert up.status_code == 201
        listed = client.get(f"/api/cases/{cid}/information-requests", headers=cw)
        with pytest.raises(AssertionError):  # the detector finds what an authorised reader is shown
            _assert_clean(listed.text, "the staff list")
        download = client.get(f"/api/cases/{cid}/documents/{up.json()['id']}", headers=cw)
        seen.append(str(dict(download.headers)))  # headers only: the body is the document itself
        bad = [
            client.post("/api/information-requests/answers",
                        json={**creds, "request_id": rid, "text": CANARIES["answer"]}),  # already answered
            client.post("/api/information-requests/answers",
                        json={**creds, "passphrase": CANARIES["answer"], "request_id": rid, "text": "x"}),
            client.post(f"/api/cases/{cid}/information-requests",
                        json={"question": CANARIES["question"] * 500, "version": 1}, headers=cw),
            client.post(f"/api/cases/{cid}/documents", headers=cw,
                        files={"file": (CANARIES["filename"] + ".pdf", CANARIES["content"].encode(), "text/plain")}),
            client.get(f"/api/cases/{cid}/documents", headers=env.headers(Role.SUPERVISOR)),
        ]
        seen += [f"{b.status_code} {dict(b.headers)} {b.text}" for b in bad]
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        logging.getLogger().setLevel(logging.WARNING)
    out, err = capfd.readouterr()
    _assert_clean(out + err, "stdout/stderr (DEBUG logs)")
    _assert_clean("\n".join(seen), "error bodies and download headers")
    with env.db.uow() as uow:
        audit = uow.session.execute(text("SELECT * FROM audit_log")).all()
    _assert_clean(repr(audit), "the audit table")
    _assert_clean(_database_bytes(env, tmp_path), "the raw database")
