"""Systems' tokens for the match API: created and revoked by an admin, only a hash stored, expiring.

A token acts with a staff role's grants but is accepted by the match API only (see
`authenticate_matcher`); its role must hold Action.MATCH. Every use is audited — who, when, which
list — and never what was asked.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from safepassage.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from safepassage.security.access import require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass, Role, allows
from safepassage.security.secrets import token_hash
from safepassage.services import staff
from safepassage.store.models_watchlists import ApiToken
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, Database

PREFIX = "sptok_"
MAX_DAYS = 366
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
NONE = (FieldClass.NONE,)


@dataclass(frozen=True)
class NewToken:
    """A created token: the secret is shown once and never stored."""

    id: str
    name: str
    role: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed (no secret, no hash)."""

    id: str
    name: str
    role: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def create_token(db: Database, *, actor: Actor, name: str, role: Role, days: int = 90) -> NewToken:
    """Create a match-API token for a system; the role must be allowed to match."""
    require(actor, Action.MANAGE_API_TOKENS, NONE)
    name = name.strip().lower()
    if not _NAME.match(name):
        raise InvalidInput("Token name: 2–63 characters, lower-case letters, digits, '.', '_' or '-'.")
    if not allows(role, Action.MATCH, FieldClass.EXCLUSION):
        allowed = ", ".join(r.value for r in Role if allows(r, Action.MATCH, FieldClass.EXCLUSION))
        raise InvalidInput(f"A token's role must be allowed to use the match API: {allowed}.")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"Validity: 1 to {MAX_DAYS} days.")
    token = PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=days)
    with db.uow() as uow:
        if uow.session.scalars(select(ApiToken).where(ApiToken.name == name)).first() is not None:
            raise Conflict(f"A token named {name!r} already exists.")
        row = ApiToken(name=name, role=role.value, token_hash=token_hash(token), created_by=actor.user_id,
                       expires_at=expires)
        uow.session.add(row)
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.API_TOKEN_CREATED, "api_token", row.id, fields=("role",))
        uow.commit()
        return NewToken(row.id, name, role.value, token, expires)


def revoke_token(db: Database, *, actor: Actor, name: str) -> None:
    """Revoke a token at once (it answers 401 from now on)."""
    require(actor, Action.MANAGE_API_TOKENS, NONE)
    with db.uow() as uow:
        row = uow.session.scalars(select(ApiToken).where(ApiToken.name == name.strip().lower())).first()
        if row is None:
            raise NotFound("No such token.")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            uow.audit.record(actor, AuditEvent.API_TOKEN_REVOKED, "api_token", row.id)
        uow.commit()


def list_tokens(db: Database, *, actor: Actor) -> list[TokenInfo]:
    """Every token, newest first."""
    require(actor, Action.MANAGE_API_TOKENS, NONE)
    with db.uow(readonly=True) as uow:
        rows = uow.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc()))
        return [TokenInfo(r.id, r.name, r.role, r.created_at, r.expires_at, r.revoked_at, r.last_used_at)
                for r in rows]


def authenticate_token(db: Database, *, token: str) -> Actor | None:
    """The actor of a live API token; None if it is not an API token; 401 if expired or revoked."""
    if not token.startswith(PREFIX):
        return None
    with db.uow() as uow:
        row = uow.session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
        now = utcnow()
        if row is None:
            raise Unauthenticated("Unknown API token.")
        if row.revoked_at is not None or now >= row.expires_at:
            raise Unauthenticated("This API token was revoked or has expired; ask an administrator for a new one.")
        if row.last_used_at is None or now - row.last_used_at > timedelta(seconds=60):
            row.last_used_at = now  # once a minute at most: bounded write traffic
            uow.commit()
        return Actor("token", row.role, row.id)


def authenticate_matcher(db: Database, *, token: str) -> Actor:
    """A staff session or a system's API token (match API only), or 401."""
    actor = authenticate_token(db, token=token)
    return actor if actor is not None else staff.authenticate(db.uow(), token=token)
