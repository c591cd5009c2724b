"""Staff accounts and sessions: create users, log in and out, step up, resolve a session to an actor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from safepassage.domain.errors import Conflict, InvalidInput, Unauthenticated
from safepassage.security import throttle, totp
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
STEP_UP_WINDOW = timedelta(minutes=15)  # identity and family data need a password check this recent
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
BAD_LOGIN = "Wrong username, password or code."


@dataclass(frozen=True)
class NewUser:
    """A created account and its TOTP enrolment URI (shown once)."""

    user_id: str
    totp_uri: str


def create_user(uow: UnitOfWork, *, actor: Actor, username: str, role: Role, password: str) -> NewUser:
    """Create a staff account with a TOTP second factor (admins, or the system from the CLI)."""
    require(actor, Action.MANAGE_USERS, (FieldClass.NONE,))
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput("Username: 2–63 characters, lower-case letters, digits, '.', '_' or '-'.")
    pw_hash = hash_password(password)
    seed = totp.new_seed()
    with uow:
        if uow.get_user_by_name(name) is not None:
            raise Conflict(f"A user named {name!r} already exists.")
        user = User(username=name, role=role.value, password_hash=pw_hash)
        uow.session.add(user)
        uow.session.flush()
        user.totp_secret = totp.seal_seed(uow.secret_key, user.id, seed)
        uow.audit.record(actor, AuditEvent.USER_CREATED, "user", user.id, fields=("role",))
        uow.commit()
        return NewUser(user.id, totp.provisioning_uri(seed, name))


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


def _check_credentials(uow: UnitOfWork, user: User | None, password: str, code: str | None) -> bool:
    """Password and (when enrolled) TOTP; the Argon2 work is done even for unknown users."""
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        return False
    if user.totp_secret is None:
        return True  # accounts made outside the service (none in production) have no second factor
    step = totp.accept(
        totp.open_seed(uow.secret_key, user.id, user.totp_secret), code or "", last_step=user.totp_last_step
    )
    if step is None:
        return False
    user.totp_last_step = step  # each code works once
    return True


def _verified_user(uow: UnitOfWork, *, username: str, password: str, code: str | None, client: str = "") -> User:
    """The user whose password and code these are, or Unauthenticated; failures are throttled and audited.

    Throttled per account (5 failures a minute) and per client address; the answer to a throttled
    attempt does not depend on whether the account exists.
    """
    name = username.strip().lower()[:64]
    keys = [(throttle.key(uow.secret_key, "account", name), throttle.ACCOUNT_LIMIT)]
    if client:
        keys.append((throttle.key(uow.secret_key, "address", client), throttle.ADDRESS_LIMIT))
    throttle.check(uow.session, keys)
    # No username holds a NUL (create_user forbids it) and PostgreSQL refuses one in a query: treat as unknown.
    user = uow.get_user_by_name(name) if "\x00" not in name else None
    if not _check_credentials(uow, user, password, code) or user is None:
        throttle.record(uow.session, [k for k, _ in keys])
        uow.audit.record(Actor("anonymous", "anonymous"), AuditEvent.LOGIN_FAILED, "user", user.id if user else None)
        uow.commit()
        raise Unauthenticated(BAD_LOGIN)
    return user


def login(uow: UnitOfWork, *, username: str, password: str, code: str | None = None, client: str = "") -> Session:
    """Check credentials and open a fresh session; unknown user and wrong password answer the same."""
    with uow:
        user = _verified_user(uow, username=username, password=password, code=code, client=client)
        token = new_session_token()  # a new token at every login: no session fixation
        now = utcnow()
        uow.session.add(
            StaffSession(
                token_hash=token_hash(token),
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
                reauth_at=now,
                expires_at=now + ABSOLUTE_TIMEOUT,
            )
        )
        uow.audit.record(Actor("staff", user.role, user.id), AuditEvent.LOGIN_SUCCEEDED, "user", user.id)
        uow.commit()
        return Session(token, user.id, user.role, now + ABSOLUTE_TIMEOUT)


def step_up(uow: UnitOfWork, *, actor: Actor, token: str, password: str, code: str | None = None) -> None:
    """Re-check password and second factor to reveal identity and family data for STEP_UP_WINDOW."""
    with uow:
        keys = [(throttle.key(uow.secret_key, "account-id", actor.user_id or ""), throttle.ACCOUNT_LIMIT)]
        throttle.check(uow.session, keys)
        user = uow.get_user(actor.user_id or "")
        if not _check_credentials(uow, user, password, code):
            throttle.record(uow.session, [k for k, _ in keys])
            uow.audit.record(actor, AuditEvent.STEP_UP_FAILED, "user", actor.user_id)
            uow.commit()
            raise Unauthenticated(BAD_LOGIN)
        sess = uow.session.get(StaffSession, token_hash(token))
        if sess is not None:
            sess.reauth_at = utcnow()
        uow.audit.record(actor, AuditEvent.STEP_UP, "user", actor.user_id)
        uow.commit()


def confirm_identity(uow: UnitOfWork, *, username: str, password: str, code: str | None) -> Actor:
    """Check a staff member's password and code without opening a session (CLI four-eyes steps)."""
    with uow:
        user = _verified_user(uow, username=username, password=password, code=code)
        uow.commit()  # the TOTP step just used
        return Actor("staff", user.role, user.id, stepped_up=True)


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
        return Actor("staff", user.role, user.id, stepped_up=now - sess.reauth_at <= STEP_UP_WINDOW)
