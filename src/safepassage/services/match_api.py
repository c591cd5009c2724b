"""The yente-compatible match service: screen example entities against the current watchlists.

Request and answer follow yente v5's `EntityMatchQuery` / `EntityMatchResponse` (yente/data/common.py),
so OpenSanctions clients work unchanged. The queries are applicant data: they are never logged or
audited — the audit entry says who matched how many queries against which list, nothing more.
A result only flags a person for human review; nothing here decides anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from safepassage.domain.errors import Forbidden, InvalidInput, NotFound
from safepassage.screening import MATCH_THRESHOLD, REVIEW_THRESHOLD
from safepassage.screening.index import Hit
from safepassage.security.access import require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass, Role, allows
from safepassage.services import watchlists
from safepassage.store.uow import Actor, Database

ALGORITHM = "safepassage-v1"
ALGORITHMS = ("best", "default", ALGORITHM)
MAX_BATCH = 100  # as yente's YENTE_MAX_BATCH
MAX_LIMIT = 500  # as yente's YENTE_MAX_MATCHES
DEFAULT_LIMIT = 5
MAX_VALUES = 50
MAX_VALUE_CHARS = 500
#: Query schemas screened against the lists (which hold persons only).
SCREENED = frozenset({"Person", "LegalEntity"})
#: Other FtM schemas: valid queries, but no list entry can match them.
OTHER_SCHEMAS = frozenset({
    "Thing", "Organization", "Company", "PublicBody", "Vessel", "Airplane", "Vehicle", "Asset",
    "Address", "CryptoWallet", "Security", "Position", "BankAccount", "Family", "Associate",
})
_TS = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$")  # yente's TS_PATTERN


@dataclass(frozen=True)
class MatchOptions:
    """yente's query parameters, as far as they apply here."""

    limit: int = DEFAULT_LIMIT
    threshold: float = MATCH_THRESHOLD
    cutoff: float = REVIEW_THRESHOLD
    algorithm: str = "best"
    include_dataset: Sequence[str] = ()
    exclude_dataset: Sequence[str] = ()
    exclude_schema: Sequence[str] = ()
    exclude_entity_ids: Sequence[str] = ()
    topics: Sequence[str] = ()
    changed_since: str | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """One query's results (yente's `EntityMatches`)."""

    query: dict[str, Any]
    results: list[dict[str, Any]]
    total: int
    status: int = 200


@dataclass(frozen=True)
class MatchAnswer:
    """All answers (yente's `EntityMatchResponse`)."""

    responses: dict[str, QueryAnswer]
    limit: int
    versions: dict[str, int] = field(default_factory=dict)


def _authorise(actor: Actor) -> None:
    """Staff whose role may match, or a live API token with such a role."""
    if actor.kind == "token":
        try:
            ok = allows(Role(actor.role), Action.MATCH, FieldClass.EXCLUSION)
        except ValueError:
            ok = False
        if not ok:
            raise Forbidden("This token's role does not allow matching.")
        return
    require(actor, Action.MATCH, (FieldClass.EXCLUSION,))


def _values(name: str, prop: str, raw: Any) -> list[str]:
    """A property's values as strings; refuses what no client would send (not echoing it)."""
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > MAX_VALUES:
        raise InvalidInput(f"Query {name!r}: property {prop!r} has more than {MAX_VALUES} values.")
    out = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise InvalidInput(f"Query {name!r}: property {prop!r} must be a string or a list of strings.")
        text = str(item).strip()
        if len(text) > MAX_VALUE_CHARS:
            raise InvalidInput(f"Query {name!r}: a value of {prop!r} is longer than {MAX_VALUE_CHARS} characters.")
        if text:
            out.append(text)
    return out


def parse_query(name: str, example: Mapping[str, Any]) -> dict[str, Any]:
    """An FtM entity dict from a yente `EntityExample`; InvalidInput naming the query if it is unusable."""
    schema = example.get("schema")
    if schema not in SCREENED | OTHER_SCHEMAS:
        raise InvalidInput(f"Cannot parse example entity {name!r}: unknown schema.")
    raw = example.get("properties")
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"Query {name!r}: 'properties' must be an object.")
    props = {str(k): v for k, v in ((k, _values(name, str(k), v)) for k, v in raw.items()) if v}
    return {"id": example.get("id"), "schema": schema, "properties": props}


