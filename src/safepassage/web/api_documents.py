"""JSON API for requests for information and documents: parse, call one service, shape the answer."""

from __future__ import annotations

import base64
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from safepassage.domain.errors import InvalidInput
from safepassage.services import documents, information
from safepassage.web import schemas as s
from safepassage.web import schemas_documents as sd
from safepassage.web.api import ERRORS
from safepassage.web.deps import Staff, UoW
from safepassage.web.uploads import UploadForm, read_upload_form

router = APIRouter(prefix="/api", responses=ERRORS)
#: A download is a file for saving, never a page: no scripts, no plugins, no sniffing (see docs/security.md).
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


@router.post("/cases/{case_id}/information-requests", status_code=201, response_model=s.IdOut,
             tags=["information requests"])
def ask(case_id: UUID, body: sd.InformationRequestIn, actor: Staff, uow: UoW) -> s.IdOut:
    """Ask the applicant a question; they see it when they check their status."""
    return s.IdOut(id=information.ask(uow, actor=actor, case_id=str(case_id), question=body.question,
                                      due_on=body.due_on, expected_version=body.version))


@router.get("/cases/{case_id}/information-requests", response_model=list[sd.InformationRequestOut],
            tags=["information requests"])
def list_requests(case_id: UUID, actor: Staff, uow: UoW) -> list[sd.InformationRequestOut]:
    """The questions asked on a case, newest first, with answers and attached documents."""
    return [sd.InformationRequestOut.of(r) for r in information.for_case(uow, actor=actor, case_id=str(case_id))]


@router.post("/cases/{case_id}/information-requests/{rfi_id}/closure", response_model=sd.ClosureOut,
             tags=["information requests"])
def close_request(case_id: UUID, rfi_id: UUID, actor: Staff, uow: UoW) -> sd.ClosureOut:
    """Close an answered request, or withdraw one still open."""
    return sd.ClosureOut(status=information.close(uow, actor=actor, case_id=str(case_id), request_id=str(rfi_id)))


@router.post("/information-requests/answers", status_code=201, response_model=s.IdOut, tags=["applicants"])
def answer(body: sd.AnswerIn, uow: UoW) -> s.IdOut:
    """Answer a question from your caseworker (the open ones are listed by POST /api/status)."""
    return s.IdOut(id=information.answer(uow, receipt=body.receipt, passphrase=body.passphrase,
                                         request_id=body.request_id, text=body.text))


@router.get("/cases/{case_id}/documents", response_model=list[sd.DocumentOut], tags=["documents"])
def list_documents(case_id: UUID, actor: Staff, uow: UoW) -> list[sd.DocumentOut]:
    """The documents on a case: names, types, sizes and SHA-256 (needs step-up)."""
    return [sd.DocumentOut.of(d) for d in documents.list_documents(uow, actor=actor, case_id=str(case_id))]


async def _upload_form(request: Request) -> UploadForm:
    return await read_upload_form(request)


@router.post("/cases/{case_id}/documents", status_code=201, response_model=s.IdOut, tags=["documents"],
             openapi_extra={"requestBody": sd.UPLOAD_BODY})
def upload(case_id: UUID, actor: Staff, uow: UoW, form: Annotated[UploadForm, Depends(_upload_form)]) -> s.IdOut:
    """Attach a document (multipart/form-data, field `file`): PDF, JPEG, PNG, WebP or HEIC, at most 10 MB."""
    if form.upload is None:
        raise InvalidInput("Send the document as multipart/form-data in a field named 'file'.")
    return s.IdOut(id=documents.upload_document(uow, actor=actor, case_id=str(case_id), upload=form.upload))


@router.get("/cases/{case_id}/documents/{document_id}", tags=["documents"],
            responses={200: {"content": {m: {} for m in documents.ACCEPTED}, "description": "the document"}})
def download(case_id: UUID, document_id: UUID, actor: Staff, uow: UoW) -> Response:
    """Download a document (audited), as an attachment under a neutral file name."""
    return file_response(documents.download(uow, actor=actor, case_id=str(case_id), document_id=str(document_id)))


def file_response(doc: documents.DocumentFile) -> Response:
    """A document as a download that no browser will render: attachment, nosniff, sandboxed."""
    name = f"document-{doc.id[:8]}.{documents.ACCEPTED[doc.media_type]}"
    return Response(doc.content, media_type=doc.media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Security-Policy": DOWNLOAD_CSP,
        "X-Content-Type-Options": "nosniff",
        "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(doc.sha256)).decode()}:",  # RFC 9530
    })


__all__ = ["router"]
