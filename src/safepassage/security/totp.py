"""TOTP second factor (RFC 6238 via pyotp) with replay protection; seeds are sealed at rest."""

from __future__ import annotations

import time
import uuid

import pyotp

from safepassage.security.crypto import DataKey
from safepassage.security.secrets import derive_key

ISSUER = "Safe Passage"
_SEAL_ID = uuid.UUID(int=1)  # a fixed id: the sealing key is derived, not stored


def new_seed() -> str:
    """A fresh random base32 TOTP seed (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(seed: str, username: str) -> str:
    """The otpauth:// URI an authenticator app enrols from (shown once, at account creation)."""
    return pyotp.TOTP(seed).provisioning_uri(name=username, issuer_name=ISSUER)


def _sealer(secret_key: bytes) -> DataKey:
    return DataKey(_SEAL_ID, derive_key(secret_key, "totp-seed"))


def seal_seed(secret_key: bytes, user_id: str, seed: str) -> bytes:
    """Encrypt a seed bound to its user row (the key is derived from the secret key, outside the DB)."""
    return _sealer(secret_key).encrypt(seed.encode(), table="users", column="totp_secret", row_id=user_id)


def open_seed(secret_key: bytes, user_id: str, sealed: bytes) -> str:
    """Decrypt a sealed seed."""
    return _sealer(secret_key).decrypt(sealed, table="users", column="totp_secret", row_id=user_id).decode()


def accept(seed: str, code: str, *, last_step: int | None, now: float | None = None) -> int | None:
    """The time step a code belongs to (±1 step of clock drift), or None; a step at or before
    `last_step` is refused, so each code works once."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(seed)
    at = time.time() if now is None else now
    step_now = int(at) // totp.interval
    for step in (step_now, step_now - 1, step_now + 1):
        if (last_step is None or step > last_step) and totp.verify(code, for_time=step * totp.interval):
            return step
    return None


def current_code(seed: str) -> str:
    """The code an authenticator shows now (for the demo helper and tests)."""
    return pyotp.TOTP(seed).now()
