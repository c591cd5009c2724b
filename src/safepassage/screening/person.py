"""Per-entity features computed once from an FtM entity dict: name variants, birth dates, gender."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from safepassage.screening.dates import PartialDate, parse_date
from safepassage.screening.names import PART, Tok, parse_full_name, parse_parts

NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
PATRONYMIC_PROPS = ("fatherName", "middleName", "secondName")


@dataclass(frozen=True, slots=True)
class Person:
    """Normalised view of one person used for scoring and indexing."""

    id: str
    names: tuple[tuple[Tok, ...], ...]
    dobs: tuple[PartialDate, ...]
    gender: str
    display: str
    roles: frozenset[str]  # name parts known in at least one variant


def _values(props: Mapping[str, Any], key: str) -> tuple[str, ...]:
    raw = props.get(key)
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,) if raw.strip() else ()
    if isinstance(raw, Sequence):
        return tuple(str(v) for v in raw if isinstance(v, str | int) and str(v).strip())
    return ()


@lru_cache(maxsize=100_000)
def _build(
    entity_id: str,
    names: tuple[str, ...],
    first: str,
    father: str,
    last: str,
    dobs: tuple[str, ...],
    gender: str,
) -> Person:
    variants: list[tuple[Tok, ...]] = []
    seen: set[tuple[str, ...]] = set()
    candidates: list[tuple[Tok, ...]] = []
    if first or father or last:
        # Split fields first: their roles are known, so they win over an inferred full name.
        candidates.append(parse_parts(first, father, last))
    candidates.extend(parse_full_name(n) for n in names)
    for toks in candidates:
        if not toks:
            continue
        sig = tuple(sorted(t.skel for t in toks))
        if sig in seen:
            continue
        seen.add(sig)
        variants.append(toks)
    parsed = tuple(d for d in (parse_date(x) for x in dobs) if d is not None)
    display = names[0] if names else " ".join(x for x in (first, father, last) if x)
    roles = frozenset(t.role for v in variants for t in v if t.role != PART)
    return Person(entity_id, tuple(variants), tuple(dict.fromkeys(parsed)), gender, display, roles)


def person_from_entity(entity: Mapping[str, Any]) -> Person:
    """Features of an FtM entity dict (``{"id", "schema", "properties": {...}}``)."""
    props = entity.get("properties") or {}
    names: list[str] = []
    for key in NAME_PROPS:
        names.extend(_values(props, key))
    father = next((v for k in PATRONYMIC_PROPS for v in _values(props, k)), "")
    gender_values = _values(props, "gender")
    return _build(
        str(entity.get("id") or ""),
        tuple(names),
        " ".join(_values(props, "firstName")[:1]),
        father,
        " ".join(_values(props, "lastName")[:1]),
        _values(props, "birthDate"),
        gender_values[0].lower() if gender_values else "",
    )
