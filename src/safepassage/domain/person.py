"""Persons as they present themselves: names in every script, partial dates, military service."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from safepassage.domain.errors import InvalidInput

MAX_TEXT = 300
MAX_NARRATIVE = 20_000
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_COUNTRY = re.compile(r"^[a-z]{2}$")


class Gender(StrEnum):
    """Gender as the person states it."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"


class ServiceStatus(StrEnum):
    """Relation to the armed forces."""

    NONE = "none"
    RESERVIST = "reservist"
    CONSCRIPT = "conscript"
    MOBILISED = "mobilised"
    CONTRACT = "contract"
    OFFICER = "officer"
    PMC = "pmc"


def clean_text(value: str, *, field_name: str, limit: int = MAX_TEXT) -> str:
    """NFC-normalise and bound free text; refuse control characters (not names' own letters)."""
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > limit:
        raise InvalidInput(f"{field_name} is too long ({len(text)} characters; at most {limit}).")
    for ch in text:
        if unicodedata.category(ch) == "Cc" and ch not in "\n\t":
            raise InvalidInput(f"{field_name} contains a control character (U+{ord(ch):04X}).")
    return text


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date of which only the year, or year and month, may be known."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str, *, field_name: str = "date") -> PartialDate:
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; refuse impossible or future dates."""
        m = _DATE.match(text.strip())
        if not m:
            # Never echo the value: a date of birth is personal data, and error text ends up in places.
            raise InvalidInput(f"{field_name} must look like 1990, 1990-04 or 1990-04-23.")
        year = int(m[1])
        month = int(m[2]) if m[2] else None
        day = int(m[3]) if m[3] else None
        if not 1900 <= year <= date.today().year:  # noqa: DTZ011 - a calendar date, no time zone involved
            raise InvalidInput(f"{field_name}: the year is not plausible.")
        if month is not None and not 1 <= month <= 12:
            raise InvalidInput(f"{field_name}: month {month} does not exist.")
        if day is not None and month is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise InvalidInput(f"{field_name}: that day does not exist in that month.")
        if day is not None and month is not None and date(year, month, day) > date.today():  # noqa: DTZ011
            raise InvalidInput(f"{field_name}: the date is in the future.")
        return cls(year, month, day)

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class Period:
    """A span of time, either end possibly partial or open."""

    start: PartialDate | None = None
    end: PartialDate | None = None


@dataclass(frozen=True, slots=True)
class Deployment:
    """Where and when a soldier was deployed."""

    place: str
    period: Period = field(default_factory=Period)


@dataclass(frozen=True, slots=True)
class MilitaryService:
    """Service history: status, unit, rank, periods and deployments."""

    status: ServiceStatus = ServiceStatus.NONE
    unit: str = ""
    rank: str = ""
    periods: tuple[Period, ...] = ()
    deployments: tuple[Deployment, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name as given, in its original script, plus every Latin spelling seen and aliases."""

    first: str
    last: str
    patronymic: str = ""
    latin: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def full(self) -> str:
        """Given name, patronymic and surname in the usual order."""
        return " ".join(p for p in (self.first, self.patronymic, self.last) if p)


@dataclass(frozen=True, slots=True)
class Person:
    """Everything known about one person on a case."""

    name: PersonName
    birth_date: PartialDate | None = None
    birthplace: str = ""
    citizenship: tuple[str, ...] = ()
    gender: Gender | None = None
    military: MilitaryService | None = None
    narrative: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as strings) for encryption at rest."""
        data: dict[str, Any] = _jsonable(asdict(self))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Person:
        """Rebuild a person from `to_dict` output."""
        mil = data.get("military")
        return cls(
            name=PersonName(
                first=data["name"]["first"],
                last=data["name"]["last"],
                patronymic=data["name"].get("patronymic", ""),
                latin=tuple(data["name"].get("latin", ())),
                aliases=tuple(data["name"].get("aliases", ())),
            ),
            birth_date=_date_from(data.get("birth_date")),
            birthplace=data.get("birthplace", ""),
            citizenship=tuple(data.get("citizenship", ())),
            gender=Gender(data["gender"]) if data.get("gender") else None,
            military=_military_from(mil) if mil else None,
            narrative=data.get("narrative", ""),
        )


def validate_person(person: Person) -> Person:
    """Check and normalise a person's fields; raise InvalidInput with the offending field named."""
    name = person.name
    first = clean_text(name.first, field_name="First name")
    last = clean_text(name.last, field_name="Last name")
    if not first and not last:
        raise InvalidInput("A first name or a last name is required.")
    for code in person.citizenship:
        if not _COUNTRY.match(code):
            raise InvalidInput(f"Citizenship must be a two-letter country code such as 'ru' (got {code[:10]!r}).")
    if person.birth_date and person.birth_date.year < 1900:
        raise InvalidInput("Birth year is not plausible.")
    mil = person.military
    if mil is not None:
        mil = MilitaryService(
            status=mil.status,
            unit=clean_text(mil.unit, field_name="Unit"),
            rank=clean_text(mil.rank, field_name="Rank"),
            periods=mil.periods,
            deployments=tuple(
                Deployment(clean_text(d.place, field_name="Deployment place"), d.period) for d in mil.deployments
            ),
        )
    return Person(
        name=PersonName(
            first=first,
            last=last,
            patronymic=clean_text(name.patronymic, field_name="Patronymic"),
            latin=tuple(clean_text(x, field_name="Latin spelling") for x in name.latin if x.strip()),
            aliases=tuple(clean_text(x, field_name="Alias") for x in name.aliases if x.strip()),
        ),
        birth_date=person.birth_date,
        birthplace=clean_text(person.birthplace, field_name="Birthplace"),
        citizenship=person.citizenship,
        gender=person.gender,
        military=mil,
        narrative=clean_text(person.narrative, field_name="Narrative", limit=MAX_NARRATIVE),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"year", "month", "day"}:
            return str(PartialDate(value["year"], value["month"], value["day"]))
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _date_from(text: str | None) -> PartialDate | None:
    return PartialDate.parse(text) if text else None


def _period_from(data: dict[str, Any]) -> Period:
    return Period(_date_from(data.get("start")), _date_from(data.get("end")))


def _military_from(data: dict[str, Any]) -> MilitaryService:
    return MilitaryService(
        status=ServiceStatus(data.get("status", "none")),
        unit=data.get("unit", ""),
        rank=data.get("rank", ""),
        periods=tuple(_period_from(p) for p in data.get("periods", ())),
        deployments=tuple(
            Deployment(d["place"], _period_from(d.get("period") or {})) for d in data.get("deployments", ())
        ),
    )
