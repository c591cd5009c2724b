"""Request and response bodies of the JSON API; every request body carries a valid example."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from safepassage.domain import person as dp
from safepassage.domain.case import Application, FamilyMember, Relationship, SurrenderRequest
from safepassage.domain.pathways import Channel, Language, Pathway, Urgency
from safepassage.domain.person import Gender, ServiceStatus
from safepassage.domain.stages import Stage
from safepassage.web.schemas_documents import OpenRequestOut

Text = Annotated[str, StringConstraints(max_length=dp.MAX_TEXT)]
Name = Annotated[str, StringConstraints(max_length=dp.MAX_TEXT)]
DateText = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", max_length=10)]
Country = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
# A user id (a UUID string). Checked here because anything else, a NUL byte say, makes PostgreSQL fail the lookup.
UserId = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{36}$")]


class Strict(BaseModel):
    """Unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PeriodIn(Strict):
    """A span of time; either end may be partial (1990, 1990-04) or open."""

    start: DateText | None = None
    end: DateText | None = None

    def to_domain(self, what: str) -> dp.Period:
        """Parse into the domain type."""
        return dp.Period(
            dp.PartialDate.parse(self.start, field_name=f"{what} start") if self.start else None,
            dp.PartialDate.parse(self.end, field_name=f"{what} end") if self.end else None,
        )


class DeploymentIn(Strict):
    """A deployment: place and period."""

    place: Text
    period: PeriodIn = PeriodIn()


class MilitaryIn(Strict):
    """Military service history."""

    status: ServiceStatus = ServiceStatus.NONE
    unit: Text = ""
    rank: Text = ""
    periods: list[PeriodIn] = Field(default_factory=list, max_length=20)
    deployments: list[DeploymentIn] = Field(default_factory=list, max_length=50)

    def to_domain(self) -> dp.MilitaryService:
        """Parse into the domain type."""
        return dp.MilitaryService(
            status=self.status,
            unit=self.unit,
            rank=self.rank,
            periods=tuple(p.to_domain("Service period") for p in self.periods),
            deployments=tuple(dp.Deployment(d.place, d.period.to_domain("Deployment")) for d in self.deployments),
        )


class PersonIn(Strict):
    """A person: names as given (any script) plus Latin spellings seen in documents."""

    first_name: Name
    last_name: Name
    patronymic: Name = ""
    latin_spellings: list[Name] = Field(default_factory=list, max_length=10)
    aliases: list[Name] = Field(default_factory=list, max_length=10)
    birth_date: DateText | None = None
    birthplace: Text = ""
    citizenship: list[Country] = Field(default_factory=list, max_length=5)
    gender: Gender | None = None
    military: MilitaryIn | None = None
    narrative: Annotated[str, StringConstraints(max_length=dp.MAX_NARRATIVE)] = ""

    def to_domain(self) -> dp.Person:
        """Parse into the domain type (dates checked here)."""
        return dp.Person(
            name=dp.PersonName(
                self.first_name, self.last_name, self.patronymic, tuple(self.latin_spellings), tuple(self.aliases)
            ),
            birth_date=dp.PartialDate.parse(self.birth_date, field_name="Birth date") if self.birth_date else None,
            birthplace=self.birthplace,
            citizenship=tuple(self.citizenship),
            gender=self.gender,
            military=self.military.to_domain() if self.military else None,
            narrative=self.narrative,
        )


PERSON_EXAMPLE: dict[str, Any] = {
    "first_name": "Алексей",
    "patronymic": "Иванович",
    "last_name": "Петров",
    "latin_spellings": ["Aleksei Petrov"],
    "birth_date": "1994-03",
    "birthplace": "Екатеринбург",
    "citizenship": ["ru"],
    "gender": "male",
    "military": {
        "status": "mobilised",
        "unit": "в/ч 00000",
        "rank": "рядовой",
        "periods": [{"start": "2022-10", "end": None}],
        "deployments": [{"place": "Херсонская область", "period": {"start": "2023-01", "end": "2023-03"}}],
    },
    "narrative": "Получил повестку, уехал через Казахстан.",
}


