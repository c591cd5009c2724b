"""The JSON API of Art. 1F exclusion records and referrals for prosecution: parse, call one service, shape.

The export of a referral package is not here on purpose: it is signed with a key that the web process does
not hold (`safepassage referral export`, on the server, with the officer's password and code).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from safepassage.services import exclusion, exclusion_revocation, referral
from safepassage.web.api import ERRORS
from safepassage.web.deps import Staff, UoW

router = APIRouter(prefix="/api", responses=ERRORS, tags=["exclusion"])

Long = Annotated[str, StringConstraints(max_length=20_000)]
Short = Annotated[str, StringConstraints(max_length=2_000)]
Code = Annotated[str, StringConstraints(max_length=64)]

RECORD_EXAMPLE: dict[str, Any] = {
    "category": "1F(a)",
    "acts": "Shot two unarmed civilians at a checkpoint on the Irpin road.",
    "act_time": "2022-03-05",
    "act_place": "Ірпінь, Київська область",
    "act_unit": "в/ч 00000, 2-я рота",
    "legal_characterisation": "War crime of wilful killing, Rome Statute art. 8(2)(a)(i)",
    "basis_sources": ["self_disclosure"],
    "mode_of_liability": "direct_perpetration",
    "mental_element": "Knew the victims were civilians; fired deliberately (own account).",
    "duress_applies": False,
    "duress_finding": "No threat to life or limb was made; he could have refused without such a threat.",
    "superior_orders_applies": False,
    "superior_orders_finding": "Killing civilians is manifestly unlawful (Rome Statute art. 33(2)).",
    "other_defences": "",
    "proportionality": "",
    "standard_of_proof": "A detailed, consistent self-disclosure: clear and credible evidence.",
    "evidence": [{"kind": "statement", "id": "narrative", "note": "Application, third paragraph"}],
    "submit": True,
}


class EvidenceIn(BaseModel):
    """A reference to evidence, by id: a screening hit, a document, a statement ('narrative' or a note id)."""

    model_config = ConfigDict(extra="forbid")
    kind: Code
    id: Code
    note: Short = ""


class ExclusionRecordIn(BaseModel):
    """A new record (or, with `record_id` and `version`, your own draft or returned record), saved as a draft
    or, with `submit`, submitted for review by someone else."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RECORD_EXAMPLE]})
    record_id: UUID | None = None
    version: int | None = Field(None, ge=1)
    person_id: UUID | None = Field(None, description="A person on the case; the principal applicant if omitted.")
    submit: bool = False
    category: Code
    acts: Long = ""
    act_time: Short = ""
    act_place: Short = ""
    act_unit: Short = ""
    legal_characterisation: Long = ""
    basis_sources: list[Code] = Field(default_factory=list, max_length=10)
    mode_of_liability: Code = ""
    mental_element: Long = ""
    duress_applies: bool = False
    duress_finding: Long = ""
    superior_orders_applies: bool = False
    superior_orders_finding: Long = ""
    other_defences: Long = ""
    proportionality: Long = ""
    standard_of_proof: Long = ""
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=exclusion.MAX_EVIDENCE)

    def data(self) -> dict[str, Any]:
        """The record's fields as the service takes them."""
        return self.model_dump(exclude={"record_id", "version", "person_id", "submit"})


class ReviewIn(BaseModel):
    """Approve a submitted record, a referral or a revocation, or return/decline it with reasons."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"id": "00000000-0000-4000-8000-000000000000", "version": 1,
                                         "approve": True, "reasons": ""}]},
    )
    id: UUID = Field(description="The record's (or referral's, or revocation's) id.")
    version: int = Field(ge=1)
    approve: bool
    reasons: Long = ""


class ReferralIn(BaseModel):
    """Ask for a referral for prosecution of a person with an approved exclusion record."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"authority": "Office of the Prosecutor General of Ukraine, war crimes "
                                                      "department", "grounds": "Self-disclosed killing of civilians"}]},
    )
    authority: Short
    grounds: Long = ""
    person_id: UUID | None = None


class RevocationIn(BaseModel):
    """Ask for an approved exclusion record to be revoked (approved in error, or overtaken by new evidence)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"record_id": "00000000-0000-4000-8000-000000000000", "version": 2,
                                         "reason": "The witness withdrew the statement the record rests on."}]},
    )
    record_id: UUID = Field(description="The approved record to revoke.")
    version: int = Field(ge=1, description="The record's version as you read it.")
    reason: Long = Field(description="Why the record should be revoked (sealed; never logged).")


class ReferralNoticeOut(BaseModel):
    """An approved referral for prosecution based on the record: its recipient must be told."""

    referral_id: str
    approved_at: datetime | None


class RevocationOut(BaseModel):
    """A request to revoke an exclusion record; `warning` is set when a referral based on it was approved."""

    id: str
    case_id: str
    record_id: str
    person_id: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    version: int
    reason: str
    review_reasons: str
    approved_referrals: list[ReferralNoticeOut]
    warning: str


class RecordOut(BaseModel):
    """An exclusion record with its content."""

    id: str
    case_id: str
    person_id: str
    is_principal: bool
    category: str
    status: str
    author_id: str
    approver_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    content: dict[str, Any]
    review_reasons: str


class ReferralOut(BaseModel):
    """A referral for prosecution."""

    id: str
    case_id: str
    person_id: str
    record_id: str
    status: str
    requested_by: str
    approved_by: str | None
    requested_at: datetime
    decided_at: datetime | None
    exported_at: datetime | None
    export_count: int
    version: int
    authority: str
    grounds: str
    review_reasons: str


def _uuid(value: UUID | None) -> str | None:
    return str(value) if value else None


@router.get("/cases/{case_id}/exclusion-records", response_model=list[RecordOut])
def list_records(case_id: UUID, actor: Staff, uow: UoW) -> list[RecordOut]:
    """The case's Art. 1F exclusion records (reading them is audited)."""
    return [RecordOut(**asdict(v)) for v in exclusion.records_for_case(uow, actor=actor, case_id=str(case_id))]


