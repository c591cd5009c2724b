"""Console: the case page's Art. 1F panel (records, four-eyes review, revocation, referrals) and its forms.

Routes parse, call one service, and show the case again with per-field errors in the reader's language and
what was typed kept. The referral package is exported on the server (`safepassage referral export`), not here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from safepassage.domain.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    StaleVersion,
    StepUpRequired,
)
from safepassage.security.policy import Action, FieldClass, Role, readable_fields
from safepassage.services import exclusion, exclusion_revocation, referral
from safepassage.store.uow import UnitOfWork
from safepassage.web.deps import UoW
from safepassage.web.pages import forms
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

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)

CATEGORIES = {
    "1F(a)": N_("1F(a): a crime against peace, a war crime or a crime against humanity"),
    "1F(b)": N_("1F(b): a serious non-political crime outside the country of refuge"),
    "1F(c)": N_("1F(c): acts contrary to the purposes and principles of the United Nations"),
}
SOURCES = {
    "screening_hit": N_("a confirmed screening hit"),
    "self_disclosure": N_("the applicant's own account"),
    "unit_incident_link": N_("service in a unit linked to a documented incident"),
    "testimony": N_("testimony of others"),
    "documents": N_("documents"),
}
MODES = {
    "direct_perpetration": N_("committed it personally"),
    "co_perpetration": N_("committed it jointly with others"),
    "ordering": N_("ordered it"),
    "soliciting_inducing": N_("solicited or induced it"),
    "aiding_abetting": N_("aided or abetted it"),
    "common_purpose": N_("contributed to it as part of a group with a common purpose"),
    "command_responsibility": N_("as a commander or superior who failed to prevent or punish it"),
    "attempt": N_("attempted it"),
}
STATUSES = {
    "draft": N_("draft"),
    "submitted": N_("submitted for review"),
    "returned": N_("returned to its author"),
    "approved": N_("approved"),
    "requested": N_("requested"),
    "declined": N_("declined"),
    "revoked": N_("revoked"),
}
REVOCATION_STATUSES = {
    "requested": N_("revocation asked for"),
    "approved": N_("revocation approved"),
    "declined": N_("revocation declined"),
}
YES_NO = {"no": N_("No"), "yes": N_("Yes")}
#: Per-field messages for what the service refuses (the service's own wording is English).
MESSAGES = {
    "category": N_("Choose 1F(a), 1F(b) or 1F(c)."),
    "acts": N_("Describe the acts: what was done, to whom."),
    "act_time": N_("Say when the acts took place (a date, a month or a period)."),
    "act_place": N_("Say where the acts took place."),
    "legal_characterisation": N_("Characterise the acts in law, e.g. the war crime of wilful killing, Rome Statute "
                                 "art. 8(2)(a)(i)."),
    "mental_element": N_("Set out the person's knowledge and intent."),
    "duress_finding": N_("Record your finding on duress (central for conscripts), even if it was not raised."),
    "superior_orders_finding": N_("Record your finding on superior orders, even if it was not raised."),
    "standard_of_proof": N_("Explain why the evidence reaches “serious reasons for considering”."),
    "basis_sources": N_("Say what the serious reasons rest on (at least one source)."),
    "mode_of_liability": N_("Choose how the person is individually responsible."),
    "proportionality": N_("1F(b) needs a proportionality assessment: the gravity of the crime against the "
                          "consequences of exclusion."),
    "duress_applies": N_("A defence that succeeds removes individual responsibility: such a record cannot be "
                         "submitted. Keep it as a draft, or record why the defence does not apply."),
    "superior_orders_applies": N_("A defence that succeeds removes individual responsibility: such a record cannot "
                                  "be submitted. Keep it as a draft, or record why the defence does not apply."),
    "evidence": N_("Cite the evidence, one per line: the kind (screening_hit, document, statement, testimony), the "
                   "id, then a note if you like. A statement is “narrative” or the id of a note on this case."),
    "reasons": N_("Give your reasons."),
    "authority": N_("Name the prosecuting authority the referral goes to."),
    "grounds": N_("Too long, or contains an invisible control character."),
    "reason": N_("Say why the record should be revoked."),
}
DECISION_STANDS = N_("The exclusion decision standing on this case cites this record: that decision must first be "
                     "set aside on appeal before the record can be revoked. Nothing was changed.")
REFERRAL_PENDING = N_("A referral for prosecution based on this record is waiting for a second officer: approve or "
                      "decline it first. Nothing was changed.")
TEXTS = tuple(exclusion.TEXT_FIELDS)
REASONS_NEEDED = MESSAGES["reasons"]
REVOCATION_REASON_NEEDED = MESSAGES["reason"]


def _labels() -> dict[str, Any]:
    return {"categories": CATEGORIES, "sources": SOURCES, "modes": MODES, "statuses": STATUSES, "yes_no": YES_NO,
            "revocations": REVOCATION_STATUSES}


def _case_again(request: Request, who: StaffSession, uow: UnitOfWork, case_id: str, errors: dict[str, str],
                typed: dict[str, Any], status: int = 200) -> HTMLResponse:
    from safepassage.web.pages.console import _case_page  # the case page itself lives there

    return _case_page(request, who, uow, case_id, errors=errors, typed=typed, status=status)


def _uuid(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return ""


def _version(form: dict[str, str]) -> int:
    try:
        return max(1, int(form.get("version", "")))
    except ValueError:
        return 0


def _refusal(request: Request, exc: Exception) -> str:
    _ = gettext_for(request)
    if isinstance(exc, exclusion_revocation.DecisionStands):
        return _(DECISION_STANDS)
    if isinstance(exc, exclusion_revocation.ReferralPending):
        return _(REFERRAL_PENDING)
    if isinstance(exc, StepUpRequired):
        return _("Confirm it is you first (password and code, in the form on this page); nothing was changed.")
    if isinstance(exc, StaleVersion):
        return _("Someone else changed this in the meantime. Nothing was changed: the page now shows it as it is.")
    if isinstance(exc, Forbidden) and "Four eyes" in exc.message:
        return _("Four eyes: a second person must review what you wrote or asked for.")
    if isinstance(exc, Forbidden):
        return _("Your role does not allow this on this case.")
    if isinstance(exc, IllegalTransition):
        return _("Exclusion records are written and reviewed only while the case is open.")
    if isinstance(exc, Conflict):
        return _("This is not possible in the record's or referral's current state. Nothing was changed.")
    return _("Please check what you entered.")


def _field_errors(request: Request, exc: InvalidInput) -> dict[str, str]:
    _ = gettext_for(request)
    fields = getattr(exc, "errors", None) or {"form": ""}
    return {k: _(MESSAGES[k]) if k in MESSAGES else _("Please check what you entered.") for k in fields}


def _evidence(text: str, _: Any, errors: dict[str, str]) -> list[dict[str, str]]:
    refs = []
    for n, line in enumerate((x.strip() for x in text.splitlines()), 1):
        if not line:
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2:
            errors["evidence"] = _("Line %(n)d: write the kind, then the id, then a note if you like.") % {"n": n}
            break
        refs.append({"kind": parts[0], "id": parts[1], "note": parts[2] if len(parts) > 2 else ""})
    return refs


def _record_form(posted: FormData, _: Any) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """(data for the service, errors, what was typed) of the record form."""
    form = form_values(posted)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {name: forms.text(form, name, _, errors, limit=limit)
                            for name, limit in exclusion.TEXT_FIELDS.items()}
    data["category"] = forms.choice(form, "category", CATEGORIES, _, errors)
    data["mode_of_liability"] = forms.choice(form, "mode_of_liability", MODES, _, errors)
    data["basis_sources"] = [s for s in posted.getlist("basis_sources") if isinstance(s, str)][:10]
    for flag in ("duress_applies", "superior_orders_applies"):
        data[flag] = forms.choice(form, flag, YES_NO, _, errors) == "yes"
    evidence_text = forms.text(form, "evidence", _, errors, limit=exclusion.MAX_EVIDENCE * 2_100)
    data["evidence"] = _evidence(evidence_text, _, errors)
    typed: dict[str, Any] = {**{k: form.get(k, "") for k in (*TEXTS, "category", "mode_of_liability", "evidence",
                                                             "duress_applies", "superior_orders_applies")},
                             "basis_sources": data["basis_sources"], "x_record": form.get("record_id", "")}
    return data, errors, typed


@router.post("/cases/{case_id}/exclusion", response_model=None)
def save_record(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Save the record as a draft, or submit it for review by someone else."""
    _ = gettext_for(request)
    form = form_values(posted)
    data, errors, typed = _record_form(posted, _)
    record_id, version = _uuid(form.get("record_id", "")), _version(form)
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors = {"form": expired_message(request)}
    if errors:
        return _case_again(request, who, uow, str(case_id), errors, typed)
    try:
        exclusion.save_record(uow, actor=who.actor, case_id=str(case_id), data=data, record_id=record_id or None,
                              expected_version=version or None, submit=form.get("action") == "submit")
    except InvalidInput as exc:
        return _case_again(request, who, uow, str(case_id), _field_errors(request, exc), typed)
    except (StaleVersion, Forbidden, IllegalTransition, Conflict, StepUpRequired) as exc:
        return _case_again(request, who, uow, str(case_id), {"form": _refusal(request, exc)}, typed,
                           409 if isinstance(exc, StaleVersion | Conflict) else 200)
    return redirect(request, f"/console/cases/{case_id}?done=exclusion#exclusion")


