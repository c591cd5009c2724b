"""The staff console: login, the queue, the case page and its actions. Everything per the policy table.

Routes parse, call one service, render. A refused or stale change shows the case again with a clear
message and with what was typed still in the form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safepassage.domain.case import FamilyMember, Relationship
from safepassage.domain.errors import (
    Forbidden,
    IllegalTransition,
    InvalidInput,
    StaleVersion,
    TooManyAttempts,
    Unauthenticated,
)
from safepassage.domain.pathways import Pathway, Priority
from safepassage.domain.person import PartialDate, Person, PersonName
from safepassage.domain.stages import Stage
from safepassage.i18n import LANGUAGES
from safepassage.security.policy import Action
from safepassage.services import casework, decisions, pages_support, staff
from safepassage.web.deps import UoW
from safepassage.web.pages import forms
from safepassage.web.pages.case_panels import panels_for
from safepassage.web.pages.common import (
    STAFF_COOKIE,
    Guarded,
    PageRoute,
    Posted,
    StaffSession,
    form_token,
    form_values,
    gettext_for,
    public_csrf_ok,
    redirect,
    render,
    set_cookie,
    staff_csrf,
    staff_csrf_ok,
)
from safepassage.web.pages.labels import N_
from safepassage.web.pages.portal import expired_message

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 25


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


# ---- login, logout, step-up ------------------------------------------------------------------------------


def _login_page(request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200) -> HTMLResponse:
    notice = "expired" if request.query_params.get("expired") == "1" else ""
    return render(request, "console/login.html", status=status, values=values, errors=errors, who=None,
                  csrf=form_token(request), notice=notice)


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    """The staff login form."""
    return _login_page(request, {}, {})


@router.post("/login", response_model=None)
def login(request: Request, posted: Posted, uow: UoW) -> Response:
    """Log in with username, password and the authenticator code; the session lives in an HttpOnly cookie."""
    _ = gettext_for(request)
    form = form_values(posted)
    values = {"username": form.get("username", "").strip()[:64]}
    errors: dict[str, str] = {}
    if not public_csrf_ok(request, form.get("csrf")):
        errors["form"] = expired_message(request)
    if not values["username"]:
        errors["username"] = _("Enter your username.")
    if not form.get("password"):
        errors["password"] = _("Enter your password.")
    if errors:
        return _login_page(request, values, errors)
    try:
        sess = staff.login(uow, username=values["username"], password=form["password"][:1024],
                           code=form.get("code", "").strip()[:12] or None, client=_client(request))
    except TooManyAttempts:
        return _login_page(request, values, {"form": _("Too many attempts. Wait a few minutes and try again.")})
    except Unauthenticated:
        return _login_page(request, values, {"form": _("Wrong username, password or code.")})
    response = redirect(request, "/console")
    set_cookie(request, response, STAFF_COOKIE, sess.token)
    return response


@router.post("/logout")
def logout(request: Request, posted: Posted, who: Guarded, uow: UoW) -> RedirectResponse:
    """End the session and forget the cookie."""
    if not staff_csrf_ok(request, who, form_values(posted).get("csrf")):
        return redirect(request, "/console")  # a forged logout does nothing, not even to the cookie
    staff.logout(uow, actor=who.actor, token=who.token)
    response = redirect(request, "/console/login")
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response


@router.post("/step-up", response_model=None)
def step_up(request: Request, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Confirm password and code again to see personal data for a while; back to the case afterwards."""
    _ = gettext_for(request)
    form = form_values(posted)
    case_id = _uuid(form.get("case_id", ""))
    error = ""
    if not staff_csrf_ok(request, who, form.get("csrf")):
        error = expired_message(request)
    elif not form.get("password"):
        error = _("Enter your password.")
    else:
        try:
            staff.step_up(uow, actor=who.actor, token=who.token, password=form["password"][:1024],
                          code=form.get("code", "").strip()[:12] or None)
        except TooManyAttempts:
            error = _("Too many attempts. Wait a few minutes and try again.")
        except Unauthenticated:
            error = _("Wrong username, password or code.")
    if not case_id:
        return render(request, "console/home.html", who=who, csrf=staff_csrf(request, who), error=error)
    if error:
        return _case_page(request, who, uow, case_id, errors={"step_up": error})
    return redirect(request, f"/console/cases/{case_id}")


