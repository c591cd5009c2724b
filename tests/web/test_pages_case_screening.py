"""The screening pages as a browser sees them: queue, hit page, disposition errors that keep their input,
stale versions, incident flags and duplicates on the case page; hostile names shown as text."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Env
from tests.helpers import person
from tests.screening_support import apply, case_with_duplicate, case_with_flag, listed, load_watchlist, to_screening
from tests.web.pages_util import browser, errors, login, token


def test_analyst_queue_hit_page_and_disposition(client: TestClient, env: Env) -> None:
    hostile = "<script>alert(1)</script>"
    load_watchlist(env.db, [listed("wl-x", f"Aleksei Petrov {hostile}", "1990")])
    case_id = apply(client, person=person("Алексей", "Петров", birth_date="1990-01-02", birthplace=hostile))["case_id"]
    to_screening(client, env, case_id)
    c = login(browser(TestClient(client.app)), "screening-analyst", "en")
    queue = c.get("/en/console/screening").text
    assert "1 case waits for an analyst" in queue and "Петров" not in queue  # no names in the queue
    case_page = c.get(f"/en/console/cases/{case_id}").text
    hit_url = case_page.split('href="/en/console/cases/' + case_id + "/hits/")[1].split('"')[0]
    page = c.get(f"/en/console/cases/{case_id}/hits/{hit_url}").text
    assert "Петров" in page and "&lt;script&gt;" in page and "<script>alert" not in page
    assert "Why this score" in page and "version 1" in page
    form = {"csrf": token(page), "hit_id": hit_url, "version": "1", "disposition": "confirmed", "reason": " \u200b"}
    r = c.post(f"/en/console/cases/{case_id}/hits", data=form)
    assert errors(r.text) == {"reason": "Give the reason for your disposition."}
    assert 'value="confirmed" checked' in r.text
    r = c.post(f"/en/console/cases/{case_id}/hits", data={**form, "reason": "ы" * 2001})
    assert errors(r.text) == {"reason": "The reason is too long (at most 2000 characters)."}
    r = c.post(f"/en/console/cases/{case_id}/hits", data={**form, "version": "9", "reason": "Паспорт {{ x }}"})
    assert r.status_code == 409 and "Паспорт {{ x }}</textarea>" in r.text  # stale: nothing changed, input kept
    r = c.post(f"/en/console/cases/{case_id}/hits", data={**form, "reason": "Паспорт {{ x }}"})
    assert r.status_code == 200 and 'data-stage="exclusion_review"' in r.text
    uk = c.get(f"/uk/console/cases/{case_id}/hits/{hit_url}").text
    assert "Паспорт {{ x }}" in uk and "Why this score" not in uk


def test_caseworker_gets_no_hit_page_and_no_screening_panel(client: TestClient, env: Env) -> None:
    load_watchlist(env.db, [listed("wl-x", "Aleksei Petrov")])
    case_id = apply(client)["case_id"]
    to_screening(client, env, case_id)
    c = login(browser(TestClient(client.app)), "caseworker", "en")
    page = c.get(f"/en/console/cases/{case_id}").text
    assert 'id="screening"' not in page and "/hits/" not in page and 'id="duplicates"' in page
    assert c.get("/en/console/screening").status_code == 403


def test_incident_flag_is_acknowledged_from_the_case_page(client: TestClient, env: Env) -> None:
    case_id, flag = case_with_flag(client, env)
    c = login(browser(TestClient(client.app)), "screening-analyst", "en")
    page = c.get(f"/en/console/cases/{case_id}").text
    assert "same unit" in page and "64 ОМСБр" in page and "never an exclusion by itself" in page
    r = c.post(f"/en/console/cases/{case_id}/flags", data={"csrf": token(page), "flag_id": flag["id"], "flag_note": ""})
    assert "Write what the interview should cover." in r.text
    r = c.post(f"/en/console/cases/{case_id}/flags",
               data={"csrf": token(page), "flag_id": flag["id"], "flag_note": "Март 2022: где была рота?"})
    assert 'data-stage="review"' in r.text and "Март 2022: где была рота?" in r.text


def test_duplicate_is_confirmed_from_the_case_page(client: TestClient, env: Env) -> None:
    case_id, link = case_with_duplicate(client, env)
    c = login(browser(TestClient(client.app)), "caseworker", "en")
    page = c.get(f"/en/console/cases/{case_id}").text
    assert "Possible duplicates" in page and "waiting for a decision" in page
    r = c.post(f"/en/console/cases/{case_id}/duplicates",
               data={"csrf": token(page), "link_id": link["id"], "decision": "confirmed"})
    assert r.status_code == 200 and "Same person: link" not in r.text and ">confirmed<" not in r.text.replace(" ", "")
    again = c.post(f"/en/console/cases/{case_id}/duplicates",
                   data={"csrf": token(page), "link_id": link["id"], "decision": "dismissed"})
    assert again.status_code == 409
