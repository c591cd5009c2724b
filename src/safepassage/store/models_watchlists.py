"""Models: watchlist snapshots and entries (issue 6: watchlists).

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.
"""

from __future__ import annotations

from safepassage.store.models import Base  # noqa: F401
