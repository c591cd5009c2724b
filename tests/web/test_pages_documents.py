"""Pages without a browser: the case page's documents and questions, the applicant's answer on the status page."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from safepassage.security.policy import Role
from safepassage.services import casework, documents, information
from safepassage.services.documents import Upload
from safepassage.store.models import StaffSession
from safepassage.store.models_documents import DocumentRow, InformationRequestRow
from safepassage.store.types import utcnow
from tests.conftest import Env
from tests.integration.test_documents import PDF, PNG
from tests.web.pages_util import browser, errors, login, summary, token

pytestmark = pytest.mark.db
QUESTION = "Пришлите фото повестки ґ є і ї ё {{ 7*7 }} <script>alert(1)</script>"
ANSWER = "Вот повестка. Sеrgеy\u200b <i>курсив</i> {% if %}"


def _case(client: TestClient) -> dict[str, str]:
    r = client.post("/api/applications", json={"pathways": ["deserter"],
                                                "person": {"first_name": "Їжак", "last_name": "Ёлкин"}})
    assert r.status_code == 201
    return dict(r.json())


def _ask_on_page(c: TestClient, case_id: str, question: str, due: str = "") -> tuple[int, str]:
    page = c.get(f"/uk/console/cases/{case_id}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    r = c.post(f"/uk/console/cases/{case_id}/information-requests",
               data={"csrf": token(page), "version": version.group(1), "question": question, "due_on": due})
    return r.status_code, r.text


def _status(c: TestClient, case: dict[str, str], lang: str = "uk") -> str:
    form = c.get(f"/{lang}/status").text
    return c.post(f"/{lang}/status", data={"csrf": token(form), "receipt": case["receipt"],
                                             "passphrase": case["passphrase"]}).text


def _answer(c: TestClient, page: str, case: dict[str, str], text: str, file: tuple[str, bytes, str] | None = None,
            lang: str = "uk", **extra: str) -> tuple[int, str]:
    rid = re.search(r'name="request_id" value="([^"]+)"', page)
    assert rid, "no answer form on the status page"
    data = {"csrf": token(page), "receipt": case["receipt"], "passphrase": case["passphrase"],
            "request_id": rid.group(1), "answer": text, **extra}
    files = {"file": file} if file else {"file": ("", b"", "application/octet-stream")}
    r = c.post(f"/{lang}/status/answer", data=data, files=files)
    return r.status_code, r.text


def test_caseworker_asks_applicant_answers_with_a_document_caseworker_sees_both(client: TestClient, env: Env) -> None:
    case = _case(client)
    staff = login(browser(TestClient(client.app)), "caseworker", "uk")
    code, page = _ask_on_page(staff, case["case_id"], QUESTION, "")
    assert code == 200 and 'id="rfi"' in page
    assert html.escape(QUESTION, quote=False) in page and "<script>alert(1)</script>" not in page

    applicant = browser(TestClient(client.app))
    status = _status(applicant, case)
    assert 'enctype="multipart/form-data"' in status and html.escape(QUESTION, quote=False) in status
    code, done = _answer(applicant, status, case, ANSWER, ("повестка Ґ.png", PNG, "image/png"))
    assert code == 200 and 'id="message"' in done and 'name="request_id"' not in done  # no open question left

    page = staff.get(f"/uk/console/cases/{case['case_id']}").text
    assert html.escape(ANSWER, quote=False).replace("\u200b", "") in re.sub(r"<span class=\"invisible-char\"[^>]*>"
                                                                           r"U\+200B</span>", "", page)
    link = re.search(r'href="(/uk/console/cases/[^"]+/documents/[^"]+)"', page)
    assert link and "повестка Ґ.png" in page
    got = staff.get(link.group(1))
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-disposition"].startswith("attachment;")
    assert hashlib.sha256(PNG).hexdigest()[:12] in page


def test_status_page_answer_refusals_keep_the_text_and_store_nothing(client: TestClient, env: Env) -> None:
    case = _case(client)
    staff = login(browser(TestClient(client.app)), "caseworker", "en")
    _ask_on_page(staff, case["case_id"], QUESTION)
    c = browser(TestClient(client.app))
    status = _status(c, case, "en")
    code, page = _answer(c, status, case, "   ", lang="en")
    assert code == 200 and any("answer" in m.lower() for m in summary(page))
    code, page = _answer(c, status, case, ANSWER, ("scan.pdf", b"<html>not a pdf</html>", "application/pdf"),
                         lang="en")
    assert code == 200 and any("PDF, JPEG, PNG" in m for m in errors(page).values())
    assert html.escape(ANSWER, quote=False) in page  # the text is kept
    code, page = _answer(c, status, case, ANSWER, ("empty.png", b"", "image/png"), lang="en")
    assert code == 200 and any("empty" in m for m in errors(page).values())
    code, page = _answer(c, status, case, ANSWER, lang="en", passphrase="wrong wrong")
    assert "The receipt code or the passphrase is wrong." in summary(page)
    code, page = _answer(c, status, case, ANSWER, lang="en", csrf="forged")
    assert code == 200 and summary(page) and 'name="passphrase"' in page
    with env.db.uow() as uow:
        assert uow.count(DocumentRow) == 0
        assert {r.status for r in uow.session.query(InformationRequestRow)} == {"open"}
    code, page = _answer(c, status, case, ANSWER, ("scan.pdf", PDF, "application/pdf"), lang="en")
    assert code == 200 and "Thank you" in page
    code, page = _answer(c, status, case, "again", lang="en")  # the old form, sent twice
    assert code == 409 and any("already answered" in m for m in summary(page))


def test_console_forms_refuse_bad_input_and_keep_it(client: TestClient, env: Env) -> None:
    case = _case(client)
    staff = login(browser(TestClient(client.app)), "caseworker", "ru")
    code, page = _ask_on_page(staff, case["case_id"], "")
    assert code == 200 and "f-question" in page and errors(page).get("question")
    code, page = _ask_on_page(staff, case["case_id"], QUESTION, "31.02.2026")
    assert errors(page).get("due_on") and html.escape(QUESTION, quote=False) in page
    # a stale version: someone else changed the case in between
    page = staff.get(f"/ru/console/cases/{case['case_id']}").text
    casework.assign_case(env.db.uow(), actor=env.actor(Role.SUPERVISOR), case_id=case["case_id"],
                         assignee_id=env.user_ids[Role.CASEWORKER], expected_version=1)
    r = staff.post(f"/ru/console/cases/{case['case_id']}/information-requests",
                   data={"csrf": token(page), "version": "1", "question": QUESTION})
    assert r.status_code == 409 and html.escape(QUESTION, quote=False) in r.text and errors(r.text).get("question")
    # uploads: wrong type, empty, none chosen
    for file in (("x.pdf", b"%!PS-Adobe not a pdf", "application/pdf"), ("x.png", b"", "image/png"),
                 ("", b"", "application/octet-stream")):
        r = staff.post(f"/ru/console/cases/{case['case_id']}/documents", data={"csrf": token(page)},
                       files={"file": file})
        assert r.status_code == 200 and errors(r.text).get("file"), file
    r = staff.post(f"/ru/console/cases/{case['case_id']}/documents", data={"csrf": token(page)},
                   files={"file": ("Скан паспорта.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303
    with env.db.uow() as uow:
        assert uow.count(InformationRequestRow) == 0 and uow.count(DocumentRow) == 1


def test_roles_without_documents_see_no_panels(client: TestClient, env: Env) -> None:
    case = _case(client)
    sup = login(browser(TestClient(client.app)), "supervisor", "en")
    page = sup.get(f"/en/console/cases/{case['case_id']}").text
    assert 'id="documents"' not in page and 'id="rfi"' not in page
    analyst = login(browser(TestClient(client.app)), "screening-analyst", "en")
    page = analyst.get(f"/en/console/cases/{case['case_id']}").text
    assert 'id="rfi"' in page and "/information-requests" in page  # may ask
    assert 'id="documents"' in page and 'enctype="multipart/form-data"' not in page  # may read, not upload


@pytest.mark.parametrize(("count", "ru", "uk"), [
    (1, "У нас 1 вопрос к вам", "У нас 1 запитання до вас"),
    (3, "У нас 3 вопроса к вам", "У нас 3 запитання до вас"),
    (5, "У нас 5 вопросов к вам", "У нас 5 запитань до вас"),
])
def test_question_count_uses_the_languages_plural_forms(client: TestClient, env: Env, count: int, ru: str,
                                                        uk: str) -> None:
    case = _case(client)
    for i in range(count):
        information.ask(env.db.uow(), actor=env.actor(Role.ADJUDICATOR), case_id=case["case_id"],
                        question=f"Вопрос {i}", due_on=None, expected_version=1 + i)
    c = browser(TestClient(client.app))
    for lang, want in (("ru", ru), ("uk", uk)):
        title = re.search(r'<h2 id="rfi-title">(.*?)</h2>', _status(c, case, lang))
        assert title and title.group(1) == want


def test_an_upload_over_the_body_limit_gets_a_page_in_the_language(client: TestClient, env: Env) -> None:
    case = _case(client)
    staff = login(browser(TestClient(client.app)), "caseworker", "uk")
    page = staff.get(f"/uk/console/cases/{case['case_id']}").text
    huge = PDF + b"\x00" * (11 * 1024 * 1024)
    r = staff.post(f"/uk/console/cases/{case['case_id']}/documents", data={"csrf": token(page)},
                   files={"file": ("big.pdf", huge, "application/pdf")})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "Файл завеликий: не більше 10 МБ." in r.text and f'href="/uk/console/cases/{case["case_id"]}"' in r.text
    applicant = browser(TestClient(client.app))
    status = _status(applicant, case, "ru")
    assert 'name="request_id"' not in status  # no question: the page answers before any route runs anyway
    r = applicant.post("/ru/status/answer", data={"csrf": "x"}, files={"file": ("big.pdf", huge, "application/pdf")})
    assert r.status_code == 413 and "Файл слишком большой" in r.text and 'href="/ru/status"' in r.text
    api = client.post(f"/api/cases/{case['case_id']}/documents", headers=env.headers(Role.CASEWORKER),
                      files={"file": ("big.pdf", huge, "application/pdf")})
    assert api.status_code == 413 and api.json()["error"]["code"] == "too_large"  # API clients still get JSON
    with env.db.uow() as uow:
        assert uow.count(DocumentRow) == 0


def test_after_the_step_up_window_documents_hide_and_a_download_asks_to_confirm(client: TestClient, env: Env) -> None:
    case = _case(client)
    doc_id = documents.upload_document(env.db.uow(), actor=env.actor(Role.ADJUDICATOR), case_id=case["case_id"],
                                       upload=Upload("скан.pdf", PDF))
    staff = login(browser(TestClient(client.app)), "adjudicator", "en")
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(reauth_at=utcnow() - timedelta(hours=1)))
        uow.commit()
    page = staff.get(f"/en/console/cases/{case['case_id']}").text
    assert 'id="documents"' not in page and 'id="rfi"' not in page and "/console/step-up" in page
    r = staff.get(f"/en/console/cases/{case['case_id']}/documents/{doc_id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/en/console/cases/{case['case_id']}"
    assert staff.get("/en/console").status_code == 200  # still logged in


def test_what_is_needed_points_to_the_open_questions(client: TestClient, env: Env) -> None:
    case = _case(client)
    c = browser(TestClient(client.app))
    assert "Nothing is needed from you now" in _status(c, case, "en")
    information.ask(env.db.uow(), actor=env.actor(Role.ADJUDICATOR), case_id=case["case_id"], question="Q?",
                    due_on=None, expected_version=1)
    page = _status(c, case, "en")
    assert '<dd id="next-step"><a href="#questions">Please answer the questions below.</a></dd>' in page
