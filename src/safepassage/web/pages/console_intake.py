"""Console pages for taking cases in and managing staff: the operator's forms and the admins' users page.

The operator's forms are short and keyboard-first (the first field is focused, Enter sends), so a
hotline call can be recorded in under a minute.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from safepassage.domain.case import Application, SurrenderRequest
from safepassage.domain.errors import Conflict, InvalidInput
from safepassage.domain.pathways import Channel, Language, Pathway, Urgency, initial_priority
from safepassage.domain.person import PartialDate, Person, PersonName
from safepassage.security.policy import Role
from safepassage.services import intake, pages_support, staff
from safepassage.web.deps import UoW
from safepassage.web.pages import forms
from safepassage.web.pages.common import (
    Guarded,
    PageRoute,
    Posted,
    StaffSession,
    form_values,
    gettext_for,
    render,
    staff_csrf,
    staff_csrf_ok,
)
from safepassage.web.pages.console import _uuid
from safepassage.web.pages.labels import N_
from safepassage.web.pages.portal import expired_message

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
SURRENDER_FIELDS = ("unit", "sector", "contact_channel", "contact_handle", "group_size", "urgency", "language")
APPLICATION_FIELDS = ("first_name", "patronymic", "last_name", "birth_date", "language", "channel", "summons",
                      "at_front")


def _page(request: Request, who: StaffSession, template: str, **context: Any) -> HTMLResponse:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("receipt", None)
    return render(request, template, who=who, csrf=staff_csrf(request, who), **context)


@router.get("/new/surrender")
def surrender_form(request: Request, who: Guarded) -> HTMLResponse:
    """The hotline form for a surrender request."""
    return _page(request, who, "console/surrender.html", values={"group_size": "1", "urgency": "days"})


@router.post("/new/surrender")
def surrender(request: Request, posted: Posted, who: Guarded, uow: UoW) -> HTMLResponse:
    """Record a surrender request; the receipt and passphrase are shown once, to pass on to the caller."""
    _ = gettext_for(request)
    form = form_values(posted)
    values = {k: form.get(k, "") for k in SURRENDER_FIELDS}
    errors: dict[str, str] = {}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors["form"] = expired_message(request)
    unit, sector = forms.text(form, "unit", _, errors), forms.text(form, "sector", _, errors)
    channel = forms.text(form, "contact_channel", _, errors, limit=40)
    handle = forms.text(form, "contact_handle", _, errors, required=N_("A contact is needed to arrange it."))
    urgency = forms.choice(form, "urgency", Urgency, _, errors) or "days"
    language = forms.choice(form, "language", Language, _, errors) or "ru"
    try:
        size = int(values["group_size"] or "1")
        if not 1 <= size <= 500:
            raise ValueError
    except ValueError:
        errors["group_size"], size = _("Enter a number from 1 to 500."), 1
    if errors:
        return _page(request, who, "console/surrender.html", values=values, errors=errors)
    request_ = SurrenderRequest(unit, sector, channel, handle, size, Urgency(urgency), Language(language))
    try:
        receipt = intake.record_surrender_request(uow, actor=who.actor, request=request_)
    except InvalidInput:
        return _page(request, who, "console/surrender.html", values=values,
                     errors={"form": _("Please check what you entered.")})
    return _page(request, who, "console/surrender.html", receipt=receipt, values={"group_size": "1", "urgency": "days"})


@router.get("/new/application")
def application_form(request: Request, who: Guarded) -> HTMLResponse:
    """The form for an application taken on someone's behalf (minimal data; more can be added later)."""
    return _page(request, who, "console/application.html", pathways=[], values={"channel": "operator"})


