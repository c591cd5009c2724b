"""Access chokepoints: the only way services load protected objects.

"Does not exist" and "not allowed to see it" raise the same NotFound, with the same message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from safepassage.domain.errors import Forbidden, NotFound
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import SENSITIVE, Action, FieldClass, Grant, Role, Scope, grant
from safepassage.store.models import Case
from safepassage.store.uow import Actor, UnitOfWork

CASE_NOT_FOUND = "No such case."


def role_of(actor: Actor) -> Role:
    """The staff role of an actor; anyone else is refused."""
    if actor.kind != "staff":
        raise Forbidden("Staff only.")
    return Role(actor.role)


def require(actor: Actor, action: Action, fields: Iterable[FieldClass] = (FieldClass.CORE,)) -> Grant:
    """The actor's grant for `action` covering `fields`, or Forbidden (route-level check)."""
    if actor.kind == "system":
        return Grant(frozenset(FieldClass), Scope.ANY)
    g = grant(role_of(actor), action)
    wanted = set(fields) - {FieldClass.NONE}
    if g is None or not wanted <= g.fields:
        raise Forbidden("Your role does not allow this.")
    return g


def in_scope(actor: Actor, g: Grant, case: Case) -> bool:
    """Whether a grant's scope covers this case for this actor."""
    return g.scope is Scope.ANY or case.assignee_id in (None, actor.user_id)


def case_for_read(uow: UnitOfWork, actor: Actor, case_id: str, *, fields: Iterable[FieldClass]) -> Case:
    """Load a case to read the given field classes; audits reads of sensitive classes."""
    wanted = frozenset(fields)
    try:
        g = require(actor, Action.READ, wanted)
    except Forbidden:
        raise NotFound(CASE_NOT_FOUND) from None
    case = uow.get_case(case_id)
    if case is None or not in_scope(actor, g, case):
        raise NotFound(CASE_NOT_FOUND)
    sensitive = sorted(f.value for f in wanted & SENSITIVE)
    if sensitive:
        uow.audit.record(actor, AuditEvent.CASE_READ, "case", case.id, fields=sensitive)
    return case


def case_for_update(uow: UnitOfWork, actor: Actor, case_id: str, *, action: Action | Callable[[Case], Action]) -> Case:
    """Load a case, row-locked, for a change the actor's role must hold `action` for.

    `action` may depend on the case (a decision needs DECIDE, ordinary moves TRANSITION).
    """
    case = uow.get_case(case_id, for_update=True)
    if actor.kind == "system":
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        return case
    role = role_of(actor)
    if case is not None and not isinstance(action, Action):
        action = action(case)
    g = grant(role, action) if isinstance(action, Action) else None
    can_see = grant(role, Action.READ) is not None
    if case is None or (g is None and not can_see):
        raise NotFound(CASE_NOT_FOUND)
    if g is None:
        raise Forbidden("Your role does not allow this.")
    if not in_scope(actor, g, case):
        raise Forbidden("This case is assigned to someone else.")
    return case
