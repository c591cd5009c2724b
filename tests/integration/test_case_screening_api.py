"""Screening in the case flow, through the API on both databases: intake → screening → automatic clear
or analyst review → confirmed → exclusion review; family members screened; dispositions remembered;
re-screening after a watchlist change; incident flags; duplicates across spellings and channels."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from safepassage.security.policy import Role
from safepassage.services import duplicates, rescreen
from safepassage.store.models import AuditEntry, StageEvent
from safepassage.store.models_screening import ScreeningHit
from tests.conftest import Env
from tests.helpers import HOSTILE_NAMES, person
from tests.screening_support import (
    apply,
    case_with_flag,
    case_with_hit,
    listed,
    load_watchlist,
    results,
    to_screening,
)

ANALYST = Role.SCREENING_ANALYST


def _case(client: TestClient, env: Env, case_id: str, role: Role = Role.ADJUDICATOR) -> dict[str, Any]:
    r = client.get(f"/api/cases/{case_id}", headers=env.headers(role))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def _dispose(client: TestClient, env: Env, case_id: str, hit: dict[str, Any], disposition: str,
             reason: str = "Passport seen: other birth date and birthplace.", role: Role = ANALYST) -> Any:
    return client.post(f"/api/cases/{case_id}/screening/dispositions", headers=env.headers(role),
                       json={"hit_id": hit["id"], "disposition": disposition, "reason": reason,
                             "version": hit["version"]})


def test_a_case_without_hits_moves_on_to_review_by_the_system(client: TestClient, env: Env) -> None:
    load_watchlist(env.db, [listed("wl-1", "Viktor Sergeyevich Kuznetsov", "1961-02-03")])
    case_id = apply(client)["case_id"]
    moved = to_screening(client, env, case_id)
    assert moved["stage"] == "review"
    timeline = [(t["from_stage"], t["to_stage"], t["actor_id"]) for t in _case(client, env, case_id)["timeline"]]
    assert timeline[-2:] == [("received", "screening", env.user_ids[Role.CASEWORKER]), ("screening", "review", None)]
    res = results(client, env, case_id)
    assert res["hits"] == [] and res["unresolved"] == 0
    assert [(r["kind"], r["versions"], r["persons"]) for r in res["runs"]] == [("intake", {"test-list": 1}, 1)]
    with env.db.uow() as uow:  # the system's move is audited like anyone's
        roles = uow.session.scalars(select(AuditEntry.actor_role).where(
            AuditEntry.object_id == case_id, AuditEntry.event == "case.transitioned")).all()
    assert roles == ["caseworker", "system"]


def test_hits_on_applicant_and_family_wait_for_the_analyst_and_a_confirmed_hit_goes_to_exclusion_review(
    client: TestClient, env: Env
) -> None:
    load_watchlist(env.db, [listed("wl-petrov", "Петров Алексей Иванович", "1990-04-03"),
                            listed("wl-ivanova", "Mariya IVANOVA", "1992")])
    family = [{"relationship": "spouse", "person": person("Марія", "Іванова", birth_date="1992-07-01")}]
    case_id = apply(client, person=person("Aleksei", "Petrov", birth_date="1990-04-03"), family=family)["case_id"]
    assert to_screening(client, env, case_id)["stage"] == "screening"
    hits = {h["entity_id"]: h for h in results(client, env, case_id)["hits"]}
    assert set(hits) == {"wl-petrov", "wl-ivanova"}  # the wife is screened too, on her own
    assert all(h["status"] == "pending" and h["watchlist"] == "test-list" and h["watchlist_version"] == 1
               for h in hits.values())
    assert hits["wl-petrov"]["score"] >= 0.7 and "petrov" in hits["wl-petrov"]["explanation"]["text"].lower()
    # nobody moves it on while hits wait: not the caseworker, not the adjudicator
    for role in (Role.CASEWORKER, Role.ADJUDICATOR):
        version = _case(client, env, case_id)["version"]
        r = client.post(f"/api/cases/{case_id}/transitions", json={"to": "review", "version": version},
                        headers=env.headers(role))
        assert r.status_code == 409 and "screening analyst" in r.json()["error"]["message"]
    # the caseworker may not read screening intelligence; the queue is the analyst's
    assert client.get(f"/api/cases/{case_id}/screening", headers=env.headers(Role.CASEWORKER)).status_code == 403
    queue = client.get("/api/screening/queue", headers=env.headers(ANALYST)).json()
    assert [(i["case"]["id"], i["hits"]) for i in queue["items"]] == [(case_id, 2)]
    r = _dispose(client, env, case_id, hits["wl-ivanova"], "false_positive")
    assert r.status_code == 200 and r.json()["case_stage"] == "screening"
    r = _dispose(client, env, case_id, hits["wl-petrov"], "confirmed", "Same passport number as the listing.")
    assert r.status_code == 200 and r.json()["case_stage"] == "exclusion_review"
    assert client.get("/api/screening/queue", headers=env.headers(ANALYST)).json()["total"] == 0
    evidence = {h["entity_id"]: h for h in results(client, env, case_id, Role.ADJUDICATOR)["hits"]}
    assert evidence["wl-petrov"]["reason"] == "Same passport number as the listing."
    assert evidence["wl-petrov"]["decided_by"] == env.user_ids[ANALYST]


def test_all_false_positives_move_the_case_on_to_review_never_to_a_decision(client: TestClient, env: Env) -> None:
    case_id, hit = case_with_hit(client, env)
    r = _dispose(client, env, case_id, hit, "needs_info", "Ask for the internal passport.")
    assert r.status_code == 200 and r.json()["case_stage"] == "screening"  # still waiting
    hit = results(client, env, case_id)["hits"][0]
    r = _dispose(client, env, case_id, hit, "false_positive")
    assert r.json()["case_stage"] == "review"


def test_screening_results_are_sealed_in_the_database(client: TestClient, env: Env) -> None:
    case_id, hit = case_with_hit(client, env)
    _dispose(client, env, case_id, hit, "false_positive", "Другая дата рождения, паспорт Петрова проверен")
    with env.db.uow() as uow:
        row = uow.session.get(ScreeningHit, hit["id"])
        assert row is not None
        blob = row.detail + (row.reason or b"")
        audit = " ".join(" ".join(a.fields) + a.event for a in uow.session.scalars(select(AuditEntry)).all())
    for secret in ("Петров", "petrov", "Алексей", "Aleksei", "паспорт"):
        assert secret.encode() not in blob and secret not in audit


def test_bad_dispositions_change_nothing(client: TestClient, env: Env) -> None:
    case_id, hit = case_with_hit(client, env)
    url = f"/api/cases/{case_id}/screening/dispositions"
    h = env.headers(ANALYST)
    for body, status in [
        ({"hit_id": hit["id"], "disposition": "excluded", "reason": "x", "version": 1}, 422),
        ({"hit_id": hit["id"], "disposition": "confirmed", "reason": "", "version": 1}, 422),
        ({"hit_id": hit["id"], "disposition": "confirmed", "reason": "\u200b\u202e", "version": 1}, 422),
        ({"hit_id": hit["id"], "disposition": "confirmed", "reason": "x" * 5000, "version": 1}, 422),
        ({"hit_id": hit["id"], "disposition": "confirmed", "reason": "ok", "version": 7}, 409),
        ({"hit_id": "00000000-0000-4000-8000-000000000000", "disposition": "confirmed", "reason": "ok",
          "version": 1}, 404),
    ]:
        r = client.post(url, json=body, headers=h)
        assert r.status_code == status, (body, r.text)
        assert set(r.json()) == {"error"}
    assert client.post(url, json={"hit_id": hit["id"], "disposition": "confirmed", "reason": "ok", "version": 1},
                       headers=env.headers(Role.CASEWORKER)).status_code == 403
    assert results(client, env, case_id)["hits"][0]["status"] == "pending"
    assert _case(client, env, case_id)["stage"] == "screening"


def test_a_disposition_is_remembered_until_either_side_changes(client: TestClient, env: Env) -> None:
    load_watchlist(env.db, [listed("wl-petrov", "Aleksei Petrov", "1990")])
    first = apply(client)["case_id"]
    to_screening(client, env, first)
    _dispose(client, env, first, results(client, env, first)["hits"][0], "false_positive")
    # the same person applies again (same fields): the pair is not asked again
    again = apply(client)["case_id"]
    assert to_screening(client, env, again)["stage"] == "review"
    hit = results(client, env, again)["hits"][0]
    assert hit["status"] == "false_positive" and hit["remembered"] and hit["decided_by"] == env.user_ids[ANALYST]
    # an applicant whose screening fields differ (a birth date now given) is asked again
    changed = apply(client, person=person(birth_date="1990-05-05"))["case_id"]
    assert to_screening(client, env, changed)["stage"] == "screening"
    # the listing changes (a new alias): re-screening asks again about the earlier cases
    load_watchlist(env.db, [listed("wl-petrov", "Aleksei Petrov", "1990", alias=["Алексей Петров"])])
    report = rescreen.rescreen(env.db)
    assert set(report.cases_with_new_hits) == {first, again, changed}
    assert [h["status"] for h in results(client, env, first)["hits"]] == ["false_positive", "pending"]


def test_rescreen_finds_a_newly_listed_person_among_existing_cases(client: TestClient, env: Env) -> None:
    load_watchlist(env.db, [listed("wl-1", "Viktor Kuznetsov", "1961")])
    ids = [apply(client, person=person(first, last))["case_id"]
           for first, last in [("Ґрицько", "Шевченко"), ("Алексей", "Петров"), ("Олена", "Коваль")]]
    for case_id in ids:
        assert to_screening(client, env, case_id)["stage"] == "review"
    pending = ids[2]
    r = client.post(f"/api/cases/{pending}/transitions", headers=env.headers(Role.ADJUDICATOR),
                    json={"to": "decision_pending", "version": _case(client, env, pending)["version"]})
    assert r.status_code == 200, r.text
    load_watchlist(env.db, [listed("wl-1", "Viktor Kuznetsov", "1961"), listed("wl-2", "Hrytsko Shevchenko"),
                            listed("wl-3", "Olena KOVAL")])
    report = rescreen.rescreen(env.db)
    assert report.due == report.screened == 3 and sorted(report.cases_with_new_hits) == sorted([ids[0], pending])
    assert [h["entity_id"] for h in results(client, env, ids[0])["hits"]] == ["wl-2"]
    queue = {i["case"]["id"] for i in client.get("/api/screening/queue", headers=env.headers(ANALYST)).json()["items"]}
    assert queue == {ids[0], pending}
    # the reopened case cannot be sent to a decision while the new hit waits
    r = client.post(f"/api/cases/{ids[0]}/transitions", headers=env.headers(Role.ADJUDICATOR),
                    json={"to": "decision_pending", "version": _case(client, env, ids[0])["version"]})
    assert r.status_code == 409
    assert rescreen.rescreen(env.db).due == 0  # nothing screened twice


def test_an_incident_overlap_flags_for_interview_and_never_excludes(client: TestClient, env: Env) -> None:
    case_id, flag = case_with_flag(client, env)
    assert flag["basis"] == "unit" and flag["status"] == "pending" and flag["incident"]["ref"] == "demo-1"
    assert _case(client, env, case_id)["stage"] == "screening"
    url = f"/api/cases/{case_id}/screening/acknowledgements"
    assert client.post(url, json={"flag_id": flag["id"], "note": ""}, headers=env.headers(ANALYST)).status_code == 422
    r = client.post(url, json={"flag_id": flag["id"], "note": "Interview about March 2022."},
                    headers=env.headers(ANALYST))
    assert r.status_code == 200 and r.json()["case_stage"] == "review"  # on to review: not exclusion
    stages = [t["to_stage"] for t in _case(client, env, case_id)["timeline"]]
    assert "exclusion_review" not in stages
    again = client.post(url, json={"flag_id": flag["id"], "note": "again"}, headers=env.headers(ANALYST))
    assert again.status_code == 409


def test_no_overlap_when_service_was_elsewhere_in_time(client: TestClient, env: Env) -> None:
    from tests.screening_support import load_incidents

    load_incidents(env.db)
    military = {"status": "conscript", "unit": "64-я отдельная мотострелковая бригада",
                "periods": [{"start": "2019-01", "end": "2020-12"}]}
    case_id = apply(client, person=person("Пётр", "Ёлкин", military=military))["case_id"]
    assert to_screening(client, env, case_id)["stage"] == "review"


def test_duplicates_are_found_across_spellings_and_channels_and_confirmed(client: TestClient, env: Env) -> None:
    first = apply(client, person=person("Олександр", "Коваленко", birth_date="1988-11-02"))["case_id"]
    r = client.post("/api/cases", headers=env.headers(Role.INTAKE_OPERATOR), json={
        "pathways": ["war_refugee"], "channel": "hotline",
        "person": person("ALEKSANDR", "KOVALENKO", birth_date="1988-11-02")})
    assert r.status_code == 201, r.text
    second = r.json()["case_id"]
    apply(client, person=person("Олександр", "Коваленко", birth_date="1975-01-01"))  # a namesake, other age
    links = client.get(f"/api/cases/{second}/duplicates", headers=env.headers(Role.CASEWORKER)).json()
    assert [(link["other_case_id"], link["status"]) for link in links] == [(first, "pending")]
    assert links[0]["score"] >= 0.7 and links[0]["other_channel"] == "web"
    assert client.get(f"/api/cases/{second}/duplicates", headers=env.headers(Role.SUPERVISOR)).status_code == 403
    url = f"/api/cases/{second}/duplicates/decisions"
    assert client.post(url, json={"link_id": links[0]["id"], "decision": "maybe"},
                       headers=env.headers(Role.CASEWORKER)).status_code == 422
    r = client.post(url, json={"link_id": links[0]["id"], "decision": "confirmed"},
                    headers=env.headers(Role.CASEWORKER))
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    with env.db.uow() as uow:
        clusters = duplicates.people_clusters(uow)
    assert clusters[first] == clusters[second] and len(set(clusters.values())) == 2  # three applications, two people


def test_hostile_names_are_screened_and_answered_safely(client: TestClient, env: Env) -> None:
    load_watchlist(env.db, [listed("wl-h", name) for name in HOSTILE_NAMES[:5]])
    for name in HOSTILE_NAMES:
        case_id = apply(client, person=person(name, name))["case_id"]
        moved = to_screening(client, env, case_id)
        assert moved["stage"] in ("review", "screening")
        assert results(client, env, case_id)["runs"][0]["persons"] == 1
    with env.db.uow() as uow:
        assert uow.count(StageEvent) >= len(HOSTILE_NAMES) * 2
