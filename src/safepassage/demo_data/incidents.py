"""Demo incidents for the unit–incident flags (see README.md): three clearly fictional, one documented."""

from __future__ import annotations

from pathlib import Path

from safepassage.services import incidents
from safepassage.store.uow import Actor, Database

INCIDENTS = Path(__file__).with_name("incidents.csv")


def seed_incidents(db: Database) -> incidents.ImportResult:
    """Import the demo incidents (idempotent: by `ref`)."""
    return incidents.import_incidents(db.uow(), actor=Actor.system(), rows=incidents.read_csv(INCIDENTS), strict=True)
