"""Secrets people and machines hold: staff passwords, session tokens, applicant passphrases."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from safepassage.domain.errors import InvalidInput

_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
MIN_PASSWORD = 12


@functools.cache
def _dummy_hash() -> str:
    """An Argon2 hash of a random string, verified against for unknown users so timing does not tell.

    Made on first use, not at import: every CLI start would otherwise pay for it."""
    return _HASHER.hash(secrets.token_urlsafe(16))


# Applicant passphrases: 20 random characters from 31 unambiguous ones (about 99 bits), in groups
# of four so that they can be written down and typed on a phone.
_PASS_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet, not a password


def hash_password(password: str) -> str:
    """Argon2id hash of a staff password, after checking its length."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Password must have at least {MIN_PASSWORD} characters.")
    if len(password) > 1024:
        raise InvalidInput("Password is too long (at most 1024 characters).")
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password; takes the same time whether or not the user exists."""
    try:
        return _HASHER.verify(stored or _dummy_hash(), password[:1024]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def new_session_token() -> str:
    """A 256-bit random session token (only its hash is stored)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 of a high-entropy token: enough, since the token itself is unguessable."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_passphrase() -> str:
    """A high-entropy applicant passphrase such as 'k3fq-8mwz-t2hx-pr9a-n7dc' (about 99 bits)."""
    raw = "".join(secrets.choice(_PASS_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def normalise_passphrase(text: str) -> str:
    """Forgive case, spaces and dashes in a typed passphrase."""
    return "".join(ch for ch in text.lower() if ch.isalnum())[:64]


def passphrase_hash(key: bytes, receipt: str, passphrase: str) -> str:
    """Keyed hash (HMAC-SHA256) binding a passphrase to its receipt; the key lives outside the DB."""
    msg = f"{receipt}|{normalise_passphrase(passphrase)}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def constant_eq(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A purpose-specific 256-bit subkey (HKDF-SHA256), so one leaked use does not expose the others."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"safepassage/{purpose}".encode()).derive(secret)
