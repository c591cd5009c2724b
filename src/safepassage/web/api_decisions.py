"""The JSON API of facts, evaluations, decisions, letters and appeals: parse, call one service, shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from safepassage.domain.decision import MAX_GROUNDS, MAX_REASONING, MAX_SUMMARY, LegalTest, Outcome
from safepassage.rendering import letters
from safepassage.services import appeals, decisions, evaluations
from safepassage.services.decisions import LetterData
from safepassage.web.api import ERRORS
from safepassage.web.deps import Staff, UoW

router = APIRouter(prefix="/api", responses=ERRORS)
Fact = Annotated[str, StringConstraints(max_length=64)]
LetterFormat = Literal["pdf", "html"]
LetterLang = Literal["ru", "uk", "en"]
_RECEIPT = Annotated[str, StringConstraints(max_length=40)]
_PASSPHRASE = Annotated[str, StringConstraints(max_length=100)]
_CREDS: dict[str, Any] = {"receipt": "7KQ4-M2XZ-9PHD-Y", "passphrase": "k3fq-8mwz-t2hx-pr9a-n7dc"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactsIn(_Strict):
    """The facts of the case, from the policy's vocabulary (replaces the earlier set)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"facts": ["summons_received"]}]})
    facts: list[Fact] = Field(max_length=64)


class FactsOut(BaseModel):
    """A case's facts and the vocabulary of the policy in force."""

    facts: list[str]
    vocabulary: list[str]
    recorded_at: datetime | None
    recorded_by: str | None


class FiredOut(BaseModel):
    """A rule that fired, and why."""

    rule_id: str
    description: str
    because: str


class EvaluationOut(BaseModel):
    """What the policy says about the case, with the trace of the rules that fired."""

    id: str
    policy_version: str
    policy_sha256: str
    priority: str
    facts: list[str]
    bases: dict[str, list[str]]
    evidence: list[str]
    flags: list[str]
    trace: list[FiredOut]
    created_at: datetime


class FindingIn(_Strict):
    """The finding on one legal test: met, not_met, or empty (not assessed), with the reasoning."""

    finding: Literal["met", "not_met", ""] = ""
    reasoning: Annotated[str, StringConstraints(max_length=MAX_REASONING)] = ""


class DecisionIn(_Strict):
    """Decide: the outcome, the destination, the legal basis of a grant, findings per legal test, reasons."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "refuse",
                    "destination": "eu",
                    "legal_basis": None,
                    "findings": {
                        "credibility": {
                            "finding": "not_met",
                            "reasoning": "Material facts contradict the summons record.",
                        }
                    },
                    "summary": "The account of the summons is contradicted by the applicant's own documents.",
                    "version": 4,
                }
            ]
        },
    )
    outcome: Outcome
    destination: Annotated[str, StringConstraints(max_length=40)]
    legal_basis: Annotated[str, StringConstraints(max_length=64)] | None = None
    findings: dict[LegalTest, FindingIn] = Field(default_factory=dict)
    summary: Annotated[str, StringConstraints(max_length=MAX_SUMMARY)]
    version: int = Field(ge=1)


class AppealIn(_Strict):
    """Lodge an appeal on the applicant's behalf; `version` is the case version you last saw."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"grounds": "The applicant's summons was not considered.", "version": 5}]},
    )
    grounds: Annotated[str, StringConstraints(max_length=MAX_GROUNDS)] = ""
    version: int = Field(ge=1)


class ApplicantCredentialsIn(_Strict):
    """An applicant's receipt code and passphrase (in the body, never in a URL)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CREDS]})
    receipt: _RECEIPT
    passphrase: _PASSPHRASE


class ApplicantAppealIn(_Strict):
    """The applicant appeals their refusal or exclusion, within the deadline."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{**_CREDS, "grounds": "Мне не дали объяснить, почему я ушёл из части."}]},
    )
    receipt: _RECEIPT
    passphrase: _PASSPHRASE
    grounds: Annotated[str, StringConstraints(max_length=MAX_GROUNDS)] = ""


class ApplicantLetterIn(_Strict):
    """Download your latest decision letter (PDF or HTML; ru, uk or en — default: your language)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{**_CREDS, "format": "pdf"}]})
    receipt: _RECEIPT
    passphrase: _PASSPHRASE
    format: LetterFormat = "pdf"
    lang: LetterLang | None = None


class OutcomeOut(BaseModel):
    """The applicant's decision: outcome, dates, and whether (until when) it can be appealed."""

    decided: bool
    outcome: str | None = None
    instance: str | None = None
    decided_at: datetime | None = None
    appeal_deadline: datetime | None = None
    days_left: int | None = None
    can_appeal: bool = False
    appeal_status: str | None = None
    appeal_lodged_at: datetime | None = None


def _evaluation(v: evaluations.EvaluationView | None) -> EvaluationOut | None:
    if v is None:
        return None
    return EvaluationOut(
        id=v.id,
        policy_version=v.policy_version,
        policy_sha256=v.policy_sha256,
        priority=v.priority,
        facts=v.facts,
        bases=v.bases,
        evidence=v.evidence,
        flags=v.flags,
        trace=[FiredOut(**t) for t in v.trace],
        created_at=v.created_at,
    )


def _outcome(o: appeals.ApplicantOutcome | None) -> OutcomeOut:
    if o is None:
        return OutcomeOut(decided=False)
    return OutcomeOut(
        decided=True,
        outcome=o.outcome,
        instance=o.instance,
        decided_at=o.decided_at,
        appeal_deadline=o.appeal_deadline,
        days_left=o.days_left,
        can_appeal=o.can_appeal,
        appeal_status=o.appeal_status,
        appeal_lodged_at=o.appeal_lodged_at,
    )


