"""statistics support: arrivals, per-case fact summary and rollup, frozen public releases, reporting indexes (issue 8)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safepassage.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_HOURS = (
    "h_pre_journey",
    "h_received",
    "h_screening",
    "h_review",
    "h_exclusion_review",
    "h_decision_pending",
    "h_appeal",
    "h_total",
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "arrivals",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("arrived_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_arrivals_case_id_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_arrivals")),
    )
    op.create_table(
        "stats_case_facts",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("cluster_id", sa.String(length=36), nullable=False),
        sa.Column("clustered", sa.Integer(), nullable=False),
        sa.Column("pathways", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("principals", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("stage_changed_at", UTCDateTime(), nullable=False),
        sa.Column("contact_at", UTCDateTime(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=True),
        sa.Column("arranged_at", UTCDateTime(), nullable=True),
        sa.Column("custody_at", UTCDateTime(), nullable=True),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("screened_at", UTCDateTime(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("first_outcome", sa.String(length=16), nullable=True),
        sa.Column("appealed_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("arrived_at", UTCDateTime(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in _HOURS),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_stats_case_facts_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_stats_case_facts")),
    )
    with op.batch_alter_table("stats_case_facts", schema=None) as batch_op:
        batch_op.create_index("ix_stats_case_facts_cluster", ["cluster_id"], unique=False)
        batch_op.create_index("ix_stats_case_facts_clustered", ["clustered"], unique=False)
        batch_op.create_index("ix_stats_case_facts_open", ["stage", "stage_changed_at"], unique=False)
    op.create_table(
        "stats_rollup",
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("bucket", sa.String(length=10), nullable=False),
        sa.Column("pathways", sa.String(length=200), nullable=False),
        sa.Column("p1", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("principals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("grain", "bucket", "pathways", "p1", "measure", name=op.f("pk_stats_rollup")),
    )
    op.create_table(
        "stats_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stats_state")),
    )
    op.create_table(
        "stats_public_releases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_public_releases")),
        sa.UniqueConstraint("period", name=op.f("uq_stats_public_releases_period")),
    )
    with op.batch_alter_table("stage_events", schema=None) as batch_op:
        batch_op.create_index("ix_stage_events_at", ["at"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_updated_at")
    with op.batch_alter_table("stage_events", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_events_at")
    op.drop_table("stats_public_releases")
    op.drop_table("stats_state")
    op.drop_table("stats_rollup")
    with op.batch_alter_table("stats_case_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_case_facts_open")
        batch_op.drop_index("ix_stats_case_facts_clustered")
        batch_op.drop_index("ix_stats_case_facts_cluster")
    op.drop_table("stats_case_facts")
    op.drop_table("arrivals")