@router.post("/cases/{case_id}/exclusion-records", status_code=201, response_model=RecordOut)
def save_record(case_id: UUID, body: ExclusionRecordIn, actor: Staff, uow: UoW) -> RecordOut:
    """Write an exclusion record (a draft, or submitted with `submit`); 422 names every field that is wrong."""
    view = exclusion.save_record(
        uow, actor=actor, case_id=str(case_id), data=body.data(), record_id=_uuid(body.record_id),
        person_id=_uuid(body.person_id), expected_version=body.version, submit=body.submit,
    )
    return RecordOut(**asdict(view))


@router.post("/cases/{case_id}/exclusion-reviews", response_model=RecordOut)
def review_record(case_id: UUID, body: ReviewIn, actor: Staff, uow: UoW) -> RecordOut:
    """Approve a submitted record, or return it to its author with reasons; never your own (four eyes)."""
    view = exclusion.review_record(uow, actor=actor, case_id=str(case_id), record_id=str(body.id),
                                   approve=body.approve, reasons=body.reasons, expected_version=body.version)
    return RecordOut(**asdict(view))


@router.get("/cases/{case_id}/referrals", response_model=list[ReferralOut])
def list_referrals(case_id: UUID, actor: Staff, uow: UoW) -> list[ReferralOut]:
    """The case's referrals for prosecution."""
    return [ReferralOut(**asdict(v)) for v in referral.referrals_for_case(uow, actor=actor, case_id=str(case_id))]


@router.post("/cases/{case_id}/referrals", status_code=201, response_model=ReferralOut)
def request_referral(case_id: UUID, body: ReferralIn, actor: Staff, uow: UoW) -> ReferralOut:
    """Ask for a referral for prosecution (needs an approved exclusion record); a second officer approves."""
    view = referral.request_referral(uow, actor=actor, case_id=str(case_id), authority=body.authority,
                                     grounds=body.grounds, person_id=_uuid(body.person_id))
    return ReferralOut(**asdict(view))


@router.post("/cases/{case_id}/referral-reviews", response_model=ReferralOut)
def review_referral(case_id: UUID, body: ReviewIn, actor: Staff, uow: UoW) -> ReferralOut:
    """Approve or decline someone else's referral request (four eyes)."""
    view = referral.review_referral(uow, actor=actor, case_id=str(case_id), referral_id=str(body.id),
                                    approve=body.approve, reasons=body.reasons, expected_version=body.version)
    return ReferralOut(**asdict(view))


@router.get("/cases/{case_id}/exclusion-revocations", response_model=list[RevocationOut])
def list_revocations(case_id: UUID, actor: Staff, uow: UoW) -> list[RevocationOut]:
    """The case's requests to revoke exclusion records, with their outcome (reading them is audited)."""
    views = exclusion_revocation.revocations_for_case(uow, actor=actor, case_id=str(case_id))
    return [RevocationOut(**asdict(v)) for v in views]


@router.post("/cases/{case_id}/exclusion-revocations", status_code=201, response_model=RevocationOut)
def request_revocation(case_id: UUID, body: RevocationIn, actor: Staff, uow: UoW) -> RevocationOut:
    """Ask for an approved record to be revoked, with a reason; a different officer approves or declines.
    Refused (409 `decision_stands`) while an exclusion decision standing on the case cites the record."""
    view = exclusion_revocation.request_revocation(uow, actor=actor, case_id=str(case_id),
                                                   record_id=str(body.record_id), reason=body.reason,
                                                   expected_version=body.version)
    return RevocationOut(**asdict(view))


@router.post("/cases/{case_id}/exclusion-revocation-reviews", response_model=RevocationOut)
def review_revocation(case_id: UUID, body: ReviewIn, actor: Staff, uow: UoW) -> RevocationOut:
    """Approve (the record stops counting) or decline someone else's revocation request (four eyes)."""
    view = exclusion_revocation.review_revocation(uow, actor=actor, case_id=str(case_id), revocation_id=str(body.id),
                                                  approve=body.approve, reasons=body.reasons,
                                                  expected_version=body.version)
    return RevocationOut(**asdict(view))
