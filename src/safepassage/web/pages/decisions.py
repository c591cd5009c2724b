"""Console and portal pages for facts, evaluations, decisions, letters and appeals.

The case page gets a panel (facts with the latest evaluation and its trace, the decision form, the
decisions with their letters, the appeal form). The applicant lodges an appeal and downloads the
letter from the status page: receipt and passphrase travel in POST bodies, never in a URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from safepassage.domain.decision import (
    MAX_GROUNDS,
    MAX_REASONING,
    MAX_SUMMARY,
    AppealDeadlinePassed,
    DifferentAdjudicatorRequired,
    LegalTest,
    Outcome,
)
from safepassage.domain.errors import (
    DomainError,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    StaleVersion,
    TooManyAttempts,
    Unauthenticated,
)
from safepassage.security.policy import Action
from safepassage.services import appeals, decisions, evaluations, intake
from safepassage.store.uow import UnitOfWork
from safepassage.web.api_decisions import letter_response
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
    public_csrf_ok,
    redirect,
    staff_csrf_ok,
)
from safepassage.web.pages.console import _case_page
from safepassage.web.pages.labels import N_
from safepassage.web.pages.portal import _refusal, _status_page, expired_message

console = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
portal = APIRouter(route_class=PageRoute, include_in_schema=False)

FACTS = {
    "summons_received": N_("A summons or call-up was received"),
    "at_front": N_("At the front"),
    "in_custody": N_("In custody"),
    "deployed_ukraine": N_("Served in Ukraine"),
    "ukrainian_citizen": N_("Ukrainian citizen"),
    "self_disclosed_acts": N_("Disclosed acts that may fall under Art. 1F"),
    "prosecuted_for_refusal": N_("Prosecuted for refusing to serve or for desertion"),
    "family_in_danger": N_("Family still in danger"),
}
TESTS = {
    "credibility": N_("Credibility of the account"),
    "well_founded_fear": N_("Well-founded fear of persecution or real risk of serious harm"),
    "nexus": N_("Link to a Convention ground, to refusal of military service, or to the war"),
    "no_protection": N_("No effective protection in the country of origin"),
    "not_excluded": N_("No serious reasons for considering that Article 1F applies"),
}
OUTCOMES = {"grant": N_("Grant protection"), "refuse": N_("Refuse"), "exclude": N_("Exclude (Art. 1F)")}
OUTCOME_NAMES = {"grant": N_("Granted"), "refuse": N_("Refused"), "exclude": N_("Excluded")}
FINDINGS = {"met": N_("met"), "not_met": N_("not met"), "": N_("not assessed")}
FLAGS = {
    "exclusion_review": N_("Exclusion review by a person"),
    "interview": N_("Interview"),
    "urgent_contact": N_("Urgent contact"),
}
INSTANCES = {"first": N_("First decision"), "appeal": N_("Decision on appeal")}
APPEAL_STATUS = {"lodged": N_("Appeal lodged, waiting for a decision"), "decided": N_("Appeal decided")}


def _labels() -> dict[str, Any]:
    return {
        "FACTS": FACTS,
        "TESTS": TESTS,
        "OUTCOMES": OUTCOMES,
        "OUTCOME_NAMES": OUTCOME_NAMES,
        "FINDINGS": FINDINGS,
        "FLAGS": FLAGS,
        "INSTANCES": INSTANCES,
        "APPEAL_STATUS": APPEAL_STATUS,
    }


# ---- the case-page panel -----------------------------------------------------------------------------------


def _panel(uow: UnitOfWork, who: StaffSession, case_id: str) -> dict[str, Any] | None:
    """What the decisions panel shows this viewer; parts the role may not read are left out."""
    actor = who.actor
    policy = evaluations.current_policy().policy
    ctx: dict[str, Any] = {
        "DL": _labels(),
        "facts": None,
        "evaluation": None,
        "decisions": None,
        "policy": policy,
        "may_assess": who.may(Action.ASSESS),
        "may_decide": who.may(Action.DECIDE),
        "may_appeal": who.may(Action.LODGE_APPEAL),
        "tests": [t.value for t in LegalTest],
        "deciders": {},
    }
    try:
        ctx["facts"] = evaluations.get_facts(uow, actor=actor, case_id=case_id)
        ctx["evaluation"] = evaluations.latest_evaluation(uow, actor=actor, case_id=case_id)
    except DomainError:
        pass
    try:
        ctx["decisions"] = decisions.list_decisions(uow, actor=actor, case_id=case_id)
        ctx["deciders"] = decisions.decider_names(uow, sorted({d.decided_by for d in ctx["decisions"]}))
    except DomainError:
        pass
    if ctx["facts"] is None and ctx["decisions"] is None and not ctx["may_decide"]:
        return None
    return ctx


register_panel("decisions", "console/decision_panel.html", _panel)


# ---- console actions ---------------------------------------------------------------------------------------


def _message(request: Request, exc: Exception) -> str:
    _ = gettext_for(request)
    if isinstance(exc, DifferentAdjudicatorRequired):
        return _("An appeal must be decided by a different adjudicator than the one who decided the case.")
    if isinstance(exc, AppealDeadlinePassed):
        return _("The appeal period has ended: an appeal can no longer be lodged.")
    if isinstance(exc, StaleVersion):
        return _(
            "Someone else changed this case while you were looking at it. Nothing was changed: "
            "the page now shows the case as it is; check it and try again."
        )
    if isinstance(exc, IllegalTransition):
        return _("This is not possible in the case's current stage. Nothing was changed.")
    if isinstance(exc, Forbidden):
        return _("Your role does not allow this on this case (it may be assigned to someone else).")
    return _("Please check what you entered.")


def _run(
    request: Request,
    who: StaffSession,
    uow: UoW,
    case_id: str,
    form: dict[str, str],
    typed: dict[str, str],
    field: str,
    action: Callable[[], object],
    done: str,
) -> Response:
    """CSRF first, then the service; a refusal shows the case again with what was typed kept."""
    if not staff_csrf_ok(request, who, form.get("csrf")):
        return _case_page(request, who, uow, case_id, errors={field: expired_message(request)}, typed=typed)
    try:
        action()
    except (StaleVersion, IllegalTransition, Forbidden, InvalidInput, AppealDeadlinePassed) as exc:
        status = 409 if isinstance(exc, StaleVersion | IllegalTransition | AppealDeadlinePassed) else 200
        return _case_page(
            request, who, uow, case_id, errors={field: _message(request, exc)}, typed=typed, status=status
        )
    return redirect(request, f"/console/cases/{case_id}?done={done}#decisions-title")


def _version(form: dict[str, str]) -> int:
    try:
        return max(0, int(form.get("version", "")))
    except ValueError:
        return 0


@console.post("/cases/{case_id}/facts", response_model=None)
def record_facts(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Record the case's facts (ticked boxes) and evaluate it under the policy in force."""
    form = form_values(posted)
    facts = [f for f in posted.getlist("fact") if isinstance(f, str)]
    vocabulary = evaluations.current_policy().policy.facts
    typed = {f"fact_{f}": "yes" for f in facts}
    if any(f not in vocabulary for f in facts):
        _ = gettext_for(request)
        return _case_page(
            request, who, uow, str(case_id), errors={"facts": _("Choose facts from the list.")}, typed=typed
        )
    return _run(
        request,
        who,
        uow,
        str(case_id),
        form,
        typed,
        "facts",
        lambda: evaluations.record_facts(uow, actor=who.actor, case_id=str(case_id), facts=facts),
        "facts",
    )


