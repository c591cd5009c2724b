"""Candidate retrieval through the index; save and load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from safepassage.screening import MATCH_THRESHOLD, Screener


def ent(eid: str, name: str, dob: str | None = None, **extra: list[str]) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [name], **extra}
    if dob:
        props["birthDate"] = [dob]
    return {"id": eid, "schema": "Person", "properties": props}


WATCHLIST = [
    ent("wl-1", "Сидоров Павел Ильич", "1982-09-05", alias=["Pavel Ilyich Sidorov"]),
    ent("wl-2", "Сидоров Павел Андреевич", "1975-01-01"),
    ent("wl-3", "Петрова Мария Ивановна", "1990-03-04"),
    ent("wl-4", "Шевчук Александр Сергеевич", "1979-01-02"),
    ent("wl-5", "Кузнецов Иван Петрович"),
] + [ent(f"wl-x{i}", f"Иванов{'а' if i % 2 else ''} Имя{i} Отчество{i}ович") for i in range(200)]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.build(WATCHLIST)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ent("q1", "Pavel Ilyich Sidorov", "1982-09-05"), "wl-1"),
        (ent("q2", "SIDOROV P. A."), "wl-2"),
        (ent("q3", "Mariya Petrova", "1990-03-04"), "wl-3"),
        (ent("q4", "Oleksandr Serhiyovych Shevchuk"), "wl-4"),
        (ent("q5", "Ivan Petrovich Kuznetsof"), "wl-5"),
        (ent("q6", "Ivan Petrovich Kuzentsov"), "wl-5"),  # transposition typo
    ],
)
def test_top_result_is_the_listed_person(screener: Screener, query: dict[str, Any], expected: str) -> None:
    hits = screener.screen(query, top=3)
    assert hits and hits[0].entity_id == expected
    assert hits[0].score >= MATCH_THRESHOLD
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_unrelated_query_finds_nothing_matching(screener: Screener) -> None:
    hits = screener.screen(ent("q", "John Smith"))
    assert all(h.score < MATCH_THRESHOLD for h in hits)


def test_candidates_are_capped_not_a_scan(screener: Screener) -> None:
    from safepassage.screening.person import person_from_entity

    screener.max_candidates = 10
    try:
        cands = screener.candidates(person_from_entity(ent("q", "Иванова Имя1 Отчество1овна")))
    finally:
        screener.max_candidates = 25
    assert 0 < len(cands) <= 10


def test_save_and_load_round_trip(screener: Screener, tmp_path: Path) -> None:
    path = tmp_path / "index.npz"
    screener.save(path)
    loaded = Screener.load(path)
    assert len(loaded) == len(screener)
    q = ent("q", "Pavel Sidorov", "1982-09-05")
    assert [(h.entity_id, h.score) for h in loaded.screen(q)] == [(h.entity_id, h.score) for h in screener.screen(q)]


def test_load_refuses_foreign_files(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, meta=np.frombuffer(b'{"format": "x"}', dtype=np.uint8))
    with pytest.raises(ValueError, match="not a screening index"):
        Screener.load(path)


def test_empty_watchlist() -> None:
    empty = Screener.build([])
    assert len(empty) == 0
    assert empty.screen(ent("q", "Pavel Sidorov")) == []


def test_parallel_build_and_screening_give_the_same_results(screener: Screener) -> None:
    from safepassage.screening.cli import screen_lines

    parallel = Screener.build(WATCHLIST, workers=2)
    assert np.array_equal(parallel.keys, screener.keys)
    assert np.array_equal(parallel.postings, screener.postings)
    queries = [ent(f"q{i}", name) for i, name in enumerate(["Pavel Sidorov", "Mariya Petrova", "Shevchuk"] * 30)]
    serial = list(screen_lines(screener, queries, 3, workers=1))
    assert list(screen_lines(parallel, queries, 3, workers=2)) == serial
