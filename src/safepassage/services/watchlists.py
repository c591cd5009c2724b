"""Watchlists: versioned snapshots of published lists, their diffs, and the screening index over them.

An import streams the file (FtM JSON lines or CSV) into a staging table in batches, works out what
was added, removed and changed with a few set-based statements, and then makes the new version
current in one small transaction. Rows of a version that is not yet current are invisible to every
reader (see `store/models_watchlists.py`), so a failed or killed import never shows half a list: the
previous version stays current, and the leftovers are removed (at once, or by the next import).

Bad lines are skipped and reported with their line numbers (``strict=True`` aborts instead); a file
without a single usable person is refused, since importing it would empty the list.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Integer, String, and_, delete, exists, func, insert, literal, or_, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, aliased

from safepassage.domain.errors import Conflict, InvalidInput, NotFound
from safepassage.screening import Issue, Screener
from safepassage.security.access import require
from safepassage.security.audit import AuditEvent
from safepassage.security.policy import Action, FieldClass
from safepassage.services.watchlist_files import Reader, caption, record
from safepassage.services.watchlist_index import (
    WatchlistIndex,
    _current_versions,
    _live,
    _live_entities,
    current_index,
)
from safepassage.store.models_watchlists import Watchlist, WatchlistEntry, WatchlistStaging, WatchlistVersion
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor, Database

FORMATS = ("ftm", "csv")
BATCH = 5000  # staging rows per transaction: short write locks for everyone else on SQLite
SLICE = 20_000  # rows compared per transaction when working out the diff
ABANDONED_AFTER = timedelta(hours=2)  # an import still "importing" this long ago was killed
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CHUNK = 500
NONE = (FieldClass.NONE,)
__all__ = ["Changes", "Diff", "ImportReport", "WatchlistEntry", "WatchlistIndex", "changes_since", "current_index",
           "diff", "import_text", "import_watchlist", "list_watchlists", "screener_for"]


@dataclass(frozen=True)
class ImportReport:
    """What one import did."""

    name: str
    version: int
    version_id: str
    total: int  # persons in the list after the import
    added: int
    removed: int
    changed: int
    unchanged: int
    skipped: int  # bad lines
    other_schemas: int  # well-formed entities that are not persons (passed over)
    issues: list[Issue]
    file_sha256: str


@dataclass(frozen=True)
class VersionInfo:
    """One version of a list, as the admin pages show it."""

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
    issues: list[tuple[int, str]]


@dataclass(frozen=True)
class WatchlistInfo:
    """A list and its versions, newest first."""

    name: str
    source: str
    current_version: int
    versions: list[VersionInfo]


@dataclass(frozen=True)
class EntryBrief:
    """A listed person in a diff: id, display name, birth dates."""

    entity_id: str
    caption: str
    birth_dates: tuple[str, ...]


@dataclass(frozen=True)
class Diff:
    """Persons added, removed and changed between two versions of a list."""

    name: str
    from_version: int
    to_version: int
    added: list[EntryBrief]
    removed: list[EntryBrief]
    changed: list[EntryBrief]
    counts: tuple[int, int, int] = (0, 0, 0)  # added, removed, changed (the lists may be cut at `limit`)


@dataclass(frozen=True)
class Changes:
    """Entity ids new, changed or removed since given versions, and the versions now current."""

    added: frozenset[str]
    changed: frozenset[str]
    removed: frozenset[str]
    versions: dict[str, int]

    @property
    def to_screen(self) -> frozenset[str]:
        """Ids whose current entry should be screened again (added or changed)."""
        return self.added | self.changed


# ---- import ----------------------------------------------------------------------------------------------


def _discard_pending(session: Session, version: WatchlistVersion) -> None:
    """Undo everything an unfinished import of `version` wrote (its number is above current)."""
    e = WatchlistEntry
    session.execute(delete(WatchlistStaging).where(WatchlistStaging.version_id == version.id))
    session.execute(delete(e).where(e.watchlist_id == version.watchlist_id, e.added_in == version.number))
    session.execute(
        update(e).where(e.watchlist_id == version.watchlist_id, e.removed_in == version.number).values(removed_in=None)
    )
    session.delete(version)


def _start(db: Database, actor: Actor, name: str, fmt: str, source: str) -> tuple[str, str, int]:
    """Create (or find) the list and its pending version; (list id, version id, number)."""
    with db.uow() as uow:
        s = uow.session
        wl = s.scalars(select(Watchlist).where(Watchlist.name == name).with_for_update()).first()
        if wl is None:
            wl = Watchlist(name=name, source=source[:500], current_version=0)
            s.add(wl)
            s.flush()
        pending = s.scalars(
            select(WatchlistVersion).where(
                WatchlistVersion.watchlist_id == wl.id, WatchlistVersion.status == "importing"
            )
        ).first()
        if pending is not None:
            if utcnow() - pending.imported_at < ABANDONED_AFTER:
                raise Conflict(f"An import of {name!r} is already running (since {pending.imported_at:%H:%M} UTC).")
            _discard_pending(s, pending)
            s.flush()
        version = WatchlistVersion(
            watchlist_id=wl.id, number=wl.current_version + 1, status="importing", source=source[:500],
            file_format=fmt, imported_by=actor.user_id, issues=[],
        )
        s.add(version)
        s.flush()
        uow.commit()
        return wl.id, version.id, version.number


def _stage(db: Database, version_id: str, rows: Iterable[tuple[int, dict[str, Any]]], strict: bool,
           reader: Reader) -> int:
    """Write the file's persons to the staging table in batches; the count staged."""
    count = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        with db.uow() as uow:
            uow.session.execute(insert(WatchlistStaging), batch)
            uow.commit()
        batch.clear()

    for number, entity in rows:
        if strict and reader.bad:
            break
        digest, data = record(entity)
        batch.append({"version_id": version_id, "line": number, "entity_id": entity["id"],
                      "content_hash": digest, "data": data})
        count += 1
        if len(batch) >= BATCH:
            flush()
    if batch and not (strict and reader.bad):
        flush()
    return count


