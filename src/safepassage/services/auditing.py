"""Reading the audit log back: chain verification."""

from __future__ import annotations

from sqlalchemy import select

from safepassage.security.audit import EntryContent, first_broken
from safepassage.store.models import AuditEntry
from safepassage.store.uow import UnitOfWork


def verify_chain(uow: UnitOfWork) -> tuple[int | None, int]:
    """(seq of the first broken entry or None, entries checked)."""
    with uow:
        rows = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        entries = [
            (EntryContent(r.seq, r.at.isoformat(), r.actor_id, r.actor_role, r.event, r.object_type, r.object_id,
                          tuple(r.fields)), r.prev_hash, r.hash)
            for r in rows
        ]
        return first_broken(uow.audit_key, entries), len(entries)
