"""Reads the console pages need that the other services do not offer.

The queue with masked names (initials only, each read audited), staff lists for assignment and the
users page, and a case's audit trail. Every function takes `actor=` and checks the policy table.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from safepassage.domain.errors import NotFound
from safepassage.domain.pathways import Pathway, Priority
from safepassage.domain.stages import Stage
from safepassage.security.access import case_for_read, require, role_of
from safepassage.security.policy import Action, FieldClass, Role, readable_fields
from safepassage.services.casework import QueueFilter, count, summary
from safepassage.services.views import CaseSummary
from safepassage.store.models import AuditEntry, Case, User
from safepassage.store.uow import Actor, UnitOfWork

MAX_PAGE = 100
#: Sort keys the queue offers, each with a tie-breaker so pages never overlap.
SORTS = {
    "priority": (Case.priority, Case.created_at, Case.id),
    "created": (Case.created_at, Case.id),
    "updated": (Case.updated_at, Case.id),
    "stage": (Case.stage, Case.priority, Case.id),
}


@dataclass(frozen=True)
class QueueRow:
    """A queue row: core fields and, for roles that may read identity, the principal's initials."""

    case: CaseSummary
    initials: str | None


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue and how many cases matched."""

    rows: list[QueueRow]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class StaffMember:
    """A staff account as the users page shows it (no password material)."""

    id: str
    username: str
    role: str
    disabled: bool
    second_factor: bool
    created_at: datetime


@dataclass(frozen=True)
class TrailEntry:
    """One audit entry about a case: what happened, by which role, to which field classes."""

    at: datetime
    event: str
    actor_role: str
    actor_id: str | None
    fields: list[str]


def initials(first: str, last: str) -> str:
    """'П. А.' for Петров Алексей: the first letter of each name, invisible characters skipped."""
    out = []
    for part in (last, first):
        letter = next((ch for ch in part if unicodedata.category(ch).startswith("L")), "")
        if letter:
            out.append(f"{letter.upper()}.")
    return " ".join(out) or "—"


def queue(
    uow: UnitOfWork,
    *,
    actor: Actor,
    stage: Stage | None = None,
    pathway: Pathway | None = None,
    priority: Priority | None = None,
    assignee_id: str | None = None,
    language: str | None = None,
    sort: str = "priority",
    descending: bool = False,
    limit: int = 25,
    offset: int = 0,
) -> QueuePage:
    """The case queue with names masked to initials; each initials read is audited like any identity read."""
    require(actor, Action.LIST)
    limit, offset = max(1, min(MAX_PAGE, limit)), max(0, offset)
    masked = FieldClass.IDENTITY in readable_fields(role_of(actor)) and actor.stepped_up
    with uow:
        stmt = QueueFilter(stage, pathway, priority, assignee_id, language).statement()
        total = count(uow, stmt)
        keys = SORTS.get(sort, SORTS["priority"])
        order = [k.desc() for k in keys] if descending else list(keys)
        cases = uow.session.scalars(stmt.order_by(*order).limit(limit).offset(offset)).all()
        rows = [QueueRow(summary(c), _initials(uow, actor, c) if masked else None) for c in cases]
        uow.commit()  # the audit entries of the identity reads
        return QueuePage(rows, int(total), limit, offset)


def _initials(uow: UnitOfWork, actor: Actor, case: Case) -> str | None:
    if case.erased_at is not None:
        return None  # nothing left to show
    try:
        case_for_read(uow, actor, case.id, fields=(FieldClass.IDENTITY,))
    except NotFound:
        return None
    dk = uow.keys.for_case(case)
    for row in case.persons:
        if row.is_principal:
            name = dk.open_json(row.payload, table="persons", column="payload", row_id=row.id)["person"]["name"]
            return initials(name.get("first", ""), name.get("last", ""))
    return None


def staff_names(uow: UnitOfWork, *, actor: Actor) -> dict[str, str]:
    """User id → username, to show who is assigned or who acted (any staff member may see colleagues)."""
    role_of(actor)
    with uow:
        return {u.id: u.username for u in uow.session.scalars(select(User))}


def caseworkers(uow: UnitOfWork, *, actor: Actor) -> list[tuple[str, str]]:
    """Active caseworkers as (id, username), for assignment and the queue filter."""
    require(actor, Action.LIST)
    with uow:
        users = uow.session.scalars(
            select(User).where(User.role == Role.CASEWORKER.value, User.disabled.is_(False)).order_by(User.username)
        )
        return [(u.id, u.username) for u in users]


def list_users(uow: UnitOfWork, *, actor: Actor) -> list[StaffMember]:
    """Every staff account, for admins."""
    require(actor, Action.MANAGE_USERS, (FieldClass.NONE,))
    with uow:
        users = uow.session.scalars(select(User).order_by(User.username))
        return [
            StaffMember(u.id, u.username, u.role, u.disabled, getattr(u, "totp_secret", None) is not None, u.created_at)
            for u in users
        ]


def case_trail(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[TrailEntry]:
    """The audit entries about one case (ids and field-class names only), oldest first."""
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.CORE,))
        entries = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == case.id).order_by(AuditEntry.seq)
        ).all()
        return [TrailEntry(e.at, e.event, e.actor_role, e.actor_id, list(e.fields or [])) for e in entries]
