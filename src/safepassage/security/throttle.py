"""Failure throttling in the database (so it holds across stateless app processes).

Keys are keyed hashes: an account name, a client address or a receipt never appear in clear.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from safepassage.domain.errors import TooManyAttempts
from safepassage.store.models import LoginFailure
from safepassage.store.types import utcnow

WINDOW = timedelta(minutes=1)
ACCOUNT_LIMIT = 5  # failures per account per minute (the figure)
ADDRESS_LIMIT = 30  # failures per client address per minute: stops spraying across accounts
RECEIPT_LIMIT = 10  # failed status checks per receipt per minute
KEEP = timedelta(hours=1)


def key(secret: bytes, kind: str, value: str) -> str:
    """A keyed hash naming what is throttled."""
    return hmac.new(secret, f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()


def check(session: Session, limits: list[tuple[str, int]]) -> None:
    """Raise TooManyAttempts if any key has reached its limit within the window."""
    since = utcnow() - WINDOW
    for key_hash, limit in limits:
        count = (
            session.scalar(
                select(func.count())
                .select_from(LoginFailure)
                .where(LoginFailure.key_hash == key_hash, LoginFailure.at >= since)
            )
            or 0
        )
        if count >= limit:
            raise TooManyAttempts("Too many failed attempts. Wait a minute and try again.")


def record(session: Session, keys: list[str]) -> None:
    """Count one failure against each key, and forget failures older than an hour."""
    now = utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP))
    session.add_all(LoginFailure(key_hash=k, at=now) for k in keys)
