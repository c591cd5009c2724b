"""Watchlist administration and the yente-compatible match API under /api. Parse, call one service, shape.

The match models mirror yente v5's `yente/data/common.py` (EntityExample, EntityMatchQuery,
ScoredEntityResponse, EntityMatches, EntityMatchResponse); tests validate both directions against a
JSON schema generated from yente's own models (tests/data/yente_match_schema.json).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from safepassage.screening import MATCH_THRESHOLD, REVIEW_THRESHOLD
from safepassage.services import api_tokens, match_api, watchlists
from safepassage.store.uow import Actor
from safepassage.web.api import ERRORS
from safepassage.web.deps import DB, Staff, Token

router = APIRouter(prefix="/api", responses=ERRORS)
LIST_NAME = Path(max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", description="The list's name.")


# ---- administration --------------------------------------------------------------------------------------


class IssueOut(BaseModel):
    """A bad line of an imported file."""

    line: int
    message: str


class VersionOut(BaseModel):
    """One imported version of a list."""

    number: int
    status: str
    source: str
    file_format: str
    file_sha256: str
    imported_at: datetime
    imported_by: str | None
    total: int
    added: int
    removed: int
    changed: int
    skipped: int
    issues: list[IssueOut] = Field(description="Bad lines with their numbers and reasons (the first 1,000).")

    @field_validator("issues", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        return [{"line": v[0], "message": v[1]} if isinstance(v, tuple | list) else v for v in value]


class WatchlistOut(BaseModel):
    """A list and its versions, newest first."""

    name: str
    source: str
    current_version: int
    versions: list[VersionOut]


class WatchlistsOut(BaseModel):
    """Every list."""

    items: list[WatchlistOut]


class EntryOut(BaseModel):
    """A listed person in a diff."""

    entity_id: str
    caption: str
    birth_dates: list[str]


class DiffOut(BaseModel):
    """Persons added, removed and changed between two versions."""

    name: str
    from_version: int
    to_version: int
    added: list[EntryOut]
    removed: list[EntryOut]
    changed: list[EntryOut]
    counts: dict[str, int] = Field(description="Complete counts; each list holds at most `limit` persons.")


class UploadIn(BaseModel):
    """A small list file sent inline (at most about 1 MB; import larger ones with the CLI)."""

    format: str = Field("ftm", pattern="^(ftm|csv)$")
    source: str = Field("", max_length=500)
    content: str = Field(max_length=990_000, description="The file's text: FtM JSON lines or CSV with a header.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "format": "csv",
        "source": "Demo: fictional persons",
        "content": "id,first_name,father_name,last_name,birth_date\n"
                   "demo-x1,Вымысел,Тестович,Примеров,1970-01-01\n",
    }]})


class ImportOut(BaseModel):
    """What an import did."""

    name: str
    version: int
    total: int
    added: int
    removed: int
    changed: int
    unchanged: int
    skipped: int
    other_schemas: int
    issues: list[IssueOut]
    file_sha256: str


def _entries(items: list[watchlists.EntryBrief]) -> list[EntryOut]:
    return [EntryOut(entity_id=e.entity_id, caption=e.caption, birth_dates=list(e.birth_dates)) for e in items]


@router.get("/watchlists", response_model=WatchlistsOut, tags=["watchlists"])
def list_watchlists(actor: Staff, db: DB) -> WatchlistsOut:
    """Every watchlist with its versions: source, date, counts, bad lines."""
    items = watchlists.list_watchlists(db, actor=actor)
    return WatchlistsOut(items=[
        WatchlistOut(name=w.name, source=w.source, current_version=w.current_version,
                     versions=[VersionOut(**v.__dict__) for v in w.versions])
        for w in items
    ])


@router.get("/watchlists/{name}/diff", response_model=DiffOut, tags=["watchlists"])
def diff(
    actor: Staff, db: DB, name: Annotated[str, LIST_NAME],
    from_version: Annotated[int | None, Query(alias="from", ge=0, le=1_000_000)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1, le=1_000_000)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="At most this many persons per list.")] = 1000,
) -> DiffOut:
    """Persons added, removed and changed between two versions (default: the current one and the one before)."""
    d = watchlists.diff(db, actor=actor, name=name, from_version=from_version, to_version=to_version, limit=limit)
    return DiffOut(name=d.name, from_version=d.from_version, to_version=d.to_version, added=_entries(d.added),
                   removed=_entries(d.removed), changed=_entries(d.changed),
                   counts=dict(zip(("added", "removed", "changed"), d.counts, strict=True)))


@router.post("/watchlists/{name}/versions", status_code=201, response_model=ImportOut, tags=["watchlists"])
def upload(body: UploadIn, actor: Staff, db: DB, name: Annotated[str, LIST_NAME]) -> ImportOut:
    """Import a small file as the list's next version (all or nothing; bad lines are skipped and reported)."""
    r = watchlists.import_text(db, actor=actor, name=name, content=body.content, fmt=body.format, source=body.source)
    return ImportOut(name=r.name, version=r.version, total=r.total, added=r.added, removed=r.removed,
                     changed=r.changed, unchanged=r.unchanged, skipped=r.skipped, other_schemas=r.other_schemas,
                     issues=[IssueOut(line=i.line, message=i.message) for i in r.issues], file_sha256=r.file_sha256)


