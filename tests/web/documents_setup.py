"""Set-up for the generated route tests: a real document, question or upload for the documents routes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from safepassage.security.policy import Role
from safepassage.services import documents, information
from safepassage.services.documents import Upload
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.helpers import application

FILES = "__files__"  # a body with this key is sent as multipart/form-data: the other keys are its fields
PDF = b"%PDF-1.4\n% \xd0\x9f\xd0\xb0\xd1\x81\xd0\xbf\xd0\xbe\xd1\x80\xd1\x82 {{ 7*7 }}\n%%EOF\n"
_OURS = ("/documents", "/information-requests", "/status/answer")


def request_for(client: TestClient, env: Env, method: str, path: str) -> tuple[str, str, dict[str, Any] | None] | None:
    """(method, path, body) for a documents or information-request route; None for anyone else's route."""
    if not any(part in path for part in _OURS):
        return None
    case = client.post("/api/applications", json=application()).json()
    cid = case["case_id"]
    path = path.replace("{case_id}", cid)
    if "{document_id}" in path:
        doc_id = documents.upload_document(env.db.uow(), actor=Actor.system(), case_id=cid, upload=Upload("a.pdf", PDF))
        path = path.replace("{document_id}", doc_id)
    if "{rfi_id}" in path or path.endswith("/answers") or path.endswith("/status/answer"):
        rid = information.ask(env.db.uow(), actor=env.actor(Role.ADJUDICATOR), case_id=cid,
                              question="Вопрос ґ {{ x }}", due_on=None, expected_version=1)
        path = path.replace("{rfi_id}", rid)
    body: dict[str, Any] | None = None
    if method == "GET" or path.endswith("/closure"):
        body = None
    elif path.endswith("/information-requests"):
        body = {"question": "Пришлите повестку {{ x }}", "version": 1}
    elif path.endswith("/answers"):
        body = {"receipt": case["receipt"], "passphrase": case["passphrase"], "request_id": rid, "text": "Ответ ї"}
    elif path.endswith("/documents"):
        body = {FILES: {"file": ("скан.pdf", PDF, "application/pdf")}}
    elif path.endswith("/status/answer"):
        body = {FILES: {"file": ("скан.pdf", PDF, "application/pdf")}, "receipt": case["receipt"],
                "passphrase": case["passphrase"], "request_id": rid, "answer": "Ответ ї"}
    return method, path, body
