"""Every page in every language: a screenshot under test-output/screenshots/, and axe-core finds nothing serious.

Runs on SQLite only (the pages do not depend on the backend; the journeys run on both).
"""

from __future__ import annotations

from typing import Any

import pytest

from safepassage.domain.case import Application, FamilyMember, Relationship, SurrenderRequest
from safepassage.domain.pathways import Language, Pathway
from safepassage.domain.person import MilitaryService, PartialDate, Person, PersonName, ServiceStatus
from safepassage.domain.stages import Stage
from safepassage.i18n import LANGUAGES
from safepassage.services import casework, intake
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.e2e import steps
from tests.e2e.conftest import run_axe, shot
from tests.helpers import HOSTILE_NAMES

pytestmark = [pytest.mark.browser, pytest.mark.db]


def _seed(env: Env) -> str:
    """A few cases with hostile names; returns the id of one moved to review, with a note and family."""
    system = Actor.system()
    ids = []
    for i, name in enumerate(HOSTILE_NAMES):
        person = Person(PersonName(name, HOSTILE_NAMES[-1 - i], "Иванович", ("Aleksei Petrov",)),
                        PartialDate(1990, 4), "Екатеринбург", ("ru",),
                        military=MilitaryService(ServiceStatus.MOBILISED, "в/ч 00000", "рядовой"),
                        narrative="Отказался стрелять. ${jndi:ldap://x} {{ 7*7 }}")
        app = Application(frozenset({Pathway.DESERTER, Pathway.DISSIDENT}), person, Language.UK,
                          (FamilyMember(Relationship.CHILD, Person(PersonName("Оля", "Петрова"))),))
        ids.append(intake.submit_application(env.db.uow(), actor=Actor.applicant(), application=app).case_id)
    intake.record_surrender_request(env.db.uow(), actor=system, request=SurrenderRequest(
        "в/ч 00000", "Запорожское направление", "signal", "@demo_\u200bhandle", 3))
    # Nothing on any watchlist here: screening clears the case and moves it on to review by itself.
    moved = casework.move_case(env.db.uow(), actor=system, case_id=ids[0], to=Stage.SCREENING, expected_version=1)
    assert moved.stage == Stage.REVIEW
    return ids[0]


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)  # once, not per backend (not a skip)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_screenshot_and_axe(new_page: Any, env: Env, lang: str) -> None:
    case_id = _seed(env)
    page, _ = new_page(bypass_csp=True)  # bypass only so that axe can be injected; a phone-sized window
    problems: dict[str, list[dict[str, Any]]] = {}

    def visit(p: Any, name: str) -> None:
        shot(p, f"{lang}-{name}")
        found = run_axe(p)
        if found:
            problems[name] = found

    page.goto(f"/{lang}/")
    visit(page, "start")
    page.goto(f"/{lang}/apply")
    page.click("button[value=next]")
    visit(page, "apply-error")
    receipt, passphrase = steps.apply(page, lang, ("mobilization_evader",), shots=visit)
    page.goto(f"/{lang}/status")
    visit(page, "status-form")
    steps.status(page, lang, receipt, passphrase)
    visit(page, "status")

    staff, _ = new_page(bypass_csp=True, phone=False)
    staff.goto(f"/{lang}/console/login")
    staff.click("main button[type=submit]")
    visit(staff, "console-login-error")
    steps.login(staff, "caseworker", lang)
    visit(staff, "console-home")
    staff.goto(f"/{lang}/console/cases")
    visit(staff, "console-queue")
    staff.goto(f"/{lang}/console/cases/{case_id}")
    visit(staff, "console-case")
    staff.goto(f"/{lang}/console/cases/00000000-0000-4000-8000-000000000000")
    visit(staff, "console-not-found")
    operator, _ = new_page(bypass_csp=True, phone=False)
    steps.login(operator, "intake-operator", lang)
    operator.goto(f"/{lang}/console/new/surrender")
    visit(operator, "console-surrender")
    operator.fill("#f-contact_handle", "@handle")
    operator.click("main button[type=submit]")
    visit(operator, "console-surrender-recorded")
    operator.goto(f"/{lang}/console/new/application")
    operator.click("main button[type=submit]")
    visit(operator, "console-application-error")
    operator.goto(f"/{lang}/console/users")
    visit(operator, "console-forbidden")

    admin, _ = new_page(bypass_csp=True, phone=False)
    steps.login(admin, "admin", lang)
    admin.goto(f"/{lang}/console/users")
    visit(admin, "console-users")
    assert not problems, problems
