"""Revoking an approved Art. 1F record: four eyes, what a revoked record no longer enables, the refusals that
change nothing (a standing exclusion decision, a pending referral), the referral warning, sealing and audit."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from safepassage.domain.decision import Outcome
from safepassage.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from safepassage.security.policy import Action, Role, grant
from safepassage.services import appeals, exclusion, exclusion_revocation, referral
from safepassage.services.auditing import verify_chain
from safepassage.store.models import AuditEntry
from safepassage.store.models_exclusion import ExclusionRecord, ExclusionRevocation
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.decisions_util import decide, to_decision, version_of
from tests.integration.test_exclusion import new_case, record_data, second, submitted

REASON = "Свидетель Ґ. отозвал показания: новая экспертиза; ёлка їжак"
ADJ = Role.ADJUDICATOR


def approved(env: Env, case_id: str, **extra: Any) -> exclusion.RecordView:
    """A record by the analyst, approved by a fresh adjudicator (not the template one)."""
    view = submitted(env, case_id, env.actor(Role.SCREENING_ANALYST), **extra)
    return exclusion.review_record(env.db.uow(), actor=second(env, ADJ), case_id=case_id, record_id=view.id,
                                   approve=True, reasons="", expected_version=view.version)


def ask(env: Env, actor: Actor, case_id: str, record: exclusion.RecordView,
        reason: str = REASON) -> exclusion_revocation.RevocationView:
    return exclusion_revocation.request_revocation(env.db.uow(), actor=actor, case_id=case_id, record_id=record.id,
                                                   reason=reason, expected_version=record.version)


def review(env: Env, actor: Actor, case_id: str, rev: exclusion_revocation.RevocationView, approve: bool = True,
           reasons: str = "") -> exclusion_revocation.RevocationView:
    return exclusion_revocation.review_revocation(env.db.uow(), actor=actor, case_id=case_id, revocation_id=rev.id,
                                                  approve=approve, reasons=reasons, expected_version=rev.version)


def _state(env: Env, case_id: str) -> tuple[list[str], int, list[str]]:
    """Record statuses, revocation rows and revocation audit events of a case: what a refusal must not change."""
    with env.db.uow() as uow:
        statuses = list(uow.session.scalars(select(ExclusionRecord.status).where(ExclusionRecord.case_id == case_id)
                                            .order_by(ExclusionRecord.created_at)))
        n = len(uow.session.scalars(select(ExclusionRevocation.id)
                                    .where(ExclusionRevocation.case_id == case_id)).all())
        events = list(uow.session.scalars(select(AuditEntry.event).where(AuditEntry.event.like("exclusion.revo%"))
                                          .order_by(AuditEntry.seq)))
    return statuses, n, events


def test_revocation_needs_a_second_officer_and_then_the_record_no_longer_enables_exclusion(
    client: TestClient, env: Env
) -> None:
    cid = new_case(client)
    record = approved(env, cid)
    asker, other = env.actor(ADJ), second(env, ADJ)
    rev = ask(env, asker, cid, record)
    assert rev.status == "requested" and rev.reason == REASON and rev.warning == ""
    with env.db.uow() as uow:  # while pending, the record still counts as approved
        assert exclusion.approved_record(uow, cid) is not None
    for approve in (True, False):
        with pytest.raises(Forbidden, match="Four eyes"):
            review(env, asker, cid, rev, approve=approve, reasons="мои же доводы")
    with env.db.uow() as uow:
        assert exclusion.approved_record(uow, cid) is not None
    done = review(env, other, cid, rev)
    assert done.status == "approved" and done.decided_by == other.user_id
    with env.db.uow() as uow:
        assert exclusion.approved_record(uow, cid) is None
        assert exclusion.approved_record_for(uow, cid, record.person_id) is None
        assert uow.session.get(ExclusionRecord, record.id).status == "revoked"  # type: ignore[union-attr]
    # an exclusion decision now needs a (new) approved record; a referral too
    to_decision(env, cid)
    with pytest.raises(InvalidInput, match=r"approved Art\. 1F exclusion record"):
        decide(env, env.actor(ADJ), cid, Outcome.EXCLUDE, findings={})
    with pytest.raises(Conflict, match="approved exclusion record"):
        referral.request_referral(env.db.uow(), actor=env.actor(ADJ), case_id=cid, authority="ICC OTP")
    # a new record may be written about the person, and once approved it enables the decision again
    fresh = approved(env, cid, acts="Новая запись после отзыва")
    with env.db.uow() as uow:
        current = exclusion.approved_record(uow, cid)
        assert current is not None and current.id == fresh.id != record.id
    # still one *current* record per person: a third one is refused while the new one stands
    with pytest.raises(Conflict, match="already has an exclusion record"):
        exclusion.save_record(env.db.uow(), actor=env.actor(ADJ), case_id=cid, data=record_data())
    decision = decide(env, env.actor(ADJ), cid, Outcome.EXCLUDE, findings={})
    assert decision.exclusion_record_id == fresh.id


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(asker_role=st.sampled_from(list(Role)), reviewer_role=st.sampled_from(list(Role)), same=st.booleans(),
       approve=st.booleans())
def test_four_eyes_on_revocation_whatever_the_roles(
    client: TestClient, env: Env, asker_role: Role, reviewer_role: Role, same: bool, approve: bool
) -> None:
    """Only a role that may revoke asks; only a *different* person whose role may approve revocations decides."""
    cid = new_case(client)
    record = approved(env, cid)
    asker = second(env, asker_role)
    reviewer = asker if same else second(env, reviewer_role)
    try:
        rev = ask(env, asker, cid, record)
    except (Forbidden, NotFound):
        assert grant(asker_role, Action.REVOKE_EXCLUSION) is None
        assert _state(env, cid)[:2] == (["approved"], 0)
        return
    assert grant(asker_role, Action.REVOKE_EXCLUSION) is not None
    may_review = not same and grant(Role(reviewer.role), Action.APPROVE_REVOCATION) is not None
    try:
        out = review(env, reviewer, cid, rev, approve=approve, reasons="доводы")
    except (Forbidden, NotFound):
        assert not may_review
        with env.db.uow() as uow:
            assert exclusion.approved_record(uow, cid) is not None  # nothing changed
            assert uow.session.get(ExclusionRevocation, rev.id).status == "requested"  # type: ignore[union-attr]
        return
    assert may_review and out.decided_by != out.requested_by
    with env.db.uow() as uow:
        assert (exclusion.approved_record(uow, cid) is None) == approve


def test_refused_while_a_standing_exclusion_decision_cites_the_record(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    to_decision(env, cid)
    record = approved(env, cid)
    decider = env.actor(ADJ)
    decision = decide(env, decider, cid, Outcome.EXCLUDE, findings={})
    assert decision.exclusion_record_id == record.id
    before = _state(env, cid)
    with env.db.uow() as uow:
        current = uow.session.get(ExclusionRecord, record.id)
        assert current is not None
        version = current.version
    with pytest.raises(exclusion_revocation.DecisionStands, match="set aside on appeal"):
        exclusion_revocation.request_revocation(env.db.uow(), actor=second(env, ADJ), case_id=cid,
                                                record_id=record.id, reason=REASON, expected_version=version)
    assert _state(env, cid) == before
    # an appeal lodged but not decided: the decision still stands
    appeals.lodge_appeal(env.db.uow(), actor=env.actor(Role.CASEWORKER), case_id=cid, grounds="Дуресс не оценён",
                         expected_version=version_of(env, cid))
    with pytest.raises(exclusion_revocation.DecisionStands):
        exclusion_revocation.request_revocation(env.db.uow(), actor=second(env, ADJ), case_id=cid,
                                                record_id=record.id, reason=REASON, expected_version=version)
    assert _state(env, cid) == before
    # set aside on appeal (a different adjudicator refuses instead): now it can be revoked
    decide(env, second(env, ADJ), cid, Outcome.REFUSE)
    rev = exclusion_revocation.request_revocation(env.db.uow(), actor=second(env, ADJ), case_id=cid,
                                                  record_id=record.id, reason=REASON, expected_version=version)
    assert rev.status == "requested"


def test_approval_is_refused_if_an_exclusion_decision_came_while_the_revocation_waited(
    client: TestClient, env: Env
) -> None:
    cid = new_case(client)
    to_decision(env, cid)
    record = approved(env, cid)
    rev = ask(env, second(env, ADJ), cid, record)
    decide(env, env.actor(ADJ), cid, Outcome.EXCLUDE, findings={})  # pending: the record still counts
    with pytest.raises(exclusion_revocation.DecisionStands):
        review(env, second(env, ADJ), cid, rev)
    assert _state(env, cid)[:2] == (["approved"], 1)
    declined = review(env, second(env, ADJ), cid, rev, approve=False, reasons="Решение в силе")
    assert declined.status == "declined"


def test_an_approved_referral_does_not_stop_the_revocation_but_is_named(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    record = approved(env, cid)
    asker = second(env, ADJ)
    ref = referral.request_referral(env.db.uow(), actor=asker, case_id=cid, authority="ICC OTP")
    # a referral still waiting for its second officer blocks the revocation: decide it first
    with pytest.raises(exclusion_revocation.ReferralPending):
        ask(env, env.actor(ADJ), cid, record)
    assert _state(env, cid)[:2] == (["approved"], 0)
    ref = referral.review_referral(env.db.uow(), actor=env.actor(ADJ), case_id=cid, referral_id=ref.id,
                                   approve=True, expected_version=ref.version)
    assert ref.decided_at is not None
    day = ref.decided_at.date().isoformat()
    rev = ask(env, env.actor(ADJ), cid, record)
    assert [n.referral_id for n in rev.approved_referrals] == [ref.id]
    assert f"approved on {day}" in rev.warning and "must be told if this revocation is approved" in rev.warning
    done = review(env, asker, cid, rev)
    assert done.status == "approved" and f"approved on {day}" in done.warning
    assert "must be told that the record was revoked" in done.warning
    listed = exclusion_revocation.revocations_for_case(env.db.uow(), actor=env.actor(ADJ), case_id=cid)
    assert [v.warning for v in listed] == [done.warning]
    # the approved referral can no longer be exported: its record was revoked (the refusal is audited)
    with pytest.raises(Conflict, match="revoked"):
        referral.export_referral(env.db.uow(), actor=asker, case_id=cid, key=referral.signer(b"\x01" * 32))
    with env.db.uow() as uow:
        refused = uow.session.execute(select(AuditEntry.object_id, AuditEntry.fields)
                                      .where(AuditEntry.event == "referral.export_refused")).all()
        exported = uow.session.scalars(select(AuditEntry.seq).where(AuditEntry.event == "referral.exported")).all()
    assert [(oid, list(fields)) for oid, fields in refused] == [(ref.id, ["record_revoked"])] and exported == []


def test_bad_requests_get_a_clear_error_and_change_nothing(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    draft = exclusion.save_record(env.db.uow(), actor=env.actor(Role.SCREENING_ANALYST), case_id=cid,
                                  data=record_data())
    adj = env.actor(ADJ)
    with pytest.raises(Conflict, match="Only an approved record"):
        ask(env, adj, cid, draft)
    other_case = new_case(client)
    record = approved(env, other_case)
    before = _state(env, other_case)
    for reason in ("", "   ", "x" * 10_001, "причина\x00"):
        with pytest.raises(exclusion.RecordInvalid) as caught:
            ask(env, adj, other_case, record, reason=reason)
        assert set(caught.value.errors) == {"reason"}
    with pytest.raises(StaleVersion):
        exclusion_revocation.request_revocation(env.db.uow(), actor=adj, case_id=other_case, record_id=record.id,
                                                reason=REASON, expected_version=record.version + 5)
    with pytest.raises(NotFound):  # a record of another case
        exclusion_revocation.request_revocation(env.db.uow(), actor=adj, case_id=cid, record_id=record.id,
                                                reason=REASON, expected_version=record.version)
    with pytest.raises(Forbidden, match="never automatically"):
        ask(env, Actor.system(), other_case, record)
    assert _state(env, other_case) == before
    rev = ask(env, adj, other_case, record)
    with pytest.raises(Conflict, match="already waiting"):
        ask(env, second(env, ADJ), other_case, record)
    reviewer = second(env, ADJ)
    with pytest.raises(exclusion.RecordInvalid):  # declining needs reasons
        review(env, reviewer, other_case, rev, approve=False, reasons="")
    with pytest.raises(StaleVersion):
        exclusion_revocation.review_revocation(env.db.uow(), actor=reviewer, case_id=other_case, revocation_id=rev.id,
                                               approve=True, expected_version=rev.version + 1)
    assert _state(env, other_case)[:2] == (["approved"], 1)
    declined = review(env, reviewer, other_case, rev, approve=False, reasons="Показания подтверждены")
    assert declined.status == "declined" and declined.review_reasons == "Показания подтверждены"
    with pytest.raises(Conflict):  # decided once, for good
        review(env, second(env, ADJ), other_case, declined)
    with env.db.uow() as uow:
        assert exclusion.approved_record(uow, other_case) is not None  # a declined revocation changes nothing
    again = ask(env, second(env, ADJ), other_case, record)  # and may be asked for again
    assert again.status == "requested"


def test_reasons_are_sealed_and_everything_is_audited_by_id(client: TestClient, env: Env) -> None:
    cid = new_case(client)
    record = approved(env, cid)
    secret_review = "Доводы рецензента: Їжаківка, ґанок"
    rev = ask(env, env.actor(ADJ), cid, record)
    reviewer = second(env, ADJ)
    review(env, reviewer, cid, rev, approve=True, reasons=secret_review)
    with env.db.engine.connect() as conn:
        raw = [bytes(r) for r in conn.execute(text("SELECT content FROM exclusion_revocations")).scalars()]
        audit = conn.execute(text("SELECT event, object_type, object_id, fields FROM audit_log")).all()
    assert len(raw) == 1
    for needle in (REASON, secret_review, "Свидетель", "Їжаківка"):
        assert needle.encode() not in raw[0]
        assert all(needle not in str(row) for row in audit)
    with env.db.uow() as uow:
        entries = uow.session.scalars(select(AuditEntry).where(AuditEntry.event.like("exclusion.revo%"))
                                      .order_by(AuditEntry.seq)).all()
        trail = [(e.event, e.object_type, e.object_id, e.actor_id) for e in entries]
    assert trail == [
        ("exclusion.revocation_requested", "exclusion_revocation", rev.id, env.user_ids[ADJ]),
        ("exclusion.revocation_approved", "exclusion_revocation", rev.id, reviewer.user_id),
        ("exclusion.revoked", "exclusion_record", record.id, reviewer.user_id),
    ]
    assert verify_chain(env.db.uow(readonly=True))[0] is None
    # reading revocations is an audited read of exclusion material; roles without it see nothing
    assert [v.reason for v in exclusion_revocation.revocations_for_case(
        env.db.uow(), actor=env.actor(Role.SCREENING_ANALYST), case_id=cid)] == [REASON]
    for role in (Role.AUDITOR, Role.ADMIN):
        with pytest.raises(NotFound):
            exclusion_revocation.revocations_for_case(env.db.uow(), actor=env.actor(role), case_id=cid)
    with pytest.raises(Forbidden):
        exclusion_revocation.revocations_for_case(env.db.uow(), actor=env.actor(Role.CASEWORKER), case_id=cid)