@router.post("/new/application")
def application(request: Request, posted: Posted, who: Guarded, uow: UoW) -> HTMLResponse:
    """Record an application on someone's behalf."""
    _ = gettext_for(request)
    form = form_values(posted)
    values = {k: form.get(k, "") for k in APPLICATION_FIELDS}
    chosen = [p for p in posted.getlist("pathway") if isinstance(p, str) and p in set(Pathway)]
    errors: dict[str, str] = {}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors["form"] = expired_message(request)
    if not chosen:
        errors["pathways"] = _("Choose at least one reason.")
    first, last = forms.text(form, "first_name", _, errors), forms.text(form, "last_name", _, errors)
    patronymic = forms.text(form, "patronymic", _, errors)
    if not (first or last) and "first_name" not in errors:
        errors["first_name"] = _(forms.REQUIRED_NAME)
    birth = forms.partial_date(form, "birth_date", _, errors)
    language = forms.choice(form, "language", Language, _, errors) or "ru"
    channel = forms.choice(form, "channel", ("operator", "hotline"), _, errors) or "operator"
    if errors:
        return _page(request, who, "console/application.html", values=values, errors=errors, pathways=chosen)
    paths = frozenset(Pathway(p) for p in chosen)
    summons, at_front = values["summons"] == "yes", values["at_front"] == "yes"
    app = Application(
        pathways=paths,
        person=Person(PersonName(first, last, patronymic), PartialDate.parse(birth) if birth else None),
        language=Language(language), summons_received=summons, at_front=at_front, channel=Channel(channel),
    )
    try:
        receipt = intake.submit_application(uow, actor=who.actor, application=app)
    except InvalidInput:
        return _page(request, who, "console/application.html", values=values, pathways=chosen,
                     errors={"form": _("Please check what you entered.")})
    priority = initial_priority(paths, summons_received=summons, at_front=at_front).value
    return _page(request, who, "console/application.html", receipt=receipt, priority=priority, pathways=[],
                 values={"channel": "operator"})


def _users_page(request: Request, who: StaffSession, uow: UoW, **context: Any) -> HTMLResponse:
    return _page(request, who, "console/users.html", users=pages_support.list_users(uow, actor=who.actor),
                 roles=[r.value for r in Role], **context)


@router.get("/users")
def users(request: Request, who: Guarded, uow: UoW) -> HTMLResponse:
    """Staff accounts and their roles (admins only)."""
    return _users_page(request, who, uow)


@router.post("/users")
def create_user(request: Request, posted: Posted, who: Guarded, uow: UoW) -> HTMLResponse:
    """Create an account; its authenticator enrolment link is shown once."""
    _ = gettext_for(request)
    form = form_values(posted)
    values = {"username": form.get("username", "").strip()[:64], "role": form.get("role", "")}
    errors: dict[str, str] = {}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors["form"] = expired_message(request)
    if not values["username"]:
        errors["username"] = _("Enter a username.")
    role = forms.choice(form, "role", Role, _, errors)
    if not role and "role" not in errors:
        errors["role"] = _("Choose a role.")
    password = form.get("password", "")
    if len(password) < 12:
        errors["password"] = _("The password needs at least 12 characters.")
    if errors:
        return _users_page(request, who, uow, values=values, errors=errors)
    try:
        created = staff.create_user(uow, actor=who.actor, username=values["username"], role=Role(role),
                                    password=password[:1024])
    except Conflict:
        return _users_page(request, who, uow, values=values, errors={"username": _("This username is taken.")})
    except InvalidInput:
        return _users_page(request, who, uow, values=values, errors={
            "username": _("2–63 characters: lower-case letters, digits, dot, dash or underscore.")})
    enrol = getattr(created, "totp_uri", "")
    return _users_page(request, who, uow, created=values["username"], enrol=enrol)


@router.post("/users/update")
def update_user(request: Request, posted: Posted, who: Guarded, uow: UoW) -> HTMLResponse:
    """Change a user's role, or disable / enable the account (their sessions end)."""
    _ = gettext_for(request)
    form = form_values(posted)
    errors: dict[str, str] = {}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors["form"] = expired_message(request)
    role = forms.choice(form, "role", Role, _, errors)
    disabled = {"disable": True, "enable": False}.get(form.get("status", ""))
    user_id = _uuid(form.get("user_id", ""))
    if not user_id or (not role and disabled is None):
        errors.setdefault("form", _("Choose a user and a change."))
    if errors:
        return _users_page(request, who, uow, errors=errors)
    try:
        staff.set_user(uow, actor=who.actor, user_id=user_id, role=Role(role) if role else None, disabled=disabled)
    except InvalidInput:
        return _users_page(request, who, uow, errors={"form": _("No such user.")})
    return _users_page(request, who, uow, updated=True)
