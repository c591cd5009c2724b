"""Key rotation: re-wrap every data key under the current KEK while the service keeps working."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import func, select

from safepassage.security.audit import AuditEvent
from safepassage.store.models import DataKeyRow
from safepassage.store.uow import Actor, Database

BATCH = 500


def rotate_kek(db: Database, *, actor: Actor, progress: Callable[[int], None] | None = None) -> int:
    """Re-wrap all data keys not yet under the current KEK, in short transactions; returns how many."""
    ring = db.ring
    done = 0
    while True:
        with db.uow() as uow:
            rows = uow.session.scalars(
                select(DataKeyRow)
                .where(DataKeyRow.kek_id != ring.kek_id, DataKeyRow.wrapped.is_not(None))
                .order_by(DataKeyRow.id)
                .limit(BATCH)
                .with_for_update()
            ).all()
            if not rows:
                return done
            for row in rows:
                assert row.wrapped is not None
                dk = ring.unwrap(uuid.UUID(row.id), row.wrapped, row.kek_id)
                row.wrapped, row.kek_id = ring.wrap(dk), ring.kek_id
            uow.audit.record(actor, AuditEvent.KEYS_REWRAPPED, "data_keys", None, fields=(f"count:{len(rows)}",))
            uow.commit()
            done += len(rows)
            if progress:
                progress(len(rows))


def keys_not_under_current(db: Database) -> int:
    """How many live data keys are still wrapped by an earlier KEK."""
    with db.uow(readonly=True) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(DataKeyRow)
                .where(DataKeyRow.kek_id != db.ring.kek_id, DataKeyRow.wrapped.is_not(None))
            )
            or 0
        )