def _drop_duplicates(db: Database, version_id: str, reader: Reader) -> int:
    """Keep the first line of each entity id; report the others. Returns how many were dropped."""
    st = WatchlistStaging
    with db.uow() as uow:
        s = uow.session
        dup_ids = s.execute(
            select(st.entity_id, func.min(st.line)).where(st.version_id == version_id)
            .group_by(st.entity_id).having(func.count() > 1)
        ).all()
        dropped = 0
        for i in range(0, len(dup_ids), _CHUNK):
            firsts = dict(dup_ids[i : i + _CHUNK])
            later = s.execute(
                select(st.line, st.entity_id).where(st.version_id == version_id, st.entity_id.in_(list(firsts)))
            ).all()
            for line, entity_id in sorted(later):
                if line != firsts[entity_id]:
                    reader.issue(line, f"duplicate id (first on line {firsts[entity_id]}); this line was skipped")
                    s.execute(delete(st).where(st.version_id == version_id, st.line == line))
                    dropped += 1
        uow.commit()
    return dropped


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def _ranges(db: Database, column: Any, *where: Any) -> list[tuple[int, int]]:
    """[lo, hi] windows of SLICE values of an integer column: each step of the diff is one short write."""
    with db.uow(readonly=True) as uow:
        lo, hi = uow.session.execute(select(func.min(column), func.max(column)).where(*where)).one()
    if lo is None:
        return []
    return [(start, start + SLICE - 1) for start in range(int(lo), int(hi) + 1, SLICE)]


def _analyze(db: Database) -> None:
    """Fresh planner statistics on PostgreSQL: the tables just changed by a million rows, and stale
    estimates ("staging is empty") turn the anti-joins below into quadratic nested loops."""
    if db.engine.dialect.name == "postgresql":
        with db.uow() as uow:
            uow.session.execute(text("ANALYZE watchlist_staging"))
            uow.session.execute(text("ANALYZE watchlist_entries"))
            uow.commit()


