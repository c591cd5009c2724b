"""Documents through the API, on both databases: encrypted upload, audited download, refusals, erasure, custody."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from safepassage.domain.errors import Erased
from safepassage.security.policy import Role
from safepassage.services import documents, erasure
from safepassage.store.models import AuditEntry, StaffSession
from safepassage.store.models_documents import DocumentRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.helpers import application
from tests.integration.test_erasure import _second_auditor

PDF = b"%PDF-1.7\n% \xd0\x9f\xd0\xb0\xd1\x81\xd0\xbf\xd0\xbe\xd1\x80\xd1\x82 <script>alert(1)</script>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 512 + b"\xff\xd9"
HOSTILE_NAME = "..\\..\\паспорт Ґрицько\u202egpj.pdf\u200b<b>{{ 7*7 }}.pdf"


def new_case(client: TestClient) -> str:
    """A fresh application's case id."""
    r = client.post("/api/applications", json=application())
    assert r.status_code == 201, r.text
    return str(r.json()["case_id"])


def upload(client: TestClient, env: Env, case_id: str, content: bytes, name: str = "scan.pdf",
           role: Role = Role.CASEWORKER, mime: str = "application/pdf") -> Any:
    """POST a file to the case as multipart/form-data."""
    return client.post(f"/api/cases/{case_id}/documents", files={"file": (name, content, mime)},
                       headers=env.headers(role))


def _nothing_stored(env: Env) -> None:
    with env.db.uow() as uow:
        assert uow.count(DocumentRow) == 0
        assert not uow.session.scalars(select(AuditEntry).where(AuditEntry.event == "document.uploaded")).all()


def test_upload_list_download_roundtrip(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    r = upload(client, env, cid, PDF, HOSTILE_NAME, mime="image/png")  # the browser's claim is ignored
    assert r.status_code == 201, r.text
    doc_id = r.json()["id"]
    [listed] = client.get(f"/api/cases/{cid}/documents", headers=env.headers(Role.ADJUDICATOR)).json()
    assert listed["media_type"] == "application/pdf" and listed["size"] == len(PDF)
    assert listed["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert listed["filename"] == "паспорт Ґрицькоgpj.pdf<b>{{ 7*7 }}.pdf"  # no path, no bidi/zero-width
    assert listed["uploaded_by_kind"] == "staff" and listed["uploaded_by"] == env.user_ids[Role.CASEWORKER]

    got = client.get(f"/api/cases/{cid}/documents/{doc_id}", headers=env.headers(Role.SCREENING_ANALYST))
    assert got.status_code == 200 and got.content == PDF
    assert hashlib.sha256(got.content).hexdigest() == listed["sha256"]
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == f'attachment; filename="document-{doc_id[:8]}.pdf"'
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"].startswith("sandbox")
    assert got.headers["cache-control"] == "no-store"
    with env.db.uow() as uow:  # stored encrypted: neither the content nor the name nor the hash in clear
        row = uow.session.get(DocumentRow, doc_id)
        assert row is not None and PDF not in row.content and b"%PDF" not in row.content
        assert "Ґрицько".encode() not in row.meta and listed["sha256"].encode() not in row.meta
        events = [(e.event, e.actor_role, list(e.fields)) for e in uow.session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == cid))]
    assert ("document.uploaded", "caseworker", ["documents", f"document:{doc_id}"]) in events
    assert ("document.downloaded", "screening_analyst", ["documents", f"document:{doc_id}"]) in events


@pytest.mark.parametrize(("content", "name", "why"), [
    (b"", "empty.pdf", "empty"),
    (b"just text, named like a PDF", "notes.pdf", "Only PDF"),
    (b"<html><script>alert(1)</script></html>", "page.pdf", "Only PDF"),
    (b"MZ\x90\x00" + b"\x00" * 200, "passport.jpg", "Only PDF"),
    (b"GIF89a" + b"\x00" * 100, "photo.png", "Only PDF"),
    (b"PK\x03\x04" + b"\x00" * 100, "scan.pdf", "Only PDF"),
])
def test_wrong_type_or_empty_is_refused_and_nothing_stored(
    client: TestClient, env: Env, content: bytes, name: str, why: str
) -> None:
    cid = new_case(client)
    r = upload(client, env, cid, content, name)
    assert r.status_code == 422 and why in r.json()["error"]["message"], r.text
    _nothing_stored(env)


