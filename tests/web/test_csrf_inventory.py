"""CSRF, generated from the route inventory: every unsafe page route, sent exactly the form its page
offers but without the token (what a forging site can do), changes nothing.

The forms are read from the pages themselves, so a new form is covered as soon as its route is in the
inventory; a route whose form cannot be found fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update

from safepassage.security.policy import Role
from safepassage.services import information
from safepassage.store.models import Base, StaffSession
from safepassage.store.types import utcnow
from safepassage.web.inventory import ROUTES
from tests import decisions_util, stats_util
from tests.conftest import Env
from tests.helpers import application
from tests.web import exclusion_setup, screening_setup
from tests.web.pages_util import browser, login, token

UNSAFE = sorted(path for method, path in ROUTES if method == "POST" and not path.startswith("/api/"))


class _Forms(HTMLParser):
    """Every POST form on a page: its action and the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, Any]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append((a.get("action", ""), {}))
        elif not self.forms or "name" not in a:
            return
        elif (tag == "input" and a.get("type") not in ("checkbox", "radio", "submit")) or (
            tag == "input" and "checked" in a
        ):
            self.forms[-1][1][a["name"]] = a.get("value") or "Тест"
        elif tag == "input" and a.get("type") == "submit":
            self.forms[-1][1].setdefault(a["name"], a.get("value", ""))
        elif tag == "button" and a.get("name"):
            self.forms[-1][1].setdefault(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self.forms[-1][1][a["name"]] = "Тест"
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and a.get("value"):
            self.forms[-1][1].setdefault(self._select, a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _form_for(page: str, route: str, case_id: str) -> dict[str, Any]:
    parser = _Forms()
    parser.feed(page)
    for action, fields in parser.forms:
        path = re.sub(r"^/(ru|uk|en|be)(?=/)", "", action.split("?")[0]).replace(case_id, "{case_id}")
        if path == route:
            return fields
    raise AssertionError(f"no form posting to {route} on its page")


def _snapshot(env: Env) -> dict[str, int]:
    with env.db.engine.connect() as conn:
        counts = {
            t: conn.execute(select(func.count()).select_from(text(f'"{t}"'))).scalar_one() for t in Base.metadata.tables
        }
        counts["versions"] = conn.execute(text("SELECT coalesce(sum(version), 0) FROM cases")).scalar_one()
        # re-showing the form reads the case again, and reads are audited: count only the changes
        counts["audit_log"] = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE event <> 'case.read'")
        ).scalar_one()
    counts.pop("staff_sessions")  # logging in the test's own users is set-up, not the forged request
    return counts


def _page(client: TestClient, env: Env, route: str, case_id: str, receipt: dict[str, str]) -> tuple[TestClient, str]:
    """The client (logged in as needed) and the page that offers the form for `route`."""
    anon = browser(client)
    if route in ("/apply", "/status", "/console/login"):
        return anon, anon.get(f"/ru{route}").text
    if "information-requests" in route or route == "/status/answer":  # a question to answer or close
        information.ask(env.db.uow(), actor=env.actor(Role.CASEWORKER), case_id=case_id, question="Вопрос {{ x }}",
                        due_on=None, expected_version=1)
    decisions_util.prepare_page(env, route, case_id)  # facts, decisions, appeals, letters
    if route in ("/withdraw", "/status/answer", "/appeal", "/letter"):
        form = anon.get("/ru/status").text
        shown = anon.post("/ru/status", data={"csrf": token(form), **receipt})
        return anon, shown.text
    who = {
        "/console/users": "admin",
        "/console/users/update": "admin",
        "/console/new/surrender": "intake-operator",
        "/console/new/application": "intake-operator",
        "/console/watchlists": "screening-analyst",
    }.get(route, "caseworker")
    if route.endswith("/assignment"):
        who = "supervisor"
    who = exclusion_setup.page_user(route) or who  # exclusion records and referrals
    who = decisions_util.page_user(route) or who  # the decision form is the adjudicator's
    who = screening_setup.page_user(route) or who  # screening hits, incident flags, duplicates
    c = login(anon, who)
    exclusion_setup.prepare_page(env, route, case_id)
    stats_util.prepare_page(env, route, case_id)  # arrival: granted cases only
    shown = screening_setup.prepare_page(env, route, case_id)
    if route == "/console/step-up":
        with env.db.uow() as uow:
            uow.session.execute(update(StaffSession).values(reauth_at=utcnow() - timedelta(hours=1)))
            uow.commit()
    page_of: dict[str, Callable[[], str]] = {
        "/console/logout": lambda: c.get("/ru/console").text,
        "/console/users": lambda: c.get("/ru/console/users").text,
        "/console/users/update": lambda: c.get("/ru/console/users").text,
        "/console/new/surrender": lambda: c.get("/ru/console/new/surrender").text,
        "/console/new/application": lambda: c.get("/ru/console/new/application").text,
        "/console/watchlists": lambda: c.get("/ru/console/watchlists").text,
    }
    return c, page_of.get(route, lambda: c.get(shown or f"/ru/console/cases/{case_id}").text)()


@pytest.mark.parametrize("route", UNSAFE)
def test_forged_form_without_token_changes_nothing(client: TestClient, env: Env, route: str) -> None:
    created = client.post("/api/applications", json=application()).json()
    case_id = created["case_id"]
    c, page = _page(client, env, route, case_id, {"receipt": created["receipt"], "passphrase": created["passphrase"]})
    fields = _form_for(page, route, case_id)
    assert "csrf" in fields, f"the form for {route} carries no CSRF token"
    forged = {k: v for k, v in fields.items() if k != "csrf"}
    before = _snapshot(env)
    cookies_before = dict(c.cookies)
    for body in (forged, {**forged, "csrf": "0" * 32}, {**forged, "csrf": "x.y"}):
        r = c.post(f"/ru{route.replace('{case_id}', case_id)}", data=body, follow_redirects=False)
        assert r.status_code < 500, r.text[:300]
        refused = r.status_code != 303 or (route == "/console/logout" and r.headers["location"].endswith("/console"))
        assert refused, (route, r.status_code, r.headers.get("location"))
    assert _snapshot(env) == before, f"a forged POST to {route} changed the database"
    assert dict(c.cookies) == cookies_before  # no session made, none ended
