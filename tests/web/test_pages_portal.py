"""The applicant portal without a browser (and so without JavaScript): every page, every language, every form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from safepassage.i18n import LANGUAGES
from safepassage.store.models import Case, PersonRow
from tests.conftest import Env
from tests.helpers import HOSTILE_NAMES
from tests.web.pages_util import apply, browser, errors, heading, summary, token, value

pytestmark = pytest.mark.db
EXPECTED_TITLE = {"ru": "Подать заявление о защите", "uk": "Подати заяву про захист", "en": "Apply for protection",
                  "be": "Падаць заяву аб абароне"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_answers_in_its_language(client: TestClient, lang: str) -> None:
    c = browser(client)
    for path in ("/", "/apply", "/status", "/console/login"):
        r = c.get(f"/{lang}{path}")
        assert r.status_code == 200, path
        assert f'<html lang="{lang}">' in r.text
        assert r.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", r.text), "inline script"
        assert " style=" not in r.text, "inline style"
        assert not re.search(r"(src|href)=\"(https?:)?//", r.text), "third-party resource"
        assert len(r.content) < 16_000, (path, len(r.content))  # small pages for a cheap phone on a bad line
    assert heading(c.get(f"/{lang}/").text) == EXPECTED_TITLE[lang]
    assert len(c.get("/static/css/site.css").content) < 12_000
    assert "<script" not in c.get(f"/{lang}/apply").text  # the portal needs no JavaScript at all


def test_no_prefix_means_russian_and_language_needs_no_cookie(client: TestClient) -> None:
    c = browser(client)
    assert '<html lang="ru">' in c.get("/").text
    r = c.get("/uk/apply")
    assert '<html lang="uk">' in r.text
    # The only cookie is the random form token; nothing records the language.
    assert set(c.cookies.keys()) == {"sp_form"}
    assert 'href="/uk/status"' in c.get("/uk/").text


def test_start_page_names_every_pathway_and_how_to_stay_safe(client: TestClient) -> None:
    page = browser(client).get("/en/").text
    for words in ("mobilization", "deserter", "surrender", "Prisoner of war", "views, speech", "war in Ukraine",
                  "another war or oppression", "Tor Browser", "What we keep and why", "What happens next"):
        assert words in page, words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_apply_and_check_status_in_each_language(client: TestClient, env: Env, lang: str) -> None:
    c = browser(client)
    receipt, passphrase, page = apply(c, lang, ("dissident",))
    assert "/status" in page and passphrase not in re.sub(r'id="passphrase">[^<]+<', "", page)
    r = c.post(f"/{lang}/status", data={"csrf": token(c.get(f"/{lang}/status").text), "receipt": receipt,
                                        "passphrase": passphrase})
    assert 'data-stage="received"' in r.text
    with env.db.uow() as uow:
        assert uow.count(Case) == 1


def test_the_pathway_decides_what_is_asked(client: TestClient) -> None:
    c = browser(client)
    csrf = token(c.get("/en/apply").text)
    dissident = c.post("/en/apply", data={"csrf": csrf, "step": "person", "pathway": "dissident",
                                          "first_name": "Anna", "nav": "next"}).text
    assert heading(dissident) == "Family"
    deserter = c.post("/en/apply", data={"csrf": csrf, "step": "person", "pathway": "deserter",
                                         "first_name": "Ivan", "nav": "next"}).text
    assert heading(deserter) == "Military service"
    assert 'name="at_front"' in deserter and 'name="summons"' not in deserter
    evader = c.post("/en/apply", data={"csrf": csrf, "step": "person", "pathway": "mobilization_evader",
                                       "first_name": "Ivan", "nav": "next"}).text
    assert 'name="summons"' in evader and 'name="at_front"' not in evader


def test_bad_input_gets_field_errors_in_the_language_and_keeps_what_was_typed(client: TestClient, env: Env) -> None:
    c = browser(client)
    csrf = token(c.get("/uk/apply").text)
    r = c.post("/uk/apply", data={"csrf": csrf, "step": "pathways", "nav": "next"})
    assert errors(r.text) == {"pathways": "Оберіть хоча б одну причину."}
    typed = {"first_name": "Ґрицько <b>", "last_name": "Ян\u202eош", "birth_date": "31.02.1990",
             "birthplace": "x" * 301}
    r = c.post("/uk/apply", data={"csrf": csrf, "step": "person", "nav": "next", "pathway": "deserter", **typed})
    e = errors(r.text)
    assert e["birth_date"].startswith("Введіть дату") and e["birthplace"].startswith("Задовго")
    assert value(r.text, "first_name") == "Ґрицько <b>" and value(r.text, "last_name") == "Ян\u202eош"
    assert value(r.text, "birth_date") == "31.02.1990"
    assert "<b>" not in r.text.replace("<b>unit</b>", "")
    assert summary(r.text) and heading(r.text) == "Про вас"
    with env.db.uow() as uow:
        assert uow.count(Case) == 0


def test_family_rows_and_back_keep_everything(client: TestClient) -> None:
    c = browser(client)
    csrf = token(c.get("/ru/apply").text)
    base = {"csrf": csrf, "pathway": "war_refugee", "first_name": "Олена", "narrative": "{{ 7*7 }}"}
    r = c.post("/ru/apply", data={**base, "step": "family", "nav": "add_family", "fam0_first": "Оля"})
    assert 'name="fam1_first"' in r.text and value(r.text, "fam0_first") == "Оля"
    r = c.post("/ru/apply", data={**base, "step": "family", "nav": "next", "family_rows": "2", "fam0_first": "Оля"})
    assert errors(r.text) == {"fam0_relationship": "Выберите, кем вам приходится этот человек."}
    r = c.post("/ru/apply", data={**base, "step": "family", "nav": "back", "fam0_first": "Оля"})
    assert heading(r.text) == "О вас" and value(r.text, "first_name") == "Олена"
    assert 'name="fam0_first" value="Оля"' in r.text and 'name="narrative" value="{{ 7*7 }}"' in r.text


def test_a_form_without_its_token_changes_nothing_and_loses_nothing(client: TestClient, env: Env) -> None:
    c = browser(client)
    c.get("/ru/apply")
    data = {"step": "review", "nav": "send", "pathway": "dissident", "first_name": "Анна", "last_name": "К"}
    for bad in ({}, {"csrf": "forged.0000"}):
        r = c.post("/ru/apply", data={**data, **bad})
        assert r.status_code == 200 and "Ничего не потеряно" in " ".join(summary(r.text))
        assert 'name="first_name" value="Анна"' in r.text
    other = TestClient(c.app, headers=c.headers)  # a cross-site form: its token, not this browser's cookie
    r = c.post("/ru/apply", data={**data, "csrf": token(other.get("/ru/apply").text)})
    assert "Ничего не потеряно" in " ".join(summary(r.text))
    with env.db.uow() as uow:
        assert uow.count(Case) == 0


def test_hostile_names_are_stored_as_typed_and_shown_escaped(client: TestClient, env: Env) -> None:
    c = browser(client)
    receipt, _, _ = apply(c, "en", ("persecuted_other",), first_name=HOSTILE_NAMES[7], last_name=HOSTILE_NAMES[8],
                             narrative="<img src=x onerror=alert(1)>")
    assert receipt
    with env.db.uow() as uow:
        assert uow.count(PersonRow) == 1


def test_review_step_shows_escaped_bidi_isolated_values(client: TestClient) -> None:
    c = browser(client)
    csrf = token(c.get("/en/apply").text)
    r = c.post("/en/apply", data={"csrf": csrf, "step": "story", "nav": "next", "pathway": "dissident",
                                  "first_name": "<script>alert(1)</script>", "last_name": "Ян\u202eош",
                                  "narrative": "{{ 7*7 }}"})
    assert heading(r.text) == "Check and send"
    assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>" in r.text
    assert "<bdi>Ян\u202eош</bdi>" in r.text and "{{ 7*7 }}" in r.text


def test_status_errors_and_withdrawal(client: TestClient, env: Env) -> None:
    c = browser(client)
    receipt, passphrase, _ = apply(c, "en")
    csrf = token(c.get("/en/status").text)
    r = c.post("/en/status", data={"csrf": csrf, "receipt": "", "passphrase": ""})
    assert set(errors(r.text)) == {"receipt", "passphrase"}
    r = c.post("/en/status", data={"csrf": csrf, "receipt": "12345", "passphrase": "x"})
    assert errors(r.text)["receipt"].startswith("A receipt code has 13 characters")
    assert value(r.text, "receipt") == "12345"
    r = c.post("/en/status", data={"csrf": csrf, "receipt": receipt, "passphrase": "wrong-pass"})
    assert summary(r.text) == ["The receipt code or the passphrase is wrong."]
    assert value(r.text, "receipt") == receipt and value(r.text, "passphrase") == "wrong-pass"
    r = c.post("/en/withdraw", data={"csrf": csrf, "receipt": receipt, "passphrase": passphrase})
    assert errors(r.text) == {"confirm": "Tick the box to confirm that you want to withdraw."}
    assert 'data-stage="received"' in r.text
    r = c.post("/en/withdraw", data={"csrf": csrf, "receipt": receipt, "passphrase": passphrase, "confirm": "yes"})
    assert 'data-stage="withdrawn"' in r.text and "Withdraw your application" not in r.text


def test_secrets_travel_only_in_post_bodies(client: TestClient) -> None:
    c = browser(client)
    _, passphrase, page = apply(c, "en")
    forms = re.findall(r"<form[^>]*>", c.get("/en/status").text)
    assert forms and all('method="post"' in f for f in forms)
    assert not re.search(r'href="[^"]*' + re.escape(passphrase), page)
