"""Demo data files (fictional persons only) and their seeding."""

from __future__ import annotations

from pathlib import Path

from safepassage.services import watchlists
from safepassage.services.watchlists import ImportReport
from safepassage.store.uow import Actor, Database

HERE = Path(__file__).resolve().parent
FICTIONAL_WATCHLIST = HERE / "fictional_watchlist.jsonl"
DEMO_LIST = "demo-fictional"


def seed_watchlists(db: Database) -> ImportReport:
    """Import the fictional demo watchlist (a new version each time it is called)."""
    return watchlists.import_watchlist(
        db, actor=Actor.system(), name=DEMO_LIST, path=FICTIONAL_WATCHLIST, fmt="ftm",
        source="Safe Passage demo: fictional persons, not a real list",
    )
