"""decision destination in clear (a policy code) for statistics per destination (issue 8)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26

`decisions.destination` holds the policy's destination code ("eu", "other"), which was until now only
inside the sealed reasons. Existing decisions are filled in by `safepassage db upgrade` right after
this migration (it needs the case keys, which migrations never see: see
`services.decisions.fill_destinations`). The statistics summary gains the destination of each case's
latest decision; its bookkeeping row is deleted so the next refresh rebuilds the summary and rollup.
Two of the summary's indexes change for speed at a million cases: the one on `clustered` becomes partial
(only the rows of people with several applications), the one for the backlog covers `people`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination", sa.String(length=16), nullable=True))
    with op.batch_alter_table("stats_case_facts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination", sa.String(length=16), nullable=True))
    op.execute("DELETE FROM stats_state")  # the rollup gains per-destination rows: rebuild at next refresh
    with op.batch_alter_table("stats_case_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_case_facts_clustered")
        batch_op.drop_index("ix_stats_case_facts_open")
        batch_op.create_index("ix_stats_case_facts_clustered", ["clustered"], unique=False,
                              sqlite_where=sa.text("clustered = 1"), postgresql_where=sa.text("clustered = 1"))
        batch_op.create_index("ix_stats_case_facts_open", ["stage", "stage_changed_at", "people"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("stats_case_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_case_facts_open")
        batch_op.drop_index("ix_stats_case_facts_clustered")
        batch_op.create_index("ix_stats_case_facts_clustered", ["clustered"], unique=False)
        batch_op.create_index("ix_stats_case_facts_open", ["stage", "stage_changed_at"], unique=False)
    with op.batch_alter_table("stats_case_facts", schema=None) as batch_op:
        batch_op.drop_column("destination")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("destination")
    op.execute("DELETE FROM stats_state")