def test_size_cap(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    over = PDF + b"\x00" * (documents.MAX_BYTES - len(PDF) + 1)
    r = upload(client, env, cid, over)
    assert r.status_code == 422 and "too large" in r.json()["error"]["message"]
    way_over = over + b"\x00" * 512 * 1024  # past the upload body limit: refused while streaming
    r = upload(client, env, cid, way_over)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    _nothing_stored(env)
    exactly = over[:-1]
    assert upload(client, env, cid, exactly).status_code == 201
    # other routes keep the 1 MB body limit
    big_json = client.post("/api/applications", json=application(narrative="я" * 600_000))
    assert big_json.status_code == 413


def test_not_a_multipart_body(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    for kw in ({"json": {"file": "JVBERi0="}}, {"content": PDF, "headers": {"content-type": "application/pdf"}},
               {"content": b"--x\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=x"}}):
        headers = {**env.headers(Role.CASEWORKER), **kw.pop("headers", {})}  # type: ignore[dict-item]
        r = client.post(f"/api/cases/{cid}/documents", headers=headers, **kw)  # type: ignore[arg-type]
        assert r.status_code == 422, r.text
    _nothing_stored(env)


def test_who_may_upload_and_read(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    assert upload(client, env, cid, PNG, "a.png", Role.ADJUDICATOR).status_code == 201
    doc_id = upload(client, env, cid, JPEG, "b.jpg").json()["id"]
    assert upload(client, env, cid, PNG, role=Role.SCREENING_ANALYST).status_code == 403
    assert upload(client, env, cid, PNG, role=Role.SUPERVISOR).status_code == 403
    assert upload(client, env, cid, PNG, role=Role.AUDITOR).status_code == 404
    for role, code in ((Role.SUPERVISOR, 403), (Role.INTAKE_OPERATOR, 403), (Role.ADMIN, 404), (Role.AUDITOR, 404)):
        assert client.get(f"/api/cases/{cid}/documents", headers=env.headers(role)).status_code == code
        assert client.get(f"/api/cases/{cid}/documents/{doc_id}", headers=env.headers(role)).status_code == code
    other = new_case(client)  # a document id under another case's path is not found
    elsewhere = client.get(f"/api/cases/{other}/documents/{doc_id}", headers=env.headers(Role.ADJUDICATOR))
    assert elsewhere.status_code == 404
    # personal data needs a recent step-up
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(reauth_at=utcnow().replace(year=2000)))
        uow.commit()
    r = client.get(f"/api/cases/{cid}/documents/{doc_id}", headers=env.headers(Role.ADJUDICATOR))
    assert r.status_code == 401 and r.json()["error"]["code"] == "step_up_required"


def test_closed_cases_take_no_documents(client: TestClient, env: Env) -> None:
    r = client.post("/api/applications", json=application()).json()
    client.post("/api/withdrawals", json={"receipt": r["receipt"], "passphrase": r["passphrase"]})
    assert upload(client, env, r["case_id"], PDF).status_code == 409
    _nothing_stored(env)


def test_custody_records(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    ids = [upload(client, env, cid, c, n).json()["id"] for c, n in ((PDF, "a.pdf"), (PNG, "b.png"))]
    records = documents.custody_records(env.db.uow(), actor=env.actor(Role.ADJUDICATOR), case_id=cid)
    assert [(r.document_id, r.sha256, r.size, r.media_type, r.uploaded_by_kind) for r in records] == [
        (ids[0], hashlib.sha256(PDF).hexdigest(), len(PDF), "application/pdf", "staff"),
        (ids[1], hashlib.sha256(PNG).hexdigest(), len(PNG), "image/png", "staff"),
    ]
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the supervisor may not read documents
        documents.custody_records(env.db.uow(), actor=env.actor(Role.SUPERVISOR), case_id=cid)


def test_erasure_makes_documents_unreadable(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    doc_id = upload(client, env, cid, PDF).json()["id"]
    with env.db.uow() as uow:
        row = uow.session.get(DocumentRow, doc_id)
        assert row is not None
        stolen = row.content  # a copy taken before the erasure (a backup, say)
    req = erasure.request_erasure(env.db.uow(), actor=env.actor(Role.AUDITOR), case_id=cid, reason="court_order")
    assert erasure.approve_erasure(env.db.uow(), actor=_second_auditor(env), request_id=req) == 1
    with env.db.uow() as uow:
        assert uow.count(DocumentRow) == 0
        case = uow.get_case(cid)
        assert case is not None
        with pytest.raises(Erased):  # the data key is gone: the copy cannot be opened
            uow.keys.for_case(case).decrypt(stolen, table="documents", column="content", row_id=doc_id)
    r = client.get(f"/api/cases/{cid}/documents/{doc_id}", headers=env.headers(Role.ADJUDICATOR))
    assert r.status_code in (404, 409) and "%PDF" not in r.text
    assert client.get(f"/api/cases/{cid}/documents", headers=env.headers(Role.ADJUDICATOR)).json() == []
    assert documents.custody_records(env.db.uow(), actor=Actor.system(), case_id=cid) == []


def test_uploads_are_documented_as_multipart() -> None:
    """The only request bodies that are not JSON are uploads: multipart, one binary `file` field."""
    from tests.web.test_openapi_examples import DOC

    other = {(m, p) for p, ops in DOC["paths"].items() for m, op in ops.items()
             if "requestBody" in op and "application/json" not in op["requestBody"]["content"]}
    assert ("post", "/api/cases/{case_id}/documents") in other
    for method, path in other:
        content = DOC["paths"][path][method]["requestBody"]["content"]
        assert list(content) == ["multipart/form-data"], (method, path)
        assert content["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
