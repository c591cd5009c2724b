"""The application form in steps, without JavaScript and without storing anything before it is sent.

Every step posts the whole form: the fields of the other steps travel as hidden inputs, so an error,
a step back or a language-independent reload never loses what was typed. Only the pathway decides
which steps are asked: military service only for the pathways that involve it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from safepassage.domain.case import Application, FamilyMember, Relationship
from safepassage.domain.pathways import MILITARY_PATHWAYS, Channel, Language, Pathway
from safepassage.domain.person import Deployment as DomainDeployment
from safepassage.domain.person import (
    Gender,
    MilitaryService,
    PartialDate,
    Period,
    Person,
    PersonName,
    ServiceStatus,
)
from safepassage.web.pages import forms
from safepassage.web.pages.forms import Gettext
from safepassage.web.pages.labels import COUNTRIES, N_

PERSON_FIELDS = ("first_name", "patronymic", "last_name", "latin_name", "birth_date", "birthplace", "citizenship",
                 "gender")
SERVICE_FIELDS = ("service_status", "unit", "rank", "service_start", "deployment_place", "summons", "at_front")
FAMILY_PARTS = ("relationship", "first", "last", "birth")
MAX_FAMILY_ROWS = 8
STEP_TITLES = {
    "pathways": N_("Why you are leaving"),
    "person": N_("About you"),
    "service": N_("Military service"),
    "family": N_("Family"),
    "story": N_("Your story"),
    "review": N_("Check and send"),
}


@dataclass
class ApplyForm:
    """Everything typed so far, the current step, and the errors on it."""

    values: dict[str, str] = field(default_factory=dict)
    pathways: list[str] = field(default_factory=list)
    family_rows: int = 1
    step: str = "pathways"
    errors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.fields_of("person") + self.fields_of("service") + self.fields_of("family") + ["narrative"]:
            self.values.setdefault(name, "")

    @classmethod
    def parse(cls, form: dict[str, str], pathways: list[str]) -> ApplyForm:
        """Read the posted form (unknown fields are ignored; lengths are checked later)."""
        names = [*PERSON_FIELDS, *SERVICE_FIELDS, "narrative"]
        try:
            rows = max(1, min(MAX_FAMILY_ROWS, int(form.get("family_rows", "1"))))
        except ValueError:
            rows = 1
        names += [f"fam{i}_{p}" for i in range(rows) for p in FAMILY_PARTS]
        values = {n: str(form.get(n, ""))[:25_000] for n in names}
        chosen = [p for p in dict.fromkeys(pathways) if p in Pathway.__members__.values()]
        step = form.get("step", "pathways")
        return cls(values, chosen, rows, step if step in STEP_TITLES else "pathways")

    @property
    def military(self) -> bool:
        """Whether the chosen pathways involve military service."""
        return any(p in MILITARY_PATHWAYS for p in self.pathways)

    def steps(self) -> list[str]:
        """The steps this applicant is asked, in order."""
        return ["pathways", "person", *(["service"] if self.military else []), "family", "story", "review"]

    def move(self, direction: int) -> None:
        """Go to the next (1) or previous (-1) step."""
        steps = self.steps()
        i = steps.index(self.step) if self.step in steps else 0
        self.step = steps[max(0, min(len(steps) - 1, i + direction))]

    def check(self, step: str, _: Gettext) -> dict[str, str]:
        """The errors of one step, by field name (also stores cleaned values)."""
        errors: dict[str, str] = {}
        v, f = self.values, self.values.copy()
        if step == "pathways" and not self.pathways:
            errors["pathways"] = _("Choose at least one reason.")
        elif step == "person":
            for name in ("first_name", "patronymic", "last_name", "latin_name", "birthplace"):
                v[name] = forms.text(f, name, _, errors)
            if not v["first_name"] and not v["last_name"] and "first_name" not in errors:
                errors["first_name"] = _(forms.REQUIRED_NAME)
            v["birth_date"] = forms.partial_date(f, "birth_date", _, errors)
            v["citizenship"] = forms.choice(f, "citizenship", COUNTRIES, _, errors)
            v["gender"] = forms.choice(f, "gender", [g.value for g in Gender], _, errors)
        elif step == "service":
            v["service_status"] = forms.choice(f, "service_status", [s.value for s in ServiceStatus], _, errors)
            for name in ("unit", "rank", "deployment_place"):
                v[name] = forms.text(f, name, _, errors)
            v["service_start"] = forms.partial_date(f, "service_start", _, errors)
        elif step == "family":
            for i in range(self.family_rows):
                v[f"fam{i}_relationship"] = forms.choice(f, f"fam{i}_relationship", Relationship, _, errors)
                first = forms.text(f, f"fam{i}_first", _, errors)
                last = forms.text(f, f"fam{i}_last", _, errors)
                v[f"fam{i}_first"], v[f"fam{i}_last"] = first, last
                v[f"fam{i}_birth"] = forms.partial_date(f, f"fam{i}_birth", _, errors)
                filled = first or last or v[f"fam{i}_birth"] or v[f"fam{i}_relationship"]
                if filled and not (first or last) and f"fam{i}_first" not in errors:
                    errors[f"fam{i}_first"] = _(forms.REQUIRED_NAME)
                if (first or last) and not v[f"fam{i}_relationship"]:
                    errors[f"fam{i}_relationship"] = _("Choose how this person is related to you.")
        elif step == "story":
            v["narrative"] = forms.text(f, "narrative", _, errors, limit=forms.NARRATIVE_LIMIT)
        return errors

    def check_all(self, _: Gettext) -> bool:
        """Check every step; on errors, go to the first step that has one."""
        for step in self.steps():
            errors = self.check(step, _)
            if errors:
                self.step, self.errors = step, errors
                return False
        return True

    def fields_of(self, step: str) -> list[str]:
        """The form fields shown on a step."""
        if step == "person":
            return list(PERSON_FIELDS)
        if step == "service":
            return list(SERVICE_FIELDS)
        if step == "family":
            return [f"fam{i}_{p}" for i in range(self.family_rows) for p in FAMILY_PARTS]
        return ["narrative"] if step == "story" else []

    def hidden(self) -> dict[str, str]:
        """What was typed on the other steps: carried along as hidden inputs."""
        shown = set(self.fields_of(self.step)) if self.step != "review" else set()
        return {k: v for k, v in self.values.items() if v and k not in shown}

    def family(self) -> list[dict[str, str]]:
        """The family rows that were filled in."""
        rows = [{p: self.values.get(f"fam{i}_{p}", "") for p in FAMILY_PARTS} for i in range(self.family_rows)]
        return [r for r in rows if r["first"] or r["last"]]

    def to_application(self, lang: str) -> Application:
        """The checked form as the domain's application (call after `check_all`)."""
        v = self.values
        military = None
        if self.military and (v["service_status"] or v["unit"] or v["rank"] or v["service_start"]):
            start = PartialDate.parse(v["service_start"]) if v["service_start"] else None
            military = MilitaryService(
                status=ServiceStatus(v["service_status"] or "none"),
                unit=v["unit"],
                rank=v["rank"],
                periods=(Period(start, None),) if start else (),
                deployments=(DomainDeployment(v["deployment_place"]),) if v["deployment_place"] else (),
            )
        principal = _person(v["first_name"], v["last_name"], v["birth_date"], patronymic=v["patronymic"],
                            latin=v["latin_name"], birthplace=v["birthplace"], citizenship=v["citizenship"],
                            gender=v["gender"], narrative=v["narrative"])
        principal = replace(principal, military=military)
        return Application(
            pathways=frozenset(Pathway(p) for p in self.pathways),
            person=principal,
            language=Language(lang),
            family=tuple(
                FamilyMember(Relationship(r["relationship"]), _person(r["first"], r["last"], r["birth"]))
                for r in self.family()
            ),
            summons_received=Pathway.MOBILIZATION_EVADER in self.pathways and v["summons"] == "yes",
            at_front=bool({Pathway.DESERTER, Pathway.SURRENDERING_SOLDIER} & set(self.pathways))
            and v["at_front"] == "yes",
            channel=Channel.WEB,
        )


def _person(first: str, last: str, birth: str, **more: str) -> Person:
    return Person(
        name=PersonName(first, last, more.get("patronymic", ""), (more["latin"],) if more.get("latin") else ()),
        birth_date=PartialDate.parse(birth) if birth else None,
        birthplace=more.get("birthplace", ""),
        citizenship=(more["citizenship"],) if more.get("citizenship") else (),
        gender=Gender(more["gender"]) if more.get("gender") else None,
        narrative=more.get("narrative", ""),
    )