# ---- the yente-compatible match API ----------------------------------------------------------------------


class EntityExample(BaseModel):
    """yente's EntityExample: an entity to match, as FtM."""

    id: str | None = Field(None, max_length=200, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", max_length=64, examples=["Person"])
    properties: dict[str, str | list[Any]] = Field(..., examples=[{"name": ["John Doe"]}])

    model_config = ConfigDict(populate_by_name=True)


class EntityMatchQuery(BaseModel):
    """yente's EntityMatchQuery: named example entities (weights and config are accepted, not used)."""

    weights: dict[str, float] = Field({}, examples=[{"name_literal": 0.8}])
    config: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    queries: dict[str, EntityExample]

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "queries": {
            "q1": {"schema": "Person", "properties": {
                "name": ["Вымысел Тестович Примеров"], "birthDate": ["1970-01-01"]}},
            "q2": {"schema": "Person", "properties": {
                "firstName": ["Ґанна"], "lastName": ["Вигаданенко"], "nationality": ["ua"]}},
        }
    }]})


class FeatureResult(BaseModel):
    """nomenklatura's FeatureResult: a feature's score and how it came about."""

    score: float
    detail: str | None = None


class TotalSpec(BaseModel):
    """yente's TotalSpec."""

    value: int
    relation: str = "eq"


class ScoredEntityResponse(BaseModel):
    """yente's ScoredEntityResponse: a listed person, its score and explanations."""

    id: str
    caption: str
    schema_: str = Field(..., alias="schema")
    properties: dict[str, list[Any]]
    datasets: list[str] = []
    referents: list[str] = []
    target: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None
    score: float
    explanations: dict[str, FeatureResult]
    match: bool

    model_config = ConfigDict(populate_by_name=True)


class EntityMatches(BaseModel):
    """yente's EntityMatches: one query's answer."""

    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: EntityExample


class EntityMatchResponse(BaseModel):
    """yente's EntityMatchResponse."""

    responses: dict[str, EntityMatches]
    limit: int


def matcher(db: DB, token: Token) -> Actor:
    """A staff session or a system's API token (accepted here only)."""
    return api_tokens.authenticate_matcher(db, token=token)


Matcher = Annotated[Actor, Depends(matcher)]


@router.post("/match/{dataset}", response_model=EntityMatchResponse, response_model_by_alias=True, tags=["match"])
def match(
    body: EntityMatchQuery,
    actor: Matcher,
    db: DB,
    response: Response,
    dataset: Annotated[str, Path(max_length=64, description="A list name, or 'default' for every list.")],
    limit: Annotated[int, Query(ge=1, le=match_api.MAX_LIMIT)] = match_api.DEFAULT_LIMIT,
    threshold: Annotated[float, Query(ge=0, le=1)] = MATCH_THRESHOLD,
    cutoff: Annotated[float, Query(ge=0, le=1, description="Results at or below are left out.")] = REVIEW_THRESHOLD,
    algorithm: Annotated[str, Query(max_length=32)] = "best",
    include_dataset: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006 - FastAPI copies defaults
    exclude_dataset: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
    exclude_entity_ids: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
    topics: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
    changed_since: Annotated[str | None, Query(max_length=19)] = None,
) -> EntityMatchResponse:
    """Screen example entities against a list (yente v5 compatible). A result only flags a person for review."""
    opts = match_api.MatchOptions(limit, threshold, cutoff, algorithm, include_dataset, exclude_dataset,
                                  exclude_schema, exclude_entity_ids, topics, changed_since)
    queries = {name: q.model_dump(by_alias=True) for name, q in body.queries.items()}
    answer = match_api.match(db, actor=actor, dataset=dataset, queries=queries, options=opts)
    response.headers["x-batch-size"] = str(len(answer.responses))
    # Which list versions answered (after an import the previous index answers until the new one is built).
    response.headers["x-watchlist-versions"] = ",".join(f"{k}={v}" for k, v in sorted(answer.versions.items()))
    return EntityMatchResponse(
        limit=answer.limit,
        responses={
            name: EntityMatches(
                status=a.status,
                results=[ScoredEntityResponse.model_validate(r) for r in a.results],
                total=TotalSpec(value=a.total),
                query=EntityExample.model_validate(a.query),
            )
            for name, a in answer.responses.items()
        },
    )
