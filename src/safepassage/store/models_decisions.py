"""Models: facts, evaluations, decisions, letters, appeals (issue 7: decisions).

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.
"""

from __future__ import annotations

from safepassage.store.models import Base  # noqa: F401
