"""Console pages for screening: the analyst's queue, the hit page (applicant beside the listed person,
with the explanation) and its disposition form, and the case-page panels for screening results,
incident flags and possible duplicates. Routes parse, call one service, render.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from safepassage.domain.errors import Forbidden, IllegalTransition, InvalidInput, NotFound, StaleVersion
from safepassage.security.policy import Action, FieldClass, Role, readable_fields
from safepassage.services import case_screening, duplicates, incidents, pages_support, screening_review
from safepassage.store.uow import UnitOfWork
from safepassage.web.deps import UoW
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
from safepassage.web.pages.labels import N_
from safepassage.web.pages.portal import expired_message

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 25

DISPOSITIONS = {
    "confirmed": N_("Confirmed: the applicant is the listed person"),
    "false_positive": N_("False positive: not the listed person"),
    "needs_info": N_("Needs information before deciding"),
}
STATUSES = {
    "pending": N_("waiting for an analyst"),
    "confirmed": N_("confirmed"),
    "false_positive": N_("false positive"),
    "needs_info": N_("needs information"),
    "acknowledged": N_("acknowledged"),
    "dismissed": N_("dismissed"),
}
BASES = {"unit": N_("same unit"), "place": N_("same place")}


def _labels() -> dict[str, Any]:
    return {"dispositions": DISPOSITIONS, "statuses": STATUSES, "bases": BASES}


# ---- the analyst's queue ----------------------------------------------------------------------------------


@router.get("/screening")
def queue(request: Request, who: Guarded, uow: UoW) -> HTMLResponse:
    """Cases with screening hits or incident flags waiting for an analyst."""
    try:
        page_no = max(1, min(100_000, int(request.query_params.get("page", "1"))))
    except ValueError:
        page_no = 1
    items, total = screening_review.queue(uow, actor=who.actor, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    return render(request, "console/screening_queue.html", who=who, items=items, total=total, page_no=page_no,
                  pages=max(1, -(-total // PAGE_SIZE)), names=pages_support.staff_names(uow, actor=who.actor),
                  csrf=staff_csrf(request, who))


# ---- one hit ----------------------------------------------------------------------------------------------


def _hit_page(request: Request, who: StaffSession, uow: UnitOfWork, case_id: str, hit_id: str, *,
              errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
              status: int = 200) -> HTMLResponse:
    if not who.actor.stepped_up:
        return render(request, "console/screening_hit.html", status=status, who=who, h=None, case_id=case_id,
                      errors={}, typed={}, csrf=staff_csrf(request, who), lbl=_labels(), names={})
    detail = screening_review.hit_detail(uow, actor=who.actor, case_id=case_id, hit_id=hit_id)
    return render(request, "console/screening_hit.html", status=status, who=who, h=detail, case_id=case_id,
                  errors=errors or {}, typed=typed or {}, csrf=staff_csrf(request, who), lbl=_labels(),
                  may_dispose=who.may(Action.DISPOSE_HIT), names=pages_support.staff_names(uow, actor=who.actor))


@router.get("/cases/{case_id}/hits/{hit_id}")
def hit_page(request: Request, case_id: UUID, hit_id: UUID, who: Guarded, uow: UoW) -> HTMLResponse:
    """The applicant's relevant fields beside the listed person, the explanation, and the disposition form."""
    return _hit_page(request, who, uow, str(case_id), str(hit_id))


def _version(form: dict[str, str]) -> int:
    try:
        return max(1, int(form.get("version", "")))
    except ValueError:
        return 0


def _refusal(request: Request, exc: Exception) -> str:
    _ = gettext_for(request)
    if isinstance(exc, StaleVersion):
        return _("Someone else decided this in the meantime. Nothing was changed: the page now shows it as it is.")
    if isinstance(exc, Forbidden):
        return _("Your role does not allow this on this case.")
    if isinstance(exc, IllegalTransition):
        return _("This move is not possible from the case's current stage. Nothing was changed.")
    return _("Please check what you entered.")


