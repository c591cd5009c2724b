"""Console: documents and requests for information on the case page (panels, forms, downloads).

The two sections are case-page panels (web/pages/case_panels.py). Forms post here; a refusal shows the
case page again with a clear message and what was typed kept; success redirects back to the case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from safepassage.domain.errors import (
    Conflict,
    Erased,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    StaleVersion,
    StepUpRequired,
)
from safepassage.security.policy import Action, FieldClass, grant
from safepassage.services import documents, information
from safepassage.services.documents import Upload
from safepassage.store.uow import UnitOfWork
from safepassage.web.api_documents import file_response
from safepassage.web.deps import UoW
from safepassage.web.pages import console, forms
from safepassage.web.pages.case_panels import register_panel
from safepassage.web.pages.common import (
    Guarded,
    PageRoute,
    Posted,
    StaffSession,
    form_values,
    gettext_for,
    redirect,
    staff_csrf_ok,
)
from safepassage.web.pages.labels import N_
from safepassage.web.pages.portal import expired_message
from safepassage.web.uploads import UploadForm, read_upload_form

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
Gettext = Callable[[str], str]

STATUSES = {
    "open": N_("Waiting for the applicant"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
}
KINDS = {"staff": N_("staff"), "applicant": N_("the applicant"), "system": N_("the system")}
GO_BACK = N_("Go back")  # shown by web/too_large.py, which is outside the extracted page code


def _reads_documents(who: StaffSession) -> bool:
    g = grant(who.role, Action.READ)
    return g is not None and FieldClass.DOCUMENTS in g.fields and who.actor.stepped_up


def _requests_panel(uow: UnitOfWork, who: StaffSession, case_id: str) -> dict[str, Any] | None:
    if not _reads_documents(who):
        return None
    try:
        found = information.for_case(uow, actor=who.actor, case_id=case_id)
    except (NotFound, Erased):
        return None
    return {"requests": found, "may_ask": who.may(Action.REQUEST_INFO), "statuses": STATUSES, "kinds": KINDS}


def _documents_panel(uow: UnitOfWork, who: StaffSession, case_id: str) -> dict[str, Any] | None:
    if not _reads_documents(who):
        return None
    try:
        found = documents.list_documents(uow, actor=who.actor, case_id=case_id)
    except (NotFound, Erased):
        return None
    return {"documents": found, "may_upload": who.may(Action.ATTACH_DOCUMENT), "kinds": KINDS,
            "max_mb": documents.MAX_BYTES // (1024 * 1024)}


register_panel("information_requests", "console/information_requests.html", _requests_panel)
register_panel("documents", "console/documents.html", _documents_panel)


def file_error(upload: Upload | None, _: Gettext) -> str:
    """What is wrong with an uploaded file, in the reader's language ('' if nothing)."""
    if upload is None:
        return _("Choose a file to upload.")
    if not upload.content:
        return _("The file is empty.")
    if len(upload.content) > documents.MAX_BYTES:
        return _("The file is too large: at most %(mb)d MB.") % {"mb": documents.MAX_BYTES // (1024 * 1024)}
    try:
        documents.media_type_of(upload.content)
    except InvalidInput:
        return _("Only PDF, JPEG, PNG, WebP and HEIC files are accepted (checked by content, not by name).")
    return ""


def _refusal(request: Request, exc: Exception) -> str:
    _ = gettext_for(request)
    if isinstance(exc, Conflict | NotFound):
        return _("This request is no longer open (it was answered, closed or withdrawn). Nothing was changed.")
    if isinstance(exc, StepUpRequired):
        return _("Confirm your password and code first.")
    return console._conflict(request, exc)


def _run(request: Request, who: StaffSession, uow: UoW, case_id: str, fields: dict[str, str],
         typed: dict[str, str], action: Callable[[], object], done: str, field: str) -> Response:
    """CSRF first, then the service; a refusal shows the case again with the input kept."""
    if not staff_csrf_ok(request, who, fields.get("csrf")):
        return console._case_page(request, who, uow, case_id, errors={field: expired_message(request)}, typed=typed)
    try:
        action()
    except (StaleVersion, IllegalTransition, Forbidden, InvalidInput, Conflict, NotFound, StepUpRequired) as exc:
        status = 409 if isinstance(exc, StaleVersion | IllegalTransition | Conflict) else 200
        return console._case_page(request, who, uow, case_id, errors={field: _refusal(request, exc)}, typed=typed,
                                  status=status)
    return redirect(request, f"/console/cases/{case_id}?done={done}")


async def _upload_form(request: Request) -> UploadForm:
    return await read_upload_form(request)


@router.post("/cases/{case_id}/documents", response_model=None)
def upload(request: Request, case_id: UUID, who: Guarded, uow: UoW,
           form: Annotated[UploadForm, Depends(_upload_form)]) -> Response:
    """Attach a document; a wrong type, an empty or too large file is refused and nothing is stored."""
    _ = gettext_for(request)
    cid = str(case_id)
    if staff_csrf_ok(request, who, form.fields.get("csrf")):
        error = file_error(form.upload, _)
        if error:
            return console._case_page(request, who, uow, cid, errors={"file": error})
    return _run(request, who, uow, cid, form.fields, {}, lambda: documents.upload_document(
        uow, actor=who.actor, case_id=cid, upload=form.upload or Upload("", b"")), "uploaded", "file")


@router.get("/cases/{case_id}/documents/{document_id}", response_model=None)
def download(request: Request, case_id: UUID, document_id: UUID, who: Guarded, uow: UoW) -> Response:
    """Download a document (audited): always an attachment, never shown in the browser."""
    try:
        found = documents.download(uow, actor=who.actor, case_id=str(case_id), document_id=str(document_id))
    except StepUpRequired:  # the confirmation expired since the page was shown: confirm again on the case page
        return redirect(request, f"/console/cases/{case_id}")
    return file_response(found)


def _due(value: str, _: Gettext, errors: dict[str, str]) -> date | None:
    if not value.strip():
        return None
    try:
        return information.check_due(date.fromisoformat(value.strip()))
    except (ValueError, InvalidInput):
        errors["due_on"] = _("Enter a due date from today to a year ahead, like 2026-12-31.")
        return None


@router.post("/cases/{case_id}/information-requests", response_model=None)
def ask(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Ask the applicant a question; empty or too long questions and bad dates keep what was typed."""
    _ = gettext_for(request)
    cid, fields = str(case_id), form_values(posted)
    typed = {"question": fields.get("question", ""), "due_on": fields.get("due_on", "")}
    errors: dict[str, str] = {}
    question = forms.text(fields, "question", _, errors, limit=information.MAX_QUESTION,
                          required=N_("Write the question first."))
    due = _due(fields.get("due_on", ""), _, errors)
    version = console._version(fields)
    if errors or not version:
        return console._case_page(request, who, uow, cid, errors=errors or {"question": _("Reload the page.")},
                                  typed=typed)
    return _run(request, who, uow, cid, fields, typed, lambda: information.ask(
        uow, actor=who.actor, case_id=cid, question=question, due_on=due, expected_version=version),
        "asked", "question")


@router.post("/cases/{case_id}/information-requests/close", response_model=None)
def close(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Close an answered request, or withdraw one still open."""
    cid, fields = str(case_id), form_values(posted)
    rid = console._uuid(fields.get("request_id", ""))
    if not rid:
        _ = gettext_for(request)
        return console._case_page(request, who, uow, cid, errors={"rfi": _("Reload the page.")})
    return _run(request, who, uow, cid, fields, {}, lambda: information.close(
        uow, actor=who.actor, case_id=cid, request_id=rid), "closed", "rfi")
