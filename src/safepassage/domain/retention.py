"""Retention policy as data: how long a closed case's personal data is kept before erasure."""

from __future__ import annotations

from datetime import datetime, timedelta

from safepassage.domain.stages import Stage

#: Closed stage → how long after the case entered it its personal data is kept. Stages not listed
#: are never erased by retention: open cases, and exclusions (kept for referral to prosecutors).
RETENTION: dict[Stage, timedelta] = {
    Stage.WITHDRAWN: timedelta(days=180),
    Stage.REFUSED: timedelta(days=3 * 365),  # covers the appeal period and a renewed application
    Stage.GRANTED: timedelta(days=5 * 365),  # protection status reviews
}


def due_for_erasure(stage: Stage, stage_changed_at: datetime, now: datetime) -> bool:
    """Whether a case in `stage` since `stage_changed_at` is past its retention period."""
    keep = RETENTION.get(stage)
    return keep is not None and now - stage_changed_at >= keep
