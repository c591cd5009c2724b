"""Staff in real headless Chromium: find a case and move it along, record a surrender by keyboard, a conflict."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import Env
from tests.e2e import steps

pytestmark = [pytest.mark.browser, pytest.mark.db]


def test_caseworker_finds_the_case_and_moves_it_along(new_page: Any) -> None:
    applicant, _ = new_page()
    receipt, passphrase = steps.apply(applicant, "ru", ("mobilization_evader",))
    page, _ = new_page()
    steps.login(page, "caseworker", "en")
    page.click("nav.menu a[href='/en/console/cases']")
    page.select_option("#q-language", "ru")  # htmx swaps the table and pushes the URL
    page.wait_for_url("**language=ru**")
    assert "1 case found" in (page.text_content("#queue [role=status]") or "")
    assert page.text_content("#queue tbody td:nth-child(2)") == "П. А."
    page.click(f"text={receipt}")
    assert page.get_attribute("#stage", "data-stage") == "received"
    assert "Петров" in (page.text_content("dd.name") or "")
    page.click("form:has(input[name=to][value=screening]) button")
    assert page.get_attribute("#stage", "data-stage") == "review"  # screened: nothing to review, so on to review
    page.click("form:has(input[name=to][value=decision_pending]) button")
    assert page.get_attribute("#stage", "data-stage") == "decision_pending"
    page.fill("#f-note", "Документы проверены {{ x }}")
    page.click("form[action$='/notes'] button")
    assert "Документы проверены {{ x }}" in (page.text_content("section[aria-labelledby=notes-title]") or "")
    assert steps.status(applicant, "ru", receipt, passphrase) == "decision_pending"


def test_operator_records_a_surrender_request_by_keyboard_in_under_a_minute(new_page: Any) -> None:
    page, _ = new_page()
    steps.login(page, "intake-operator", "ru")
    started = time.monotonic()
    page.goto("/ru/console/new/surrender")
    page.keyboard.type("@signal_handle")  # the first field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("Signal")
    page.keyboard.press("Tab")
    page.keyboard.type("в/ч 00000, 3-я рота")
    page.keyboard.press("Enter")
    assert page.text_content("#receipt")
    assert time.monotonic() - started < 60
    page.click("text=Открыть дело")
    assert page.get_attribute("#stage", "data-stage") == "surrender_requested"


def test_two_staff_editing_the_same_case_get_a_clear_conflict_and_keep_their_input(new_page: Any, env: Env) -> None:
    applicant, _ = new_page()
    steps.apply(applicant, "en", ("dissident",))
    one, _ = new_page()
    two, _ = new_page()
    steps.login(one, "adjudicator", "en")
    steps.login(two, "caseworker", "en")
    for page in (one, two):
        page.goto("/en/console/cases")
        page.click("#queue tbody a")
    two.select_option("#f-fam_relationship", "spouse")
    two.fill("#f-fam_first", "Марія")
    one.click("form:has(input[name=to][value=screening]) button")
    assert one.get_attribute("#stage", "data-stage") == "review"  # screened and cleared on the way
    two.click("form[action$='/family'] button")
    assert "Someone else changed this case" in (two.text_content(".error-summary") or "")
    assert two.input_value("#f-fam_first") == "Марія" and two.get_attribute("#stage", "data-stage") == "review"
    two.click("form[action$='/family'] button")  # the page now carries the new version: this time it works
    assert "Марія" in (two.text_content("section[aria-labelledby=fam-title]") or "")


def test_bad_input_on_every_console_form(new_page: Any) -> None:
    page, _ = new_page()
    page.goto("/en/console/login")
    page.fill("#f-username", "caseworker")
    page.click("main button[type=submit]")
    assert page.text_content("#e-password") == "Enter your password."
    assert page.input_value("#f-username") == "caseworker"
    steps.login(page, "intake-operator", "en")
    page.goto("/en/console/new/surrender")
    page.fill("#f-group_size", "many")
    page.click("main button[type=submit]")
    assert page.text_content("#e-group_size") and page.text_content("#e-contact_handle")
    assert page.input_value("#f-group_size") == "many"
    page.goto("/en/console/new/application")
    page.fill("#f-first_name", "Ivan")
    page.fill("#f-birth_date", "1800")
    page.click("main button[type=submit]")
    assert page.text_content("#e-pathways") and page.text_content("#e-birth_date")
    assert page.input_value("#f-first_name") == "Ivan"
    admin, _ = new_page()
    steps.login(admin, "admin", "en")
    admin.goto("/en/console/users")
    admin.fill("#f-username", "x")
    admin.click("section[aria-labelledby=new-user] button")
    assert admin.text_content("#e-role") and admin.text_content("#e-password")
    assert admin.input_value("#f-username") == "x"
