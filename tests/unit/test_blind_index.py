"""Blind-index tokens: every spelling of one name shares a token; different people and keys do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safepassage.security.blind_index import name_pairs, tokens

KEY = b"i" * 32
SPELLINGS = [
    [("Алексей", "Петров"), ("Aleksei", "Petrov"), ("Alexey", "Petroff"), ("ALEKSEJ", "PETROV"), ("Aleksey", "Petrow")],
    [("Ґрицько", "Шевченко"), ("Hrytsko", "Shevchenko"), ("Grytsko", "Ševčenko"), ("Hryts'ko", "Schewtschenko")],
    [("Юлія", "Петрова"), ("Yulia", "Petrova"), ("Julija", "Petrova"), ("Юлия", "Петрова")],
    [("Oleksandr", "Ковальчук"), ("Александр", "Kovalchuk"), ("Aleksandr", "Kowaltschuk")],
]


def _toks(first: str, last: str, year: int | None = 1990) -> set[tuple[str, str]]:
    return tokens(KEY, name_pairs(first, last), year)


@pytest.mark.parametrize("family", SPELLINGS, ids=lambda f: f[0][1])
def test_transliteration_variants_share_tokens(family: list[tuple[str, str]]) -> None:
    sets = [_toks(first, last) for first, last in family]
    common = set.intersection(*sets)
    assert {kind for kind, _ in common} == {"sn", "sn_gn", "sn_gn_by"}, family


@given(st.sampled_from([s for fam in SPELLINGS for s in fam]), st.sampled_from(["", "\u200b", "\u202e"]))
def test_invisible_characters_do_not_change_tokens(name: tuple[str, str], junk: str) -> None:
    first, last = name
    assert _toks(first, last) == _toks(first[:2] + junk + first[2:], last + junk)


def test_different_people_birth_years_and_keys_differ() -> None:
    base = _toks("Алексей", "Петров")
    assert not {t for k, t in base if k == "sn_gn"} & {t for k, t in _toks("Сергей", "Петров") if k == "sn_gn"}
    assert {t for k, t in base if k == "sn_gn_by"} != {
        t for k, t in _toks("Алексей", "Петров", 1991) if k == "sn_gn_by"
    }
    assert not {t for _, t in base} & {t for _, t in tokens(b"j" * 32, name_pairs("Алексей", "Петров"), 1990)}


def test_tokens_are_not_the_names() -> None:
    for _, token in _toks("Алексей", "Петров"):
        assert "petrov" not in token and len(token) == 32


def test_name_order_in_a_full_spelling_does_not_matter() -> None:
    a = tokens(KEY, name_pairs("", "", ["PETROV Aleksei"]), None)
    b = tokens(KEY, name_pairs("Алексей", "Петров"), None)
    assert a & b