@router.post("/cases/{case_id}/hits", response_model=None)
def dispose(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Record the disposition of the hit named in the form, with its reason; errors and conflicts show the hit
    again with the input kept."""
    _ = gettext_for(request)
    form = form_values(posted)
    hit_id = _uuid(form.get("hit_id", ""))
    if not hit_id:
        return _case_again(request, who, uow, str(case_id), {"form": _("Reload the page and try again.")}, {})
    typed = {"disposition": form.get("disposition", "")[:20], "reason": form.get("reason", "")[:5000]}
    errors: dict[str, str] = {}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors["form"] = expired_message(request)
    if typed["disposition"] not in DISPOSITIONS:
        errors["disposition"] = _("Choose a disposition.")
    if not case_screening.visible(typed["reason"]):
        errors["reason"] = _("Give the reason for your disposition.")
    elif len(typed["reason"]) > case_screening.MAX_REASON:
        errors["reason"] = _("The reason is too long (at most %(n)d characters).") % {"n": case_screening.MAX_REASON}
    version = _version(form)
    if not version and not errors:
        errors["form"] = _("Reload the page and try again.")
    if errors:
        return _hit_page(request, who, uow, str(case_id), str(hit_id), errors=errors, typed=typed)
    try:
        case_screening.dispose_hit(uow, actor=who.actor, case_id=str(case_id), hit_id=str(hit_id),
                                   disposition=typed["disposition"], reason=typed["reason"],
                                   expected_version=version)
    except (StaleVersion, Forbidden, InvalidInput, IllegalTransition) as exc:
        status = 409 if isinstance(exc, StaleVersion) else 200
        field = "reason" if isinstance(exc, InvalidInput) else "form"
        return _hit_page(request, who, uow, str(case_id), str(hit_id), errors={field: _refusal(request, exc)},
                         typed=typed, status=status)
    return redirect(request, f"/console/cases/{case_id}?done=disposed")


# ---- actions from the case page -------------------------------------------------------------------------


def _case_again(request: Request, who: StaffSession, uow: UnitOfWork, case_id: str, errors: dict[str, str],
                typed: dict[str, str], status: int = 200) -> HTMLResponse:
    from safepassage.web.pages.console import _case_page  # the case page itself lives there

    return _case_page(request, who, uow, case_id, errors=errors, typed=typed, status=status)


def _uuid(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return ""


@router.post("/cases/{case_id}/flags", response_model=None)
def acknowledge(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Acknowledge an incident flag with a note for the interview."""
    _ = gettext_for(request)
    form = form_values(posted)
    flag_id = _uuid(form.get("flag_id", ""))
    typed = {"flag_note": form.get("flag_note", "")[:5000], "flag_id": flag_id}
    errors: dict[str, str] = {}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors["flag_note"] = expired_message(request)
    elif not flag_id:
        errors["flag_note"] = _("Reload the page and try again.")
    elif not case_screening.visible(typed["flag_note"]):
        errors["flag_note"] = _("Write what the interview should cover.")
    if errors:
        return _case_again(request, who, uow, str(case_id), errors, typed)
    try:
        incidents.acknowledge_flag(uow, actor=who.actor, case_id=str(case_id), flag_id=flag_id,
                                   note=typed["flag_note"])
    except (StaleVersion, Forbidden, InvalidInput, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.message != incidents.FLAG_NOT_FOUND:
            raise
        return _case_again(request, who, uow, str(case_id), {"flag_note": _refusal(request, exc)}, typed,
                           409 if isinstance(exc, StaleVersion) else 200)
    return redirect(request, f"/console/cases/{case_id}?done=acknowledged")


@router.post("/cases/{case_id}/duplicates", response_model=None)
def decide_duplicate(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Confirm (same person) or dismiss a possible duplicate."""
    _ = gettext_for(request)
    form = form_values(posted)
    link_id, decision = _uuid(form.get("link_id", "")), form.get("decision", "")
    if not staff_csrf_ok(request, who, form.get("csrf")):
        return _case_again(request, who, uow, str(case_id), {"duplicates": expired_message(request)}, {})
    if not link_id or decision not in duplicates.DECISIONS:
        return _case_again(request, who, uow, str(case_id), {"duplicates": _("Reload the page and try again.")}, {})
    try:
        duplicates.decide_link(uow, actor=who.actor, case_id=str(case_id), link_id=link_id, decision=decision)
    except (StaleVersion, Forbidden, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.message != duplicates.LINK_NOT_FOUND:
            raise
        return _case_again(request, who, uow, str(case_id), {"duplicates": _refusal(request, exc)}, {},
                           409 if isinstance(exc, StaleVersion) else 200)
    return redirect(request, f"/console/cases/{case_id}?done=linked")


# ---- case-page panels -------------------------------------------------------------------------------------


def _reads(who: StaffSession, field: FieldClass) -> bool:
    return field in readable_fields(Role(who.actor.role)) and who.actor.stepped_up


def _screening_panel(uow: UnitOfWork, who: StaffSession, case_id: str) -> dict[str, Any] | None:
    if not _reads(who, FieldClass.EXCLUSION):
        return None
    out = screening_review.case_results(uow, actor=who.actor, case_id=case_id)
    return {**out, "lbl": _labels(), "may_dispose": who.may(Action.DISPOSE_HIT)}


def _duplicates_panel(uow: UnitOfWork, who: StaffSession, case_id: str) -> dict[str, Any] | None:
    if not _reads(who, FieldClass.IDENTITY):
        return None
    links = screening_review.duplicates_of(uow, actor=who.actor, case_id=case_id)
    return {"links": links, "lbl": _labels(), "may_link": who.may(Action.LINK_IDENTITY)}


register_panel("screening", "console/screening_panel.html", _screening_panel)
register_panel("duplicates", "console/duplicates_panel.html", _duplicates_panel)