class FamilyMemberIn(Strict):
    """A relative to add to a case."""

    relationship: Relationship
    person: PersonIn

    def to_domain(self) -> FamilyMember:
        """Parse into the domain type."""
        return FamilyMember(self.relationship, self.person.to_domain())


FAMILY_EXAMPLE = {
    "relationship": "child",
    "person": {"first_name": "Ольга", "last_name": "Петрова", "birth_date": "2016"},
}


class ApplicationIn(Strict):
    """An application for protection."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "pathways": ["mobilization_evader"],
                    "language": "ru",
                    "summons_received": True,
                    "person": PERSON_EXAMPLE,
                    "family": [FAMILY_EXAMPLE],
                }
            ]
        },
    )

    pathways: list[Pathway] = Field(min_length=1, max_length=len(Pathway))
    language: Language = Language.RU
    person: PersonIn
    family: list[FamilyMemberIn] = Field(default_factory=list, max_length=20)
    summons_received: bool = False
    at_front: bool = False

    def to_domain(self, channel: Channel = Channel.WEB) -> Application:
        """Parse into the domain type."""
        return Application(
            pathways=frozenset(self.pathways),
            person=self.person.to_domain(),
            language=self.language,
            family=tuple(m.to_domain() for m in self.family),
            summons_received=self.summons_received,
            at_front=self.at_front,
            channel=channel,
        )


class StaffApplicationIn(ApplicationIn):
    """An application recorded by staff on someone's behalf."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "pathways": ["deserter", "dissident"],
                    "language": "uk",
                    "channel": "hotline",
                    "person": {"first_name": "Ґрицько", "last_name": "Їжаченко", "citizenship": ["ua", "ru"]},
                }
            ]
        },
    )

    channel: Channel = Channel.OPERATOR


class SurrenderIn(Strict):
    """A surrender request taken on the hotline: the minimum needed to arrange it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit": "в/ч 00000, 3-я рота",
                    "sector": "Запорожское направление",
                    "contact_channel": "signal",
                    "contact_handle": "@example_handle",
                    "group_size": 3,
                    "urgency": "immediate",
                    "language": "ru",
                }
            ]
        },
    )

    unit: Text = ""
    sector: Text = ""
    contact_channel: Annotated[str, StringConstraints(max_length=40)] = ""
    contact_handle: Text
    group_size: int = Field(1, ge=1, le=500)
    urgency: Urgency = Urgency.DAYS
    language: Language = Language.RU

    def to_domain(self) -> SurrenderRequest:
        """Parse into the domain type."""
        return SurrenderRequest(
            self.unit,
            self.sector,
            self.contact_channel,
            self.contact_handle,
            self.group_size,
            self.urgency,
            self.language,
        )


class CredentialsIn(Strict):
    """An applicant's receipt code and passphrase (in the body, never in a URL)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"receipt": "7KQ4-M2XZ-9PHD-Y", "passphrase": "k3fq-8mwz-t2hx-pr9a-n7dc"}]},
    )

    receipt: Annotated[str, StringConstraints(max_length=40)]
    passphrase: Annotated[str, StringConstraints(max_length=100)]


class LoginIn(Strict):
    """Staff credentials."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"username": "caseworker", "password": "correct horse battery staple", "totp": "123456"}]
        },
    )

    username: Annotated[str, StringConstraints(max_length=64)]
    password: Annotated[str, StringConstraints(max_length=1024)]
    totp: Annotated[str, StringConstraints(max_length=12)] | None = Field(
        None, description="The 6-digit code from the authenticator app (required once enrolled)."
    )


class StepUpIn(Strict):
    """Re-enter password and code to see identity and family data for the next minutes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"password": "correct horse battery staple", "totp": "123456"}]},
    )

    password: Annotated[str, StringConstraints(max_length=1024)]
    totp: Annotated[str, StringConstraints(max_length=12)] | None = None