def letter_response(data: LetterData, fmt: str) -> Response:
    """A letter as a download (no-store: it is personal data)."""
    if fmt == "html":
        body, media = letters.letter_html(data).encode(), "text/html; charset=utf-8"
    else:
        body, media = letters.letter_pdf(data), "application/pdf"
    name = letters.filename(data, fmt)
    disposition = "inline" if fmt == "html" else "attachment"  # the web page opens in the browser
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": "no-store"},
    )


_LETTER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}, "text/html": {}}, "description": "The decision letter."}
}


@router.get("/cases/{case_id}/facts", response_model=FactsOut, tags=["decisions"])
def get_facts(case_id: UUID, actor: Staff, uow: UoW) -> FactsOut:
    """The facts recorded for the case and the policy's vocabulary."""
    v = evaluations.get_facts(uow, actor=actor, case_id=str(case_id))
    return FactsOut(facts=v.facts, vocabulary=v.vocabulary, recorded_at=v.recorded_at, recorded_by=v.recorded_by)


@router.post("/cases/{case_id}/facts", response_model=EvaluationOut, tags=["decisions"])
def record_facts(case_id: UUID, body: FactsIn, actor: Staff, uow: UoW) -> EvaluationOut | None:
    """Record the case's facts (sealed) and evaluate it under the current policy at once."""
    return _evaluation(evaluations.record_facts(uow, actor=actor, case_id=str(case_id), facts=body.facts))


@router.post("/cases/{case_id}/evaluations", status_code=201, response_model=EvaluationOut, tags=["decisions"])
def evaluate(case_id: UUID, actor: Staff, uow: UoW) -> EvaluationOut | None:
    """Evaluate the case's recorded facts under the current policy; stored with the policy version and hash."""
    return _evaluation(evaluations.evaluate_case(uow, actor=actor, case_id=str(case_id)))


@router.get("/cases/{case_id}/evaluations/latest", response_model=EvaluationOut | None, tags=["decisions"])
def latest_evaluation(case_id: UUID, actor: Staff, uow: UoW) -> EvaluationOut | None:
    """The most recent evaluation with its rule trace (null if the case was never evaluated)."""
    return _evaluation(evaluations.latest_evaluation(uow, actor=actor, case_id=str(case_id)))


@router.get("/cases/{case_id}/decisions", tags=["decisions"])
def list_decisions(case_id: UUID, actor: Staff, uow: UoW) -> list[dict[str, Any]]:
    """The case's decisions with their structured reasons, and any appeal against each."""
    return [decisions.as_json(v) for v in decisions.list_decisions(uow, actor=actor, case_id=str(case_id))]


@router.post("/cases/{case_id}/decisions", status_code=201, tags=["decisions"])
def decide(case_id: UUID, body: DecisionIn, actor: Staff, uow: UoW) -> dict[str, Any]:
    """Grant, refuse or exclude (adjudicators); an appeal is decided by a different adjudicator."""
    view = decisions.decide(
        uow,
        actor=actor,
        case_id=str(case_id),
        outcome=body.outcome,
        destination=body.destination,
        legal_basis=body.legal_basis,
        findings={t.value: (f.finding, f.reasoning) for t, f in body.findings.items()},
        summary=body.summary,
        expected_version=body.version,
    )
    return decisions.as_json(view)


@router.get("/cases/{case_id}/letter", tags=["decisions"], response_class=Response, responses=_LETTER)
def staff_letter(
    case_id: UUID,
    actor: Staff,
    uow: UoW,
    format: LetterFormat = "pdf",
    lang: LetterLang | None = None,
    decision_id: Annotated[UUID | None, Query()] = None,
) -> Response:
    """A decision letter (the latest, or `decision_id`) as PDF or HTML, in the applicant's language by default."""
    data = decisions.staff_letter(
        uow, actor=actor, case_id=str(case_id), decision_id=str(decision_id) if decision_id else None, lang=lang
    )
    return letter_response(data, format)


@router.post("/cases/{case_id}/appeals", status_code=201, tags=["decisions"])
def lodge_appeal(case_id: UUID, body: AppealIn, actor: Staff, uow: UoW) -> dict[str, str]:
    """Lodge an appeal on the applicant's behalf, within the deadline the policy set."""
    return {
        "id": appeals.lodge_appeal(
            uow, actor=actor, case_id=str(case_id), grounds=body.grounds, expected_version=body.version
        )
    }


@router.post("/decision", response_model=OutcomeOut, tags=["applicants"])
def applicant_outcome(body: ApplicantCredentialsIn, uow: UoW) -> OutcomeOut:
    """Your decision, if there is one, and until when you can appeal it."""
    return _outcome(appeals.applicant_outcome(uow, receipt=body.receipt, passphrase=body.passphrase))


@router.post("/appeals", status_code=201, response_model=OutcomeOut, tags=["applicants"])
def applicant_appeal(body: ApplicantAppealIn, uow: UoW) -> OutcomeOut:
    """Appeal your refusal or exclusion, within the deadline (409 after it)."""
    return _outcome(
        appeals.lodge_appeal_by_applicant(uow, receipt=body.receipt, passphrase=body.passphrase, grounds=body.grounds)
    )


@router.post("/letter", tags=["applicants"], response_class=Response, responses=_LETTER)
def applicant_letter(body: ApplicantLetterIn, uow: UoW) -> Response:
    """Download your latest decision letter."""
    return letter_response(
        appeals.applicant_letter(uow, receipt=body.receipt, passphrase=body.passphrase, lang=body.lang), body.format
    )
