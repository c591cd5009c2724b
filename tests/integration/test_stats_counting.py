"""Statistics count people, not applications: a hand-built data set with known answers, on both databases.

The set: one person who applied twice (confirmed duplicate, family of two on one application and of
one on the other), a withdrawn deserter, two surrender groups (one reached custody and applied), a
dissident refused then granted on appeal, a case still in screening.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import update

from safepassage.domain.decision import Outcome
from safepassage.domain.errors import InvalidInput, NotFound
from safepassage.domain.pathways import Pathway
from safepassage.domain.stages import Stage
from safepassage.security.policy import Role
from safepassage.services import decisions, erasure, evaluations, statistics, stats_facts, stats_tally
from safepassage.stats.units import MEASURES, NOT_RECORDED, Period, Unit, merge, reached
from safepassage.store.models import AuditEntry
from safepassage.store.models_decisions import DecisionRow
from safepassage.store.models_screening import IdentityLink
from safepassage.store.models_stats import CaseFactRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.decisions_util import decide
from tests.stats_util import TO_DECISION, apply_, build, link, move

pytestmark = pytest.mark.db
SYSTEM = Actor.system()
S = Stage


def _today() -> Period:
    now = utcnow()
    return statistics.parse_period((now - timedelta(days=1)).date().isoformat(), now.date().isoformat())


def test_funnel_counts_people_not_applications(env: Env) -> None:
    build(env)
    r = statistics.report(env.db, actor=env.actor(Role.SUPERVISOR), period=_today())
    f = {m: v["all"] for m, v in r.funnel.items()}
    assert f == {
        "contacts": 12, "surrender_requested": 5, "surrender_arranged": 5, "in_custody": 3, "custody_to_asylum": 3,
        "applications": 10, "screened": 5, "decided": 5, "granted": 5, "refused": 0, "excluded": 0, "arrived": 3,
        "withdrawn": 1, "appeals": 2, "appeal_granted": 2, "appeal_upheld": 0,
    }
    apps = r.funnel["applications"]
    assert (apps["mobilization_evader"], apps["deserter"], apps["surrendering_soldier"]) == (3, 1, 3)
    assert (apps["dissident"], apps["war_refugee"], apps["prisoner_of_war"]) == (3, 1, 0)
    removed = {e.name: (e.low, e.high) for e in r.removed}
    assert removed == {"surrendered": (3, 3), "deserters": (0, 1), "evaded_mobilisation": (1, 1), "total": (4, 5)}
    assert r.durations["total"]["all"]["n"] == 2 and r.durations["total"]["all"]["p50"] == 0
    assert r.backlog["received"]["0-7"] == [2, 4] and r.backlog["surrender_arranged"]["0-7"] == [1, 2]
    assert sum(r.monthly["applications"].values()) == 10
    assert r.not_available == []


def test_a_period_without_events_counts_nothing(env: Env) -> None:
    build(env)
    period = statistics.parse_period("2020-01-01", "2020-12-31")
    r = statistics.report(env.db, actor=env.actor(Role.AUDITOR), period=period)
    assert all(v["all"] == 0 for v in r.funnel.values())


def test_refresh_is_incremental_and_follows_links_both_ways(env: Env) -> None:
    ids = build(env)
    period = _today()
    supervisor = env.actor(Role.SUPERVISOR)
    assert statistics.report(env.db, actor=supervisor, period=period).funnel["screened"]["all"] == 5
    move(env, ids["g"], S.SCREENING, S.REVIEW)  # a later change is folded in by the next report
    assert statistics.report(env.db, actor=supervisor, period=period).funnel["screened"]["all"] == 6
    with env.db.uow() as uow:  # the duplicate is dismissed after all: two people again
        uow.session.execute(update(IdentityLink).values(status="dismissed", decided_at=utcnow()))
        uow.commit()
    r = statistics.report(env.db, actor=supervisor, period=period)
    assert r.funnel["applications"]["all"] == 12 and r.funnel["withdrawn"]["all"] == 3


def test_rollup_and_python_counting_rules_agree(env: Env) -> None:
    """The maintained rollup and the plain rules (`units.reached` over every fact row) give the same answer."""
    build(env)
    period = _today()
    rolled = statistics.report(env.db, actor=SYSTEM, period=period).funnel
    with env.db.uow(readonly=True) as uow:
        clusters: dict[str, list[Unit]] = defaultdict(list)
        for row in uow.session.query(CaseFactRow).all():
            clusters[row.cluster_id].append(stats_tally._unit(row))
        units = [merge(sorted(us, key=lambda u: u.case_ids)) for us in clusters.values()]
    plain: stats_tally.Tally = defaultdict(lambda: {m: [0, 0] for m in MEASURES})
    for u in units:
        for m, hit in reached(u, period).items():
            if hit:
                plain[(u.pathways, int(u.priority == "P1"))][m][0] += u.people
    assert statistics._funnel(dict(plain)) == rolled


def test_full_rebuild_gives_the_same_answer(env: Env) -> None:
    build(env)
    period = _today()
    before = statistics.report(env.db, actor=SYSTEM, period=period)
    assert stats_facts.refresh(env.db, full=True) == 7
    after = statistics.report(env.db, actor=SYSTEM, period=period)
    assert (after.funnel, after.durations, after.monthly) == (before.funnel, before.durations, before.monthly)


def test_reports_are_audited_and_need_the_stats_grant(env: Env) -> None:
    with pytest.raises(Exception, match="role"):
        statistics.report(env.db, actor=env.actor(Role.CASEWORKER), period=_today())
    statistics.report(env.db, actor=env.actor(Role.AUDITOR), period=_today())
    with env.db.uow(readonly=True) as uow:
        assert uow.session.query(AuditEntry).filter_by(event="stats.reported").count() == 1


@pytest.mark.parametrize(("start", "end"), [("2026-13-01", "2026-12-31"), ("2026-02-01", "2026-01-01"),
                                            ("yesterday", "2026-01-01"), ("1900-01-01", "2026-01-01")])
def test_bad_periods_are_refused_clearly(start: str, end: str) -> None:
    with pytest.raises(InvalidInput):
        statistics.parse_period(start, end)


def test_arrival_rules(env: Env) -> None:
    ids = build(env)
    supervisor = env.actor(Role.SUPERVISOR)
    today = utcnow().date()
    with pytest.raises(InvalidInput, match="granted"):
        statistics.record_arrival(env.db.uow(), actor=supervisor, case_id=ids["g"], arrived_on=today)
    with pytest.raises(InvalidInput, match="already"):
        statistics.record_arrival(env.db.uow(), actor=supervisor, case_id=ids["a"], arrived_on=today)
    with pytest.raises(InvalidInput, match="future"):
        statistics.record_arrival(env.db.uow(), actor=supervisor, case_id=ids["f"],
                                  arrived_on=today + timedelta(days=2))
    with pytest.raises(NotFound):
        statistics.record_arrival(env.db.uow(), actor=env.actor(Role.ADMIN), case_id=ids["f"], arrived_on=today)
    with pytest.raises(InvalidInput, match="before"):
        statistics.record_arrival(env.db.uow(), actor=supervisor, case_id=ids["f"],
                                  arrived_on=today - timedelta(days=400))
    statistics.record_arrival(env.db.uow(), actor=supervisor, case_id=ids["f"], arrived_on=today)
    r = statistics.report(env.db, actor=supervisor, period=_today())
    assert r.funnel["arrived"]["all"] == 5


def _decided_case(env: Env, outcome: Outcome, destination: str) -> str:
    case_id = apply_(env, {Pathway.DESERTER})
    move(env, case_id, *TO_DECISION)
    evaluations.evaluate_case(env.db.uow(), actor=SYSTEM, case_id=case_id)
    basis = {"eu": "eu_qd_9_2_e", "other": "humanitarian_parole"}[destination] if outcome is Outcome.GRANT else None
    decide(env, SYSTEM, case_id, outcome, legal_basis=basis, destination=destination)
    return case_id


def test_steps_after_a_decision_are_counted_per_destination_in_people(env: Env) -> None:
    """The latest decision's destination counts; a person decided twice (two applications) counts once."""
    build(env)
    _decided_case(env, Outcome.REFUSE, "other")  # one more person, refused for the other route
    first = _decided_case(env, Outcome.REFUSE, "other")  # one person, two applications: refused, then
    second = _decided_case(env, Outcome.GRANT, "eu")  # granted for the EU (the latest decision)
    link(env, first, second)
    r = statistics.report(env.db, actor=env.actor(Role.SUPERVISOR), period=_today())
    d = r.destinations
    assert d["decided"] == {"eu": 6, "other": 1}
    assert d["granted"] == {"eu": 6} and d["refused"] == {"other": 1} and d["excluded"] == {}
    assert d["arrived"] == {"eu": 3} and d["appeal_granted"] == {"eu": 2}
    for step, per in d.items():  # the destinations add up to the funnel's "everyone"
        assert sum(per.values()) == r.funnel[step]["all"], step
    assert r.destination_codes() == ["eu", "other"]
    assert r.destination_names["other"].startswith("Other receiving state")


