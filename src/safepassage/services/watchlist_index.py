"""The screening index over the current versions of every watchlist, built once per set of versions.

Kept in the process (one per database) and rebuilt on the first call after an import changes a
version; `entry()` reads the listed person from the database as it was at the index's versions.

With a cache directory (`Database.cache_dir`; `<data dir>/cache` when served), a built index is also
saved there (`watchlist-index/<versions>.npz`, numpy arrays only, no pickle) with an HMAC-SHA256 tag
under a key derived from the secret key, so a restart loads it in seconds instead of rebuilding it
(about 90 s at a million persons). A file whose tag does not verify, or of another format version, is
ignored and rebuilt: whoever can write the cache directory cannot make screening miss anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select

from safepassage.screening import Screener
from safepassage.security.secrets import derive_key
from safepassage.store.models_watchlists import Watchlist, WatchlistEntry, WatchlistVersion
from safepassage.store.uow import Database

_CHUNK = 500
log = logging.getLogger("safepassage.watchlists")


def _live(at: int) -> Any:
    """Rows of watchlist_entries live at version `at`."""
    e = WatchlistEntry
    # `+ 0` keeps SQLite from picking the (list, added_in) index for this one-sided range, which covers
    # nearly every row; the entity-id indexes are the selective ones (measured: 6 s -> ms per lookup at 1M).
    return and_((e.added_in + 0) <= at, or_(e.removed_in.is_(None), e.removed_in > at))


@dataclass
class WatchlistIndex:
    """A Screener over every live entry of every list at a set of versions, and entry lookup."""

    db: Database
    key: tuple[str, ...]
    versions: dict[str, int]
    screener: Screener
    list_ids: dict[str, str] = field(default_factory=dict)

    def entry(self, entity_id: str) -> dict[str, Any] | None:
        """The listed person as published (id, caption, schema, properties, datasets, list, lists, version)."""
        e = WatchlistEntry
        found: dict[str, Any] | None = None
        with self.db.uow(readonly=True) as uow:
            for name, number in sorted(self.versions.items()):
                data = uow.session.scalar(
                    select(e.data).where(e.watchlist_id == self.list_ids[name], e.entity_id == entity_id, _live(number))
                )
                if data is None:
                    continue
                if found is None:
                    found = json.loads(data) | {"list": name, "version": number, "lists": [name]}
                    found.setdefault("datasets", [name])
                else:
                    found["lists"].append(name)
        return found


_CACHE: dict[str, WatchlistIndex] = {}
_LOCK = threading.Lock()


def _current_versions(db: Database) -> tuple[dict[str, int], dict[str, str], tuple[str, ...]]:
    """(list name -> current number, list name -> id, cache key of version ids)."""
    with db.uow(readonly=True) as uow:
        rows = uow.session.execute(
            select(Watchlist.name, Watchlist.id, WatchlistVersion.number, WatchlistVersion.id)
            .join(WatchlistVersion, and_(WatchlistVersion.watchlist_id == Watchlist.id,
                                         WatchlistVersion.number == Watchlist.current_version))
            .order_by(Watchlist.name)
        ).all()
    return {n: v for n, _, v, _ in rows}, {n: i for n, i, _, _ in rows}, tuple(vid for *_, vid in rows)


def _live_entities(db: Database, list_ids: dict[str, str], versions: dict[str, int],
                   only: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """Live entries of the given lists, each entity id once (the first list by name wins)."""
    e = WatchlistEntry
    seen: set[str] | None = set() if len(versions) > 1 else None
    wanted = sorted(set(only)) if only is not None else None
    with db.uow(readonly=True) as uow:
        for name in sorted(versions):
            base = select(e.entity_id, e.data).where(e.watchlist_id == list_ids[name], _live(versions[name]))
            stmts = ([base.where(e.entity_id.in_(wanted[i : i + _CHUNK])) for i in range(0, len(wanted), _CHUNK)]
                     if wanted is not None else [base.order_by(e.id)])
            for stmt in stmts:
                for entity_id, data in uow.session.execute(stmt.execution_options(yield_per=2000)):
                    if seen is not None:
                        if entity_id in seen:
                            continue
                        seen.add(entity_id)
                    yield json.loads(data)


def current_index(
    db: Database, *, workers: int = 1, progress: Callable[[int], None] | None = None, wait: bool = True
) -> WatchlistIndex:
    """The index over the current versions of all lists; built once per set of versions and kept.

    After an import, `wait=True` (the default) builds the new index before answering; `wait=False`
    answers with the previous index while the new one is built in the background (as yente swaps
    indexes), so that a million-person rebuild does not hold up every request. The index says which
    versions it covers (`.versions`).
    """
    versions, list_ids, key = _current_versions(db)
    url = db.engine.url.render_as_string(hide_password=True)
    cached = _CACHE.get(url)
    if cached is not None and cached.key == key and cached.db is db:
        return cached
    if not wait and cached is not None and cached.db is db:
        _rebuild_in_background(db, url)
        return cached
    with _LOCK:
        cached = _CACHE.get(url)
        if cached is not None and cached.key == key and cached.db is db:
            return cached
        screener = _load_saved(db, key)
        if screener is None:
            screener = Screener.build(_live_entities(db, list_ids, versions), progress=progress, workers=workers)
            _save(db, key, screener)
        index = WatchlistIndex(db, key, versions, screener, list_ids)
        _CACHE[url] = index
        return index


_TAG_CHUNK = 1 << 20


def _saved_path(db: Database, key: tuple[str, ...]) -> Path | None:
    """Where the index over these versions is saved (None without a cache directory)."""
    if db.cache_dir is None:
        return None
    name = hashlib.sha256("|".join(key).encode()).hexdigest()[:32]
    return db.cache_dir / "watchlist-index" / f"{name}.npz"


def _tag(db: Database, path: Path) -> bytes:
    """HMAC-SHA256 of a saved index file under a key only this installation holds."""
    mac = hmac.new(derive_key(db.secret_key, "watchlist-index-file"), digestmod=hashlib.sha256)
    with path.open("rb") as fh:
        while chunk := fh.read(_TAG_CHUNK):
            mac.update(chunk)
    return mac.digest()


def _load_saved(db: Database, key: tuple[str, ...]) -> Screener | None:
    """The saved index over these versions, if there is one and its tag verifies."""
    path = _saved_path(db, key)
    if path is None or not path.exists():
        return None
    try:
        tag = path.with_suffix(".tag").read_bytes()
        if not hmac.compare_digest(tag, _tag(db, path)):
            log.warning("saved watchlist index ignored: its tag does not verify",
                        extra={"error_type": "index_file_tag"})
            return None
        return Screener.load(path)
    except Exception:  # missing tag, another format version, a damaged zip: rebuilding is always safe
        log.warning("saved watchlist index ignored: unreadable", extra={"error_type": "index_file_unreadable"})
        return None


def _save(db: Database, key: tuple[str, ...], screener: Screener) -> None:
    """Save a freshly built index (atomically: written aside, tagged, then renamed), dropping older ones."""
    path = _saved_path(db, key)
    if path is None:
        return
    part = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")  # two builders never share one
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        screener.save(part)
        path.with_suffix(".tag").write_bytes(_tag(db, part))
        os.replace(part, path)
        for old in path.parent.glob("*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
                old.with_suffix(".tag").unlink(missing_ok=True)
    except OSError:  # a read-only or full disk only costs the next restart a rebuild
        part.unlink(missing_ok=True)
        log.warning("watchlist index not saved", extra={"error_type": "index_file_write"})


def warm_index(db: Database) -> None:
    """Build the current index ahead of the first request (a server starts this in a thread)."""
    try:
        index = current_index(db)
    except Exception:  # a failed warm-up only means the first request builds the index
        log.warning("watchlist index warm-up failed", extra={"error_type": "index_warmup"})
        return
    log.info("watchlist index ready", extra={"event": "watchlist.index_ready", "count": len(index.versions)})


_BUILDING: set[str] = set()
_BUILDING_LOCK = threading.Lock()


def _rebuild_in_background(db: Database, url: str) -> None:
    """Start one background build of the current index for this database (none if one is running)."""
    with _BUILDING_LOCK:
        if url in _BUILDING:
            return
        _BUILDING.add(url)

    def build() -> None:
        try:
            current_index(db)
        except Exception:  # the next request tries again; the error type only, never data
            log.warning("watchlist index rebuild failed", extra={"error_type": "index_build"})
        finally:
            with _BUILDING_LOCK:
                _BUILDING.discard(url)

    threading.Thread(target=build, name="watchlist-index", daemon=True).start()
