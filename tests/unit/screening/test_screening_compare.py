"""Pairwise matching rules with real name examples, explanations and properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.screening import MATCH_THRESHOLD, REVIEW_THRESHOLD, compare


def person(name: str | None = None, dob: str | None = None, **parts: str) -> dict[str, Any]:
    props: dict[str, list[str]] = {}
    if name:
        props["name"] = [name]
    for key, value in parts.items():
        props[key] = [value]
    if dob:
        props["birthDate"] = [dob]
    return {"id": f"e-{abs(hash((name, dob, tuple(parts.items()))))}", "schema": "Person", "properties": props}


LISTED = person(
    "Сидоров Павел Ильич",
    "1982-09-05",
    firstName="Павел",
    fatherName="Ильич",
    lastName="Сидоров",
    alias="Pavel Ilyich Sidorov",
)


@pytest.mark.parametrize(
    "query",
    [
        person("Pavel Ilyich Sidorov"),  # BGN, IOF
        person("SIDOROV PAVEL IL'ICH"),  # MVD 310 capitals, FIO
        person("Sidorov Pavel Ilich", "1982-09-05"),  # ICAO
        person("Павел Ильич Сидоров"),  # Cyrillic IOF
        person("Pawel Iljitsch Sidorow"),  # German
        person(firstName="Pavel", fatherName="Ilyich", lastName="Sidorov"),  # split
        person(firstName="Pavel", lastName="Sidorov", dob="1982"),  # no patronymic, year only
        person("P. I. Sidorov", "1982-09-05"),  # initials
        person("Sidorov P.I.", "1982-09-05"),
        person("Pavel Ilyich Sidorov", "1983-09-05"),  # year off by one
        person("Pavel Ilyich Sidorov", "1982-05-09"),  # day and month swapped
        person("Pavel Ilyich Sidorvo"),  # typo
        person("Павла Ильича Сидорова", "1982-09-05"),  # genitive case
        person(firstName="Sidorov", lastName="Pavel", fatherName="Ilyich"),  # fields swapped
    ],
)
def test_spellings_of_a_listed_person_match(query: dict[str, Any]) -> None:
    result = compare(query, LISTED)
    assert result.score >= MATCH_THRESHOLD, str(result.explanation)


def test_ukrainian_forms_match_russian_listing() -> None:
    listed = person("Шевчук Александр Сергеевич", "1979-01-02")
    query = person("Oleksandr Serhiyovych Shevchuk", "1979-01-02")
    assert compare(query, listed).score >= MATCH_THRESHOLD
    belarusian = person("Aliaksandr Siarheevich Shauchuk", "1979-01-02")
    assert compare(belarusian, listed).score >= REVIEW_THRESHOLD


def test_gendered_surname_of_a_woman() -> None:
    listed = person("Петрова Мария Ивановна", "1990-01-01")
    assert compare(person("Mariya Ivanovna Petrova"), listed).score >= MATCH_THRESHOLD


def test_namesake_with_other_patronymic_is_not_a_match() -> None:
    query = person("Pavel Andreevich Sidorov")
    result = compare(query, LISTED)
    assert result.score < MATCH_THRESHOLD
    assert "different" in str(result.explanation)


def test_namesake_with_other_patronymic_and_dob_is_cleared() -> None:
    query = person("Pavel Andreevich Sidorov", "1991-02-03")
    assert compare(query, LISTED).score < REVIEW_THRESHOLD


def test_other_given_name_same_patronymic_and_surname_is_not_a_match() -> None:
    assert compare(person("Ivan Ilyich Sidorov", "1975-02-03"), LISTED).score < REVIEW_THRESHOLD


def test_same_name_far_dob_goes_to_review_not_match() -> None:
    result = compare(person("Pavel Ilyich Sidorov", "1999-01-01"), LISTED)
    assert REVIEW_THRESHOLD <= result.score < MATCH_THRESHOLD
    assert "strong penalty" in str(result.explanation)


def test_unrelated_person_is_cleared() -> None:
    assert compare(person("Иван Петрович Кузнецов", "1982-09-05"), LISTED).score < REVIEW_THRESHOLD


def test_surname_alone_is_not_a_match() -> None:
    assert compare(person("Sidorov"), LISTED).score < MATCH_THRESHOLD


def test_initials_alone_never_match() -> None:
    assert compare(person("P. I. S."), LISTED).score < REVIEW_THRESHOLD


def test_explanation_names_parts_and_dates() -> None:
    result = compare(person("P. I. Sidorov", "1983-09-05"), LISTED)
    text = str(result.explanation)
    assert "surname 'sidorov'" in text
    assert "initial agrees" in text
    assert "year off by one" in text
    assert "final score" in text
    assert result.explanation.to_dict()["verdict"] in ("likely match", "needs review", "cleared")


def test_score_is_in_unit_interval_for_empty_entities() -> None:
    empty = {"id": "x", "schema": "Person", "properties": {}}
    assert compare(empty, LISTED).score == 0.0
    assert 0.0 <= compare(LISTED, LISTED).score <= 1.0


def test_identical_entity_scores_one() -> None:
    assert compare(LISTED, LISTED).score == pytest.approx(1.0)


NAMES = [
    "Сидоров Павел Ильич",
    "Pavel Sidorov",
    "P. I. Sidorov",
    "Ivanova Anna",
    "Олег Егорович Сулышкин",
    "Kim Jong-un",
]
DATES = [None, "1982-09-05", "1982", "1990-01-02"]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from(DATES), st.sampled_from(DATES))
def test_compare_is_symmetric_for_full_names(a: str, b: str, da: str | None, db: str | None) -> None:
    left, right = person(a, da), person(b, db)
    assert compare(left, right).score == pytest.approx(compare(right, left).score)


@settings(max_examples=60, deadline=None)
@given(st.permutations(["Pavel", "Ilyich", "Sidorov"]))
def test_name_order_does_not_matter(order: list[str]) -> None:
    assert compare(person(" ".join(order)), LISTED).score >= MATCH_THRESHOLD


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_arbitrary_text_never_crashes_and_stays_in_range(a: str, b: str) -> None:
    score = compare(person(a or None), person(b or None)).score
    assert 0.0 <= score <= 1.0
