"""Field encryption properties: round trips, tamper evidence, binding to place and key."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safepassage.security.crypto import DataKey, DecryptionError, KeyRing, blob_key_id
from safepassage.security.secrets import derive_key, passphrase_hash

DK = DataKey.generate()
PLACE = {"table": "persons", "column": "payload", "row_id": "r1"}


@given(st.text())
def test_round_trip_of_arbitrary_unicode(text: str) -> None:
    blob = DK.encrypt(text.encode("utf-8", "surrogatepass"), **PLACE)
    assert DK.decrypt(blob, **PLACE).decode("utf-8", "surrogatepass") == text
    assert blob_key_id(blob) == DK.id


@given(st.binary(max_size=200))
def test_two_encryptions_differ(data: bytes) -> None:
    assert DK.encrypt(data, **PLACE) != DK.encrypt(data, **PLACE)


@given(st.binary(min_size=1, max_size=100), st.data())
def test_any_flipped_bit_is_refused(data: bytes, draw: st.DataObject) -> None:
    blob = bytearray(DK.encrypt(data, **PLACE))
    i = draw.draw(st.integers(0, len(blob) - 1))
    blob[i] ^= 1 << draw.draw(st.integers(0, 7))
    with pytest.raises(DecryptionError):
        DK.decrypt(bytes(blob), **PLACE)


@given(st.binary(max_size=100), st.integers(min_value=1, max_value=40))
def test_truncation_is_refused(data: bytes, cut: int) -> None:
    blob = DK.encrypt(data, **PLACE)
    with pytest.raises(DecryptionError):
        DK.decrypt(blob[: max(0, len(blob) - cut)], **PLACE)


@pytest.mark.parametrize(
    "moved",
    [{"table": "notes"}, {"column": "body"}, {"row_id": "r2"}],
    ids=["other table", "other column", "other row"],
)
def test_a_ciphertext_copied_elsewhere_fails(moved: dict[str, str]) -> None:
    blob = DK.encrypt("Ґрицько Їжак".encode(), **PLACE)
    with pytest.raises(DecryptionError):
        DK.decrypt(blob, **(PLACE | moved))


def test_another_data_key_cannot_open_it() -> None:
    blob = DK.encrypt(b"x", **PLACE)
    other = DataKey(DK.id, DataKey.generate().key)  # even claiming the same id
    with pytest.raises(DecryptionError):
        other.decrypt(blob, **PLACE)
    with pytest.raises(DecryptionError):
        DataKey.generate().decrypt(blob, **PLACE)


def test_wrapped_keys_need_the_right_kek_and_id() -> None:
    ring = KeyRing(b"k" * 32, "kek-1")
    wrapped = ring.wrap(DK)
    assert ring.unwrap(DK.id, wrapped).key == DK.key
    with pytest.raises(DecryptionError):
        KeyRing(b"j" * 32, "kek-1").unwrap(DK.id, wrapped)
    with pytest.raises(DecryptionError):
        ring.unwrap(uuid.uuid4(), wrapped)


def test_subkeys_differ_per_purpose_and_passphrase_hash_is_keyed() -> None:
    secret = b"s" * 32
    assert derive_key(secret, "a") != derive_key(secret, "b")
    h1 = passphrase_hash(derive_key(secret, "p"), "R", "abcd-efgh")
    assert h1 == passphrase_hash(derive_key(secret, "p"), "R", "ABCD EFGH")  # typing forgiven
    assert h1 != passphrase_hash(derive_key(b"t" * 32, "p"), "R", "abcd-efgh")  # the key matters