def _apply(db: Database, list_id: str, version_id: str, number: int) -> tuple[int, int, int]:
    """Mark removed and changed rows, insert new ones (all invisible until the flip); (added, removed, changed).

    Done in slices of SLICE rows, each its own transaction, so that on SQLite other writers (intake)
    never wait long for the write lock while a million-person list is compared. Every join runs while
    the tables it reads stay put; the inserts come last and need no join.
    """
    e, st = WatchlistEntry, WatchlistStaging
    _analyze(db)
    same_id = and_(st.version_id == version_id, st.entity_id == e.entity_id)
    live = and_(e.watchlist_id == list_id, e.removed_in.is_(None))
    removed = changed = 0
    for lo, hi in _ranges(db, e.id, e.watchlist_id == list_id):
        window = and_(live, e.id.between(lo, hi))
        with db.uow() as uow:
            removed += _rowcount(uow.session.execute(
                update(e).where(window, ~exists().where(same_id)).values(removed_in=number)
            ))
            changed += _rowcount(uow.session.execute(
                update(e).where(window, exists().where(same_id, st.content_hash != e.content_hash))
                .values(removed_in=number)
            ))
            uow.commit()
    # Whoever still has a live row is unchanged: drop them from staging; the rest is new or changed.
    e2 = aliased(WatchlistEntry)
    slices = _ranges(db, st.line, st.version_id == version_id)
    for lo, hi in slices:
        with db.uow() as uow:
            uow.session.execute(delete(st).where(
                st.version_id == version_id, st.line.between(lo, hi),
                exists().where(e2.watchlist_id == list_id, e2.entity_id == st.entity_id, e2.removed_in.is_(None)),
            ))
            uow.commit()
    for lo, hi in slices:
        new = select(
            literal(list_id, String(36)), st.entity_id, st.content_hash, st.data, literal(number, Integer),
        ).where(st.version_id == version_id, st.line.between(lo, hi))
        with db.uow() as uow:
            uow.session.execute(
                insert(e).from_select(["watchlist_id", "entity_id", "content_hash", "data", "added_in"], new)
            )
            uow.session.execute(delete(st).where(st.version_id == version_id, st.line.between(lo, hi)))
            uow.commit()
    with db.uow(readonly=True) as uow:
        # Counted, not taken from rowcount: drivers disagree on it for INSERT ... SELECT.
        inserted = int(uow.session.scalar(
            select(func.count()).select_from(e).where(e.watchlist_id == list_id, e.added_in == number)
        ) or 0)
    return inserted - changed, removed, changed


def _fail(db: Database, actor: Actor, list_id: str, version_id: str) -> None:
    """Remove an unfinished import's rows and version; audit the failure."""
    with db.uow() as uow:
        version = uow.session.get(WatchlistVersion, version_id)
        if version is not None and version.status == "importing":
            _discard_pending(uow.session, version)
        uow.audit.record(actor, AuditEvent.WATCHLIST_IMPORT_FAILED, "watchlist", list_id)
        uow.commit()


