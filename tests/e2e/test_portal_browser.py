"""The applicant journey in real headless Chromium: in every language, and with JavaScript switched off."""

from __future__ import annotations

from typing import Any

import pytest

from safepassage.i18n import LANGUAGES
from tests.e2e import steps

pytestmark = [pytest.mark.browser, pytest.mark.db]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_apply_and_check_status(new_page: Any, lang: str) -> None:
    page, _ = new_page()
    receipt, passphrase = steps.apply(page, lang, ("deserter", "dissident"))
    assert steps.status(page, lang, receipt, passphrase) == "received"


def test_without_javascript_the_whole_applicant_journey_works(new_page: Any) -> None:
    page, _ = new_page(js=False)
    assert page.evaluate is not None
    receipt, passphrase = steps.apply(page, "uk", ("war_refugee",), first="Ганна", last="Шевченко")
    assert steps.status(page, "uk", receipt, passphrase) == "received"
    page.check("#f-confirm")
    page.click("button.danger")
    assert page.get_attribute("#stage", "data-stage") == "withdrawn"


def test_bad_input_on_every_portal_form(new_page: Any) -> None:
    page, _ = new_page(js=False)
    page.goto("/ru/apply")
    page.click("button[value=next]")
    assert page.is_visible(".error-summary") and page.text_content("#e-pathways") == "Выберите хотя бы одну причину."
    page.check("#p-dissident")
    page.click("button[value=next]")
    page.fill("#f-first_name", "Ян\u202eош <b>")
    page.fill("#f-birth_date", "31.02.2090")
    page.click("button[value=next]")
    assert "Введите дату" in (page.text_content("#e-birth_date") or "")
    assert page.input_value("#f-first_name") == "Ян\u202eош <b>" and page.input_value("#f-birth_date") == "31.02.2090"
    page.click(".error-summary a")  # the summary links to the field
    assert page.url.endswith("#f-birth_date")
    page.goto("/en/status")
    page.fill("#f-receipt", "7KQ4-M2XZ")
    page.click("main button[type=submit]")
    assert "13 characters" in (page.text_content("#e-receipt") or "")
    assert "Enter your passphrase." in (page.text_content("#e-passphrase") or "")
    assert page.input_value("#f-receipt") == "7KQ4-M2XZ"
    page.fill("#f-receipt", "7KQ4-M2XZ-9PHD-Y")
    page.fill("#f-passphrase", "not-the-passphrase")
    page.click("main button[type=submit]")
    assert page.text_content(".error-summary li") in (
        "The receipt code or the passphrase is wrong.", "The receipt code has a typo: please check each character.")
