"""Staff accounts and sessions: create users, log in and out, resolve a session to an actor."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import delete, select

from safepassage.domain.errors import Conflict, InvalidInput, Unauthenticated
from safepassage.security.access import require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass, Role
from safepassage.security.secrets import hash_password, new_session_token, token_hash, verify_password
from safepassage.services.views import Session
from safepassage.store.models import StaffSession, User
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, UnitOfWork

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
BAD_LOGIN = "Wrong username or password."


def create_user(uow: UnitOfWork, *, actor: Actor, username: str, role: Role, password: str) -> str:
    """Create a staff account (admins, or the system from the CLI); returns the user id."""
    require(actor, Action.MANAGE_USERS, (FieldClass.NONE,))
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput("Username: 2–63 characters, lower-case letters, digits, '.', '_' or '-'.")
    pw_hash = hash_password(password)
    with uow:
        if uow.get_user_by_name(name) is not None:
            raise Conflict(f"A user named {name!r} already exists.")
        user = User(username=name, role=role.value, password_hash=pw_hash)
        uow.session.add(user)
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.USER_CREATED, "user", user.id, fields=("role",))
        uow.commit()
        return user.id


def set_user(
    uow: UnitOfWork,
    *,
    actor: Actor,
    user_id: str,
    role: Role | None = None,
    disabled: bool | None = None,
    password: str | None = None,
) -> None:
    """Change a user's role, status or password; every existing session of theirs ends."""
    require(actor, Action.MANAGE_USERS, (FieldClass.NONE,))
    with uow:
        user = uow.get_user(user_id)
        if user is None:
            raise InvalidInput("No such user.")
        changed = []
        if role is not None:
            user.role, changed = role.value, [*changed, "role"]
        if disabled is not None:
            user.disabled, changed = disabled, [*changed, "disabled"]
        if password is not None:
            user.password_hash, changed = hash_password(password), [*changed, "password"]
        uow.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        uow.audit.record(actor, AuditEvent.USER_UPDATED, "user", user.id, fields=changed)
        uow.commit()


def login(uow: UnitOfWork, *, username: str, password: str) -> Session:
    """Check credentials and open a session; unknown user and wrong password answer the same."""
    with uow:
        user = uow.get_user_by_name(username.strip().lower()[:64])
        ok = verify_password(user.password_hash if user else None, password)
        if user is None or not ok or user.disabled:
            uow.audit.record(
                Actor("anonymous", "anonymous"), AuditEvent.LOGIN_FAILED, "user", user.id if user else None
            )
            uow.commit()
            raise Unauthenticated(BAD_LOGIN)
        token = new_session_token()
        now = utcnow()
        uow.session.add(
            StaffSession(
                token_hash=token_hash(token),
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + ABSOLUTE_TIMEOUT,
            )
        )
        uow.audit.record(Actor("staff", user.role, user.id), AuditEvent.LOGIN_SUCCEEDED, "user", user.id)
        uow.commit()
        return Session(token, user.id, user.role, now + ABSOLUTE_TIMEOUT)


def logout(uow: UnitOfWork, *, actor: Actor, token: str) -> None:
    """End this session."""
    with uow:
        uow.session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))
        uow.audit.record(actor, AuditEvent.LOGOUT, "user", actor.user_id)
        uow.commit()


def authenticate(uow: UnitOfWork, *, token: str) -> Actor:
    """Resolve a session token to a staff actor; expired, idle or revoked sessions are refused."""
    with uow:
        row = uow.session.execute(
            select(StaffSession, User)
            .join(User, User.id == StaffSession.user_id)
            .where(StaffSession.token_hash == token_hash(token))
        ).first()
        now = utcnow()
        if row is None:
            raise Unauthenticated("Please log in.")
        sess, user = row
        if user.disabled or now >= sess.expires_at or now - sess.last_seen_at > IDLE_TIMEOUT:
            uow.session.delete(sess)
            uow.commit()
            raise Unauthenticated("Your session has ended. Please log in again.")
        if now - sess.last_seen_at > timedelta(seconds=60):  # bound write traffic: touch once a minute
            sess.last_seen_at = now
            uow.commit()
        return Actor("staff", user.role, user.id)
