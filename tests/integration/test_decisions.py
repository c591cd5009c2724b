"""Facts, evaluations and decisions through the API on both databases: sealed at rest, reasons checked
against the legal tests and the evaluation, the case moved in the same transaction, letters on demand."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safepassage.security.policy import Role
from safepassage.store.models import AuditEntry
from safepassage.store.models_decisions import CaseFacts, DecisionRow, EvaluationRow
from tests.conftest import Env
from tests.decisions_util import HOSTILE_REASON, new_case, to_decision, version_of
from tests.web import exclusion_setup

pytestmark = pytest.mark.db
ADJ, CW = Role.ADJUDICATOR, Role.CASEWORKER


def _raw(env: Env) -> bytes:
    """Every byte the decision tables and the audit log hold."""
    with env.db.uow() as uow:
        blobs = [r.payload for r in uow.session.scalars(select(CaseFacts))]
        blobs += [r.payload for r in uow.session.scalars(select(EvaluationRow))]
        blobs += [r.reasons for r in uow.session.scalars(select(DecisionRow))]
        audit = [f"{a.event}{a.fields}{a.object_id}" for a in uow.session.scalars(select(AuditEntry))]
    return b"".join(blobs) + "".join(audit).encode()


def _decide(client: TestClient, env: Env, case_id: str, role: Role = ADJ, **body: Any) -> Any:
    payload = {
        "outcome": "refuse",
        "destination": "eu",
        "summary": HOSTILE_REASON,
        "findings": {"credibility": {"finding": "not_met", "reasoning": "Суперечності у датах ґ є і ї"}},
        "version": version_of(env, case_id),
        **body,
    }
    return client.post(f"/api/cases/{case_id}/decisions", json=payload, headers=env.headers(role))


def test_facts_are_sealed_and_every_evaluation_keeps_its_policy_version_and_trace(client: TestClient, env: Env) -> None:
    cid = new_case(client)["case_id"]
    r = client.post(
        f"/api/cases/{cid}/facts", json={"facts": ["summons_received", "family_in_danger"]}, headers=env.headers(CW)
    )
    assert r.status_code == 200, r.text
    ev = r.json()
    assert ev["priority"] == "P1" and ev["policy_version"] == "2026.11.1" and len(ev["policy_sha256"]) == 64
    assert set(ev["bases"]["eu"]) == {"eu_qd_9_2_e", "conv_political"}
    assert [t["rule_id"] for t in ev["trace"]] == ["evader", "evader-summoned", "family-in-danger"]
    assert "summons_received" in ev["trace"][1]["because"]
    assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["priority"] == "P1"  # queue follows
    got = client.get(f"/api/cases/{cid}/facts", headers=env.headers(ADJ)).json()
    assert got["facts"] == ["summons_received", "family_in_danger"] and "at_front" in got["vocabulary"]
    latest = client.get(f"/api/cases/{cid}/evaluations/latest", headers=env.headers(ADJ)).json()
    assert latest["id"] == ev["id"]
    again = client.post(f"/api/cases/{cid}/evaluations", headers=env.headers(ADJ))
    assert again.status_code == 201 and again.json()["id"] != ev["id"]
    fewer = client.post(f"/api/cases/{cid}/facts", json={"facts": []}, headers=env.headers(CW)).json()
    assert fewer["priority"] == "P2"  # the evaluation says P2 now, but only a person lowers the queue's priority
    assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["priority"] == "P1"
    raw = _raw(env)
    for secret in (b"summons_received", b"family_in_danger", b"evader-summoned", b"conv_political"):
        assert secret not in raw, secret
    with env.db.uow() as uow:
        assert [r.policy_version for r in uow.session.scalars(select(EvaluationRow))] == ["2026.11.1"] * 3


@pytest.mark.parametrize("facts", [["no_such_fact"], ["<script>"], ["ґ" * 64], ["summons_received", "{{ 7*7 }}"]])
def test_unknown_facts_are_refused_and_change_nothing(client: TestClient, env: Env, facts: list[str]) -> None:
    cid = new_case(client)["case_id"]
    r = client.post(f"/api/cases/{cid}/facts", json={"facts": facts}, headers=env.headers(CW))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    assert "summons_received" in r.json()["error"]["message"]  # the vocabulary is named
    assert client.get(f"/api/cases/{cid}/facts", headers=env.headers(CW)).json()["facts"] == []
    assert client.get(f"/api/cases/{cid}/evaluations/latest", headers=env.headers(CW)).json() is None


def test_a_plain_move_cannot_decide(client: TestClient, env: Env) -> None:
    cid = new_case(client)["case_id"]
    version = to_decision(env, cid)
    r = client.post(
        f"/api/cases/{cid}/transitions", json={"to": "granted", "version": version}, headers=env.headers(ADJ)
    )
    assert r.status_code == 409 and "decision form" in r.json()["error"]["message"]
    detail = client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()
    assert detail["stage"] == "decision_pending" and "granted" not in detail["allowed_transitions"]


def test_refusal_moves_the_case_seals_the_reasons_and_sets_the_appeal_deadline(client: TestClient, env: Env) -> None:
    rec = new_case(client)
    cid = rec["case_id"]
    to_decision(env, cid)
    r = _decide(client, env, cid)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["outcome"] == "refuse" and d["instance"] == "first" and d["days_left"] == 30
    assert (d["appeal_deadline"][:10] > d["decided_at"][:10]) and d["reasons"]["summary"] == HOSTILE_REASON
    assert d["reasons"]["findings"][0] == {
        "test": "credibility",
        "met": False,
        "reasoning": "Суперечності у датах ґ є і ї",
    }
    assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["stage"] == "refused"
    assert HOSTILE_REASON.encode() not in _raw(env) and "Суперечності".encode() not in _raw(env)
    listed = client.get(f"/api/cases/{cid}/decisions", headers=env.headers(CW)).json()
    assert [x["id"] for x in listed] == [d["id"]]
    status = client.post("/api/decision", json={"receipt": rec["receipt"], "passphrase": rec["passphrase"]}).json()
    assert status["decided"] and status["outcome"] == "refuse" and status["can_appeal"] and status["days_left"] == 30
    again = _decide(client, env, cid)  # a decided case cannot be decided again
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"


@pytest.mark.parametrize(
    ("body", "code", "needle"),
    [
        ({"outcome": "refuse", "findings": {}}, 422, "at least one legal test"),
        ({"outcome": "refuse", "findings": {"nexus": {"finding": "not_met", "reasoning": " "}}}, 422, "Explain why"),
        ({"outcome": "refuse", "summary": "  "}, 422, "summary cannot be empty"),
        ({"outcome": "grant", "legal_basis": "eu_qd_9_2_e", "findings": {}}, 422, "Evaluate the case"),
        ({"outcome": "exclude"}, 422, "approved Art. 1F exclusion record"),
        ({"destination": "mars"}, 422, "Unknown destination"),
        ({"outcome": "pardon"}, 422, "outcome"),
        ({"findings": {"vibes": {"finding": "met"}}}, 422, "findings"),
        ({"version": 1}, 409, "changed by someone else"),
        ({"summary": "x" * 10_001}, 422, "summary"),
        ({"summary": "bad\x00byte"}, 422, "control character"),
    ],
)
def test_bad_decisions_are_refused_clearly_and_change_nothing(
    client: TestClient, env: Env, body: dict[str, Any], code: int, needle: str
) -> None:
    cid = new_case(client)["case_id"]
    to_decision(env, cid)
    r = _decide(client, env, cid, **body)
    assert r.status_code == code, r.text
    assert needle in r.json()["error"]["message"]
    assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["stage"] == "decision_pending"
    assert client.get(f"/api/cases/{cid}/decisions", headers=env.headers(ADJ)).json() == []


def test_grant_needs_a_basis_the_evaluation_gives(client: TestClient, env: Env) -> None:
    cid = new_case(client, pathways=["dissident"])["case_id"]
    to_decision(env, cid, facts=[])
    wrong = _decide(client, env, cid, outcome="grant", legal_basis="eu_temporary_protection", findings={})
    assert wrong.status_code == 422 and "conv_political" in wrong.json()["error"]["message"]
    failed = _decide(client, env, cid, outcome="grant", legal_basis="conv_political")
    assert failed.status_code == 422 and "not met" in failed.json()["error"]["message"]
    ok = _decide(
        client,
        env,
        cid,
        outcome="grant",
        legal_basis="conv_political",
        findings={t: {"finding": "met", "reasoning": ""} for t in ("credibility", "well_founded_fear")},
    )
    assert ok.status_code == 201, ok.text
    d = ok.json()
    assert d["appeal_deadline"] is None and d["reasons"]["trace"] == ["dissident"]
    assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["stage"] == "granted"


def test_exclusion_needs_an_approved_record_whose_author_may_not_decide(client: TestClient, env: Env) -> None:
    cid = new_case(client, pathways=["deserter"])["case_id"]
    to_decision(env, cid)
    assert _decide(client, env, cid, outcome="exclude").status_code == 422
    exclusion_setup.approved_record(env, cid)  # written by the analyst, approved by another adjudicator
    r = _decide(client, env, cid, outcome="exclude", findings={})
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["exclusion_record_id"] and d["days_left"] == 60  # the policy gives 60 days to appeal an exclusion
    assert d["reasons"]["findings"][-1]["test"] == "not_excluded" and d["reasons"]["findings"][-1]["met"] is False
    assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["stage"] == "excluded"


@pytest.mark.parametrize("lang", ["ru", "uk", "en"])
def test_staff_download_the_letter_in_each_language_with_reasons_literal(
    client: TestClient, env: Env, lang: str
) -> None:
    cid = new_case(client)["case_id"]
    to_decision(env, cid)
    assert _decide(client, env, cid).status_code == 201
    pdf = client.get(f"/api/cases/{cid}/letter?lang={lang}", headers=env.headers(CW))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store" and "attachment" in pdf.headers["content-disposition"]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", " ")
    title = {
        "ru": "Решение по вашему заявлению",
        "uk": "Рішення щодо вашої заяви",
        "en": "Decision on your application",
    }
    assert title[lang] in text
    assert "{{ 7*7 }} <script>alert(1)</script> Ґрицько Євгенія Їжак Ёлкин Sеrgеy" in text
    assert "Петров" in text  # the letter names its addressee
    html = client.get(f"/api/cases/{cid}/letter?lang={lang}&format=html", headers=env.headers(CW))
    assert html.status_code == 200 and f'<html lang="{lang}">' in html.text
    assert "{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt;" in html.text and "<script>" not in html.text
    assert client.get(f"/api/cases/{cid}/letter", headers=env.headers(Role.SUPERVISOR)).status_code == 403


def test_no_letter_before_a_decision(client: TestClient, env: Env) -> None:
    rec = new_case(client)
    assert client.get(f"/api/cases/{rec['case_id']}/letter", headers=env.headers(CW)).status_code == 404
    r = client.post("/api/letter", json={"receipt": rec["receipt"], "passphrase": rec["passphrase"]})
    assert r.status_code == 404 and set(r.json()) == {"error"}
    wrong = client.post("/api/letter", json={"receipt": rec["receipt"], "passphrase": "wrong-wrong-wrong"})
    assert wrong.status_code == 401


def test_demo_cases_reach_decided_stages_only_through_the_services(client: TestClient, env: Env) -> None:
    from safepassage import demo_decisions
    from safepassage.domain.stages import Stage

    for target in (Stage.GRANTED, Stage.REFUSED, Stage.EXCLUDED):
        cid = new_case(client, pathways=["deserter"])["case_id"]
        to_decision(env, cid)
        demo_decisions.reach(env.db, cid, target)
        assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["stage"] == target.value
        if target is Stage.REFUSED:
            demo_decisions.reach(env.db, cid, Stage.APPEAL)
            assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["stage"] == "appeal"
        decided = client.get(f"/api/cases/{cid}/decisions", headers=env.headers(ADJ)).json()
        assert len(decided) == 1 and decided[0]["reasons"]["summary"] == demo_decisions.REASON


def test_the_author_of_the_exclusion_record_cannot_decide_the_exclusion(client: TestClient, env: Env) -> None:
    import uuid

    from safepassage.domain.decision import Outcome
    from safepassage.domain.errors import Forbidden
    from safepassage.services import exclusion
    from safepassage.store.uow import Actor
    from safepassage.web.api_exclusion import RECORD_EXAMPLE
    from tests.decisions_util import decide

    cid = new_case(client, pathways=["deserter"])["case_id"]
    to_decision(env, cid)
    author = env.actor(ADJ)  # adjudicators may write records too
    data = {k: v for k, v in RECORD_EXAMPLE.items() if k != "submit"}
    view = exclusion.save_record(env.db.uow(), actor=author, case_id=cid, data=data, submit=True)
    other = Actor("staff", "adjudicator", str(uuid.uuid4()))
    exclusion.review_record(
        env.db.uow(),
        actor=other,
        case_id=cid,
        record_id=view.id,
        approve=True,
        reasons="",
        expected_version=view.version,
    )
    with pytest.raises(Forbidden, match="four eyes"):
        decide(env, author, cid, Outcome.EXCLUDE, findings={})
    assert client.get(f"/api/cases/{cid}", headers=env.headers(ADJ)).json()["stage"] == "decision_pending"
    assert decide(env, other, cid, Outcome.EXCLUDE, findings={}).outcome == "exclude"