def _review(request: Request, case_id: str, posted: Posted, who: StaffSession, uow: UnitOfWork, *,
            field: str, call: Any, done: str) -> Response:
    """Approve, or return/decline with reasons: one form for records and referrals."""
    _ = gettext_for(request)
    form = form_values(posted)
    errors: dict[str, str] = {}
    target, version = _uuid(form.get("id", "")), _version(form)
    decision = forms.choice(form, "decision", ("approve", "return"), _, errors)
    reasons = forms.text(form, field, _, errors, limit=exclusion.LONG)
    typed = {field: form.get(field, ""), "x_target": target}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors = {field: expired_message(request)}
    elif not target or not version or not decision:
        errors = {field: _("Choose approve or return, and reload the page if this persists.")}
    if errors:
        return _case_again(request, who, uow, case_id, errors, typed)
    try:
        call(target, decision == "approve", reasons, version)
    except InvalidInput as exc:
        return _case_again(request, who, uow, case_id, {field: _(REASONS_NEEDED)} if getattr(
            exc, "errors", None) else _field_errors(request, exc), typed)
    except (StaleVersion, Forbidden, IllegalTransition, Conflict, NotFound, StepUpRequired) as exc:
        if isinstance(exc, NotFound) and "case" in exc.message:
            raise
        return _case_again(request, who, uow, case_id, {field: _refusal(request, exc)}, typed,
                           409 if isinstance(exc, StaleVersion | Conflict) else 200)
    return redirect(request, f"/console/cases/{case_id}?done={done}#exclusion")


