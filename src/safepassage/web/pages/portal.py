"""The applicant portal (public): start page, application in steps, status and withdrawal.

Works without JavaScript. Secrets travel in POST bodies only; nothing is stored before the
application is sent; every form keeps what was typed when it has to be shown again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from safepassage.domain.errors import IllegalTransition, InvalidInput, TooManyAttempts, Unauthenticated
from safepassage.domain.stages import OPEN, Stage
from safepassage.services import intake
from safepassage.services.views import Status
from safepassage.store.uow import Actor
from safepassage.web.deps import UoW
from safepassage.web.pages import forms
from safepassage.web.pages.apply_form import MAX_FAMILY_ROWS, STEP_TITLES, ApplyForm
from safepassage.web.pages.common import (
    PageRoute,
    Posted,
    form_token,
    gettext_for,
    lang_of,
    public_csrf_ok,
    render,
)
from safepassage.web.pages.common import form_values as _values

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def expired_message(request: Request) -> str:
    """Shown when a form's token is missing or wrong: nothing happened, nothing was lost."""
    _ = gettext_for(request)
    return _(
        "For your safety this form must be sent again (it expired, or your browser refused its cookie). "
        "Nothing was lost."
    )


@router.get("/")
def start(request: Request) -> HTMLResponse:
    """Who can apply, what happens next, what is kept and why, how to stay safe."""
    return render(request, "portal/start.html")


def _apply_page(request: Request, form: ApplyForm, status: int = 200) -> HTMLResponse:
    steps = form.steps()
    return render(
        request,
        "portal/apply.html",
        status=status,
        form=form,
        v=form.values,
        steps=steps,
        step_no=steps.index(form.step) + 1,
        titles=STEP_TITLES,
        max_rows=MAX_FAMILY_ROWS,
        csrf=form_token(request),
    )


@router.get("/apply")
def apply_form(request: Request) -> HTMLResponse:
    """The first step of the application."""
    return _apply_page(request, ApplyForm())


@router.post("/apply", response_model=None)
def apply_step(request: Request, posted: Posted, uow: UoW) -> HTMLResponse:
    """One step of the application: check it, then show the next step, or send the application."""
    _ = gettext_for(request)
    form = ApplyForm.parse(_values(posted), [p for p in posted.getlist("pathway") if isinstance(p, str)])
    nav = posted.get("nav", "next")
    if not public_csrf_ok(request, str(posted.get("csrf", ""))):
        form.errors = {"form": expired_message(request)}
        return _apply_page(request, form)
    if nav == "back":
        form.move(-1)
    elif nav == "add_family":
        form.family_rows = min(MAX_FAMILY_ROWS, form.family_rows + 1)
    elif nav == "send":
        if not form.check_all(_):
            return _apply_page(request, form)
        try:
            receipt = intake.submit_application(
                uow, actor=Actor.applicant(), application=form.to_application(lang_of(request))
            )
        except InvalidInput:
            form.errors = {"form": _("Something in the form could not be accepted. Please check every step.")}
            return _apply_page(request, form)
        return render(request, "portal/receipt.html", receipt=receipt)
    else:
        form.errors = form.check(form.step, _)
        if not form.errors:
            form.move(1)
    return _apply_page(request, form)


def _status_page(
    request: Request, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    status: Status | None = None, message: str = "", http_status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "portal/status.html",
        status=http_status,
        values=values or {},
        errors=errors or {},
        st=status,
        can_withdraw=status is not None and Stage(status.stage) in OPEN,
        csrf=form_token(request),
        message=message,
    )


@router.get("/status")
def status_form(request: Request) -> HTMLResponse:
    """Ask for the receipt code and passphrase."""
    return _status_page(request)


def _credentials_or_errors(request: Request, posted: FormData) -> forms.Checked:
    checked = forms.credentials(_values(posted), gettext_for(request))
    if not public_csrf_ok(request, str(posted.get("csrf", ""))):
        checked.errors["form"] = expired_message(request)
    return checked


def _refusal(request: Request, exc: Exception) -> dict[str, str]:
    _ = gettext_for(request)
    if isinstance(exc, TooManyAttempts):
        return {"form": _("Too many attempts. Wait a few minutes and try again.")}
    if isinstance(exc, InvalidInput):
        return {"receipt": _("The receipt code has a typo: please check each character.")}
    return {"form": _("The receipt code or the passphrase is wrong.")}


@router.post("/status")
def status_check(request: Request, posted: Posted, uow: UoW) -> HTMLResponse:
    """Where the application stands and what is needed from the applicant."""
    checked = _credentials_or_errors(request, posted)
    if checked.errors:
        return _status_page(request, values=checked.values, errors=checked.errors)
    try:
        st = intake.check_status(uow, receipt=checked.values["receipt"], passphrase=checked.values["passphrase"])
    except (Unauthenticated, TooManyAttempts, InvalidInput) as exc:
        return _status_page(request, values=checked.values, errors=_refusal(request, exc))
    return _status_page(request, values=checked.values, status=st)


@router.post("/withdraw")
def withdraw(request: Request, posted: Posted, uow: UoW) -> HTMLResponse:
    """Withdraw an open application (asks for an explicit confirmation)."""
    _ = gettext_for(request)
    checked = _credentials_or_errors(request, posted)
    if checked.errors:
        return _status_page(request, values=checked.values, errors=checked.errors)
    creds = checked.values
    try:
        if posted.get("confirm") != "yes":
            st = intake.check_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
            return _status_page(
                request, values=creds, status=st,
                errors={"confirm": _("Tick the box to confirm that you want to withdraw.")},
            )
        st = intake.withdraw_by_applicant(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
    except IllegalTransition:
        st = intake.check_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
        return _status_page(request, values=creds, status=st, errors={"form": _("This application is closed.")})
    except (Unauthenticated, TooManyAttempts, InvalidInput) as exc:
        return _status_page(request, values=creds, errors=_refusal(request, exc))
    return _status_page(request, values=creds, status=st)
