"""Receipt codes: random, from an unambiguous alphabet, with a check character against typos."""

from __future__ import annotations

import secrets

from safepassage.domain.errors import InvalidInput

# Crockford's base 32: no I, L, O, U, which people confuse with 1, 1, 0 and V.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_READ_AS = {"O": "0", "I": "1", "L": "1", "U": "V"}
BODY_LEN = 12  # 60 bits of randomness: unguessable within any throttled number of tries


def _check_char(body: str) -> str:
    """Luhn mod N check character: catches every single-character error and most adjacent swaps."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_receipt() -> str:
    """A fresh receipt code such as 7KQ4-M2XZ-9PHD-Y."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LEN))
    return format_receipt(body + _check_char(body))


def format_receipt(raw: str) -> str:
    """Group a 13-character code as XXXX-XXXX-XXXX-C."""
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}-{raw[12]}"


def normalise_receipt(text: str) -> str:
    """Canonical form of a typed receipt: case, spaces, dashes and look-alikes forgiven; checksum verified."""
    raw = "".join(ch for ch in text.upper() if ch not in " -\t")
    raw = "".join(_READ_AS.get(ch, ch) for ch in raw)
    if len(raw) != BODY_LEN + 1 or any(ch not in _VALUE for ch in raw[:BODY_LEN]):
        raise InvalidInput("This is not a receipt code: it has 13 characters, like 7KQ4-M2XZ-9PHD-Y.")
    if _check_char(raw[:BODY_LEN]) != raw[BODY_LEN]:
        raise InvalidInput("The receipt code has a typo: please check each character.")
    return format_receipt(raw)
