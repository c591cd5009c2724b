"""Reading the audit log back: chain verification."""

from __future__ import annotations

from sqlalchemy import select

from safepassage.security.audit import EntryContent, check_anchor, first_broken, sign_anchor
from safepassage.store.models import AuditEntry
from safepassage.store.uow import UnitOfWork


def verify_chain(uow: UnitOfWork) -> tuple[int | None, int]:
    """(seq of the first broken entry or None, entries checked)."""
    with uow:
        rows = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        entries = [
            (
                EntryContent(
                    r.seq,
                    r.at.isoformat(),
                    r.actor_id,
                    r.actor_role,
                    r.event,
                    r.object_type,
                    r.object_id,
                    tuple(r.fields),
                ),
                r.prev_hash,
                r.hash,
            )
            for r in rows
        ]
        return first_broken(uow.audit_key, entries), len(entries)


def anchor(uow: UnitOfWork) -> dict[str, str | int] | None:
    """A signed anchor for the newest entry (None for an empty log)."""
    with uow:
        last = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
        if last is None:
            return None
        return sign_anchor(uow.audit_key, last.seq, last.hash, last.at.isoformat())


def check_anchors(uow: UnitOfWork, anchors: list[dict[str, str | int]]) -> list[str]:
    """Problems found by checking kept anchors against the log (empty when all hold)."""
    with uow:
        problems = []
        for a in anchors:
            row = uow.session.get(AuditEntry, int(a["seq"]))
            problem = check_anchor(uow.audit_key, a, row.hash if row else None)
            if problem:
                problems.append(problem)
        return problems