def _explanations(hit: Hit) -> dict[str, dict[str, Any]]:
    """Per-feature score and detail, as yente's `FeatureResult`s."""
    ex = hit.result.explanation
    rest = hit.score / ex.name_score if ex.name_score else 0.0
    return {
        "name_parts": {"score": round(ex.name_score, 4), "detail": "; ".join(str(p) for p in ex.parts) or None},
        "birth_date_and_adjustments": {
            "score": round(rest, 4), "detail": "; ".join([ex.birth_date, *ex.adjustments]),
        },
        ALGORITHM: {"score": round(hit.score, 4), "detail": str(ex)},
    }


def _timestamp(value: Any) -> str | None:
    return value if isinstance(value, str) and _TS.match(value) else None


def _result(entry: dict[str, Any], hit: Hit, threshold: float) -> dict[str, Any]:
    datasets = list(dict.fromkeys([*entry.get("datasets", []), *entry["lists"]]))
    return {
        "id": entry["id"],
        "caption": entry.get("caption") or entry["id"],
        "schema": entry.get("schema", "Person"),
        "properties": entry.get("properties", {}),
        "datasets": datasets,
        "referents": [r for r in entry.get("referents", []) if isinstance(r, str)],
        "target": bool(entry.get("target", True)),
        "first_seen": _timestamp(entry.get("first_seen")),
        "last_seen": _timestamp(entry.get("last_seen")),
        "last_change": _timestamp(entry.get("last_change")),
        "score": round(hit.score, 4),
        "explanations": _explanations(hit),
        "match": hit.score >= threshold,
    }


def _wanted(entry: dict[str, Any], dataset: str, opts: MatchOptions) -> bool:
    lists = set(entry["lists"]) | set(entry.get("datasets", []))
    if dataset != "default" and dataset not in entry["lists"]:
        return False
    if opts.include_dataset and not lists & set(opts.include_dataset):
        return False
    if lists & set(opts.exclude_dataset) or entry.get("schema", "Person") in opts.exclude_schema:
        return False
    if entry["id"] in opts.exclude_entity_ids or set(entry.get("referents", [])) & set(opts.exclude_entity_ids):
        return False
    if opts.topics and not set(entry.get("properties", {}).get("topics", [])) & set(opts.topics):
        return False
    return not (opts.changed_since and (entry.get("last_change") or "") < opts.changed_since)


def _check(dataset: str, queries: Mapping[str, Any], opts: MatchOptions, versions: dict[str, int]) -> None:
    if dataset != "default" and dataset not in versions:
        raise NotFound("No such dataset.")
    if opts.algorithm not in ALGORITHMS:
        raise InvalidInput(f"Unknown algorithm; available: {', '.join(ALGORITHMS)}.")
    if not queries:
        raise InvalidInput("No queries provided.")
    if len(queries) > MAX_BATCH:
        raise InvalidInput(f"Too many queries in one batch (limit: {MAX_BATCH}).")
    if not 1 <= opts.limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.")
    if opts.changed_since is not None and not _TS.match(opts.changed_since):
        raise InvalidInput("changed_since must be a date such as 2024-01-31 (or 2024-01-31T12:00).")


def match(db: Database, *, actor: Actor, dataset: str, queries: Mapping[str, Any],
          options: MatchOptions | None = None) -> MatchAnswer:
    """Screen each example entity against the list `dataset` ("default": every list)."""
    _authorise(actor)
    opts = options or MatchOptions()
    index = watchlists.current_index(db, wait=False)  # a rebuild after an import runs aside
    _check(dataset, queries, opts, index.versions)
    parsed = {name: parse_query(str(name), ex) for name, ex in queries.items()}
    cutoff = min(opts.cutoff, opts.threshold)
    # The index keeps its best candidates; asking for more than the limit leaves room for filters.
    top = min(MAX_LIMIT, max(opts.limit * 4, 20))
    responses = {}
    for name, query in parsed.items():
        results: list[dict[str, Any]] = []
        if query["schema"] in SCREENED and query["schema"] not in opts.exclude_schema:
            for hit in index.screener.screen({**query, "id": query["id"] or "query"}, top=top):
                if hit.score <= cutoff:
                    continue
                entry = index.entry(hit.entity_id)
                if entry is not None and _wanted(entry, dataset, opts):
                    results.append(_result(entry, hit, opts.threshold))
        matches = sum(1 for r in results if r["match"])
        responses[name] = QueryAnswer(query=query, results=results[: opts.limit], total=matches)
    with db.uow() as uow:
        # Who matched how many queries against which list — never what was asked.
        uow.audit.record(actor, AuditEvent.MATCH_QUERIED, "dataset", dataset[:36], fields=(f"queries:{len(parsed)}",))
        uow.commit()
    return MatchAnswer(responses, opts.limit, dict(index.versions))
