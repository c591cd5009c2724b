"""What an application and a surrender request consist of, and what applicants are told next."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from safepassage.domain.errors import InvalidInput
from safepassage.domain.pathways import Channel, Language, Pathway, Urgency
from safepassage.domain.person import Person, clean_text, validate_person
from safepassage.domain.stages import Stage

MAX_FAMILY = 20
MAX_GROUP = 500


class Relationship(StrEnum):
    """How a family member relates to the principal applicant."""

    SPOUSE = "spouse"
    PARTNER = "partner"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER = "other"


@dataclass(frozen=True)
class FamilyMember:
    """A relative on the case; assessed on their own, never excluded because of the principal."""

    relationship: Relationship
    person: Person


@dataclass(frozen=True)
class Application:
    """An application for protection, from the applicant or recorded on their behalf."""

    pathways: frozenset[Pathway]
    person: Person
    language: Language = Language.RU
    family: tuple[FamilyMember, ...] = ()
    summons_received: bool = False
    at_front: bool = False
    channel: Channel = Channel.WEB

    def validated(self) -> Application:
        """This application with every person checked; raises InvalidInput naming the problem."""
        if not self.pathways:
            raise InvalidInput("Choose at least one reason for leaving (pathway).")
        if len(self.family) > MAX_FAMILY:
            raise InvalidInput(f"At most {MAX_FAMILY} family members per application.")
        return Application(
            pathways=self.pathways,
            person=validate_person(self.person),
            language=self.language,
            family=tuple(FamilyMember(m.relationship, validate_person(m.person)) for m in self.family),
            summons_received=self.summons_received,
            at_front=self.at_front,
            channel=self.channel,
        )


@dataclass(frozen=True)
class SurrenderRequest:
    """A soldier's request to surrender: only what is needed to arrange it, taken on the hotline."""

    unit: str
    sector: str
    contact_channel: str
    contact_handle: str
    group_size: int = 1
    urgency: Urgency = Urgency.DAYS
    language: Language = Language.RU
    extra: dict[str, str] = field(default_factory=dict)

    def validated(self) -> SurrenderRequest:
        """This request checked; raises InvalidInput naming the problem."""
        if not 1 <= self.group_size <= MAX_GROUP:
            raise InvalidInput(f"Group size must be between 1 and {MAX_GROUP}.")
        handle = clean_text(self.contact_handle, field_name="Contact handle")
        if not handle:
            raise InvalidInput("A contact handle is needed to arrange the surrender.")
        return SurrenderRequest(
            unit=clean_text(self.unit, field_name="Unit"),
            sector=clean_text(self.sector, field_name="Sector"),
            contact_channel=clean_text(self.contact_channel, field_name="Contact channel", limit=40),
            contact_handle=handle,
            group_size=self.group_size,
            urgency=self.urgency,
            language=self.language,
        )


#: What the applicant is told at each stage: (code, message). Pages translate by code.
NEXT_STEPS: dict[Stage, tuple[str, str]] = {
    Stage.SURRENDER_REQUESTED: (
        "wait_contact",
        "We will contact you on the channel you gave to arrange a safe surrender.",
    ),
    Stage.SURRENDER_ARRANGED: ("follow_instructions", "Follow the instructions you were given for the surrender."),
    Stage.IN_CUSTODY: ("none", "You are in safe custody. Your application will be registered."),
    Stage.RECEIVED: ("wait", "Your application was received. Nothing is needed from you now."),
    Stage.SCREENING: ("wait", "Your application is being checked. Nothing is needed from you now."),
    Stage.REVIEW: ("wait_or_answer", "A caseworker is reviewing your application and may send you questions."),
    Stage.EXCLUSION_REVIEW: (
        "wait_interview",
        "Your application needs a closer review; you may be invited to an interview.",
    ),
    Stage.DECISION_PENDING: ("wait_decision", "A decision is being prepared."),
    Stage.GRANTED: ("granted", "Protection was granted. You will receive your decision letter."),
    Stage.REFUSED: ("may_appeal", "Your application was refused. You may appeal; the decision letter explains how."),
    Stage.EXCLUDED: (
        "may_appeal",
        "Your application was not accepted. You may appeal; the decision letter explains how.",
    ),
    Stage.APPEAL: ("wait_appeal", "Your appeal is being considered."),
    Stage.WITHDRAWN: ("withdrawn", "This application was withdrawn."),
}
