"""Watchlist readers: FtM JSON lines and CSV, malformed lines reported with their numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safepassage.screening import Issue, MalformedLineError, read_csv, read_entities, read_ftm_jsonl

GOOD = {"id": "wl-1", "schema": "Person", "properties": {"name": ["Сидоров Павел Ильич"]}}


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ftm_reader_reports_and_skips_malformed_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "w.jsonl",
        [
            json.dumps(GOOD),
            "{not json",
            json.dumps({"schema": "Person", "properties": {"name": ["x"]}}),
            json.dumps({"id": "a", "properties": {"name": "not a list"}}),
            "",
            json.dumps({"id": "b", "schema": "Company", "properties": {"name": ["ACME"]}}),
            json.dumps({"id": "c", "schema": "Person", "properties": {"birthDate": ["1980"]}}),
            json.dumps([1, 2]),
        ],
    )
    issues: list[Issue] = []
    got = list(read_ftm_jsonl(path, on_issue=issues.append))
    assert [e["id"] for e in got] == ["wl-1"]
    assert [i.line for i in issues] == [2, 3, 4, 7, 8]
    assert "invalid JSON" in issues[0].message
    assert "id" in issues[1].message


def test_ftm_reader_strict_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "w.jsonl", [json.dumps(GOOD), json.dumps(GOOD), "{broken"])
    with pytest.raises(MalformedLineError) as err:
        list(read_ftm_jsonl(path, strict=True))
    assert err.value.line == 3
    assert "line 3" in str(err.value)


def test_csv_reader_maps_documented_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "w.csv",
        [
            "id,name,first_name,patronymic,last_name,alias,birth_date,gender",
            'wl-1,Сидоров Павел Ильич,Павел,Ильич,Сидоров,"Pavel Sidorov;P. Sidorov",1982-09-05,male',
            "wl-2,,,,,,1980,",
            "wl-3,too,few",
        ],
    )
    issues: list[Issue] = []
    got = list(read_entities(path, on_issue=issues.append))
    assert len(got) == 1
    props = got[0]["properties"]
    assert props["alias"] == ["Pavel Sidorov", "P. Sidorov"]
    assert props["fatherName"] == ["Ильич"]
    assert props["birthDate"] == ["1982-09-05"]
    assert [i.line for i in issues] == [3, 4]


def test_csv_without_id_column_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", ["name", "Петров"])
    with pytest.raises(MalformedLineError):
        list(read_csv(path))


def test_csv_strict(tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", ["id,name", "a,Петров Иван", "b"])
    with pytest.raises(MalformedLineError) as err:
        list(read_csv(path, strict=True))
    assert err.value.line == 3
