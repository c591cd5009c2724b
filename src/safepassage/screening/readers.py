"""Watchlist and query readers: FtM JSON lines and CSV, with line-numbered error reporting.

A malformed line is never dropped silently: it is passed to ``on_issue`` (and skipped), or,
with ``strict=True``, raises :class:`MalformedLineError` naming the line.

CSV columns (header row required, names case-insensitive; only ``id`` and one name column
are required): ``id``, ``schema`` (default Person), ``name``, ``first_name``/``firstName``,
``father_name``/``fatherName``/``patronymic``/``middle_name``, ``last_name``/``lastName``,
``alias`` (several separated by ``;``), ``birth_date``/``birthDate``/``date_of_birth``
(several separated by ``;``), ``birth_place``/``birthPlace``, ``gender``, ``nationality``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class MalformedLineError(ValueError):
    """A line of an input file could not be read (strict mode)."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path.name}: line {line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class Issue:
    """A malformed line that was skipped."""

    line: int
    message: str


IssueHandler = Callable[[Issue], None]

_CSV_FIELDS: dict[str, tuple[str, bool]] = {
    # column -> (FtM property, multi-valued with ';')
    "name": ("name", False),
    "full_name": ("name", False),
    "first_name": ("firstName", False),
    "firstname": ("firstName", False),
    "father_name": ("fatherName", False),
    "fathername": ("fatherName", False),
    "patronymic": ("fatherName", False),
    "middle_name": ("middleName", False),
    "middlename": ("middleName", False),
    "last_name": ("lastName", False),
    "lastname": ("lastName", False),
    "alias": ("alias", True),
    "aliases": ("alias", True),
    "birth_date": ("birthDate", True),
    "birthdate": ("birthDate", True),
    "date_of_birth": ("birthDate", True),
    "dob": ("birthDate", True),
    "birth_place": ("birthPlace", False),
    "birthplace": ("birthPlace", False),
    "place_of_birth": ("birthPlace", False),
    "gender": ("gender", False),
    "nationality": ("nationality", True),
}
_NAME_PROPS = ("name", "firstName", "lastName", "fatherName", "alias")


def _check_entity(obj: Any) -> str | None:
    """Why an FtM entity dict is unusable, or None if it is fine."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    if not isinstance(obj.get("id"), str) or not obj["id"]:
        return "missing or empty 'id'"
    props = obj.get("properties")
    if not isinstance(props, dict):
        return "missing 'properties' object"
    for key, values in props.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return f"property '{key}' is not a list of strings"
    if not any(props.get(p) for p in _NAME_PROPS):
        return "no name (name, firstName, lastName, fatherName or alias)"
    return None


def _fail(path: Path, line: int, message: str, strict: bool, on_issue: IssueHandler | None) -> None:
    if strict:
        raise MalformedLineError(path, line, message)
    if on_issue is not None:
        on_issue(Issue(line, message))


def read_ftm_jsonl(
    path: Path, strict: bool = False, on_issue: IssueHandler | None = None, schema: str | None = "Person"
) -> Iterator[dict[str, Any]]:
    """Entities of an FtM JSON-lines file; other schemas than ``schema`` are passed over."""
    with path.open(encoding="utf-8", errors="strict") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                _fail(path, number, f"invalid JSON ({exc.msg})", strict, on_issue)
                continue
            problem = _check_entity(obj)
            if problem:
                _fail(path, number, problem, strict, on_issue)
                continue
            if schema is not None and obj.get("schema", schema) != schema:
                continue
            yield obj


def read_csv(path: Path, strict: bool = False, on_issue: IssueHandler | None = None) -> Iterator[dict[str, Any]]:
    """Entities of a CSV watchlist with the documented columns, as FtM dicts."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        cols = [h.strip().lower() for h in header]
        if "id" not in cols:
            raise MalformedLineError(path, 1, "CSV header has no 'id' column")
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(cols):
                _fail(path, number, f"expected {len(cols)} columns, found {len(row)}", strict, on_issue)
                continue
            entity = _csv_entity(dict(zip(cols, row, strict=True)))
            problem = _check_entity(entity)
            if problem:
                _fail(path, number, problem, strict, on_issue)
                continue
            yield entity


def _csv_entity(row: dict[str, str]) -> dict[str, Any]:
    props: dict[str, list[str]] = {}
    for col, value in row.items():
        spec = _CSV_FIELDS.get(col.replace(" ", "_"))
        if spec is None or not value.strip():
            continue
        prop, multi = spec
        values = [v.strip() for v in value.split(";")] if multi else [value.strip()]
        props.setdefault(prop, []).extend(v for v in values if v)
    return {"id": row.get("id", "").strip(), "schema": row.get("schema", "").strip() or "Person", "properties": props}


def read_entities(path: Path, strict: bool = False, on_issue: IssueHandler | None = None) -> Iterator[dict[str, Any]]:
    """FtM JSON lines or CSV, chosen by file extension (.csv -> CSV)."""
    if path.suffix.lower() == ".csv":
        return read_csv(path, strict, on_issue)
    return read_ftm_jsonl(path, strict, on_issue)
