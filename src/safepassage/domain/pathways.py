"""Why a person is fleeing, how urgent their case is, and through which channel it came."""

from __future__ import annotations

from enum import StrEnum


class Pathway(StrEnum):
    """The reasons for flight the system recognises; several may apply to one person."""

    MOBILIZATION_EVADER = "mobilization_evader"
    DESERTER = "deserter"
    SURRENDERING_SOLDIER = "surrendering_soldier"
    PRISONER_OF_WAR = "prisoner_of_war"
    DISSIDENT = "dissident"
    WAR_REFUGEE = "war_refugee"
    PERSECUTED_OTHER = "persecuted_other"


#: Pathways for which military service is asked about (a dissident is not asked).
MILITARY_PATHWAYS = frozenset(
    {Pathway.MOBILIZATION_EVADER, Pathway.DESERTER, Pathway.SURRENDERING_SOLDIER, Pathway.PRISONER_OF_WAR}
)


class Priority(StrEnum):
    """P1: summons received, at the front or in custody; P2: at risk; P3: otherwise."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class Channel(StrEnum):
    """How a case reached us."""

    WEB = "web"
    OPERATOR = "operator"
    HOTLINE = "hotline"


class Language(StrEnum):
    """Languages an applicant can use."""

    RU = "ru"
    UK = "uk"
    EN = "en"
    BE = "be"


class Urgency(StrEnum):
    """How soon a surrender request must be acted on."""

    IMMEDIATE = "immediate"
    DAYS = "days"
    WEEKS = "weeks"


def initial_priority(pathways: frozenset[Pathway], *, summons_received: bool, at_front: bool) -> Priority:
    """Priority at intake: P1 for a summons, the front line or custody; P2 for soldiers; else P3."""
    if summons_received or at_front or Pathway.PRISONER_OF_WAR in pathways:
        return Priority.P1
    if pathways & MILITARY_PATHWAYS:
        return Priority.P2
    return Priority.P3
