"""The screening analyst in real headless Chromium: the queue, the hit side by side with the listed person,
a refused disposition that keeps its input, a recorded one that moves the case; screenshots of each."""

from __future__ import annotations

from typing import Any

import pytest

from safepassage.domain.case import Application, FamilyMember, Relationship
from safepassage.domain.pathways import Pathway
from safepassage.domain.person import PartialDate, Person, PersonName
from safepassage.domain.stages import Stage
from safepassage.security.policy import Role
from safepassage.services import casework, intake
from tests.conftest import Env
from tests.e2e import steps
from tests.e2e.conftest import shot
from tests.screening_support import listed, load_watchlist

pytestmark = [pytest.mark.browser, pytest.mark.db]


def _case_in_screening(env: Env) -> str:
    load_watchlist(env.db, [listed("wl-petrov", "PETROV Aleksei Ivanovich", "1987-04-03",
                                   alias=["Алексей Петров"], nationality=["ru"]),
                            listed("wl-koval", "Olena Koval", "1990")])
    person = Person(PersonName("Алексей", "Петров", "Иванович", latin=("Aleksey Petrov",)),
                    PartialDate(1987, 3, 4), birthplace="Екатеринбург <b>", citizenship=("ru",))
    wife = FamilyMember(Relationship.SPOUSE, Person(PersonName("Олена", "Коваль"), PartialDate(1990, None, None)))
    app = Application(frozenset({Pathway.DESERTER}), person, family=(wife,))
    case_id = intake.submit_application(env.db.uow(), actor=env.actor(Role.CASEWORKER), application=app).case_id
    moved = casework.move_case(env.db.uow(), actor=env.actor(Role.CASEWORKER), case_id=case_id, to=Stage.SCREENING,
                               expected_version=1)
    assert moved.stage == "screening"
    return case_id


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)
def test_analyst_reviews_hits_side_by_side_and_the_confirmed_one_goes_to_exclusion_review(
    new_page: Any, env: Env
) -> None:
    case_id = _case_in_screening(env)
    page, _ = new_page(phone=False)
    steps.login(page, "screening-analyst", "en")
    page.click("nav.menu a[href='/en/console/screening']")
    assert "1 case waits for an analyst" in (page.text_content("main [role=status]") or "")
    shot(page, "screening-queue-en")
    page.click("#screening-queue tbody a")
    assert page.get_attribute("#stage", "data-stage") == "screening"
    assert len(page.query_selector_all("#hits tbody tr[data-status=pending]")) == 2  # the wife is screened too
    shot(page, "screening-case-panel-en")
    page.click("#hits tbody tr:has-text('PETROV') a")
    table = page.text_content("#side-by-side") or ""
    assert "Петров" in table and "PETROV Aleksei Ivanovich" in table and "1987-04-03" in table and "1987-03-04" in table
    assert "Екатеринбург <b>" in table  # shown as text, not markup
    assert "day and month swapped" in (page.text_content("#explanation") or "")
    # no reason: refused, nothing changed, the choice kept
    page.check("#d-confirmed")
    page.click("#dispose button[type=submit]")
    assert "Give the reason" in (page.text_content(".error-summary") or "")
    assert page.is_checked("#d-confirmed") and page.get_attribute("#hit-status", "data-status") == "pending"
    shot(page, "screening-hit-refused-en")
    page.fill("#f-reason", "Same birth date with day and month swapped; the alias matches the passport {{ x }}.")
    page.click("#dispose button[type=submit]")
    assert page.get_attribute("#stage", "data-stage") == "screening"  # the wife's hit still waits
    page.click("#hits tbody tr:has-text('Olena') a")
    page.check("#d-false_positive")
    page.fill("#f-reason", "Different person: the wife was born in Lviv, the listed person in Omsk.")
    page.click("#dispose button[type=submit]")
    assert page.get_attribute("#stage", "data-stage") == "exclusion_review"
    statuses = [r.get_attribute("data-status") for r in page.query_selector_all("#hits tbody tr")]
    assert sorted(statuses) == ["confirmed", "false_positive"]
    shot(page, "screening-case-after-review-en")
    page.goto(f"/uk/console/cases/{case_id}")
    assert page.get_attribute("html", "lang") == "uk" and page.text_content("#screening-title") != "Screening"
    shot(page, "screening-case-after-review-uk")
    page.goto("/en/console/screening")
    assert "Nothing waits for review." in (page.text_content("main") or "")


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)
def test_caseworker_sees_no_screening_intelligence(new_page: Any, env: Env) -> None:
    case_id = _case_in_screening(env)
    page, _ = new_page()
    steps.login(page, "caseworker", "en")
    page.goto(f"/en/console/cases/{case_id}")
    assert page.query_selector("#screening") is None and page.query_selector("a[href*='/hits/']") is None
    assert "PETROV" not in (page.text_content("main") or "")
    page.click("form:has(input[name=to][value=review]) button")  # the hits wait: the move is refused
    assert page.get_attribute("#stage", "data-stage") == "screening"
    assert "not possible" in (page.text_content(".error-summary") or "")
