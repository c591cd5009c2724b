"""Reading watchlist files: FtM JSON lines or CSV, line by line, with numbered issues and a SHA-256.

A bad line is never dropped silently: it becomes an `Issue` (line number and reason; never the line's
content). Only persons are kept; other FtM schemas are counted and passed over.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from safepassage.domain.errors import InvalidInput
from safepassage.screening import Issue
from safepassage.screening.readers import _check_entity, _csv_entity

ISSUE_CAP = 1000  # issues kept with a version (all are counted)
MAX_LINE = 1_000_000  # bytes; a longer line is reported, not parsed
MAX_ID = 200
_KEEP = ("id", "schema", "caption", "datasets", "referents", "first_seen", "last_seen", "last_change", "target")


def caption(entity: dict[str, Any]) -> str:
    cap = entity.get("caption")
    if isinstance(cap, str) and cap:
        return cap
    props = entity.get("properties", {})
    if props.get("name"):
        return str(props["name"][0])
    parts = [str(props[k][0]) for k in ("firstName", "fatherName", "middleName", "lastName") if props.get(k)]
    if parts:
        return " ".join(parts)
    return str(props["alias"][0]) if props.get("alias") else str(entity.get("id", ""))


def record(entity: dict[str, Any]) -> tuple[str, str]:
    """(content hash, canonical JSON) of an entity; the hash covers schema and properties only,
    so a daily export whose only change is `last_seen` does not mark every person as changed."""
    props = {k: sorted(set(v)) for k, v in sorted(entity["properties"].items()) if v}
    core = json.dumps([entity.get("schema", "Person"), props], ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.blake2b(core.encode(), digest_size=16).hexdigest()
    kept = {k: entity[k] for k in _KEEP if k in entity}
    kept["schema"] = entity.get("schema", "Person")
    kept["properties"] = {k: list(dict.fromkeys(v)) for k, v in sorted(entity["properties"].items()) if v}
    kept.setdefault("caption", caption(kept))
    return digest, json.dumps(kept, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class Reader:
    """Numbered entities of a file, with issues, the file's SHA-256 and byte progress."""

    def __init__(self, path: Path, fmt: str, progress: Callable[[int], None] | None) -> None:
        self.path, self.fmt, self.progress = path, fmt, progress
        self.sha = hashlib.sha256()
        self.issues: list[Issue] = []
        self.bad = 0
        self.other = 0

    def issue(self, line: int, message: str) -> None:
        self.bad += 1
        if len(self.issues) < ISSUE_CAP:
            self.issues.append(Issue(line, message))

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                self.sha.update(raw)
                if self.progress is not None:
                    self.progress(len(raw))
                yield number, raw

    def entities(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return self._csv() if self.fmt == "csv" else self._ftm()

    def _ftm(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, raw in self._lines():
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE:
                self.issue(number, f"line longer than {MAX_LINE} bytes")
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                self.issue(number, "not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                self.issue(number, f"invalid JSON ({exc.msg})")
                continue
            if isinstance(obj, dict) and obj.get("schema", "Person") != "Person":
                self.other += 1
                continue
            yield from self._checked(number, obj)

    def _checked(self, number: int, obj: Any) -> Iterator[tuple[int, dict[str, Any]]]:
        problem = _check_entity(obj)
        if problem:
            self.issue(number, problem)
        elif len(obj["id"]) > MAX_ID:
            self.issue(number, f"'id' longer than {MAX_ID} characters")
        else:
            yield number, obj

    def _csv(self) -> Iterator[tuple[int, dict[str, Any]]]:
        def decoded() -> Iterator[str]:
            for number, raw in self._lines():
                try:
                    yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    self.issue(number, "not valid UTF-8")
                    yield "\n"

        reader = csv.reader(decoded())
        header = next(reader, None)
        if header is None:
            return
        cols = [h.strip().lower() for h in header]
        if "id" not in cols:
            raise InvalidInput("Line 1: the CSV header has no 'id' column.")
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(cols):
                self.issue(number, f"expected {len(cols)} columns, found {len(row)}")
                continue
            entity = _csv_entity(dict(zip(cols, row, strict=True)))
            if entity["schema"] != "Person":
                self.other += 1
                continue
            yield from self._checked(number, entity)
