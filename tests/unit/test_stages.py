"""The case state machine: every legal move allowed, every other move refused with a clear error."""

from __future__ import annotations

import itertools

import pytest

from safepassage.domain.errors import IllegalTransition
from safepassage.domain.stages import CLOSED, DECIDED, OPEN, TRANSITIONS, Stage, check_transition, parse_stage

LEGAL = {
    (Stage.SURRENDER_REQUESTED, Stage.SURRENDER_ARRANGED),
    (Stage.SURRENDER_ARRANGED, Stage.IN_CUSTODY),
    (Stage.IN_CUSTODY, Stage.RECEIVED),
    (Stage.RECEIVED, Stage.SCREENING),
    (Stage.SCREENING, Stage.REVIEW),
    (Stage.SCREENING, Stage.EXCLUSION_REVIEW),
    (Stage.REVIEW, Stage.DECISION_PENDING),
    (Stage.REVIEW, Stage.EXCLUSION_REVIEW),
    (Stage.EXCLUSION_REVIEW, Stage.DECISION_PENDING),
    (Stage.DECISION_PENDING, Stage.GRANTED),
    (Stage.DECISION_PENDING, Stage.REFUSED),
    (Stage.DECISION_PENDING, Stage.EXCLUDED),
    (Stage.REFUSED, Stage.APPEAL),
    (Stage.EXCLUDED, Stage.APPEAL),
    (Stage.APPEAL, Stage.DECISION_PENDING),
} | {(s, Stage.WITHDRAWN) for s in OPEN}


def test_the_table_is_exactly_the_design() -> None:
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == LEGAL


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_move_is_allowed(current: Stage, target: Stage) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [p for p in itertools.product(Stage, Stage) if p not in LEGAL])
def test_illegal_move_is_refused(current: Stage, target: Stage) -> None:
    with pytest.raises(IllegalTransition) as info:
        check_transition(current, target)
    assert current.value in info.value.message and target.value in info.value.message


def test_closed_cases_go_nowhere_but_appeal() -> None:
    assert TRANSITIONS[Stage.GRANTED] == frozenset() and TRANSITIONS[Stage.WITHDRAWN] == frozenset()
    assert all(TRANSITIONS[s] == {Stage.APPEAL} for s in DECIDED - {Stage.GRANTED})
    assert Stage.WITHDRAWN in CLOSED and Stage.APPEAL in OPEN


def test_unknown_stage_is_a_domain_error() -> None:
    with pytest.raises(IllegalTransition):
        parse_stage("<script>")