def test_decisions_from_before_the_destination_column_are_filled_in_or_counted_as_not_recorded(env: Env) -> None:
    """Migration 0011's follow-up: codes come out of the sealed reasons; an erased case's stay "not recorded"."""
    build(env)
    erased = _decided_case(env, Outcome.REFUSE, "other")
    with env.db.uow() as uow:  # as before migration 0011: no decision has its destination in clear
        uow.session.execute(update(DecisionRow).values(destination=None))
        uow.commit()
    request_id = erasure.request_erasure(env.db.uow(), actor=SYSTEM, case_id=erased, reason="applicant_request")
    erasure.approve_erasure(env.db.uow(), actor=SYSTEM, request_id=request_id)
    stats_facts.refresh(env.db, full=True)
    r = statistics.report(env.db, actor=SYSTEM, period=_today())
    assert r.destinations["decided"] == {NOT_RECORDED: 6} and r.destination_codes() == ["eu", "other", NOT_RECORDED]

    assert decisions.fill_destinations(env.db) == (3, 1)  # a's, f's two; the erased case's cannot be opened
    assert decisions.fill_destinations(env.db) == (0, 1)  # idempotent
    r = statistics.report(env.db, actor=SYSTEM, period=_today())  # the summary was rebuilt, no --rebuild needed
    assert r.destinations["decided"] == {"eu": 5, NOT_RECORDED: 1}
    assert r.destinations["refused"] == {NOT_RECORDED: 1}
