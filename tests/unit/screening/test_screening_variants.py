"""Spelling families beyond the passport schemes, other scripts, joined words, evasions."""

from __future__ import annotations

from typing import Any

import pytest

from safepassage.screening import MATCH_THRESHOLD, REVIEW_THRESHOLD, compare
from safepassage.screening.person import decode_fields, encode_fields, entity_fields
from safepassage.screening.text import tokenize


def p(name: str, dob: str | None = None) -> dict[str, Any]:
    props = {"name": [name]} | ({"birthDate": [dob]} if dob else {})
    return {"id": name, "schema": "Person", "properties": props}


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Ûrij Viktorovič Lavrov", "Юрий Викторович Лавров"),  # ISO 9 / GOST 7.79-A
        ("Mixail Xarkov", "Михаил Харьков"),  # GOST 7.79-B / scientific x = х
        ("Grigorij Xuczkij", "Григорий Хуцкий"),  # GOST 7.79-B, two readings at once
        ("Iurii Ivanovich Lavrov", "Юрий Иванович Лавров"),  # ICAO
        ("Dmitri Chostakovitch", "Дмитрий Шостакович"),  # French
        ("Vladimir Jirinovski", "Владимир Жириновский"),  # French j = ж
        ("Wladimir Rasumowski", "Владимир Разумовский"),  # German
        ("Nasar Soriewitsch Sabatowski", "Сабатовский Назар Зориевич"),  # German s = з, z = ц
        ("Sergejs Lavrovs", "Сергей Лавров"),  # Latvian -s
        ("Yuriy Aleksandrovich Lavrov", "Юрий Олександрович Лавров"),  # Ukrainian patronymic form
        ("Volodymyr Oleksandrovych Lavrov", "Владимир Александрович Лавров"),  # Ukrainian forms
        ("Uladzimir Lavrou", "Владимир Лавров"),  # Belarusian given name
    ],
)
def test_other_spelling_families_match(latin: str, cyrillic: str) -> None:
    result = compare(p(latin), p(cyrillic))
    assert result.score >= REVIEW_THRESHOLD, str(result.explanation)
    if "Lavrou" not in latin:
        assert result.score >= MATCH_THRESHOLD, str(result.explanation)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("VladimirPutin", "Vladimir Putin"),  # run together, camel case
        ("Ramimakhlouf", "Rami Makhlouf"),  # run together, no case hint
        ("Nikolai Patr ushev", "Nikolai Patrushev"),  # split apart
        ("Ig0r Sech1n", "Igor Sechin"),  # look-alike digits
        ("ბარაკ ობამა", "Barack Obama"),  # Georgian script
    ],
)
def test_joined_split_and_other_scripts(a: str, b: str) -> None:
    assert compare(p(a), p(b)).score >= MATCH_THRESHOLD


def test_camel_case_and_leet_tokenisation() -> None:
    assert tokenize("VladimirPutin") == ("vladimir", "putin")
    assert tokenize("I9or Sech1n") == ("igor", "sechin")


def test_given_name_against_patronymic_of_it_is_not_a_match() -> None:
    # father and son: Георгий Иванов vs Иванов ... Георгиевич
    son = p("Иванов Петр Георгиевич", "1990-01-01")
    father = p("Georgii Ivanov", "1990-01-01")
    assert compare(father, son).score < MATCH_THRESHOLD


def test_compact_fields_round_trip() -> None:
    entity = {
        "id": "x\x1fy",
        "properties": {"name": ["A\x1eB", "Ivanov Ivan"], "firstName": ["Ivan"], "birthDate": ["1980", "1981-02-03"]},
    }
    fields = entity_fields(entity)
    decoded = decode_fields(encode_fields(fields))
    assert decoded[1] == ("A B", "Ivanov Ivan")
    assert decoded[5] == ("1980", "1981-02-03")
    assert decoded[2] == "Ivan"
