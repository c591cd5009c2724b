"""Console pages for watchlists: lists and versions, a version's diff, and upload of a small file.

Routes parse, call one service, render. Larger files are imported with `safepassage watchlist import`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from safepassage.domain.errors import DomainError, NotFound
from safepassage.services import watchlists
from safepassage.web.pages.common import (
    Guarded,
    PageRoute,
    StaffSession,
    gettext_for,
    render,
    staff_csrf,
    staff_csrf_ok,
)
from safepassage.web.pages.portal import expired_message

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
MAX_FILE = 900_000  # bytes; the request body is capped at 1 MB
SHOWN = 500  # persons per list on the diff page (counts are complete)


def _page(request: Request, who: StaffSession, **context: Any) -> HTMLResponse:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("report", None)
    return render(request, "console/watchlists.html", who=who, csrf=staff_csrf(request, who),
                  lists=watchlists.list_watchlists(request.app.state.db, actor=who.actor), **context)


@router.get("/watchlists")
def watchlists_page(request: Request, who: Guarded) -> HTMLResponse:
    """Every list with its versions (source, date, counts, bad lines) and the upload form."""
    return _page(request, who)


@router.post("/watchlists")
async def upload(request: Request, who: Guarded) -> HTMLResponse:
    """Import an uploaded file as the next version of a list."""
    _ = gettext_for(request)
    form = await request.form(max_files=1, max_fields=10)
    values = {k: v.strip()[:500] for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    errors: dict[str, str] = {}
    if not staff_csrf_ok(request, who, str(form.get("csrf") or "")):
        errors["form"] = expired_message(request)
    if not values.get("name"):
        errors["name"] = _("Enter the list's name.")
    fmt = values.get("format", "ftm")
    if fmt not in watchlists.FORMATS:
        errors["format"] = _("Choose a format.")
    upload = form.get("file")
    content = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = _("Choose a file.")
    else:
        content = await upload.read(MAX_FILE + 1)
        if len(content) > MAX_FILE:
            errors["file"] = _("The file is too large for the page; import it with the command line.")
    if errors:
        return _page(request, who, values=values, errors=errors)
    try:
        # Off the event loop: the import writes in batches and may take seconds.
        report = await run_in_threadpool(
            watchlists.import_text, request.app.state.db, actor=who.actor, name=values["name"],
            content=content.decode("utf-8", errors="surrogateescape"), fmt=fmt, source=values.get("source", ""),
        )
    except DomainError as exc:
        return _page(request, who, values=values,
                     errors={"form": _("Nothing was imported.") + " " + exc.message})
    return _page(request, who, report=report)


@router.get("/watchlists/{name}")
def version_diff(request: Request, who: Guarded, name: str) -> HTMLResponse:
    """Persons added, removed and changed between two versions of a list."""
    q = request.query_params
    try:
        frm = int(q["from"]) if q.get("from") else None
        to = int(q["to"]) if q.get("to") else None
    except ValueError:
        frm = to = None
    try:
        d = watchlists.diff(request.app.state.db, actor=who.actor, name=name[:64], from_version=frm, to_version=to,
                            limit=SHOWN)
    except NotFound:
        raise
    except DomainError:
        d = watchlists.diff(request.app.state.db, actor=who.actor, name=name[:64], limit=SHOWN)
    return render(request, "console/watchlist_diff.html", who=who, csrf=staff_csrf(request, who), diff=d)
