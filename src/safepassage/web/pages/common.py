"""What every page needs: the language from the URL, templates, CSRF tokens, the staff session, errors.

Language lives in the URL (`/ru/…`, `/uk/…`, `/en/…`, `/be/…`; no prefix means Russian), never in a
cookie. Public forms carry a signed double-submit token (random, identifies nobody); staff forms a
synchronizer token derived from the session. Errors answer in HTML for browsers and in the API's
JSON shape for everyone else.
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from hashlib import sha256
from pathlib import Path
from typing import Annotated, Any

from babel.dates import format_datetime
from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import FormData
from starlette.types import ASGIApp, Receive, Scope, Send

from safepassage.domain.errors import DomainError, Forbidden, NotFound, Unauthenticated
from safepassage.i18n import DEFAULT, LANGUAGES, NATIVE_NAMES, translations
from safepassage.security.access import require
from safepassage.security.policy import Action, Role, grant
from safepassage.security.secrets import derive_key, token_hash
from safepassage.services import staff
from safepassage.store.uow import Actor, Database
from safepassage.web.errors import error_response
from safepassage.web.inventory import ROUTES, Rule
from safepassage.web.pages import labels

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LANG_KEY = "safepassage.lang"
RULE_KEY = "safepassage.rule"
FORM_COOKIE = "sp_form"  # public forms' double-submit token
STAFF_COOKIE = "sp_staff"  # staff session token
_NOT_PREFIXED = ("/api", "/static", "/healthz")


class LanguagePrefix:
    """Strips a language prefix (`/uk/apply` → `/apply`) and remembers the language for the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            head, _, rest = path[1:].partition("/")
            lang = DEFAULT
            if head in LANGUAGES and not ("/" + rest).startswith(_NOT_PREFIXED):
                lang, path = head, "/" + rest
                scope = {**scope, "path": path, "raw_path": path.encode()}
            scope = {**scope, LANG_KEY: lang}
        await self.app(scope, receive, send)


def lang_of(request: Request) -> str:
    """The request's language (from the URL prefix)."""
    lang: str = request.scope.get(LANG_KEY, DEFAULT)
    return lang


def wants_html(request: Request) -> bool:
    """A browser (or htmx) rather than an API client."""
    return "text/html" in request.headers.get("accept", "") or "hx-request" in request.headers


async def read_form(request: Request) -> FormData:
    """The posted form (url-encoded or multipart, no files); the body size is capped by middleware."""
    return await request.form(max_files=0, max_fields=400)


Posted = Annotated[FormData, Depends(read_form)]


def form_values(posted: FormData) -> dict[str, str]:
    """The posted text fields (first value of each)."""
    return {k: v for k, v in posted.items() if isinstance(v, str)}


# ---- templates -------------------------------------------------------------------------------------------


@cache
def jinja(lang: str) -> Environment:
    """The template environment of one language (gettext installed, autoescaping on)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(lang=lang, languages=NATIVE_NAMES, L=labels, url=lambda p="/": f"/{lang}{p}")
    env.filters["when"] = lambda dt: when(dt, lang)
    env.filters["reveal"] = reveal
    return env


def reveal(value: object) -> Markup:
    """Escape text and make invisible format characters (zero-width, bidi controls) visible to staff."""
    out = []
    for ch in str(value):
        if unicodedata.category(ch) == "Cf":
            out.append(Markup('<span class="invisible-char" title="U+{0:04X}">U+{0:04X}</span>').format(ord(ch)))
        else:
            out.append(escape(ch))
    return Markup("").join(out)


def when(dt: datetime | None, lang: str) -> str:
    """A date and time in the reader's language (UTC)."""
    if dt is None:
        return ""
    return format_datetime(dt, "d MMM y, HH:mm", tzinfo=None, locale=lang) + " UTC"


def gettext_for(request: Request) -> Callable[[str], str]:
    """The gettext function of the request's language."""
    return translations(lang_of(request)).gettext


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the request's language; sets a fresh form token cookie when one was issued."""
    lang = lang_of(request)
    context.setdefault("here", page_of(request))
    context.setdefault("staff", getattr(request.state, "staff", None))
    html = jinja(lang).get_template(template).render(request=request, **context)
    response = HTMLResponse(html, status_code=status)
    fresh = getattr(request.state, "fresh_form_token", None)
    if fresh:
        set_cookie(request, response, FORM_COOKIE, fresh)
    return response


_GET_PAGE_OF = [
    (re.compile(r"/(transitions|notes|assignment|family)$"), ""),
    (re.compile(r"^/withdraw$"), "/status"),
    (re.compile(r"^/(appeal|letter)$"), "/status"),
    (re.compile(r"/(facts|evaluations|decisions|appeals)$"), ""),
    (re.compile(r"^/status/answer$"), "/status"),
    (re.compile(r"/(documents|information-requests(/close)?)$"), ""),
    (re.compile(r"^/console/users/update$"), "/console/users"),
    (re.compile(r"^/console/(step-up|logout)$"), "/console"),
]


def page_of(request: Request) -> str:
    """The page (a GET path) this request belongs to: what the language switch links to."""
    path: str = request.scope["path"]
    if request.method != "GET":
        for pattern, replacement in _GET_PAGE_OF:
            path = pattern.sub(replacement, path)
        return path
    # GET queries are filters and page numbers (never personal data): keep them across a language switch.
    query = request.url.query
    return f"{path}?{query}" if query else path


def redirect(request: Request, path: str) -> RedirectResponse:
    """303 to a page in the request's language."""
    return RedirectResponse(f"/{lang_of(request)}{path}", status_code=303)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """A session cookie: HttpOnly, SameSite=Strict, Secure over https, whole site."""
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
    )


