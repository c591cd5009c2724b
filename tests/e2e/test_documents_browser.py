"""Requests for information and documents in real headless Chromium.

A caseworker asks, the applicant answers on the status page with JavaScript off (attaching a photo), the
caseworker sees the answer and downloads the document. Screenshots of the new sections in every language.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from safepassage.domain.case import Application
from safepassage.domain.pathways import Language, Pathway
from safepassage.domain.person import Person, PersonName
from safepassage.i18n import LANGUAGES
from safepassage.security.policy import Role
from safepassage.services import documents, information, intake
from safepassage.services.documents import Upload
from safepassage.services.views import Receipt
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.e2e import steps
from tests.e2e.conftest import run_axe, shot

pytestmark = [pytest.mark.browser, pytest.mark.db]
QUESTION = "Пришлите фото повестки (обе стороны). Ґ є і ї ё {{ 7*7 }} <script>alert(1)</script>"
ANSWER = "Повестку получил 12.03.2024. Фото прилагаю. <b>не жирный</b>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def _case(env: Env, lang: Language = Language.RU) -> Receipt:
    app = Application(frozenset({Pathway.MOBILIZATION_EVADER}), Person(PersonName("Ґрицько", "Їжаченко")), lang)
    return intake.submit_application(env.db.uow(), actor=Actor.applicant(), application=app)


def test_caseworker_asks_applicant_answers_without_js_caseworker_sees_it(
    new_page: Any, env: Env, tmp_path: Path
) -> None:
    rec = _case(env)
    staff, _ = new_page(phone=False)
    steps.login(staff, "caseworker", "ru")
    staff.goto(f"/ru/console/cases/{rec.case_id}")
    staff.fill("#f-question", QUESTION)
    staff.click("#rfi form.box button[type=submit]")
    assert staff.text_content("#rfi .question") == QUESTION  # shown as text, never run
    assert staff.get_attribute("#rfi article", "data-status") == "open"

    applicant, _ = new_page(js=False)
    assert steps.status(applicant, "uk", rec.receipt, rec.passphrase) == "received"
    assert applicant.text_content("#questions .question") == QUESTION
    assert applicant.text_content("#rfi-title") == "У нас 1 запитання до вас"
    textarea = applicant.locator("#questions textarea")
    textarea.fill("")
    applicant.click("#questions button[type=submit]")  # empty: refused, nothing lost
    assert applicant.is_visible(".error-summary")
    applicant.locator("#questions textarea").fill(ANSWER)
    photo = tmp_path / "повестка.png"
    photo.write_bytes(PNG)
    applicant.set_input_files("#questions input[type=file]", str(photo))
    applicant.click("#questions button[type=submit]")
    assert applicant.text_content("#message") == "Дякуємо: вашу відповідь надіслано."
    assert applicant.locator("#questions").count() == 0  # nothing left to answer

    staff.reload()
    assert staff.get_attribute("#rfi article", "data-status") == "answered"
    assert staff.text_content("#rfi .answer") == ANSWER
    with staff.expect_download() as info:
        staff.click("#rfi article a[download]")
    saved = Path(info.value.path())
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(PNG).hexdigest()
    assert info.value.suggested_filename.startswith("document-")
    # the caseworker adds a document of their own, after a wrong one is refused
    wrong = tmp_path / "not-a-scan.pdf"
    wrong.write_text("<html>not a pdf</html>")
    staff.set_input_files("#f-file", str(wrong))
    staff.click("#documents form button[type=submit]")
    assert "PDF, JPEG, PNG" in (staff.text_content("#e-file") or "")
    scan = tmp_path / "скан.pdf"
    scan.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n%%EOF\n")
    staff.set_input_files("#f-file", str(scan))
    staff.click("#documents form button[type=submit]")
    assert staff.locator("#documents tbody tr").count() == 2
    assert "скан.pdf" in (staff.text_content("#documents tbody") or "")


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)  # the pages do not depend on the backend
@pytest.mark.parametrize("lang", LANGUAGES)
def test_screenshots_and_axe_of_the_new_sections(new_page: Any, env: Env, lang: str) -> None:
    rec = _case(env, Language(lang))
    cw = env.actor(Role.CASEWORKER)
    answered = information.ask(env.db.uow(), actor=cw, case_id=rec.case_id, question=QUESTION, due_on=None,
                               expected_version=1)
    information.answer(env.db.uow(), receipt=rec.receipt, passphrase=rec.passphrase, request_id=answered,
                       text=ANSWER, upload=Upload("повестка.png", PNG))
    information.ask(env.db.uow(), actor=cw, case_id=rec.case_id, question="Где вы сейчас живёте (город)?",
                    due_on=None, expected_version=3)
    documents.upload_document(env.db.uow(), actor=cw, case_id=rec.case_id, upload=Upload("скан.pdf", b"%PDF-1.4\n"))
    problems: dict[str, Any] = {}

    def visit(p: Any, name: str) -> None:
        shot(p, f"{lang}-{name}")
        found = run_axe(p)
        if found:
            problems[name] = found

    applicant, _ = new_page(bypass_csp=True)
    steps.status(applicant, lang, rec.receipt, rec.passphrase)
    visit(applicant, "status-question")
    applicant.click("#questions button[type=submit]")
    visit(applicant, "status-answer-error")
    staff, _ = new_page(bypass_csp=True, phone=False)
    steps.login(staff, "caseworker", lang)
    staff.goto(f"/{lang}/console/cases/{rec.case_id}")
    visit(staff, "console-case-documents")
    assert not problems, problems
