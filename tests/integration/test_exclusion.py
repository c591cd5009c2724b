"""Art. 1F exclusion records: validation, the four-eyes workflow, sealing, and family unity."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from safepassage.domain.errors import Conflict, Forbidden, IllegalTransition, NotFound, StaleVersion
from safepassage.security.policy import Action, Role, grant
from safepassage.services import exclusion
from safepassage.services.auditing import verify_chain
from safepassage.store.models import AuditEntry, Case, User
from safepassage.store.models_exclusion import ExclusionRecord
from safepassage.store.uow import Actor
from tests.conftest import _PW_HASH, Env
from tests.helpers import HOSTILE_NAMES, application, person

ACTS = "Расстрел мирных жителей у моста; ґанок, єдність, їжа, ёлка"


def record_data(**extra: Any) -> dict[str, Any]:
    """A complete, valid 1F(a) record (hostile Unicode included)."""
    data: dict[str, Any] = {
        "category": "1F(a)",
        "acts": ACTS,
        "act_time": "2022-03, between the 10th and the 20th",
        "act_place": "Буча, Київська область",
        "act_unit": "в/ч 64044",
        "legal_characterisation": "War crime of wilful killing, Rome Statute art. 8(2)(a)(i)",
        "basis_sources": ["self_disclosure", "screening_hit"],
        "mode_of_liability": "direct_perpetration",
        "mental_element": "Knew the victims were civilians; acted deliberately.",
        "duress_applies": False,
        "duress_finding": "No imminent threat of death; the order could have been evaded.",
        "superior_orders_applies": False,
        "superior_orders_finding": "The order was manifestly unlawful (Rome Statute art. 33(2)).",
        "standard_of_proof": "Consistent self-disclosure corroborated by a confirmed watchlist hit.",
        "evidence": [{"kind": "statement", "id": "narrative", "note": "Interview, para. 4"}],
    }
    data.update(extra)
    return data


def new_case(client: TestClient, **extra: Any) -> str:
    """An application, moved to review (where exclusion work happens)."""
    case_id: str = client.post("/api/applications", json=application(**extra)).json()["case_id"]
    with_stage(client, case_id, "review")
    return case_id


def with_stage(client: TestClient, case_id: str, stage: str) -> None:
    """Put a case in a stage directly (the state machine is tested elsewhere)."""
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.uow() as uow:
        case = uow.session.get(Case, case_id)
        case.stage = stage
        uow.commit()


def second(env: Env, role: Role, name: str | None = None) -> Actor:
    """Another user with the same role as a template user."""
    uid = str(uuid.uuid4())
    with env.db.uow() as uow:
        uow.session.add(User(id=uid, username=name or f"u-{uid[:8]}", role=role.value, password_hash=_PW_HASH))
        uow.commit()
    return Actor("staff", role.value, uid)


def submitted(env: Env, case_id: str, author: Actor, **extra: Any) -> exclusion.RecordView:
    """A record drafted and submitted by `author`."""
    view = exclusion.save_record(env.db.uow(), actor=author, case_id=case_id, data=record_data(**extra))
    return exclusion.submit_record(env.db.uow(), actor=author, case_id=case_id, record_id=view.id,
                                   expected_version=view.version)


def test_a_record_is_drafted_submitted_and_approved_by_a_different_person(client: TestClient, env: Env) -> None:
    case_id = new_case(client)
    analyst, adjudicator = env.actor(Role.SCREENING_ANALYST), env.actor(Role.ADJUDICATOR)
    with env.db.uow() as uow:
        assert exclusion.approved_record(uow, case_id) is None
    view = submitted(env, case_id, analyst)
    assert view.status == "submitted" and view.is_principal and view.content["acts"] == ACTS
    with env.db.uow() as uow:
        assert exclusion.approved_record(uow, case_id) is None  # submitted is not approved
    done = exclusion.review_record(env.db.uow(), actor=adjudicator, case_id=case_id, record_id=view.id,
                                   approve=True, reasons="", expected_version=view.version)
    assert done.status == "approved" and done.approver_id == adjudicator.user_id
    with env.db.uow() as uow:
        ref = exclusion.approved_record(uow, case_id)
        assert ref is not None and ref.id == view.id and ref.category == "1F(a)"
        assert ref.author_id == analyst.user_id and ref.approver_id == adjudicator.user_id
        # approving does not decide the case: the decision is a separate act
        assert uow.session.get(Case, case_id).stage == "review"  # type: ignore[union-attr]
        events = uow.session.scalars(select(AuditEntry.event).where(AuditEntry.object_id == view.id)
                                    .order_by(AuditEntry.seq)).all()  # the chain order (PostgreSQL has no default)
    assert events == ["exclusion.drafted", "exclusion.submitted", "exclusion.approved"]
    assert verify_chain(env.db.uow(readonly=True))[0] is None


def test_the_author_can_never_approve_or_return_their_own_record(client: TestClient, env: Env) -> None:
    case_id = new_case(client)
    adjudicator = env.actor(Role.ADJUDICATOR)
    view = submitted(env, case_id, adjudicator)
    for approve in (True, False):
        with pytest.raises(Forbidden, match="Four eyes"):
            exclusion.review_record(env.db.uow(), actor=adjudicator, case_id=case_id, record_id=view.id,
                                    approve=approve, reasons="mine", expected_version=view.version)
    with env.db.uow() as uow:
        assert uow.session.get(ExclusionRecord, view.id).status == "submitted"  # type: ignore[union-attr]
    other = second(env, Role.ADJUDICATOR)
    back = exclusion.review_record(env.db.uow(), actor=other, case_id=case_id, record_id=view.id,
                                   approve=False, reasons="Duress: interview the witness first.",
                                   expected_version=view.version)
    assert back.status == "returned" and back.review_reasons.startswith("Duress")
    # the reviewer cannot rewrite the author's record; the author edits and resubmits
    with pytest.raises(Forbidden):
        exclusion.save_record(env.db.uow(), actor=other, case_id=case_id, data=record_data(),
                              record_id=view.id, expected_version=back.version)
    edited = exclusion.save_record(env.db.uow(), actor=adjudicator, case_id=case_id,
                                   data=record_data(duress_finding="Witness heard: no threat."),
                                   record_id=view.id, expected_version=back.version)
    again = exclusion.submit_record(env.db.uow(), actor=adjudicator, case_id=case_id, record_id=view.id,
                                    expected_version=edited.version)
    assert again.status == "submitted"


ROLES = list(Role)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(author_role=st.sampled_from(ROLES), reviewer_role=st.sampled_from(ROLES), same=st.booleans(),
       approve=st.booleans())
def test_four_eyes_whatever_the_roles(
    client: TestClient, env: Env, author_role: Role, reviewer_role: Role, same: bool, approve: bool
) -> None:
    """Only a role that may record writes; only a *different* person whose role may approve reviews."""
    case_id = new_case(client)
    author = second(env, author_role)
    reviewer = author if same else second(env, reviewer_role)
    may_write = grant(author_role, Action.RECORD_EXCLUSION) is not None
    try:
        view = submitted(env, case_id, author)
    except (Forbidden, NotFound):
        assert not may_write
        return
    assert may_write
    may_review = not same and grant(Role(reviewer.role), Action.APPROVE_EXCLUSION) is not None
    try:
        out = exclusion.review_record(env.db.uow(), actor=reviewer, case_id=case_id, record_id=view.id,
                                      approve=approve, reasons="reasons", expected_version=view.version)
    except (Forbidden, NotFound):
        assert not may_review
        with env.db.uow() as uow:
            assert exclusion.approved_record(uow, case_id) is None
        return
    assert may_review and out.approver_id != out.author_id
    with env.db.uow() as uow:
        ref = exclusion.approved_record(uow, case_id)
    assert (ref is not None) == approve
    assert ref is None or ref.approver_id != ref.author_id


def test_submission_reports_every_missing_or_wrong_field(client: TestClient, env: Env) -> None:
    case_id = new_case(client)
    analyst = env.actor(Role.SCREENING_ANALYST)
    draft = exclusion.save_record(env.db.uow(), actor=analyst, case_id=case_id,
                                  data={"category": "1F(b)", "acts": "Ограбление"})
    with pytest.raises(exclusion.RecordInvalid) as caught:
        exclusion.submit_record(env.db.uow(), actor=analyst, case_id=case_id, record_id=draft.id,
                                expected_version=draft.version)
    errors = caught.value.errors
    assert {"act_time", "act_place", "legal_characterisation", "mental_element", "duress_finding",
            "superior_orders_finding", "standard_of_proof", "basis_sources", "mode_of_liability", "evidence",
            "proportionality"} == set(errors)  # 1F(b) needs proportionality
    assert "acts" not in errors and "category" not in errors
    with env.db.uow() as uow:
        assert uow.session.get(ExclusionRecord, draft.id).status == "draft"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "1F(d)"}, "category"),
        ({"category": "<b>1F(a)</b>"}, "category"),
        ({"acts": "x" * 10_001}, "acts"),
        ({"act_place": "Буча\x00"}, "act_place"),
        ({"mode_of_liability": "being_there"}, "mode_of_liability"),
        ({"basis_sources": ["unit_membership"]}, "basis_sources"),
        ({"evidence": [{"kind": "rumour", "id": "x"}]}, "evidence"),
        ({"evidence": [{"kind": "document", "id": "../../etc/passwd"}]}, "evidence"),
        ({"evidence": [{"kind": "document", "id": "dоc-1"}]}, "evidence"),  # Cyrillic о: not an id
        ({"evidence": [{"kind": "statement", "id": str(uuid.uuid4())}]}, "evidence"),  # no such note
        ({"duress_applies": True}, "duress_applies"),  # a successful defence cannot support exclusion
        ({"superior_orders_applies": "maybe"}, "superior_orders_applies"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    client: TestClient, env: Env, change: dict[str, Any], field: str
) -> None:
    case_id = new_case(client)
    analyst = env.actor(Role.SCREENING_ANALYST)
    with pytest.raises(exclusion.RecordInvalid) as caught:
        submitted(env, case_id, analyst, **change)
    assert field in caught.value.errors
    with env.db.uow() as uow:
        rows = uow.session.scalars(select(ExclusionRecord.status).where(ExclusionRecord.case_id == case_id)).all()
    assert rows in ([], ["draft"])  # a draft may be saved; nothing wrong is ever submitted


def test_hostile_text_is_kept_exactly_and_sealed(client: TestClient, env: Env) -> None:
    for hostile in HOSTILE_NAMES:
        case_id = new_case(client)
        view = exclusion.save_record(env.db.uow(), actor=env.actor(Role.ADJUDICATOR), case_id=case_id,
                                     data=record_data(acts=hostile, act_unit=hostile[:500]))
        assert view.content["acts"] == hostile
    with env.db.engine.connect() as conn:
        raws = [bytes(r) for r in conn.execute(text("SELECT content FROM exclusion_records")).scalars()]
    assert len(raws) == len(HOSTILE_NAMES)
    for raw in raws:
        assert not any(h.encode() in raw for h in HOSTILE_NAMES) and ACTS.encode() not in raw


def test_roles_without_the_grant_are_refused_and_nothing_changes(client: TestClient, env: Env) -> None:
    case_id = new_case(client)
    for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.INTAKE_OPERATOR):
        with pytest.raises((Forbidden, NotFound)):
            exclusion.save_record(env.db.uow(), actor=env.actor(role), case_id=case_id, data=record_data())
    for role in (Role.AUDITOR, Role.ADMIN):
        with pytest.raises(NotFound):
            exclusion.records_for_case(env.db.uow(), actor=env.actor(role), case_id=case_id)
    with pytest.raises(Forbidden, match="never automatically"):
        exclusion.save_record(env.db.uow(), actor=Actor.system(), case_id=case_id, data=record_data())
    with env.db.uow() as uow:
        assert uow.count(ExclusionRecord) == 0


def test_stale_versions_duplicates_and_closed_cases_are_refused(client: TestClient, env: Env) -> None:
    case_id = new_case(client)
    adj = env.actor(Role.ADJUDICATOR)
    view = exclusion.save_record(env.db.uow(), actor=adj, case_id=case_id, data=record_data())
    with pytest.raises(Conflict):
        exclusion.save_record(env.db.uow(), actor=adj, case_id=case_id, data=record_data())
    exclusion.save_record(env.db.uow(), actor=adj, case_id=case_id, data=record_data(), record_id=view.id,
                          expected_version=view.version)
    with pytest.raises(StaleVersion):
        exclusion.submit_record(env.db.uow(), actor=adj, case_id=case_id, record_id=view.id,
                                expected_version=view.version)
    other = new_case(client)
    with_stage(client, other, "withdrawn")
    with pytest.raises(IllegalTransition):
        exclusion.save_record(env.db.uow(), actor=adj, case_id=other, data=record_data())


def test_excluding_a_principal_changes_nothing_for_family_members(client: TestClient, env: Env) -> None:
    """Family unity: each member keeps their own case and is assessed on their own."""
    principal = new_case(client)
    cw = env.headers(Role.CASEWORKER)
    r = client.post(f"/api/cases/{principal}/family",
                    json={"relationship": "spouse", "person": person("Олена", "Петрова"), "version": 2}, headers=cw)
    assert r.status_code == 201, r.text
    spouse_person = r.json()["id"]
    spouse_case = new_case(client, person=person("Олена", "Петрова"))
    child_case = new_case(client, person=person("Їжачок", "Петров"))
    before = {cid: _case_state(env, cid) for cid in (spouse_case, child_case)}
    view = submitted(env, principal, env.actor(Role.SCREENING_ANALYST))
    exclusion.review_record(env.db.uow(), actor=env.actor(Role.ADJUDICATOR), case_id=principal, record_id=view.id,
                            approve=True, reasons="", expected_version=view.version)
    with_stage(client, principal, "excluded")
    assert {cid: _case_state(env, cid) for cid in (spouse_case, child_case)} == before
    with env.db.uow() as uow:
        assert exclusion.approved_record(uow, spouse_case) is None
        assert exclusion.approved_record(uow, child_case) is None
        # the relative on the principal's own case has no record either
        assert exclusion.approved_record_for(uow, principal, spouse_person) is None
        assert exclusion.approved_record(uow, principal) is not None


def _case_state(env: Env, case_id: str) -> tuple[str, int, int]:
    with env.db.uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        n = len(uow.session.scalars(select(ExclusionRecord).where(ExclusionRecord.case_id == case_id)).all())
        return case.stage, case.version, n


def test_a_record_may_name_a_family_member_on_the_case_only_by_their_own_id(client: TestClient, env: Env) -> None:
    principal = new_case(client)
    cw = env.headers(Role.CASEWORKER)
    r = client.post(f"/api/cases/{principal}/family",
                    json={"relationship": "sibling", "person": person("Ёжик", "Петров"), "version": 2}, headers=cw)
    sibling = r.json()["id"]
    adj = env.actor(Role.ADJUDICATOR)
    view = exclusion.save_record(env.db.uow(), actor=adj, case_id=principal, data=record_data(), person_id=sibling)
    assert not view.is_principal and view.person_id == sibling
    with env.db.uow() as uow:
        assert exclusion.approved_record(uow, principal) is None
    with pytest.raises(exclusion.RecordInvalid.__mro__[1]):  # InvalidInput: a person on another case
        exclusion.save_record(env.db.uow(), actor=adj, case_id=new_case(client), data=record_data(),
                              person_id=sibling)