@console.post("/cases/{case_id}/evaluations", response_model=None)
def evaluate(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Evaluate the case again under the policy in force."""
    return _run(
        request,
        who,
        uow,
        str(case_id),
        form_values(posted),
        {},
        "facts",
        lambda: evaluations.evaluate_case(uow, actor=who.actor, case_id=str(case_id)),
        "evaluated",
    )


DECISION_FIELDS = (
    "outcome",
    "destination",
    "legal_basis",
    "summary",
    *(f"{p}_{t.value}" for t in LegalTest for p in ("t", "r")),
)


@console.post("/cases/{case_id}/decisions", response_model=None)
def decide(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Decide with reasons per legal test; errors keep everything typed."""
    _ = gettext_for(request)
    form = form_values(posted)
    typed = {k: form.get(k, "") for k in DECISION_FIELDS}
    errors: dict[str, str] = {}
    outcome = forms.choice(form, "outcome", [o.value for o in Outcome], _, errors)
    policy = evaluations.current_policy().policy
    destination = forms.choice(form, "destination", list(policy.destinations), _, errors)
    summary = forms.text(
        form, "summary", _, errors, limit=MAX_SUMMARY, required=N_("Write the reasons for the decision.")
    )
    findings: dict[str, tuple[str, str]] = {}
    for t in LegalTest:
        verdict = form.get(f"t_{t.value}", "")
        reasoning = forms.text(form, f"r_{t.value}", _, errors, limit=MAX_REASONING)
        if verdict not in FINDINGS:
            errors[f"t_{t.value}"] = _("Choose met, not met or not assessed.")
        elif verdict == "not_met" and not reasoning and f"r_{t.value}" not in errors:
            errors[f"r_{t.value}"] = _("Explain why this test is not met.")
        findings[t.value] = (verdict, reasoning)
    if not outcome and "outcome" not in errors:
        errors["outcome"] = _("Choose the outcome.")
    if not destination and "destination" not in errors:
        errors["destination"] = _("Choose the destination.")
    if outcome == "grant" and not form.get("legal_basis"):
        errors["legal_basis"] = _("Choose the legal basis of the grant.")
    if outcome == "refuse" and not any(v == "not_met" for v, _r in findings.values()):
        errors["t_credibility"] = _("A refusal must name at least one legal test that is not met, and why.")
    version = _version(form)
    if errors or not version:
        return _case_page(
            request, who, uow, str(case_id), errors=errors or {"outcome": _("Reload the page.")}, typed=typed
        )
    return _run(
        request,
        who,
        uow,
        str(case_id),
        form,
        typed,
        "outcome",
        lambda: decisions.decide(
            uow,
            actor=who.actor,
            case_id=str(case_id),
            outcome=Outcome(outcome),
            destination=destination,
            legal_basis=form.get("legal_basis") or None,
            findings=findings,
            summary=summary,
            expected_version=version,
        ),
        "decided",
    )


@console.post("/cases/{case_id}/appeals", response_model=None)
def lodge_appeal(request: Request, case_id: UUID, posted: Posted, who: Guarded, uow: UoW) -> Response:
    """Lodge an appeal on the applicant's behalf (refused after the deadline, with the grounds kept)."""
    _ = gettext_for(request)
    form = form_values(posted)
    typed = {"grounds": form.get("grounds", "")}
    errors: dict[str, str] = {}
    grounds = forms.text(form, "grounds", _, errors, limit=MAX_GROUNDS)
    version = _version(form)
    if errors or not version:
        return _case_page(
            request, who, uow, str(case_id), errors=errors or {"grounds": _("Reload the page.")}, typed=typed
        )
    return _run(
        request,
        who,
        uow,
        str(case_id),
        form,
        typed,
        "grounds",
        lambda: appeals.lodge_appeal(
            uow, actor=who.actor, case_id=str(case_id), grounds=grounds, expected_version=version
        ),
        "appealed",
    )


@console.get("/cases/{case_id}/letter", response_model=None)
def staff_letter(request: Request, case_id: UUID, who: Guarded, uow: UoW) -> Response:
    """Download a decision letter (PDF by default; `format=html`, `lang=ru|uk|en`, `decision=<id>`)."""
    q = request.query_params
    fmt = "html" if q.get("format") == "html" else "pdf"
    lang = q.get("lang") if q.get("lang") in decisions.LETTER_LANGUAGES else None
    try:
        decision_id: str | None = str(UUID(q.get("decision", ""))) if q.get("decision") else None
    except ValueError:
        decision_id = None
    data = decisions.staff_letter(uow, actor=who.actor, case_id=str(case_id), decision_id=decision_id, lang=lang)
    return letter_response(data, fmt)


# ---- the applicant's status page -----------------------------------------------------------------------------


@portal.post("/appeal", response_model=None)
def applicant_appeal(request: Request, posted: Posted, uow: UoW) -> Response:
    """The applicant appeals their decision from the status page (with an explicit confirmation)."""
    _ = gettext_for(request)
    form = form_values(posted)
    checked = forms.credentials(form, _)
    if not public_csrf_ok(request, form.get("csrf")):
        checked.errors["form"] = expired_message(request)
    if checked.errors:
        return _status_page(request, values=checked.values, errors=checked.errors)
    creds = checked.values
    errors: dict[str, str] = {}
    grounds = forms.text(form, "grounds", _, errors, limit=MAX_GROUNDS)
    values = {**creds, "grounds": form.get("grounds", "")[:MAX_GROUNDS]}
    if form.get("confirm") != "yes":
        errors["confirm"] = _("Tick the box to confirm that you want to appeal.")
    try:
        if errors:
            st = intake.check_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
            return _status_page(request, values=values, status=st, errors=errors)
        st = appeals.appeal_with_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"], grounds=grounds)
    except (AppealDeadlinePassed, IllegalTransition, InvalidInput) as exc:
        st = intake.check_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
        message = (
            _("The appeal period has ended: an appeal can no longer be lodged.")
            if isinstance(exc, AppealDeadlinePassed)
            else _("This decision cannot be appealed (any more).")
        )
        return _status_page(request, values=values, status=st, errors={"form": message}, http_status=409)
    except (Unauthenticated, TooManyAttempts) as exc:
        return _status_page(request, values=creds, errors=_refusal(request, exc))
    return _status_page(
        request, values=creds, status=st, message=_("Your appeal was lodged. A different adjudicator will decide it.")
    )


@portal.post("/letter", response_model=None)
def applicant_letter(request: Request, posted: Posted, uow: UoW) -> Response:
    """The applicant downloads their decision letter (PDF, or HTML to read in the browser)."""
    _ = gettext_for(request)
    form = form_values(posted)
    checked = forms.credentials(form, _)
    if not public_csrf_ok(request, form.get("csrf")):
        checked.errors["form"] = expired_message(request)
    if checked.errors:
        return _status_page(request, values=checked.values, errors=checked.errors)
    creds = checked.values
    lang = form.get("lang") if form.get("lang") in decisions.LETTER_LANGUAGES else None
    try:
        data = appeals.applicant_letter(uow, receipt=creds["receipt"], passphrase=creds["passphrase"], lang=lang)
    except (Unauthenticated, TooManyAttempts, InvalidInput) as exc:
        return _status_page(request, values=creds, errors=_refusal(request, exc))
    except DomainError:
        st = intake.check_status(uow, receipt=creds["receipt"], passphrase=creds["passphrase"])
        return _status_page(request, values=creds, status=st, errors={"form": _("There is no decision letter yet.")})
    return letter_response(data, "html" if form.get("format") == "html" else "pdf")
