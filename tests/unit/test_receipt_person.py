"""Receipt codes and person validation."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safepassage.domain.errors import InvalidInput
from safepassage.domain.person import PartialDate, Person, PersonName, clean_text, validate_person
from safepassage.domain.receipt import ALPHABET, new_receipt, normalise_receipt


def test_receipts_are_random_and_well_formed() -> None:
    codes = {new_receipt() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert normalise_receipt(code) == code
        assert all(ch in ALPHABET for ch in code.replace("-", ""))
        assert not set(code) & set("ILOU")


@given(st.data())
def test_every_single_character_typo_is_caught(data: st.DataObject) -> None:
    code = new_receipt().replace("-", "")
    i = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != code[i]]))
    with pytest.raises(InvalidInput):
        normalise_receipt(code[:i] + wrong + code[i + 1 :])


def test_adjacent_swaps_are_mostly_caught() -> None:
    caught = total = 0
    for _ in range(300):
        code = new_receipt().replace("-", "")
        for i in range(len(code) - 1):
            if code[i] == code[i + 1]:
                continue
            total += 1
            try:
                normalise_receipt(code[:i] + code[i + 1] + code[i] + code[i + 2 :])
            except InvalidInput:
                caught += 1
    assert caught / total > 0.95


def test_look_alike_letters_are_read_as_digits() -> None:
    code = new_receipt()
    typed = code.replace("0", "O").replace("1", "I").lower()
    assert normalise_receipt(typed) == code


@pytest.mark.parametrize("text", ["", "ABC", "7KQ4-M2XZ-9PHD", "7KQ4-M2XZ-9PHD-Y-Y", "ЖЖЖЖ-ЖЖЖЖ-ЖЖЖЖ-Ж"])
def test_malformed_receipts_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_receipt(text)


@pytest.mark.parametrize("text", ["1990-02-30", "1990-13", "1899", "2999", "1990-4-1", "abcd", "1990-00"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        PartialDate.parse(text)


def test_future_birth_date_is_refused() -> None:
    with pytest.raises(InvalidInput, match="future"):
        PartialDate.parse(f"{date.today().year}-12-31" if date.today().month < 12 else "2999-01-01")


def test_partial_dates_round_trip() -> None:
    for text in ("1990", "1990-04", "1990-04-23"):
        assert str(PartialDate.parse(text)) == text


def test_control_characters_refused_but_names_kept_as_given() -> None:
    with pytest.raises(InvalidInput):
        clean_text("Иван\x00", field_name="First name")
    # zero-width and bidi characters are part of what was typed; kept, and escaped on output
    assert clean_text("Дми\u200bтрий", field_name="x") == "Дми\u200bтрий"


def test_person_needs_a_name_and_bounded_fields() -> None:
    with pytest.raises(InvalidInput, match="name"):
        validate_person(Person(PersonName("", "")))
    with pytest.raises(InvalidInput, match="too long"):
        validate_person(Person(PersonName("Я" * 301, "Петров")))


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=50).filter(str.strip))
def test_person_dict_round_trip(name: str) -> None:
    p = validate_person(Person(PersonName(name, "Ґонта", "Їванович", ("Gonta",)), PartialDate(1980, 2)))
    assert Person.from_dict(p.to_dict()) == p
