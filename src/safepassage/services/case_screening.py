"""Screening in the case flow: every person on a case is screened when it enters `screening`; hits
wait for a screening analyst; no case leaves screening (or reaches a decision) with a hit unresolved.

- `on_stage_entered` is called by `casework.move_case` in the same transaction as the move: entering
  `screening` screens the case synchronously (milliseconds per person on a warm index, see
  docs/case-screening.md) and, when nothing reaches REVIEW_THRESHOLD and no incident flag was raised,
  moves it on to `review` as the system actor (audited). Below REVIEW_THRESHOLD is the only decision a
  machine takes.
- `guard_move` refuses to let a case leave screening, or reach decision_pending or a decision, while
  a hit or an incident flag waits for an analyst.
- `dispose_hit`: confirmed / false_positive / needs_info with a required reason; a confirmed hit
  sends the case to exclusion_review; dispositions are remembered per (applicant fields, listed
  entity content) pair, keyed by an HMAC, so the same pair is not asked again unless either changes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select

from safepassage.domain.errors import IllegalTransition, InvalidInput, NotFound, StaleVersion
from safepassage.domain.person import clean_text
from safepassage.domain.stages import DECIDED, Stage, allowed_targets
from safepassage.screening import REVIEW_THRESHOLD, Screener
from safepassage.security.access import case_for_read, case_for_update
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.security.secrets import derive_key
from safepassage.store.models import Case, PersonRow, StageEvent, new_id
from safepassage.store.models_screening import (
    CaseScreeningState,
    HitDisposition,
    IncidentFlag,
    ScreeningHit,
    ScreeningRun,
)
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, Database, UnitOfWork

DISPOSITIONS = ("confirmed", "false_positive", "needs_info")
REMEMBERED = ("confirmed", "false_positive")
UNRESOLVED = ("pending", "needs_info")
TOP = 5
MAX_REASON = 2_000
HIT_NOT_FOUND = "No such screening hit."


class WatchlistView(Protocol):
    """What screening needs from the watchlists (services/watchlists.py's index)."""

    screener: Screener
    versions: dict[str, int]

    def entry(self, entity_id: str) -> dict[str, Any] | None:
        """The stored entity (FtM dict) with its list name and version."""


def visible(text: str) -> bool:
    """Whether a text has anything a reader can see (zero-width and bidi controls alone are not a reason)."""
    return any(unicodedata.category(ch)[0] not in "CZ" for ch in text)


# ---- applicant side -----------------------------------------------------------------------------------


def query_of(person: Mapping[str, Any], person_id: str = "") -> dict[str, Any]:
    """The FtM query dict of a stored person: every spelling, birth date, gender, citizenship."""
    name = person.get("name") or {}
    names = [" ".join(p for p in (name.get("first", ""), name.get("patronymic", ""), name.get("last", "")) if p)]
    names += list(name.get("latin", ())) + list(name.get("aliases", ()))
    props: dict[str, list[str]] = {"name": [n for n in names if n]}
    for key, value in (("firstName", name.get("first")), ("fatherName", name.get("patronymic")),
                       ("lastName", name.get("last"))):
        if value:
            props[key] = [value]
    if person.get("birth_date"):
        props["birthDate"] = [str(person["birth_date"])]
    if person.get("gender"):
        props["gender"] = [str(person["gender"])]
    if person.get("citizenship"):
        props["nationality"] = list(person["citizenship"])
    return {"id": person_id, "schema": "Person", "properties": props}


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entity_hash(entity: Mapping[str, Any]) -> str:
    """A content hash of a listed entity (its properties): changes when the listing changes."""
    return hashlib.sha256(_canonical({"id": entity.get("id"), "p": entity.get("properties") or {}})).hexdigest()


def pair_key(uow: UnitOfWork, query: Mapping[str, Any], entity_id: str, entity: Mapping[str, Any]) -> str:
    """Keyed HMAC of the applicant's screening-relevant fields + entity id + entity content hash.

    Not a plain hash: a name's hash could be brute-forced from a dictionary of names. The key is
    derived from the index key (kept outside the database), like the blind indexes.
    """
    key = derive_key(uow.index_key, "screening/disposition")
    msg = _canonical(query.get("properties") or {}) + b"|" + entity_id.encode() + b"|" + entity_hash(entity).encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def versions_key(versions: Mapping[str, int]) -> str:
    """A canonical short form of a {watchlist: version} dict, for grouping cases by what they saw."""
    return hashlib.sha256(_canonical(dict(sorted(versions.items())))).hexdigest()


def _origin(index: WatchlistView, entity: Mapping[str, Any]) -> tuple[str, int]:
    name = str(entity.get("watchlist") or entity.get("list") or "")
    if not name and index.versions:
        name = next(iter(sorted(index.versions)))
    version = entity.get("version") or index.versions.get(name, 0)
    return name[:100], int(version)


_DATABASES: dict[int, Database] = {}


def register_database(db: Database) -> None:
    """Make `db` the handle screening uses for its engine (a process that already has one shares its index)."""
    engine = getattr(db, "engine", None)  # route listings build the app around a stand-in: nothing to share
    if engine is not None:
        _DATABASES[id(engine)] = db


def database_of(uow: UnitOfWork) -> Database:
    """The process's Database handle for this unit of work's engine (one per engine, so the watchlist
    index, cached per handle and version set, is built once and shared by every request)."""
    engine = uow.session.get_bind()
    db = _DATABASES.get(id(engine))
    if db is None or db.engine is not engine:
        db = Database(engine, ring=uow._ring, secret_key=uow.secret_key, index_key=uow.index_key)  # type: ignore[arg-type]
        _DATABASES[id(engine)] = db
    return db


# ---- screening a case ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """What one screening of one case found."""

    run_id: str
    persons: int
    new_hits: int
    new_flags: int


def _persons(uow: UnitOfWork, case: Case) -> list[tuple[PersonRow, dict[str, Any]]]:
    dk = uow.keys.for_case(case)
    return [(r, dk.open_json(r.payload, table="persons", column="payload", row_id=r.id)["person"])
            for r in case.persons]


def screen_case(
    uow: UnitOfWork, *, actor: Actor, case: Case, index: WatchlistView, kind: str = "intake",
    screener: Screener | None = None,
) -> RunResult:
    """Screen every person on a case (inside the caller's transaction); record hits, flags, the run
    and the versions it was screened against. `screener` narrows the search (re-screening: only what
    changed); the versions recorded are always the index's current ones."""
    from safepassage.services import incidents

    run_id = new_id()
    dk = uow.keys.for_case(case)
    persons = _persons(uow, case)
    seen = set(uow.session.scalars(select(ScreeningHit.pair_key).where(ScreeningHit.case_id == case.id)).all())
    new_hits = 0
    for row, person in persons:
        query = query_of(person, row.id)
        for hit in (screener or index.screener).screen(query, top=TOP):
            if hit.score < REVIEW_THRESHOLD:
                continue  # the documented automatic clear
            entity = index.entry(hit.entity_id)
            if entity is None:
                continue
            key = pair_key(uow, query, hit.entity_id, entity)
            if key in seen:
                continue  # this pair, unchanged, is already on the case
            seen.add(key)
            remembered = uow.session.get(HitDisposition, key)
            name, version = _origin(index, entity)
            hit_id = new_id()
            detail = {"explanation": hit.result.explanation.to_dict(), "entity": dict(entity)}
            uow.session.add(ScreeningHit(
                id=hit_id, case_id=case.id, person_id=row.id, run_id=run_id, watchlist=name,
                watchlist_version=version, entity_id=hit.entity_id[:200], score=round(hit.score, 4), pair_key=key,
                detail=dk.seal_json(detail, table="screening_hits", column="detail", row_id=hit_id),
                status=remembered.disposition if remembered else "pending",
                remembered_from=remembered.hit_id if remembered else None,
                decided_by=remembered.decided_by if remembered else None,
                decided_at=remembered.decided_at if remembered else None,
            ))
            new_hits += 0 if remembered else 1
    new_flags = incidents.flag_case(uow, case=case, persons=persons)
    uow.session.add(ScreeningRun(id=run_id, case_id=case.id, kind=kind, versions=dict(index.versions),
                                 persons=len(persons), hits=new_hits, flags=new_flags, actor_role=actor.role))
    state = uow.session.get(CaseScreeningState, case.id)
    if state is None:
        state = CaseScreeningState(case_id=case.id)
        uow.session.add(state)
    state.versions, state.versions_key, state.screened_at = dict(index.versions), versions_key(index.versions), utcnow()
    uow.session.flush()
    uow.audit.record(actor, AuditEvent.CASE_SCREENED, "case", case.id, fields=("exclusion",))
    return RunResult(run_id, len(persons), new_hits, new_flags)


def unresolved(uow: UnitOfWork, case_id: str) -> int:
    """Hits and incident flags on a case still waiting for an analyst."""
    hits = uow.session.scalar(select(func.count()).select_from(ScreeningHit).where(
        ScreeningHit.case_id == case_id, ScreeningHit.status.in_(UNRESOLVED)))
    flags = uow.session.scalar(select(func.count()).select_from(IncidentFlag).where(
        IncidentFlag.case_id == case_id, IncidentFlag.status == "pending"))
    return int(hits or 0) + int(flags or 0)


def _confirmed(uow: UnitOfWork, case_id: str) -> bool:
    return bool(uow.session.scalar(select(func.count()).select_from(ScreeningHit).where(
        ScreeningHit.case_id == case_id, ScreeningHit.status == "confirmed")))


def system_move(uow: UnitOfWork, case: Case, to: Stage) -> None:
    """Move a case as the system (after screening or a disposition), audited like any move."""
    current = Stage(case.stage)
    if to not in allowed_targets(current):
        return
    now = utcnow()
    case.stage, case.updated_at, case.stage_changed_at = to.value, now, now
    uow.session.add(StageEvent(case_id=case.id, from_stage=current.value, to_stage=to.value, actor_id=None, at=now))
    uow.audit.record(Actor.system(), AuditEvent.CASE_TRANSITIONED, "case", case.id, fields=("stage",))
    uow.session.flush()


def advance(uow: UnitOfWork, case: Case) -> None:
    """Once nothing waits for an analyst: a confirmed hit goes to exclusion review, otherwise on to review."""
    if unresolved(uow, case.id):
        return
    stage = Stage(case.stage)
    if _confirmed(uow, case.id) and Stage.EXCLUSION_REVIEW in allowed_targets(stage):
        if not _already_excl_reviewed(uow, case.id):
            system_move(uow, case, Stage.EXCLUSION_REVIEW)
    elif stage is Stage.SCREENING:
        system_move(uow, case, Stage.REVIEW)


def _already_excl_reviewed(uow: UnitOfWork, case_id: str) -> bool:
    return bool(uow.session.scalar(select(func.count()).select_from(StageEvent).where(
        StageEvent.case_id == case_id, StageEvent.to_stage == Stage.EXCLUSION_REVIEW.value)))


def on_stage_entered(uow: UnitOfWork, *, actor: Actor, case: Case, stage: Stage) -> None:
    """Hook of `casework.move_case`: a case entering screening is screened now, in the same transaction."""
    if stage is not Stage.SCREENING:
        return
    from safepassage.services import watchlists

    uow.session.flush()
    screen_case(uow, actor=actor, case=case, index=watchlists.current_index(database_of(uow)))
    advance(uow, case)


def guard_move(uow: UnitOfWork, case: Case, current: Stage, to: Stage) -> None:
    """Refuse moves that would let an unresolved hit or flag through (the analyst decides, not a button)."""
    leaving = current is Stage.SCREENING and to is not Stage.WITHDRAWN
    deciding = to is Stage.DECISION_PENDING or to in DECIDED
    if (leaving or deciding) and unresolved(uow, case.id):
        raise IllegalTransition(
            "This case has screening hits or incident flags waiting for a screening analyst; "
            "it moves on when they are resolved. Nothing was changed."
        )


# ---- hit review ---------------------------------------------------------------------------------------


def _hit_for_update(uow: UnitOfWork, actor: Actor, case_id: str, hit_id: str) -> tuple[ScreeningHit, Case]:
    case = case_for_update(uow, actor, case_id, action=Action.DISPOSE_HIT)
    hit = uow.session.get(ScreeningHit, hit_id, with_for_update=True)
    if hit is None or hit.case_id != case.id:
        raise NotFound(HIT_NOT_FOUND)
    return hit, case


def dispose_hit(
    uow: UnitOfWork, *, actor: Actor, case_id: str, hit_id: str, disposition: str, reason: str,
    expected_version: int,
) -> dict[str, Any]:
    """Record an analyst's disposition with a reason; a confirmed hit sends the case to exclusion review,
    and a case whose hits are all resolved moves on. Confirmed/false-positive are remembered."""
    if disposition not in DISPOSITIONS:
        raise InvalidInput(f"Disposition must be one of: {', '.join(DISPOSITIONS)}.")
    text = clean_text(reason, field_name="Reason", limit=MAX_REASON)
    if not visible(text):
        raise InvalidInput("Give a reason for the disposition.")
    with uow:
        hit, case = _hit_for_update(uow, actor, case_id, hit_id)
        if hit.version != expected_version:
            raise StaleVersion(f"This hit was changed by someone else (your version {expected_version}, "
                               f"current {hit.version}). Reload it; nothing was changed.")
        dk = uow.keys.for_case(case)
        now = utcnow()
        hit.status, hit.decided_by, hit.decided_at = disposition, actor.user_id, now
        hit.reason = dk.seal_json({"reason": text}, table="screening_hits", column="reason", row_id=hit.id)
        hit.remembered_from = None
        if disposition in REMEMBERED:
            row = uow.session.get(HitDisposition, hit.pair_key)
            if row is None:
                uow.session.add(HitDisposition(pair_key=hit.pair_key, disposition=disposition, hit_id=hit.id,
                                               decided_by=actor.user_id, decided_at=now))
            else:
                row.disposition, row.hit_id, row.decided_by, row.decided_at = disposition, hit.id, actor.user_id, now
        uow.session.flush()
        uow.audit.record(actor, AuditEvent.HIT_DISPOSED, "screening_hit", hit.id, fields=("exclusion",))
        advance(uow, case)
        uow.commit()
        return {"id": hit.id, "status": hit.status, "version": hit.version, "case_stage": case.stage,
                "case_version": case.version}


def hit_rows(uow: UnitOfWork, case: Case) -> list[dict[str, Any]]:
    """A case's hits, unsealed (call inside a read of the case's exclusion data)."""
    dk = uow.keys.for_case(case)
    rows = uow.session.scalars(select(ScreeningHit).where(ScreeningHit.case_id == case.id)
                               .order_by(ScreeningHit.created_at, ScreeningHit.score.desc())).all()
    out = []
    for h in rows:
        detail = dk.open_json(h.detail, table="screening_hits", column="detail", row_id=h.id)
        reason = dk.open_json(h.reason, table="screening_hits", column="reason", row_id=h.id)["reason"] \
            if h.reason else None
        out.append({
            "id": h.id, "case_id": h.case_id, "person_id": h.person_id, "entity_id": h.entity_id,
            "watchlist": h.watchlist, "watchlist_version": h.watchlist_version, "score": h.score,
            "status": h.status, "version": h.version, "remembered": h.remembered_from is not None,
            "explanation": detail["explanation"], "entity": detail["entity"], "reason": reason,
            "decided_by": h.decided_by, "decided_at": h.decided_at, "created_at": h.created_at,
        })
    return out


def evidence(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    """Every screening hit on a case with score, explanation, list/version, disposition, reason, who/when
    (for the referral export). Reading it is an audited read of exclusion data."""
    with uow:
        case = case_for_read(uow, actor, case_id, fields=(FieldClass.CORE, FieldClass.EXCLUSION))
        rows = hit_rows(uow, case)
        uow.commit()
        return [{k: r[k] for k in ("id", "person_id", "entity_id", "watchlist", "watchlist_version", "score",
                                   "explanation", "status", "reason", "decided_by", "decided_at", "remembered")}
                | {"disposition": r["status"]} for r in rows]
