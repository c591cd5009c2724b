"""The staff console without a browser: login, sessions, CSRF, queue, case page, conflicts, operators, admins."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from safepassage.security.policy import Role
from safepassage.store.models import AuditEntry, Case, NoteRow, User
from tests.conftest import PASSWORD, Env
from tests.web.pages_util import apply, browser, errors, heading, login, summary, token, value

pytestmark = pytest.mark.db


def _new_case(client: TestClient, **fields: str) -> str:
    """Apply through the portal; returns the case id (read back through the console's queue)."""
    receipt, _, _ = apply(TestClient(client.app, headers=client.headers), "ru", ("deserter",), **fields)
    return receipt


def _case_id(env: Env, receipt: str) -> str:
    with env.db.uow() as uow:
        case = uow.get_case_by_receipt(receipt)
        assert case is not None
        return case.id


def test_login_sets_a_strict_httponly_cookie_and_logout_ends_the_session(client: TestClient, env: Env) -> None:
    c = browser(client)
    page = c.get("/en/console/login").text
    r = c.post("/en/console/login", data={"csrf": token(page), "username": "caseworker", "password": PASSWORD},
               follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert r.status_code == 303 and r.headers["location"] == "/en/console"
    assert "sp_staff=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    home = c.get("/en/console")
    assert home.status_code == 200 and home.headers["cache-control"] == "no-store"
    r = c.post("/en/console/logout", data={"csrf": token(home.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/en/console/login"
    r = c.get("/en/console/cases", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/en/console/login")


def test_cookie_is_secure_over_https(env: Env) -> None:
    from safepassage.web.app import create_app

    c = browser(TestClient(create_app(env.db), base_url="https://testserver"))
    page = c.get("/ru/console/login").text
    assert "Secure" in c.get("/ru/console/login").headers.get("set-cookie", "Secure")
    r = c.post("/ru/console/login", data={"csrf": token(page), "username": "caseworker", "password": PASSWORD},
               follow_redirects=False)
    assert "Secure" in r.headers["set-cookie"]


def test_bad_login_is_refused_in_the_language_and_keeps_the_username(client: TestClient) -> None:
    c = browser(client)
    page = c.get("/uk/console/login").text
    r = c.post("/uk/console/login", data={"csrf": token(page), "username": "caseworker", "password": "nope"})
    assert summary(r.text) == ["Неправильне ім'я користувача, пароль або код."]
    assert value(r.text, "username") == "caseworker" and value(r.text, "password") == ""
    r = c.post("/uk/console/login", data={"csrf": token(page), "username": "", "password": ""})
    assert set(errors(r.text)) == {"username", "password"}
    r = c.post("/uk/console/login", data={"username": "caseworker", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 200 and "sp_staff" not in c.cookies  # no token: no login (login CSRF)


def test_unknown_or_expired_session_redirects_to_login(client: TestClient) -> None:
    c = browser(client)
    c.cookies.set("sp_staff", "not-a-session")
    r = c.get("/ru/console/cases", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ru/console/login"
    r = c.get("/ru/console/cases", headers={"accept": "application/json"}, follow_redirects=False)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_staff_forms_need_the_session_token(client: TestClient, env: Env) -> None:
    receipt = _new_case(client)
    case_id = _case_id(env, receipt)
    c = login(browser(client), "caseworker")
    for bad in ({}, {"csrf": "0" * 32}):
        r = c.post(f"/ru/console/cases/{case_id}/notes", data={"note": "Заметка", **bad})
        assert "Ничего не потеряно" in r.text and "Заметка</textarea>" in r.text
        r = c.post(f"/ru/console/cases/{case_id}/transitions", data={"to": "screening", "version": "1", **bad})
        assert 'data-stage="received"' in r.text
    with env.db.uow() as uow:
        assert uow.count(NoteRow) == 0


def test_queue_masks_names_filters_sorts_and_pages(client: TestClient, env: Env) -> None:
    for i in range(27):
        _new_case(client, first_name=f"Алексей{i}", last_name="Петров")
    _new_case(client, first_name="<script>x</script>", last_name="Ян\u202eош")
    c = login(browser(client), "caseworker", "en")
    page = c.get("/en/console/cases").text
    assert "28 cases found" in page and "page 1 of 2" in page
    assert "П. А." in page and "Петров" not in page and "Алексей" not in page
    newest = c.get("/en/console/cases?sort=created&order=desc").text
    assert "Я." in newest and "<script>x" not in newest
    filtered = c.get("/en/console/cases?stage=received&language=ru&pathway=deserter").text
    assert "28 cases found" in filtered
    # the language switch keeps the filters
    assert 'href="/uk/console/cases?stage=received&amp;language=ru&amp;pathway=deserter"' in filtered
    assert "0 cases found" in c.get("/en/console/cases?language=uk").text
    assert "0 cases found" in c.get("/en/console/cases?pathway=dissident").text
    second = c.get("/en/console/cases?sort=created&order=desc&page=2").text
    assert len(re.findall(r"/en/console/cases/[0-9a-f-]{36}", second)) == 3
    assert c.get("/en/console/cases?stage=bogus&sort=nope&page=x").status_code == 200
    with env.db.uow() as uow:  # every initials shown is an audited identity read
        reads = uow.session.query(AuditEntry).filter(AuditEntry.event == "case.read").count()
        assert reads >= 28


def test_operator_sees_no_names_in_the_queue(client: TestClient) -> None:
    _new_case(client, first_name="Алексей", last_name="Петров")
    c = login(browser(client), "intake-operator", "en")
    page = c.get("/en/console/cases").text
    assert "1 case found" in page and "П. А." not in page


def test_case_page_full_names_for_caseworker_only(client: TestClient, env: Env) -> None:
    receipt = _new_case(client, first_name="Дми\u200bтрий", last_name="<b>Петров</b>", unit="в/ч 1")
    case_id = _case_id(env, receipt)
    cw = login(browser(TestClient(client.app)), "caseworker", "ru")
    page = cw.get(f"/ru/console/cases/{case_id}").text
    assert "&lt;b&gt;Петров&lt;/b&gt;" in page and "<b>Петров" not in page
    assert 'title="U+200B"' in page  # the zero-width space is shown, not hidden
    assert "<bdi>" in page and heading(page).startswith("Дело")
    op = login(browser(TestClient(client.app)), "intake-operator", "ru")
    page = op.get(f"/ru/console/cases/{case_id}").text
    assert "Петров" not in page and "Дми" not in page and heading(page).startswith("Дело")
    admin = login(browser(TestClient(client.app)), "admin", "ru")
    assert admin.get(f"/ru/console/cases/{case_id}").status_code == 404
    assert admin.get("/ru/console/cases").status_code == 403


def test_move_along_and_stale_version_conflict_keeps_input(client: TestClient, env: Env) -> None:
    case_id = _case_id(env, _new_case(client))
    one = login(browser(TestClient(client.app)), "caseworker", "en")
    two = login(browser(TestClient(client.app)), "adjudicator", "en")
    page_one = one.get(f"/en/console/cases/{case_id}").text
    page_two = two.get(f"/en/console/cases/{case_id}").text
    r = one.post(f"/en/console/cases/{case_id}/transitions",
                 data={"csrf": token(page_one), "version": "1", "to": "screening"}, follow_redirects=False)
    assert r.status_code == 303
    r = two.post(f"/en/console/cases/{case_id}/transitions",
                 data={"csrf": token(page_two), "version": "1", "to": "withdrawn"})
    assert r.status_code == 409 and "Someone else changed this case" in " ".join(summary(r.text))
    assert 'data-stage="review"' in r.text  # screened on entering screening: nothing to review, so on to review
    typed = {"csrf": token(page_two), "version": "1", "fam_relationship": "child", "fam_first": "Оля",
             "fam_birth": "2016"}
    r = two.post(f"/en/console/cases/{case_id}/family", data=typed)
    assert r.status_code == 403 or r.status_code == 409
    r = one.post(f"/en/console/cases/{case_id}/family", data={**typed, "csrf": token(page_one)})
    assert r.status_code == 409 and value(r.text, "fam_first") == "Оля" and value(r.text, "fam_birth") == "2016"
    r = one.post(f"/en/console/cases/{case_id}/family", data={**typed, "csrf": token(page_one), "version": "2",
                                                              "fam_birth": "2099"})
    assert errors(r.text)["fam_birth"].startswith("Enter a date") and value(r.text, "fam_first") == "Оля"
    r = one.post(f"/en/console/cases/{case_id}/notes", data={"csrf": token(page_one), "note": " "})
    assert errors(r.text) == {"note": "Write the note first."}
    r = one.post(f"/en/console/cases/{case_id}/notes", data={"csrf": token(page_one), "note": "{{ 7*7 }} <i>"})
    assert "{{ 7*7 }} &lt;i&gt;" in r.text and "Saved." in r.text
    r = one.post(f"/en/console/cases/{case_id}/transitions", data={"csrf": token(page_one), "version": "2",
                                                                   "to": "granted"})
    assert r.status_code in (200, 409) and 'data-stage="review"' in r.text


def test_supervisor_assigns(client: TestClient, env: Env) -> None:
    case_id = _case_id(env, _new_case(client))
    sup = login(browser(client), "supervisor", "en")
    page = sup.get(f"/en/console/cases/{case_id}").text
    r = sup.post(f"/en/console/cases/{case_id}/assignment",
                 data={"csrf": token(page), "version": "1", "assignee_id": env.user_ids[Role.CASEWORKER]})
    assert "Saved." in r.text and re.search(r"Assignee</dt><dd>caseworker</dd>", r.text)
    assert "caseworker" in sup.get("/en/console/cases?assignee=" + env.user_ids[Role.CASEWORKER]).text


def test_operator_records_a_surrender_request_and_an_application(client: TestClient, env: Env) -> None:
    op = login(browser(client), "intake-operator", "ru")
    page = op.get("/ru/console/new/surrender").text
    assert "autofocus" in page
    r = op.post("/ru/console/new/surrender", data={"csrf": token(page), "group_size": "0", "unit": "в/ч 1"})
    assert set(errors(r.text)) == {"contact_handle", "group_size"} and value(r.text, "unit") == "в/ч 1"
    r = op.post("/ru/console/new/surrender", data={"csrf": token(page), "contact_handle": "@h\u200b", "group_size": "3",
                                                   "urgency": "immediate", "language": "uk"})
    assert re.search(r'id="receipt">[0-9A-Z-]{16}<', r.text) and re.search(r'id="passphrase">', r.text)
    page = op.get("/ru/console/new/application").text
    r = op.post("/ru/console/new/application", data={"csrf": token(page), "first_name": "Иван"})
    assert errors(r.text) == {"pathways": "Выберите хотя бы одну причину."} and value(r.text, "first_name") == "Иван"
    r = op.post("/ru/console/new/application", data={"csrf": token(page), "first_name": "Иван", "pathway": "deserter",
                                                     "at_front": "yes", "channel": "hotline"})
    assert "P1" in r.text and re.search(r'id="receipt">', r.text)
    with env.db.uow() as uow:
        assert uow.count(Case) == 2


def test_admin_manages_users(client: TestClient, env: Env) -> None:
    admin = login(browser(client), "admin", "en")
    page = admin.get("/en/console/users").text
    assert "screening-analyst" in page
    r = admin.post("/en/console/users", data={"csrf": token(page), "username": "Bad Name!", "role": "caseworker",
                                              "password": "short"})
    assert set(errors(r.text)) == {"password"} and value(r.text, "username") == "Bad Name!"
    r = admin.post("/en/console/users", data={"csrf": token(page), "username": "Bad Name!", "role": "caseworker",
                                              "password": "long enough password"})
    assert errors(r.text)["username"].startswith("2–63 characters")
    r = admin.post("/en/console/users", data={"csrf": token(page), "username": "new.worker", "role": "caseworker",
                                              "password": "long enough password"})
    assert "Account created: new.worker." in r.text
    r = admin.post("/en/console/users/update", data={"csrf": token(page), "user_id": env.user_ids[Role.AUDITOR],
                                                     "status": "disable"})
    assert "Saved." in r.text
    with env.db.uow() as uow:
        user = uow.get_user(env.user_ids[Role.AUDITOR])
        assert user is not None and user.disabled and uow.count(User) == len(Role) + 1


def test_login_with_second_factor_and_step_up_before_personal_data(client: TestClient, env: Env) -> None:
    import pyotp
    from sqlalchemy import update

    from safepassage.services import staff
    from safepassage.store.models import StaffSession
    from safepassage.store.types import utcnow

    created = staff.create_user(env.db.uow(), actor=env.actor(Role.ADMIN), username="cw.totp",
                                role=Role.CASEWORKER, password=PASSWORD)
    seed = pyotp.parse_uri(created.totp_uri).secret
    case_id = _case_id(env, _new_case(client, last_name="Шевченко"))
    c = browser(TestClient(client.app))
    page = c.get("/en/console/login").text
    r = c.post("/en/console/login", data={"csrf": token(page), "username": "cw.totp", "password": PASSWORD})
    assert summary(r.text) == ["Wrong username, password or code."]  # the code is required
    r = c.post("/en/console/login", data={"csrf": token(page), "username": "cw.totp", "password": PASSWORD,
                                          "code": pyotp.TOTP(seed).now()}, follow_redirects=False)
    assert r.status_code == 303
    assert "Шевченко" in c.get(f"/en/console/cases/{case_id}").text
    with env.db.engine.begin() as conn:  # an hour later: personal data needs the password again
        conn.execute(update(StaffSession).values(reauth_at=utcnow().replace(year=2020)))
    page = c.get(f"/en/console/cases/{case_id}").text
    assert "Шевченко" not in page and "Confirm it is you" in page
    r = c.post("/en/console/step-up", data={"csrf": token(page), "case_id": case_id, "password": "wrong"})
    assert errors(r.text)["step_up"] == "Wrong username, password or code." and "Шевченко" not in r.text
    code = pyotp.TOTP(seed).at(utcnow().timestamp() + 30)  # a fresh code: each one works once
    r = c.post("/en/console/step-up", data={"csrf": token(page), "case_id": case_id, "password": PASSWORD,
                                            "code": code})
    assert "Шевченко" in r.text and "Confirm it is you" not in r.text


def test_every_stage_of_the_demo_data_renders_for_every_case_role(client: TestClient, env: Env) -> None:
    from sqlalchemy import select

    from safepassage.demo import seed

    seed(env.db, cases=12)
    with env.db.uow() as uow:
        ids = list(uow.session.scalars(select(Case.id)))
        stages = set(uow.session.scalars(select(Case.stage)))
    assert len(stages) >= 10
    for username in ("caseworker", "adjudicator", "intake-operator"):
        c = login(browser(TestClient(client.app)), username, "be")
        assert c.get("/be/console/cases").status_code == 200
        for case_id in ids:
            r = c.get(f"/be/console/cases/{case_id}")
            assert r.status_code == 200, (username, r.status_code)
            assert "<script>alert" not in r.text  # the demo's hostile names arrive escaped