def import_watchlist(
    db: Database,
    *,
    actor: Actor,
    name: str,
    path: Path,
    fmt: str = "ftm",
    source: str = "",
    progress: Callable[[int], None] | None = None,
    strict: bool = False,
) -> ImportReport:
    """Import a file as the next version of list `name`; all or nothing. `progress` gets bytes read."""
    require(actor, Action.MANAGE_WATCHLISTS, NONE)
    name = name.strip()
    if not _NAME.match(name) or name == "default":
        raise InvalidInput("List name: 1–64 lower-case letters, digits, '.', '_' or '-' (not 'default').")
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    if not path.is_file():
        raise InvalidInput(f"No such file: {path.name}.")
    list_id, version_id, number = _start(db, actor, name, fmt, source)
    reader = Reader(path, fmt, progress)
    try:
        staged = _stage(db, version_id, reader.entities(), strict, reader)
        if strict and reader.bad:
            first = reader.issues[0]
            raise InvalidInput(f"Line {first.line}: {first.message}. Nothing was imported (strict mode).")
        if staged == 0:
            raise InvalidInput("The file has no usable persons; nothing was imported (the list was not emptied).")
        staged -= _drop_duplicates(db, version_id, reader)
        reader.issues.sort(key=lambda i: i.line)
        added, removed, changed = _apply(db, list_id, version_id, number)
        with db.uow() as uow:
            s = uow.session
            wl = s.scalars(select(Watchlist).where(Watchlist.id == list_id).with_for_update()).one()
            version = s.get(WatchlistVersion, version_id)
            if version is None or version.status != "importing" or wl.current_version != number - 1:
                raise Conflict("The list changed during the import; nothing was imported. Try again.")
            s.execute(
                update(WatchlistVersion)
                .where(WatchlistVersion.watchlist_id == list_id, WatchlistVersion.status == "current")
                .values(status="superseded")
            )
            version.status = "current"
            version.file_sha256 = reader.sha.hexdigest()
            version.total, version.added, version.removed, version.changed = staged, added, removed, changed
            version.skipped = reader.bad
            version.issues = [[i.line, i.message] for i in reader.issues]
            version.imported_at = utcnow()
            wl.current_version = number
            if source:
                wl.source = source[:500]
            uow.audit.record(actor, AuditEvent.WATCHLIST_IMPORTED, "watchlist_version", version_id)
            uow.commit()
    except BaseException:
        _fail(db, actor, list_id, version_id)
        raise
    return ImportReport(
        name=name, version=number, version_id=version_id, total=staged, added=added, removed=removed,
        changed=changed, unchanged=staged - added - changed, skipped=reader.bad, other_schemas=reader.other,
        issues=list(reader.issues), file_sha256=reader.sha.hexdigest(),
    )


def import_text(db: Database, *, actor: Actor, name: str, content: str, fmt: str = "ftm",
                source: str = "") -> ImportReport:
    """Import a small file sent inline (admin page or API) exactly as `import_watchlist` does."""
    require(actor, Action.MANAGE_WATCHLISTS, NONE)
    with tempfile.TemporaryDirectory(prefix="sp-watchlist-") as tmp:
        path = Path(tmp) / f"upload.{'csv' if fmt == 'csv' else 'jsonl'}"
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
        return import_watchlist(db, actor=actor, name=name, path=path, fmt=fmt, source=source)


# ---- reading lists and versions --------------------------------------------------------------------------


def _version_info(v: WatchlistVersion) -> VersionInfo:
    return VersionInfo(
        number=v.number, status=v.status, source=v.source, file_format=v.file_format, file_sha256=v.file_sha256,
        imported_at=v.imported_at, imported_by=v.imported_by, total=v.total, added=v.added, removed=v.removed,
        changed=v.changed, skipped=v.skipped, issues=[(int(a), str(b)) for a, b in (v.issues or [])],
    )


def list_watchlists(db: Database, *, actor: Actor) -> list[WatchlistInfo]:
    """Every list with its finished versions, newest first."""
    require(actor, Action.MANAGE_WATCHLISTS, NONE)
    with db.uow(readonly=True) as uow:
        s = uow.session
        out = []
        for wl in s.scalars(select(Watchlist).order_by(Watchlist.name)):
            versions = s.scalars(
                select(WatchlistVersion)
                .where(WatchlistVersion.watchlist_id == wl.id, WatchlistVersion.status != "importing")
                .order_by(WatchlistVersion.number.desc())
            )
            out.append(WatchlistInfo(wl.name, wl.source, wl.current_version, [_version_info(v) for v in versions]))
        return out


def _list(session: Session, name: str) -> Watchlist:
    wl = session.scalars(select(Watchlist).where(Watchlist.name == name)).first()
    if wl is None or wl.current_version == 0:
        raise NotFound("No such watchlist.")
    return wl


