"""Statistics pages: the supervisors' dashboard, the public statistics page, the arrival panel on the case page.

Routes parse, call one service, render. Charts are server-side SVG (no JavaScript); a bad period is shown
as an error on the page with nothing computed.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from safepassage.domain.errors import Erased, Forbidden, InvalidInput, NotFound
from safepassage.domain.stages import Stage
from safepassage.rendering import stats_charts, stats_labels
from safepassage.security.access import case_for_read
from safepassage.security.policy import Action, FieldClass
from safepassage.services import statistics
from safepassage.store.types import utcnow
from safepassage.store.uow import UnitOfWork
from safepassage.web.api_stats import default_period
from safepassage.web.deps import DB, UoW
from safepassage.web.pages import console
from safepassage.web.pages.case_panels import register_panel
from safepassage.web.pages.common import (
    Guarded,
    PageRoute,
    Posted,
    StaffSession,
    form_values,
    gettext_for,
    redirect,
    render,
    staff_csrf,
    staff_csrf_ok,
)
from safepassage.web.pages.portal import expired_message

console_router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
public_router = APIRouter(route_class=PageRoute, include_in_schema=False)


@public_router.get("/stats/charts.css")
def charts_css() -> Response:
    """The charts' stylesheet (same origin, so the strict CSP allows it)."""
    return Response(stats_charts.chart_css(), media_type="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


@console_router.get("/stats")
def dashboard(request: Request, who: Guarded, db: DB) -> HTMLResponse:
    """Funnel, removed from the war, processing times, backlog: for one period, in people."""
    _ = gettext_for(request)
    q = request.query_params
    start, end = default_period(q.get("from", "")[:10] or None, q.get("to", "")[:10] or None)
    error = ""
    try:
        period = statistics.parse_period(start, end)
    except InvalidInput:
        error = _("Dates must be written as YYYY-MM-DD and the start must not be after the end.")
    context: dict[str, Any] = {"who": who, "csrf": staff_csrf(request, who), "start": start, "end": end,
                               "error": error, "report": None, "charts": {}, "SL": stats_labels}
    if not error:
        report = statistics.report(db, actor=who.actor, period=period)
        context.update(report=report, charts=stats_charts.dashboard(report, _),
                       open_cases=sum(v[0] for ages in report.backlog.values() for v in ages.values()))
    return render(request, "console/dashboard.html", status=422 if error else 200, **context)


@public_router.get("/stats")
def public_page(request: Request, db: DB) -> HTMLResponse:
    """The public figures of the last closed quarters; withheld cells are marked, never shown."""
    _ = gettext_for(request)
    releases = statistics.public_index(db)
    quarter = request.query_params.get("quarter", "")[:8]
    chosen = next((r for r in releases if r["period"] == quarter), releases[0] if releases else None)
    chart = None
    if chosen is not None:
        chart = stats_charts.public_bars(chosen["groups"], chosen["rows"]["applications"],
                                         _("Applications by group (people)"), _)
    return render(request, "portal/stats.html", releases=releases, chosen=chosen, chart=chart, SL=stats_labels)


# ---- the arrival panel on the case page ---------------------------------------------------------------


def _arrival_panel(uow: UnitOfWork, who: StaffSession, case_id: str) -> dict[str, Any] | None:
    if not who.may(Action.RECORD_ARRIVAL):
        return None
    try:
        with uow:
            case = case_for_read(uow, who.actor, case_id, fields=(FieldClass.CORE,))
            if case.stage != Stage.GRANTED.value:
                return None
            arrived = statistics.arrival_of(uow, case_id)
    except (NotFound, Erased):
        return None
    return {"arrived_on": arrived, "today": utcnow().date().isoformat()}


register_panel("arrival", "console/arrival_panel.html", _arrival_panel)


@console_router.post("/cases/{case_id}/arrival", response_model=None)
def record_arrival(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Record the day the people of a granted case arrived; errors show the case again, input kept."""
    _ = gettext_for(request)
    form = form_values(posted)
    typed = {"arrived_on": form.get("arrived_on", "")[:20]}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        return console._case_page(request, who, uow, str(case_id), errors={"arrival": expired_message(request)},
                                  typed=typed)
    try:
        day = date.fromisoformat(typed["arrived_on"].strip())
    except ValueError:
        return console._case_page(request, who, uow, str(case_id), typed=typed,
                                  errors={"arrival": _("Write the date as YYYY-MM-DD, for example 2026-01-31.")})
    try:
        statistics.record_arrival(uow, actor=who.actor, case_id=str(case_id), arrived_on=day)
    except (InvalidInput, Forbidden) as exc:
        message = {
            "The arrival date cannot be in the future.": _("The arrival date cannot be in the future."),
            "The arrival of this case is already recorded.": _("The arrival of this case is already recorded."),
            "Arrival can only be recorded for a granted case.": _("Arrival can only be recorded for a granted case."),
        }.get(str(exc.args[0]) if exc.args else "", _("Please check the date: it must be on or after the day the "
                                                       "case was opened, and not in the future."))
        if isinstance(exc, Forbidden):
            message = _("Your role does not allow this on this case (it may be assigned to someone else).")
        return console._case_page(request, who, uow, str(case_id), errors={"arrival": message}, typed=typed)
    return redirect(request, f"/console/cases/{case_id}?done=arrived")
