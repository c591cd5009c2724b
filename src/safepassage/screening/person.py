"""Per-entity features computed once from an FtM entity dict: name variants, birth dates, gender."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from safepassage.screening.dates import PartialDate, parse_date
from safepassage.screening.names import PART, Tok, make_tok, parse_full_name, parse_parts

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
    joined: frozenset[str] = frozenset()  # each variant's skeletons run together
    words: frozenset[str] = frozenset()  # skeletons and romanisations of all words


class NameSet(NamedTuple):
    """Name variants of a person and what scoring derives from all of them."""

    variants: tuple[tuple[Tok, ...], ...]
    roles: frozenset[str]
    joined: frozenset[str]
    words: frozenset[str]


def _values(raw: Any) -> list[str]:
    """Non-empty string values of one FtM property (a list; a bare string is tolerated)."""
    if not raw:
        return []
    if type(raw) is list:
        return [v for v in raw if type(v) is str and v.strip()]  # the FtM shape: fast path
    if isinstance(raw, str):
        return [raw] if raw.strip() else []
    if isinstance(raw, Sequence):
        return [str(v) for v in raw if isinstance(v, str | int) and str(v).strip()]
    return []


def _first(props: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        raw = props.get(key)
        if raw:
            values = _values(raw)
            if values:
                return values[0]
    return ""


def _borrow_roles(toks: tuple[Tok, ...], variants: list[tuple[Tok, ...]]) -> tuple[Tok, ...]:
    """Give role-less tokens (e.g. of a two-word alias) the role the same word has elsewhere."""
    if all(t.role != PART for t in toks):
        return toks
    known = {t.skel: t.role for v in variants for t in v if t.role != PART}
    if not known:
        return toks
    out = []
    for t in toks:
        role = known.get(t.skel, PART) if t.role == PART else t.role
        tok = make_tok(t.text + "." if t.initial else t.text, role) if role != t.role else t
        out.append(tok if tok is not None else t)
    return tuple(out)


Fields = tuple[str, tuple[str, ...], str, str, str, tuple[str, ...], str]
_FIELD_SEP, _VALUE_SEP = "\x1f", "\x1e"
_SEP_CLEAN = str.maketrans({_FIELD_SEP: " ", _VALUE_SEP: " "})


@lru_cache(maxsize=50_000)
def name_variants(names: tuple[str, ...], first: str, father: str, last: str) -> NameSet:
    """Distinct name variants (token tuples with roles) of a person's name fields."""
    variants: list[tuple[Tok, ...]] = []
    seen: set[tuple[str, ...]] = set()
    candidates: list[tuple[Tok, ...]] = []
    if first or father or last:
        # Split fields first: their roles are known, so they win over an inferred full name.
        candidates.append(parse_parts(first, father, last))
        # The full name usually repeats the split fields in another order: skip re-parsing it.
        same = sorted(f"{first} {father} {last}".casefold().split())
        names_to_parse = [n for n in names if sorted(n.casefold().split()) != same]
    else:
        names_to_parse = list(names)
    candidates.extend(parse_full_name(n) for n in names_to_parse)
    for toks in candidates:
        if not toks:
            continue
        sig = tuple(sorted(t.skel for t in toks))
        if sig in seen:
            continue
        seen.add(sig)
        variants.append(toks)
    final = tuple(_borrow_roles(v, variants) for v in variants)
    return NameSet(
        final,
        frozenset(t.role for v in final for t in v if t.role != PART),
        frozenset("".join(t.skel for t in v) for v in final if len(v) > 1),
        frozenset(w for v in final for t in v for w in (t.skel, t.roman)),
    )


def build_person(
    entity_id: str,
    names: tuple[str, ...],
    first: str,
    father: str,
    last: str,
    dobs: tuple[str, ...],
    gender: str,
) -> Person:
    """Person features from the fields of :func:`entity_fields` (uncached)."""
    ns = name_variants(names, first, father, last)
    parsed = tuple(d for d in (parse_date(x) for x in dobs) if d is not None)
    display = names[0] if names else " ".join(x for x in (first, father, last) if x)
    return Person(entity_id, ns.variants, tuple(dict.fromkeys(parsed)), gender, display, ns.roles, ns.joined, ns.words)


# Content-keyed cache: the same person dict seen again (re-screening, benchmarks) is free.
_build = lru_cache(maxsize=20_000)(build_person)


def entity_fields(entity: Mapping[str, Any]) -> Fields:
    """The parts of an FtM entity dict the engine uses, as a flat tuple."""
    props = entity.get("properties") or {}
    names: list[str] = []
    for key in NAME_PROPS:
        raw = props.get(key)
        if raw:
            names += _values(raw)
    return (
        str(entity.get("id") or ""),
        tuple(names),
        _first(props, _FIRST),
        _first(props, PATRONYMIC_PROPS),
        _first(props, _LAST),
        tuple(_values(props.get("birthDate"))),
        _first(props, _GENDER).lower(),
    )


_FIRST, _LAST, _GENDER = ("firstName",), ("lastName",), ("gender",)


def encode_fields(fields: Fields) -> str:
    """Compact one-line text form of the fields (control-character separated)."""
    eid, names, first, father, last, dobs, gender = fields
    parts = (
        eid.translate(_SEP_CLEAN),
        _VALUE_SEP.join(n.translate(_SEP_CLEAN) for n in names),
        first.translate(_SEP_CLEAN),
        father.translate(_SEP_CLEAN),
        last.translate(_SEP_CLEAN),
        _VALUE_SEP.join(d.translate(_SEP_CLEAN) for d in dobs),
        gender.translate(_SEP_CLEAN),
    )
    return _FIELD_SEP.join(parts)


def decode_fields(text: str) -> Fields:
    """Inverse of :func:`encode_fields`."""
    eid, names, first, father, last, dobs, gender = text.split(_FIELD_SEP)
    return (
        eid,
        tuple(names.split(_VALUE_SEP)) if names else (),
        first,
        father,
        last,
        tuple(dobs.split(_VALUE_SEP)) if dobs else (),
        gender,
    )


def person_from_entity(entity: Mapping[str, Any]) -> Person:
    """Features of an FtM entity dict (``{"id", "schema", "properties": {...}}``)."""
    return _build(*entity_fields(entity))
