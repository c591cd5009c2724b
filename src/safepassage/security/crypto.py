"""Field encryption: AES-GCM under per-case data keys, wrapped by a key-encryption key (KEK).

Ciphertext layout: version (1 byte) | key id (16 bytes, the data key's UUID) | nonce (12) | ct+tag.
The AAD binds each value to its table, column and row, so a ciphertext copied elsewhere fails.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
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


@dataclass(frozen=True)
class KeyRing:
    """The key-encryption key (kept outside the database) that wraps every data key."""

    kek: bytes
    kek_id: str

    def wrap(self, dk: DataKey) -> bytes:
        """Wrap a data key for storage next to the data it protects."""
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self.kek).encrypt(nonce, dk.key, f"data_key|{dk.id}|{self.kek_id}".encode())

    def unwrap(self, key_id: uuid.UUID, wrapped: bytes) -> DataKey:
        """Unwrap a stored data key."""
        try:
            key = AESGCM(self.kek).decrypt(
                wrapped[:_NONCE], wrapped[_NONCE:], f"data_key|{key_id}|{self.kek_id}".encode()
            )
        except InvalidTag:
            raise DecryptionError("data key failed to unwrap (wrong KEK?)") from None
        return DataKey(key_id, key)
