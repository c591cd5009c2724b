"""Field encryption: AES-GCM under per-case data keys, wrapped by a key-encryption key (KEK).

Ciphertext layout: version (1 byte) | key id (16 bytes, the data key's UUID) | nonce (12) | ct+tag.
The AAD binds each value to its table, column and row, so a ciphertext copied elsewhere fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
_NONCE = 12


class DecryptionError(Exception):
    """A ciphertext is damaged, truncated, or bound to another place or key."""


def _aad(table: str, column: str, row_id: str) -> bytes:
    return f"safepassage|{table}|{column}|{row_id}".encode()


@dataclass(frozen=True)
class DataKey:
    """An unwrapped per-case data key, identified by its UUID."""

    id: uuid.UUID
    key: bytes

    @classmethod
    def generate(cls) -> DataKey:
        """A fresh random 256-bit data key."""
        return cls(uuid.uuid4(), AESGCM.generate_key(bit_length=256))

    def encrypt(self, plaintext: bytes, *, table: str, column: str, row_id: str) -> bytes:
        """Encrypt bytes bound to table/column/row."""
        nonce = os.urandom(_NONCE)
        ct = AESGCM(self.key).encrypt(nonce, plaintext, _aad(table, column, row_id))
        return bytes([VERSION]) + self.id.bytes + nonce + ct

    def decrypt(self, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
        """Decrypt bytes, refusing anything altered or moved."""
        if len(blob) < 1 + 16 + _NONCE + 16 or blob[0] != VERSION:
            raise DecryptionError("unsupported or truncated ciphertext")
        if blob[1:17] != self.id.bytes:
            raise DecryptionError("ciphertext was made under another data key")
        try:
            return AESGCM(self.key).decrypt(blob[17 : 17 + _NONCE], blob[17 + _NONCE :], _aad(table, column, row_id))
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication") from None

    def seal_json(self, value: Any, *, table: str, column: str, row_id: str) -> bytes:
        """Encrypt a JSON-serialisable value."""
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return self.encrypt(data, table=table, column=column, row_id=row_id)

    def open_json(self, blob: bytes, *, table: str, column: str, row_id: str) -> Any:
        """Decrypt a value sealed with `seal_json`."""
        return json.loads(self.decrypt(blob, table=table, column=column, row_id=row_id))


def blob_key_id(blob: bytes) -> uuid.UUID:
    """The data-key id a ciphertext names (without decrypting it)."""
    return uuid.UUID(bytes=blob[1:17])


def kek_fingerprint(kek: bytes) -> str:
    """A stable, non-secret id for a KEK (a hash of it), so rows can name the key that wraps them."""
    return "kek-" + hashlib.sha256(b"safepassage-kek-id|" + kek).hexdigest()[:16]


@dataclass(frozen=True)
class KeyRing:
    """The current key-encryption key (kept outside the database) and, during a rotation, earlier ones.

    New data keys are always wrapped with the current KEK; unwrapping picks the KEK a row names, so
    the service keeps working while `safepassage keys rotate` re-wraps everything.
    """

    kek: bytes
    kek_id: str
    previous: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, current: bytes, *earlier: bytes) -> KeyRing:
        """A ring whose ids are the keys' fingerprints."""
        return cls(current, kek_fingerprint(current), {kek_fingerprint(k): k for k in earlier if k != current})

    def wrap(self, dk: DataKey) -> bytes:
        """Wrap a data key under the current KEK."""
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self.kek).encrypt(nonce, dk.key, f"data_key|{dk.id}|{self.kek_id}".encode())

    def unwrap(self, key_id: uuid.UUID, wrapped: bytes, kek_id: str | None = None) -> DataKey:
        """Unwrap a stored data key with the KEK its row names."""
        kid = kek_id or self.kek_id
        kek = self.kek if kid == self.kek_id else self.previous.get(kid)
        if kek is None:
            raise DecryptionError(f"no key-encryption key {kid} on this ring")
        try:
            key = AESGCM(kek).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], f"data_key|{key_id}|{kid}".encode())
        except InvalidTag:
            raise DecryptionError("data key failed to unwrap (wrong KEK?)") from None
        return DataKey(key_id, key)
