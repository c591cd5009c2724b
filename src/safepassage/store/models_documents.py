"""Models: requests for information and case documents (issue 5).

Imported at the end of `store/models.py`, so `Base.metadata` (Alembic, tests) always sees them.
"""

from __future__ import annotations

from safepassage.store.models import Base  # noqa: F401