def _uuid(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return ""


@router.get("")
def home(request: Request, who: Guarded) -> HTMLResponse:
    """Where each role starts: links to what the policy lets it do."""
    return render(request, "console/home.html", who=who, csrf=staff_csrf(request, who), error="")


# ---- the queue -------------------------------------------------------------------------------------------


def _enum(cls: Any, value: str | None) -> Any:
    try:
        return cls(value) if value else None
    except ValueError:
        return None


@router.get("/cases")
def cases(request: Request, who: Guarded, uow: UoW) -> HTMLResponse:
    """The queue: filter by stage, pathway, priority, assignee and language; sort; pages; names masked."""
    q = request.query_params
    assignee = q.get("assignee", "")
    if assignee == "me":
        assignee_id: str | None = who.actor.user_id
    else:
        assignee_id = assignee if assignee == "none" or _uuid(assignee) else None
    language = q.get("language", "") if q.get("language", "") in LANGUAGES else ""
    try:
        page_no = max(1, min(100_000, int(q.get("page", "1"))))
    except ValueError:
        page_no = 1
    sort = q.get("sort", "priority") if q.get("sort") in pages_support.SORTS else "priority"
    page = pages_support.queue(
        uow, actor=who.actor, stage=_enum(Stage, q.get("stage")), pathway=_enum(Pathway, q.get("pathway")),
        priority=_enum(Priority, q.get("priority")), assignee_id=assignee_id, language=language or None,
        sort=sort, descending=q.get("order") == "desc", limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE,
    )
    filters = {k: q.get(k, "") for k in ("stage", "pathway", "priority", "assignee", "language", "sort", "order")}
    return render(
        request, "console/queue.html", who=who, page=page, page_no=page_no, filters=filters,
        pages=max(1, -(-page.total // PAGE_SIZE)), query=urlencode({k: v for k, v in filters.items() if v}),
        deadlines=decisions.deadlines(uow, actor=who.actor, case_ids=[r.case.id for r in page.rows]),
        names=pages_support.staff_names(uow, actor=who.actor),
        caseworkers=pages_support.caseworkers(uow, actor=who.actor), csrf=staff_csrf(request, who),
    )


# ---- the case page and its actions ------------------------------------------------------------------------


def _case_page(
    request: Request, who: StaffSession, uow: UoW, case_id: str, *, errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None, message: str = "", status: int = 200,
) -> HTMLResponse:
    detail = casework.case_detail(uow, actor=who.actor, case_id=case_id)
    may_assign = who.may(Action.ASSIGN)
    return render(
        request, "console/case.html", status=status, who=who, d=detail, c=detail.summary,
        trail=pages_support.case_trail(uow, actor=who.actor, case_id=case_id),
        panels=panels_for(uow, who, case_id),
        names=pages_support.staff_names(uow, actor=who.actor),
        caseworkers=pages_support.caseworkers(uow, actor=who.actor) if may_assign else [],
        may_assign=may_assign, may_note=who.may(Action.ANNOTATE), may_family=who.may(Action.LINK_FAMILY),
        errors=errors or {}, typed=typed or {}, message=message, csrf=staff_csrf(request, who),
    )


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: UUID, who: Guarded, uow: UoW) -> HTMLResponse:
    """One case with what the role may read (full names only here), its history and its actions."""
    return _case_page(request, who, uow, str(case_id))


def _version(form: dict[str, str]) -> int:
    try:
        return max(1, int(form.get("version", "")))
    except ValueError:
        return 0


def _conflict(request: Request, exc: Exception) -> str:
    _ = gettext_for(request)
    if isinstance(exc, StaleVersion):
        return _("Someone else changed this case while you were looking at it. Nothing was changed: "
                 "the page now shows the case as it is; check it and try again.")
    if isinstance(exc, IllegalTransition):
        return _("This move is not possible from the case's current stage. Nothing was changed.")
    if isinstance(exc, Forbidden):
        return _("Your role does not allow this on this case (it may be assigned to someone else).")
    return _("Please check what you entered.")


def _act(request: Request, who: StaffSession, uow: UoW, case_id: str, form: dict[str, str], typed: dict[str, str],
         action: Any, done: str, field: str) -> Response:
    """Run one case action: CSRF first, then the service; errors show the case again with the input kept."""
    if not staff_csrf_ok(request, who, form.get("csrf")):
        return _case_page(request, who, uow, case_id, errors={field: expired_message(request)}, typed=typed)
    try:
        action()
    except (StaleVersion, IllegalTransition, Forbidden, InvalidInput) as exc:
        status = 409 if isinstance(exc, StaleVersion | IllegalTransition) else 200
        return _case_page(request, who, uow, case_id, errors={field: _conflict(request, exc)}, typed=typed,
                          status=status)
    return redirect(request, f"/console/cases/{case_id}?done={done}")


@router.post("/cases/{case_id}/transitions", response_model=None)
def transition(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Move the case to the stage of the button pressed (with the version the page showed)."""
    form = form_values(posted)
    target, version = _enum(Stage, form.get("to")), _version(form)
    if target is None or not version:
        _ = gettext_for(request)
        return _case_page(request, who, uow, str(case_id), errors={"move": _("Choose a stage to move the case to.")})
    return _act(request, who, uow, str(case_id), form, {}, lambda: casework.move_case(
        uow, actor=who.actor, case_id=str(case_id), to=target, expected_version=version), "moved", "move")


@router.post("/cases/{case_id}/notes", response_model=None)
def add_note(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Add a note; an empty or invalid note shows the case again with the text kept."""
    _ = gettext_for(request)
    form = form_values(posted)
    errors: dict[str, str] = {}
    note = forms.text(form, "note", _, errors, limit=casework.MAX_NOTE, required=N_("Write the note first."))
    if errors:
        return _case_page(request, who, uow, str(case_id), errors=errors, typed={"note": form.get("note", "")})
    return _act(request, who, uow, str(case_id), form, {"note": note}, lambda: casework.add_note(
        uow, actor=who.actor, case_id=str(case_id), text=note), "noted", "note")


@router.post("/cases/{case_id}/assignment", response_model=None)
def assign(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Assign the case to a caseworker, or unassign it."""
    _ = gettext_for(request)
    form = form_values(posted)
    assignee = _uuid(form.get("assignee_id", "")) or None
    version = _version(form)
    if not version or (form.get("assignee_id") and not assignee):
        return _case_page(request, who, uow, str(case_id), errors={"assign": _("Choose a caseworker.")})
    return _act(request, who, uow, str(case_id), form, {}, lambda: casework.assign_case(
        uow, actor=who.actor, case_id=str(case_id), assignee_id=assignee, expected_version=version),
        "assigned", "assign")


FAMILY_FIELDS = ("fam_relationship", "fam_first", "fam_last", "fam_birth")


@router.post("/cases/{case_id}/family", response_model=None)
def add_family(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Link a family member; errors and conflicts keep what was typed."""
    _ = gettext_for(request)
    form = form_values(posted)
    typed = {k: form.get(k, "") for k in FAMILY_FIELDS}
    errors: dict[str, str] = {}
    rel = forms.choice(form, "fam_relationship", Relationship, _, errors)
    first, last = forms.text(form, "fam_first", _, errors), forms.text(form, "fam_last", _, errors)
    birth = forms.partial_date(form, "fam_birth", _, errors)
    if not rel and "fam_relationship" not in errors:
        errors["fam_relationship"] = _("Choose how this person is related to the applicant.")
    if not (first or last) and "fam_first" not in errors:
        errors["fam_first"] = _(forms.REQUIRED_NAME)
    version = _version(form)
    if errors or not version:
        return _case_page(request, who, uow, str(case_id), errors=errors or {"family": _("Reload the page.")},
                          typed=typed)
    member = FamilyMember(Relationship(rel), Person(PersonName(first, last),
                                                  PartialDate.parse(birth) if birth else None))
    return _act(request, who, uow, str(case_id), form, typed, lambda: casework.add_family_member(
        uow, actor=who.actor, case_id=str(case_id), member=member, expected_version=version), "linked", "family")
