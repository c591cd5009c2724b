"""Demo data: ≥200 cases across every pathway and stage, with hostile Unicode in the names."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import replace

from safepassage import demo_decisions, demo_documents
from safepassage.demo_data import seed_watchlists
from safepassage.demo_data.incidents import seed_incidents
from safepassage.domain.case import Application, FamilyMember, Relationship, SurrenderRequest
from safepassage.domain.pathways import Channel, Language, Pathway, Urgency
from safepassage.domain.person import (
    Deployment,
    Gender,
    MilitaryService,
    PartialDate,
    Period,
    Person,
    PersonName,
    ServiceStatus,
)
from safepassage.domain.stages import DECIDED, Stage
from safepassage.security.policy import Role
from safepassage.services import casework, intake, staff
from safepassage.store.uow import Actor, Database

# Deliberately hostile: Ukrainian letters, ё, Latin/Cyrillic homoglyphs, zero-width and bidi
# characters, markup and template syntax, and a very long name.
FIRST = [
    "Алексей",
    "Ґрицько",
    "Євген",
    "Їжак",
    "Іван",
    "Артём",
    "Sеrgеy",
    "Дми\u200bтрий",
    "Олександр",
    "Пётр",
    "Микола",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "Ян\u202eош",
    "Francois",
    "Zoë",
]
FIRST_F = ["Ольга", "Юлія", "Наталья", "Катерина", "Алёна", "Мар'яна", "Ганна"]
PATRONYMIC = ["Иванович", "Сергеевич", "Олександрович", "Пётрович", "", "Ильич", "{% raw %}"]
LAST = [
    "Петров",
    "Шевченко",
    "Иванов",
    "Ковальчук",
    "Кузнецов",
    "Ѐлкин",
    "Ёлкин",
    "Соколов",
    "Rоmanov",
    "Grünberg",
    "Смирнов-Щербаков",
    "Гайдамака" * 20,
    "O'Brien",
    "Лукашенко\u200d",
    "Бондар",
]
PLACES = ["Екатеринбург", "Київ", "Харків", "Минск", "Новосибирск", "Бахмут", "Мариуполь", "Тбилиси"]
UNITS = ["в/ч 00001", "в/ч 12345", "3-я рота, 2-й батальон", "ПВД «Шторм-Z»", "<b>unit</b>"]


def _person(rng: random.Random, *, female: bool = False, military: bool = False) -> Person:
    last = rng.choice(LAST)
    first = rng.choice(FIRST_F if female else FIRST)
    return Person(
        name=PersonName(
            first=first,
            last=last + ("а" if female and last.endswith("ов") else ""),
            patronymic="" if female else rng.choice(PATRONYMIC),
            latin=(f"{first} {last}",) if rng.random() < 0.5 else (),
        ),
        birth_date=rng.choice(
            [
                PartialDate(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                PartialDate(rng.randint(1960, 2004)),
                None,
            ]
        ),
        birthplace=rng.choice(PLACES),
        citizenship=(rng.choice(["ru", "ua", "by"]),),
        gender=Gender.FEMALE if female else Gender.MALE,
        military=MilitaryService(
            status=rng.choice([ServiceStatus.MOBILISED, ServiceStatus.CONTRACT, ServiceStatus.CONSCRIPT]),
            unit=rng.choice(UNITS),
            rank=rng.choice(["рядовой", "сержант", "лейтенант"]),
            periods=(Period(PartialDate(2022, 10), None),),
            deployments=(Deployment(rng.choice(PLACES), Period(PartialDate(2023, 1), PartialDate(2023, 4))),),
        )
        if military
        else None,
        narrative=rng.choice(
            [
                "Получил повестку.",
                "Отказался стрелять. ${jndi:ldap://x}",
                "Дезертировал.",
                "Переслідування за пост у соцмережі.",
                "",
            ]
        ),
    )


# Paths through the state machine that end in each stage.
PATHS: list[list[Stage]] = [
    [],
    [Stage.SCREENING],
    [Stage.SCREENING, Stage.REVIEW],
    [Stage.SCREENING, Stage.REVIEW, Stage.EXCLUSION_REVIEW],
    [Stage.SCREENING, Stage.REVIEW, Stage.DECISION_PENDING],
    [Stage.SCREENING, Stage.REVIEW, Stage.DECISION_PENDING, Stage.GRANTED],
    [Stage.SCREENING, Stage.REVIEW, Stage.DECISION_PENDING, Stage.REFUSED],
    [Stage.SCREENING, Stage.REVIEW, Stage.EXCLUSION_REVIEW, Stage.DECISION_PENDING, Stage.EXCLUDED],
    [Stage.SCREENING, Stage.REVIEW, Stage.DECISION_PENDING, Stage.REFUSED, Stage.APPEAL],
    [Stage.WITHDRAWN],
]
SURRENDER_PATHS = [
    [],
    [Stage.SURRENDER_ARRANGED],
    [Stage.SURRENDER_ARRANGED, Stage.IN_CUSTODY],
    [Stage.SURRENDER_ARRANGED, Stage.IN_CUSTODY, Stage.RECEIVED, Stage.SCREENING],
]


def create_demo_users(db: Database) -> Iterator[tuple[str, str, str]]:
    """One user per role with a fresh random password; yields (role, username, password)."""
    for role in Role:
        password = secrets.token_urlsafe(12)
        staff.create_user(
            db.uow(), actor=Actor.system(), username=role.value.replace("_", "-"), role=role, password=password
        )
        yield role.value, role.value.replace("_", "-"), password


def seed(db: Database, *, cases: int = 200, seed_value: int = 1) -> int:
    """Create `cases` applications plus surrender requests, moved through the stages; returns the count."""
    seed_watchlists(db)  # first, so that cases entering screening are screened against it
    seed_incidents(db)  # and the documented incidents, for the unit–incident flags
    rng = random.Random(seed_value)  # noqa: S311 - demo data, not security
    system = Actor.system()
    made = 0
    pathways = list(Pathway)
    for i in range(cases):
        chosen = frozenset({pathways[i % len(pathways)]} | ({rng.choice(pathways)} if rng.random() < 0.3 else set()))
        military = bool(
            chosen
            & {Pathway.DESERTER, Pathway.SURRENDERING_SOLDIER, Pathway.PRISONER_OF_WAR, Pathway.MOBILIZATION_EVADER}
        )
        family = tuple(
            FamilyMember(rng.choice(list(Relationship)), _person(rng, female=rng.random() < 0.6))
            for _ in range(rng.choice([0, 0, 1, 2, 3]))
        )
        app = Application(
            pathways=chosen,
            person=_person(rng, military=military),
            language=rng.choice(list(Language)),
            family=family,
            summons_received=rng.random() < 0.3,
            at_front=rng.random() < 0.1,
            channel=rng.choice([Channel.WEB, Channel.OPERATOR]),
        )
        receipt = intake.submit_application(db.uow(), actor=system, application=app)
        for _ in range(5):  # a case held by screening stays in the analyst's queue; another applicant walks the path
            if not _walk(db, receipt.case_id, PATHS[i % len(PATHS)]):
                break
            app = replace(app, person=_person(rng, military=military), family=())
            receipt = intake.submit_application(db.uow(), actor=system, application=app)
            made += 1
        if i % 5 == 2:
            demo_documents.seed(db, receipt, i)  # questions and answers with a scan (issue 5)
        made += 1
    for i in range(max(10, cases // 10)):
        req = SurrenderRequest(
            unit=rng.choice(UNITS),
            sector=rng.choice(PLACES),
            contact_channel="signal",
            contact_handle=f"@demo_{i}_\u200bhandle",
            group_size=rng.randint(1, 6),
            urgency=rng.choice(list(Urgency)),
        )
        receipt = intake.record_surrender_request(db.uow(), actor=system, request=req)
        _walk(db, receipt.case_id, SURRENDER_PATHS[i % len(SURRENDER_PATHS)])
        made += 1
    return made


def _walk(db: Database, case_id: str, path: list[Stage]) -> bool:
    """Move a case along `path`; True if screening held it for an analyst before the path's end."""
    version, current = 1, None
    for stage in path:
        if stage == current:  # screening moved the case on by itself (nothing to review)
            continue
        if current is Stage.SCREENING:  # screening found something: the case waits for an analyst
            return True
        if stage in DECIDED or stage is Stage.APPEAL:  # decisions and appeals have their own services
            demo_decisions.reach(db, case_id, stage)
            continue
        moved = casework.move_case(db.uow(), actor=Actor.system(), case_id=case_id, to=stage, expected_version=version)
        version, current = moved.version, Stage(moved.stage)
    return False
