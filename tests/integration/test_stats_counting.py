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

from safepassage.domain.errors import InvalidInput, NotFound
from safepassage.domain.stages import Stage
from safepassage.security.policy import Role
from safepassage.services import statistics, stats_facts, stats_tally
from safepassage.stats.units import MEASURES, Period, Unit, merge, reached
from safepassage.store.models import AuditEntry
from safepassage.store.models_screening import IdentityLink
from safepassage.store.models_stats import CaseFactRow
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor
from tests.conftest import Env
from tests.stats_util import build, move

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
    assert "destination" in r.not_available


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