def _diff_ids(session: Session, list_id: str, frm: int, to: int) -> tuple[set[str], set[str], set[str]]:
    """(added, removed, changed) entity ids between versions `frm` < `to` of one list."""
    e = WatchlistEntry
    new = dict(session.execute(
        select(e.entity_id, e.content_hash).where(
            e.watchlist_id == list_id, e.added_in > frm, e.added_in <= to,
            or_(e.removed_in.is_(None), e.removed_in > to),
        )
    ).all())
    old = dict(session.execute(
        select(e.entity_id, e.content_hash).where(
            e.watchlist_id == list_id, e.added_in <= frm, e.removed_in.is_not(None), e.removed_in > frm,
            e.removed_in <= to,
        )
    ).all())
    both = new.keys() & old.keys()
    changed = {i for i in both if new[i] != old[i]}
    return set(new.keys() - both), set(old.keys() - both), changed


def _briefs(session: Session, list_id: str, ids: Iterable[str], at: int, limit: int | None) -> list[EntryBrief]:
    """Display rows for entity ids (the first `limit` by id) as they were at version `at`, sorted by caption."""
    out = []
    id_list = sorted(ids)[:limit]
    for i in range(0, len(id_list), _CHUNK):
        rows = session.execute(
            select(WatchlistEntry.entity_id, WatchlistEntry.data).where(
                WatchlistEntry.watchlist_id == list_id, WatchlistEntry.entity_id.in_(id_list[i : i + _CHUNK]),
                _live(at),
            )
        )
        for entity_id, data in rows:
            entity = json.loads(data)
            out.append(EntryBrief(entity_id, caption(entity), tuple(entity["properties"].get("birthDate", ()))))
    return sorted(out, key=lambda b: (b.caption, b.entity_id))


def diff(db: Database, *, actor: Actor, name: str, from_version: int | None = None,
         to_version: int | None = None, limit: int | None = None) -> Diff:
    """Persons added, removed and changed between two versions (default: the current one and the one before).

    Counts are always complete; each list holds at most `limit` persons (None: all).
    """
    require(actor, Action.MANAGE_WATCHLISTS, NONE)
    with db.uow(readonly=True) as uow:
        s = uow.session
        wl = _list(s, name)
        to = wl.current_version if to_version is None else to_version
        frm = to - 1 if from_version is None else from_version
        if not (0 <= frm <= wl.current_version and 1 <= to <= wl.current_version):
            raise InvalidInput(f"Versions of {name!r} run from 1 to {wl.current_version} (0: before the first).")
        lo, hi = min(frm, to), max(frm, to)
        added, removed, changed = _diff_ids(s, wl.id, lo, hi)
        if frm > to:
            added, removed = removed, added
        return Diff(
            name, frm, to,
            added=_briefs(s, wl.id, added, to, limit),
            removed=_briefs(s, wl.id, removed, frm, limit),
            changed=_briefs(s, wl.id, changed, to, limit),
            counts=(len(added), len(removed), len(changed)),
        )


def screener_for(db: Database, entity_ids: Iterable[str]) -> Screener:
    """A Screener over just these entities as they are now (for re-screening what changed)."""
    versions, list_ids, _ = _current_versions(db)
    return Screener.build(_live_entities(db, list_ids, versions, only=entity_ids))


def changes_since(db: Database, since: dict[str, int]) -> Changes:
    """Entity ids added, changed or removed in any list after the given versions (missing list: after 0)."""
    versions, list_ids, _ = _current_versions(db)
    added: set[str] = set()
    changed: set[str] = set()
    removed: set[str] = set()
    with db.uow(readonly=True) as uow:
        for name, current in versions.items():
            frm = since.get(name, 0)
            if frm > current:  # a list re-created since: everything in it is new
                frm = 0
            if frm == current:
                continue
            a, r, c = _diff_ids(uow.session, list_ids[name], frm, current)
            added |= a
            removed |= r
            changed |= c
    # An id removed from one list but still live (or new) in another is not "removed".
    removed -= added | changed
    return Changes(frozenset(added - changed), frozenset(changed), frozenset(removed), versions)