@router.post("/cases/{case_id}/exclusion/review", response_model=None)
def review_record(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Approve a submitted record, or return it to its author with reasons (never one's own)."""
    cid = str(case_id)
    return _review(request, cid, posted, who, uow, field="review_reasons", done="reviewed",
                   call=lambda rid, ok, why, v: exclusion.review_record(
                       uow, actor=who.actor, case_id=cid, record_id=rid, approve=ok, reasons=why,
                       expected_version=v))


@router.post("/cases/{case_id}/referrals", response_model=None)
def request_referral(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Ask for a referral for prosecution; a second officer approves it."""
    _ = gettext_for(request)
    form = form_values(posted)
    errors: dict[str, str] = {}
    authority = forms.text(form, "authority", _, errors, limit=referral.MAX_AUTHORITY,
                           required=MESSAGES["authority"])
    grounds = forms.text(form, "grounds", _, errors, limit=exclusion.LONG)
    typed = {"authority": form.get("authority", ""), "grounds": form.get("grounds", "")}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors = {"authority": expired_message(request)}
    if errors:
        return _case_again(request, who, uow, str(case_id), errors, typed)
    try:
        referral.request_referral(uow, actor=who.actor, case_id=str(case_id), authority=authority, grounds=grounds)
    except InvalidInput as exc:
        return _case_again(request, who, uow, str(case_id), _field_errors(request, exc), typed)
    except (Forbidden, Conflict, StepUpRequired) as exc:
        return _case_again(request, who, uow, str(case_id), {"authority": _refusal(request, exc)}, typed,
                           409 if isinstance(exc, Conflict) else 200)
    return redirect(request, f"/console/cases/{case_id}?done=referral#exclusion")


@router.post("/cases/{case_id}/referrals/review", response_model=None)
def review_referral(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Approve or decline someone else's referral request."""
    cid = str(case_id)
    return _review(request, cid, posted, who, uow, field="referral_reasons", done="referral",
                   call=lambda rid, ok, why, v: referral.review_referral(
                       uow, actor=who.actor, case_id=cid, referral_id=rid, approve=ok, reasons=why,
                       expected_version=v))


@router.post("/cases/{case_id}/exclusion/revocations", response_model=None)
def request_revocation(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Ask for an approved record to be revoked, with a reason; a second officer approves or declines."""
    _ = gettext_for(request)
    form = form_values(posted)
    errors: dict[str, str] = {}
    record_id, version = _uuid(form.get("record_id", "")), _version(form)
    reason = forms.text(form, "revocation_reason", _, errors, limit=exclusion.LONG, required=REVOCATION_REASON_NEEDED)
    typed = {"revocation_reason": form.get("revocation_reason", ""), "x_revoke": record_id}
    if not staff_csrf_ok(request, who, form.get("csrf")):
        errors = {"revocation_reason": expired_message(request)}
    elif not record_id or not version:
        errors = {"revocation_reason": _("Reload the page and try again; nothing was changed.")}
    if errors:
        return _case_again(request, who, uow, str(case_id), errors, typed)
    try:
        exclusion_revocation.request_revocation(uow, actor=who.actor, case_id=str(case_id), record_id=record_id,
                                                reason=reason, expected_version=version)
    except InvalidInput as exc:
        return _case_again(request, who, uow, str(case_id),
                           {"revocation_reason": _(REVOCATION_REASON_NEEDED) if getattr(exc, "errors", None)
                            else _("Please check what you entered.")}, typed)
    except (StaleVersion, Forbidden, Conflict, NotFound, StepUpRequired) as exc:
        if isinstance(exc, NotFound) and "case" in exc.message:
            raise
        return _case_again(request, who, uow, str(case_id), {"revocation_reason": _refusal(request, exc)}, typed,
                           409 if isinstance(exc, StaleVersion | Conflict) else 200)
    return redirect(request, f"/console/cases/{case_id}?done=revocation#exclusion")


@router.post("/cases/{case_id}/exclusion/revocations/review", response_model=None)
def review_revocation(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Approve or decline someone else's request to revoke a record (never one's own)."""
    cid = str(case_id)
    return _review(request, cid, posted, who, uow, field="revocation_review_reasons", done="revocation",
                   call=lambda rid, ok, why, v: exclusion_revocation.review_revocation(
                       uow, actor=who.actor, case_id=cid, revocation_id=rid, approve=ok, reasons=why,
                       expected_version=v))


# ---- the case-page panel --------------------------------------------------------------------------------


def _panel(uow: UnitOfWork, who: StaffSession, case_id: str) -> dict[str, Any] | None:
    """Records and referrals, with the forms this viewer may use; only for roles that read exclusion material,
    after step-up."""
    if FieldClass.EXCLUSION not in readable_fields(Role(who.actor.role)) or not who.actor.stepped_up:
        return None
    records = exclusion.records_for_case(uow, actor=who.actor, case_id=case_id)
    referrals = referral.referrals_for_case(uow, actor=who.actor, case_id=case_id)
    revocations = exclusion_revocation.revocations_for_case(uow, actor=who.actor, case_id=case_id)
    me = who.actor.user_id
    # the principal's current record: a revoked one stays on the page for the history, and counts for nothing
    principal = next((r for r in records if r.is_principal and r.status != exclusion.REVOKED), None)
    live_referral = any(r.status != "declined" and principal is not None and r.record_id == principal.id
                        for r in referrals)
    by_record: dict[str, list[Any]] = {}
    for v in revocations:
        by_record.setdefault(v.record_id, []).append(v)
    referred: dict[str, list[Any]] = {}  # record id -> when referrals based on it were approved
    for ref in referrals:
        if ref.status == "approved":
            referred.setdefault(ref.record_id, []).append(ref.decided_at)
    return {
        "records": records,
        "referrals": referrals,
        "revocations": by_record,
        "pending": {v.record_id: v for v in revocations if v.status == "requested"},
        "referred": referred,
        "me": me,
        "lbl": _labels(),
        "may_record": who.may(Action.RECORD_EXCLUSION),
        "may_review": who.may(Action.APPROVE_EXCLUSION),
        "may_revoke": who.may(Action.REVOKE_EXCLUSION),
        "may_review_revocation": who.may(Action.APPROVE_REVOCATION),
        "may_refer": who.may(Action.REFER) and principal is not None and principal.status == "approved"
        and not live_referral,
        "may_review_referral": who.may(Action.APPROVE_REFERRAL),
        "new_record": who.may(Action.RECORD_EXCLUSION) and principal is None,
        "evidence_text": {r.id: "\n".join(f"{e['kind']} {e['id']} {e['note']}".strip()
                                          for e in r.content["evidence"]) for r in records},
    }


register_panel("exclusion", "console/exclusion_panel.html", _panel)
