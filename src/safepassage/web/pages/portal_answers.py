"""The applicant answers a request for information from the status page (works without JavaScript).

The receipt and passphrase travel in the POST body only, as on the status page; a wrong one gets the
status page's answer. Whatever happens, the status page is shown again: with a thank-you, or with the
problem next to the answer, the text kept.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from safepassage.domain.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)
from safepassage.services import information, intake
from safepassage.web.deps import UoW
from safepassage.web.pages import forms
from safepassage.web.pages.common import PageRoute, gettext_for, public_csrf_ok
from safepassage.web.pages.documents import file_error
from safepassage.web.pages.labels import N_
from safepassage.web.pages.portal import _refusal, _status_page, expired_message
from safepassage.web.uploads import UploadForm, read_upload_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def _upload_form(request: Request) -> UploadForm:
    return await read_upload_form(request)


def _request_id(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return ""


@router.post("/status/answer")
def answer(request: Request, uow: UoW, form: Annotated[UploadForm, Depends(_upload_form)]) -> HTMLResponse:
    """Send the answer to one question (text, and optionally one document)."""
    _ = gettext_for(request)
    checked = forms.credentials(form.fields, _)
    if form.malformed:
        checked.errors["form"] = _("The form could not be read. Please send it again.")
    elif not public_csrf_ok(request, form.fields.get("csrf")):
        checked.errors["form"] = expired_message(request)
    if checked.errors:
        return _status_page(request, values=checked.values, errors=checked.errors)
    creds = checked.values
    rid = _request_id(form.fields.get("request_id", ""))
    errors: dict[str, str] = {}
    text = forms.text(form.fields, "answer", _, errors, limit=information.MAX_ANSWER,
                      required=N_("Write your answer first.")).replace("\r", "\n")
    if "answer" in errors:
        errors[f"answer-{rid}"] = errors.pop("answer")
    if form.upload is not None:
        problem = file_error(form.upload, _)
        if problem:
            errors[f"file-{rid}"] = problem
    values = {**creds, "answer": form.fields.get("answer", ""), "request_id": rid}
    try:
        if errors or not rid:
            st = intake.check_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
            return _status_page(request, values=values, status=st,
                                errors=errors or {"form": _("This question is no longer open.")})
        information.answer(uow, receipt=creds["receipt"], passphrase=creds["passphrase"], request_id=rid,
                           text=text, upload=form.upload)
    except (Unauthenticated, TooManyAttempts) as exc:
        return _status_page(request, values=creds, errors=_refusal(request, exc))
    except (NotFound, Conflict, IllegalTransition, InvalidInput) as exc:
        if isinstance(exc, InvalidInput) and not errors:  # the receipt itself (the text was checked above)
            return _status_page(request, values=creds, errors=_refusal(request, exc))
        st = intake.check_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
        message = _("This question was already answered, or is no longer open. Nothing was changed.")
        return _status_page(request, values=creds, status=st, errors={"form": message}, http_status=409)
    st = intake.check_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
    return _status_page(request, values=creds, status=st, message=_("Thank you: your answer was sent."))
