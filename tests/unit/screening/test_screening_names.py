"""Roles, patronymics, gendered and declined surnames, cognates, birth dates."""

from __future__ import annotations

import pytest

from safepassage.screening.dates import PartialDate, compare_dates, parse_date
from safepassage.screening.names import (
    GIVEN,
    PART,
    PATRONYMIC,
    SURNAME,
    given_key,
    looks_patronymic,
    parse_full_name,
    parse_parts,
    patronymic_key,
    surname_key,
)
from safepassage.screening.text import clean
from safepassage.screening.translit import skeleton


def sk(text: str) -> str:
    return skeleton(clean(text))


@pytest.mark.parametrize(
    "word", ["Сергеевич", "Sergeevna", "Ильич", "Il'inichna", "Kuzmich", "Oleksandrivna", "Petrovicha", "Петровны"]
)
def test_patronymics_are_recognised(word: str) -> None:
    assert looks_patronymic(sk(word))


@pytest.mark.parametrize("word", ["Иванов", "Aleksandr", "Лесецкий", "Sokolova", "Ivanenko"])
def test_non_patronymics(word: str) -> None:
    assert not looks_patronymic(sk(word))


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("Сидоров Павел Ильич", [SURNAME, GIVEN, PATRONYMIC]),
        ("Pavel Ilyich Sidorov", [GIVEN, PATRONYMIC, SURNAME]),
        ("A. S. Petrov", [GIVEN, PATRONYMIC, SURNAME]),
        ("PETROV A.S.", [SURNAME, GIVEN, PATRONYMIC]),
        ("Римский-Корсаков Николай Андреевич", [SURNAME, SURNAME, GIVEN, PATRONYMIC]),
        ("Nikolay Tanayev", [PART, PART]),
    ],
)
def test_roles_from_order_and_patronymic(name: str, roles: list[str]) -> None:
    assert [t.role for t in parse_full_name(name)] == roles


def test_split_fields_give_roles() -> None:
    toks = parse_parts("Мария", "Ивановна", "Петрова")
    assert [(t.role, t.skel) for t in toks] == [(GIVEN, "maria"), (PATRONYMIC, "ivanovna"), (SURNAME, "petrova")]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Петров", "Петрова"),  # gender
        ("Петров", "Петрову"),  # dative
        ("Петров", "Петровым"),  # instrumental
        ("Лесецкий", "Лесецкая"),
        ("Лесецкий", "Лесецкого"),  # genitive
        ("Толстой", "Толстая"),
        ("Pushkin", "Pushkina"),
    ],
)
def test_surname_gender_and_case_forms_share_a_key(a: str, b: str) -> None:
    assert surname_key(sk(a)) == surname_key(sk(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Алексей", "Алексея"),  # "Петрова Алексея": genitive
        ("Иван", "Ивану"),
        ("Oleksandr", "Aleksandr"),
        ("Mykola", "Nikolai"),
        ("Volodymyr", "Vladimir"),
        ("Dmytro", "Dmitrii"),
        ("Serhii", "Sergey"),
        ("Aliaksandr", "Александр"),
        ("Alexander", "Aleksandr"),
        ("Olena", "Елена"),
    ],
)
def test_given_name_cognates_and_cases(a: str, b: str) -> None:
    assert given_key(sk(a)) == given_key(sk(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [("Александрович", "Aleksandrovna"), ("Oleksandrovych", "Александрович"), ("Сергеевич", "Serhiyovych")],
)
def test_patronymic_keys_carry_the_fathers_name(a: str, b: str) -> None:
    assert patronymic_key(sk(a)) == patronymic_key(sk(b))


def test_different_fathers_differ() -> None:
    assert patronymic_key(sk("Станиславович")) != patronymic_key(sk("Владиславович"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-03-05", PartialDate(1985, 3, 5)),
        ("1985", PartialDate(1985)),
        ("1985-03", PartialDate(1985, 3)),
        ("05.03.1985", PartialDate(1985, 3, 5)),
        ("garbage", None),
        ("1985-13-40", PartialDate(1985)),
    ],
)
def test_parse_date(text: str, expected: PartialDate | None) -> None:
    assert parse_date(text) == expected


def _dob(a: str, b: str) -> str:
    pa, pb = parse_date(a), parse_date(b)
    assert pa and pb
    return compare_dates((pa,), (pb,)).kind


def test_dob_kinds() -> None:
    assert _dob("1985-03-05", "1985-03-05") == "exact"
    assert _dob("1985-03-05", "1985-05-03") == "swapped"
    assert _dob("1985", "1985-05-03") == "year"
    assert _dob("1986-03-05", "1985-03-05") == "year_pm1"
    assert _dob("1988-03-05", "1985-03-05") == "year_pm3"
    assert _dob("1999-03-05", "1985-03-05") == "far"
    assert compare_dates((), (PartialDate(1985),)).kind == "missing"


def test_dob_one_year_off_is_a_weak_penalty_and_far_off_a_strong_one() -> None:
    near = compare_dates((PartialDate(1986, 3, 5),), (PartialDate(1985, 3, 5),))
    far = compare_dates((PartialDate(1999, 3, 5),), (PartialDate(1985, 3, 5),))
    assert 0.9 <= near.factor < 1.0
    assert far.factor <= 0.5
