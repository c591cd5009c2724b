"""Models: watchlist snapshots and entries (issue 6: watchlists), and system API tokens.

Watchlist entries are *published list data* (OpenSanctions-style exports of sanctioned or wanted
persons), not applicant data, so they are stored in clear: see docs/watchlists.md.

Entries are temporal: a row is live from version ``added_in`` until the version ``removed_in``
that dropped or replaced it. A version is visible only once ``watchlists.current_version``
reaches it, so an import can write its rows in batches and becomes visible in one small commit.

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safepassage.store.models import Base, new_id
from safepassage.store.types import utcnow


class Watchlist(Base):
    """A named list (e.g. an OpenSanctions dataset) and the version that is current."""

    __tablename__ = "watchlists"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(500), default="")
    current_version: Mapped[int] = mapped_column(Integer, default=0)  # 0: nothing imported yet
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistVersion(Base):
    """One import of a list: where it came from, when, by whom, and what changed."""

    __tablename__ = "watchlist_versions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    watchlist_id: Mapped[str] = mapped_column(ForeignKey("watchlists.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="importing")  # importing | current | superseded
    source: Mapped[str] = mapped_column(String(500), default="")
    file_format: Mapped[str] = mapped_column(String(8))
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # bad lines (reported in `issues`)
    issues: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[line, message], ...], at most ISSUE_CAP

    __table_args__ = (UniqueConstraint("watchlist_id", "number", name="uq_watchlist_versions_list_number"),)


class WatchlistEntry(Base):
    """One listed person as published, live from version `added_in` until `removed_in` (exclusive)."""

    __tablename__ = "watchlist_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    watchlist_id: Mapped[str] = mapped_column(ForeignKey("watchlists.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)  # the FtM entity as canonical JSON
    added_in: Mapped[int] = mapped_column(Integer)
    removed_in: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        Index("ix_watchlist_entries_live", "watchlist_id", "entity_id", "removed_in"),
        Index("ix_watchlist_entries_added", "watchlist_id", "added_in"),
        Index("ix_watchlist_entries_removed", "watchlist_id", "removed_in"),
        Index("ix_watchlist_entries_entity", "entity_id"),
    )


class WatchlistStaging(Base):
    """Rows of an import in progress (deleted when it completes or fails)."""

    __tablename__ = "watchlist_staging"
    version_id: Mapped[str] = mapped_column(
        ForeignKey("watchlist_versions.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entity_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_watchlist_staging_entity", "version_id", "entity_id"),)


class ApiToken(Base):
    """A system's token for the match API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