# ---- CSRF ------------------------------------------------------------------------------------------------


def _mac(request: Request, purpose: str, value: str) -> str:
    db: Database = request.app.state.db
    return hmac.new(derive_key(db.secret_key, purpose), value.encode(), sha256).hexdigest()[:32]


def _valid_form_token(request: Request, value: str | None) -> bool:
    if not value or value.count(".") != 1 or len(value) > 100:
        return False
    nonce, mac = value.split(".")
    return hmac.compare_digest(mac, _mac(request, "csrf-public-form", nonce))


def form_token(request: Request) -> str:
    """The double-submit token for a public form: the cookie's if valid, else a fresh random one."""
    current = request.cookies.get(FORM_COOKIE)
    if _valid_form_token(request, current):
        return current  # type: ignore[return-value]
    if not getattr(request.state, "fresh_form_token", None):
        nonce = secrets.token_urlsafe(24)
        request.state.fresh_form_token = f"{nonce}.{_mac(request, 'csrf-public-form', nonce)}"
    token: str = request.state.fresh_form_token
    return token


def public_csrf_ok(request: Request, submitted: str | None) -> bool:
    """A public form's token matches its cookie and carries our signature."""
    cookie = request.cookies.get(FORM_COOKIE)
    return bool(
        submitted
        and cookie
        and hmac.compare_digest(submitted.encode(), cookie.encode())
        and _valid_form_token(request, cookie)
    )


@dataclass(frozen=True)
class StaffSession:
    """The logged-in staff member of a console request."""

    actor: Actor
    token: str
    via_cookie: bool

    @property
    def role(self) -> Role:
        """The staff role."""
        return Role(self.actor.role)

    def may(self, action: Action) -> bool:
        """Whether the role holds the action at all (for showing links and buttons)."""
        return grant(self.role, action) is not None


def staff_csrf(request: Request, sess: StaffSession) -> str:
    """The synchronizer token of this staff session (derived from the session, never stored)."""
    return _mac(request, "csrf-staff-form", token_hash(sess.token))


def staff_csrf_ok(request: Request, sess: StaffSession, submitted: str | None) -> bool:
    """Cookie sessions need the session's token; bearer requests cannot be forged cross-site."""
    if not sess.via_cookie:
        return True
    return bool(submitted) and hmac.compare_digest(str(submitted).encode(), staff_csrf(request, sess).encode())


# ---- staff sessions and the route guard ------------------------------------------------------------------


def current_staff(request: Request) -> StaffSession:
    """The staff session from the cookie (browsers) or a bearer header (scripts); Unauthenticated otherwise."""
    token, via_cookie = request.cookies.get(STAFF_COOKIE), True
    if not token:
        auth = request.headers.get("authorization", "")
        token, via_cookie = (auth[7:].strip()[:200], False) if auth.lower().startswith("bearer ") else ("", False)
    if not token:
        raise Unauthenticated("Please log in.")
    db: Database = request.app.state.db
    sess = StaffSession(staff.authenticate(db.uow(), token=token[:200]), token[:200], via_cookie)
    request.state.staff = sess
    return sess


def guarded_staff(request: Request) -> StaffSession:
    """The staff session, checked against this route's inventory rule (403, or 404 for case routes)."""
    sess = current_staff(request)
    rule: Rule = request.scope[RULE_KEY]
    if rule.action is not None:
        try:
            require(sess.actor, rule.action, rule.fields)
        except Forbidden:
            if rule.on_case and grant(sess.role, Action.READ) is None:
                raise NotFound("No such case.") from None
            raise
    return sess


#: A route's staff session, checked against the route's inventory rule (every console route takes one).
Guarded = Annotated[StaffSession, Depends(guarded_staff)]


ERROR_TITLES = {
    400: labels.N_("The request could not be read."),
    401: labels.N_("Please log in."),
    403: labels.N_("You are not allowed to do this."),
    404: labels.N_("Nothing here: the page does not exist or you may not see it."),
    409: labels.N_("This was changed by someone else in the meantime. Reload and try again."),
    422: labels.N_("Please check what you entered."),
    429: labels.N_("Too many attempts. Wait a few minutes and try again."),
    500: labels.N_("Something went wrong on our side; nothing was changed."),
}


def error_page(request: Request, status: int, code: str, message: str) -> Response:
    """An error: a page in the reader's language for browsers, the API's JSON shape otherwise."""
    if not wants_html(request):
        return error_response(status, code, message)
    if status == 401:
        path = "/console/login?expired=1" if "ended" in message else "/console/login"
        response: Response = redirect(request, path)
        if "hx-request" in request.headers:
            response = Response(status_code=204, headers={"HX-Redirect": f"/{lang_of(request)}{path}"})
        response.delete_cookie(STAFF_COOKIE, path="/")
        return response
    return render(request, "error.html", status=status, message=ERROR_TITLES.get(status, ERROR_TITLES[500]))


class PageRoute(APIRoute):
    """A page: its inventory rule travels with the request; refusals become pages (or JSON for APIs)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the inventory rule and page-friendly errors."""
        handler = super().get_route_handler()
        method = next(iter(self.methods - {"HEAD"})) if self.methods else "GET"
        rule = ROUTES[(method, self.path)]

        async def page_handler(request: Request) -> Response:
            request.scope[RULE_KEY] = rule
            try:
                return await handler(request)
            except DomainError as exc:
                return error_page(request, exc.status, exc.code, exc.message)
            except StaleDataError:
                return error_page(request, 409, "stale_version", "Changed by someone else.")
            except RequestValidationError:
                return error_page(request, 422, "invalid_input", "Invalid request.")

        return page_handler
