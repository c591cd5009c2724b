"""The Art. 1F panel in a real browser: an analyst writes and submits a record, a second person approves it
and asks for a referral; screenshots in every language and axe-core finds nothing serious."""

from __future__ import annotations

from typing import Any

import pytest

from safepassage.domain.case import Application, FamilyMember, Relationship
from safepassage.domain.pathways import Language, Pathway
from safepassage.domain.person import Person, PersonName
from safepassage.domain.stages import Stage
from safepassage.i18n import LANGUAGES
from safepassage.services import casework, intake
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.e2e import steps
from tests.e2e.conftest import run_axe, shot

pytestmark = [pytest.mark.browser, pytest.mark.db]


def _case(env: Env) -> str:
    person = Person(PersonName("Ґрицько", "Карателев", "Іванович"), narrative="Стрелял по приказу. {{ 7*7 }}")
    app = Application(frozenset({Pathway.DESERTER}), person, Language.RU,
                      (FamilyMember(Relationship.SPOUSE, Person(PersonName("Олена", "Карателева"))),))
    case_id = intake.submit_application(env.db.uow(), actor=Actor.applicant(), application=app).case_id
    for stage in (Stage.SCREENING, Stage.REVIEW):
        with env.db.uow() as uow:  # screening may move the case on by itself (nothing on the lists)
            case = uow.get_case(case_id)
            assert case is not None
            current, version = case.stage, case.version
        if current != Stage.REVIEW.value:
            casework.move_case(env.db.uow(), actor=Actor.system(), case_id=case_id, to=stage,
                               expected_version=version)
    return case_id


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)  # the pages do not depend on the backend
@pytest.mark.parametrize(  # one language by default; all four with -m slow (the labels are tested everywhere)
    "lang", [lang if lang == "uk" else pytest.param(lang, marks=pytest.mark.slow) for lang in LANGUAGES]
)
def test_write_approve_and_refer_in_the_browser(new_page: Any, env: Env, lang: str) -> None:
    case_id = _case(env)
    problems: dict[str, Any] = {}

    def visit(p: Any, name: str) -> None:
        shot(p, f"{lang}-exclusion-{name}")
        found = run_axe(p)
        if found:
            problems[name] = found

    analyst, _ = new_page(bypass_csp=True, phone=False)  # bypass only so that axe can be injected
    steps.login(analyst, "screening-analyst", lang)
    analyst.goto(f"/{lang}/console/cases/{case_id}#exclusion")
    visit(analyst, "form")
    analyst.select_option("#f-category", "1F(a)")
    analyst.fill("#f-acts", "Расстрел пленных у моста")
    analyst.click("#exclusion button[value=submit]")
    assert analyst.locator("#e-act_place").count() == 1  # the missing fields, each named
    visit(analyst, "errors")
    assert analyst.input_value("#f-acts") == "Расстрел пленных у моста"  # what was typed is kept
    for field, text in (("#f-act_time", "2022-03"), ("#f-act_place", "Буча"),
                        ("#f-legal_characterisation", "Rome Statute art. 8(2)(a)(i)"),
                        ("#f-mental_element", "Знал, что это пленные"), ("#f-duress_finding", "Угрозы не было"),
                        ("#f-superior_orders_finding", "Приказ явно незаконен"),
                        ("#f-standard_of_proof", "Подробный и последовательный рассказ"),
                        ("#f-evidence", "statement narrative Заявление")):
        analyst.fill(field, text)
    analyst.select_option("#f-mode_of_liability", "direct_perpetration")
    analyst.check("input[name=basis_sources][value=self_disclosure]")
    analyst.click("#exclusion button[value=submit]")
    analyst.wait_for_url(f"**/console/cases/{case_id}?done=exclusion*")
    assert analyst.locator("#exclusion article[data-status=submitted]").count() == 1

    adjudicator, _ = new_page(bypass_csp=True, phone=False)
    steps.login(adjudicator, "adjudicator", lang)
    adjudicator.goto(f"/{lang}/console/cases/{case_id}#exclusion")
    visit(adjudicator, "review")
    adjudicator.click("#exclusion form[action$='/exclusion/review'] button[type=submit]")
    adjudicator.wait_for_url(f"**/console/cases/{case_id}?done=reviewed*")
    assert adjudicator.locator("#exclusion article[data-status=approved]").count() == 1
    adjudicator.fill("#f-authority", "Офіс Генерального прокурора України")
    adjudicator.click("#exclusion form[action$='/referrals'] button[type=submit]")
    adjudicator.wait_for_url(f"**/console/cases/{case_id}?done=referral*")
    assert adjudicator.locator("#exclusion article[data-status=requested]").count() == 1
    visit(adjudicator, "referral")
    assert not problems, problems
