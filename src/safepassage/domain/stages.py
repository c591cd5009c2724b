"""The case state machine (DESIGN.md §2): stages and the only moves allowed between them."""

from __future__ import annotations

from enum import StrEnum

from safepassage.domain.errors import IllegalTransition


class Stage(StrEnum):
    """Where a case stands."""

    SURRENDER_REQUESTED = "surrender_requested"
    SURRENDER_ARRANGED = "surrender_arranged"
    IN_CUSTODY = "in_custody"
    RECEIVED = "received"
    SCREENING = "screening"
    REVIEW = "review"
    EXCLUSION_REVIEW = "exclusion_review"
    DECISION_PENDING = "decision_pending"
    GRANTED = "granted"
    REFUSED = "refused"
    EXCLUDED = "excluded"
    APPEAL = "appeal"
    WITHDRAWN = "withdrawn"


DECIDED = frozenset({Stage.GRANTED, Stage.REFUSED, Stage.EXCLUDED})
CLOSED = DECIDED | {Stage.WITHDRAWN}
OPEN = frozenset(Stage) - CLOSED
PRE_JOURNEY = frozenset({Stage.SURRENDER_REQUESTED, Stage.SURRENDER_ARRANGED, Stage.IN_CUSTODY})

_FORWARD: dict[Stage, frozenset[Stage]] = {
    Stage.SURRENDER_REQUESTED: frozenset({Stage.SURRENDER_ARRANGED}),
    Stage.SURRENDER_ARRANGED: frozenset({Stage.IN_CUSTODY}),
    Stage.IN_CUSTODY: frozenset({Stage.RECEIVED}),
    Stage.RECEIVED: frozenset({Stage.SCREENING}),
    # a screening hit confirmed by an analyst goes straight to exclusion review (issue 6)
    Stage.SCREENING: frozenset({Stage.REVIEW, Stage.EXCLUSION_REVIEW}),
    Stage.REVIEW: frozenset({Stage.DECISION_PENDING, Stage.EXCLUSION_REVIEW}),
    Stage.EXCLUSION_REVIEW: frozenset({Stage.DECISION_PENDING}),
    Stage.DECISION_PENDING: DECIDED,
    Stage.REFUSED: frozenset({Stage.APPEAL}),
    Stage.EXCLUDED: frozenset({Stage.APPEAL}),
    Stage.APPEAL: frozenset({Stage.DECISION_PENDING}),
    Stage.GRANTED: frozenset(),
    Stage.WITHDRAWN: frozenset(),
}

#: Every legal move: the forward graph plus "any open stage → withdrawn".
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    stage: targets | ({Stage.WITHDRAWN} if stage in OPEN else frozenset()) for stage, targets in _FORWARD.items()
}


def allowed_targets(stage: Stage) -> frozenset[Stage]:
    """The stages a case in `stage` may move to."""
    return TRANSITIONS[stage]


def check_transition(current: Stage, target: Stage) -> None:
    """Raise IllegalTransition unless `current → target` is a legal move."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (the case is closed)"
        raise IllegalTransition(
            f"A case in stage '{current}' cannot move to '{target}'. Allowed next stages: {allowed}."
        )


def parse_stage(value: str) -> Stage:
    """Parse a stage name, with a clear error for unknown names."""
    try:
        return Stage(value)
    except ValueError:
        raise IllegalTransition(f"Unknown stage '{value[:40]}'.") from None