class TransitionIn(Strict):
    """Move a case to `to`; `version` is the case version you last saw."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"to": "screening", "version": 1}]})

    to: Stage
    version: int = Field(ge=1)


class AssignmentIn(Strict):
    """Assign a case to a caseworker (null to unassign)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"assignee_id": "00000000-0000-4000-8000-000000000000", "version": 1}]},
    )

    assignee_id: UserId | None
    version: int = Field(ge=1)


class NoteIn(Strict):
    """A note on a case."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Документы проверены; паспорт действителен до 2030 г."}]},
    )

    text: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class FamilyLinkIn(FamilyMemberIn):
    """Link a family member to a case; `version` is the case version you last saw."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{**FAMILY_EXAMPLE, "version": 1}]})

    version: int = Field(ge=1)


class UserIn(Strict):
    """A new staff account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"username": "new.caseworker", "role": "caseworker", "password": "a long enough passphrase"}]
        },
    )

    username: Annotated[str, StringConstraints(max_length=64)]
    role: str
    password: Annotated[str, StringConstraints(max_length=1024)]


# ---- responses -----------------------------------------------------------------------------


class ReceiptOut(BaseModel):
    """Shown once: write both down."""

    receipt: str
    passphrase: str
    case_id: str


class StatusOut(BaseModel):
    """Where an application stands and what the applicant should do."""

    receipt: str
    stage: str
    next_step: dict[str, str]
    updated_at: datetime
    information_requests: list[OpenRequestOut] = Field(
        default_factory=list, description="questions waiting for your answer (POST /api/information-requests/answers)"
    )


class SessionOut(BaseModel):
    """A new staff session; send the token as `Authorization: Bearer <token>`."""

    token: str
    role: str
    user_id: str
    expires_at: datetime


class CaseSummaryOut(BaseModel):
    """A queue row (no personal data)."""

    id: str
    receipt: str
    stage: str
    pathways: list[str]
    priority: str
    channel: str
    language: str
    assignee_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    erased: bool = False


class CasePageOut(BaseModel):
    """A page of the queue."""

    items: list[CaseSummaryOut]
    total: int
    limit: int
    offset: int


class CaseDetailOut(CaseSummaryOut):
    """A case as your role may see it; classes you may not read are null."""

    allowed_transitions: list[str]
    timeline: list[dict[str, Any]]
    visible_fields: list[str]
    principal: dict[str, Any] | None = None
    family: list[dict[str, Any]] | None = None
    military: dict[str, Any] | None = None
    narrative: str | None = None
    notes: list[dict[str, Any]] | None = None
    surrender: dict[str, Any] | None = None
    possible_duplicates: list[str] | None = Field(
        None, description="Other cases whose principal shares this name (any spelling) and birth year."
    )
    step_up_required: bool = Field(
        False, description="Personal data is withheld until you re-authenticate at POST /api/auth/step-up."
    )


class ErasureIn(Strict):
    """Why a case's personal data should be destroyed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "applicant_request"}]})

    reason: Annotated[str, StringConstraints(max_length=32)]


class PersonSearchIn(Strict):
    """A name in any script or spelling; the birth year narrows it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"first_name": "Aleksei", "last_name": "PETROV", "birth_year": 1994}]},
    )

    first_name: Name
    last_name: Name
    birth_year: int | None = Field(None, ge=1900, le=2100)


class RetentionPlanOut(BaseModel):
    """A retention request awaiting a second person's approval (no id when nothing is due)."""

    id: str | None
    cases: int


class ErasedOut(BaseModel):
    """How many cases were erased."""

    erased: int


class UserCreatedOut(BaseModel):
    """A new account; give the TOTP URI to its owner to enrol an authenticator app (shown once)."""

    id: str
    totp_uri: str


class IdOut(BaseModel):
    """The id of what was created."""

    id: str


class ErrorBody(BaseModel):
    """What went wrong."""

    code: str
    message: str


class ErrorOut(BaseModel):
    """Every error has this shape."""

    error: ErrorBody
