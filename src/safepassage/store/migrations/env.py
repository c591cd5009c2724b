"""Alembic environment: runs against the connection or URL handed over by store.schema."""

from __future__ import annotations

from alembic import context

from safepassage.store.db import make_engine
from safepassage.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations online (batch mode so SQLite can alter tables)."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
