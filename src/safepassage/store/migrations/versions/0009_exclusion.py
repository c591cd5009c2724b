"""Article 1F exclusion records and referrals (issue 7: exclusion)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import safepassage.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_WHEN = safepassage.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "exclusion_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("approver_id", sa.String(length=36), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("review", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("submitted_at", _WHEN, nullable=True),
        sa.Column("reviewed_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_exclusion_records_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusion_records")),
    )
    with op.batch_alter_table("exclusion_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exclusion_records_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exclusion_records_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_exclusion_records_case_status", ["case_id", "status"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("requested_at", _WHEN, nullable=False),
        sa.Column("decided_at", _WHEN, nullable=True),
        sa.Column("exported_at", _WHEN, nullable=True),
        sa.Column("export_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["exclusion_records.id"],
            name=op.f("fk_referrals_record_id_exclusion_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_status"), ["status"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_status"))
        batch_op.drop_index(batch_op.f("ix_referrals_record_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_case_id"))
    op.drop_table("referrals")
    with op.batch_alter_table("exclusion_records", schema=None) as batch_op:
        batch_op.drop_index("ix_exclusion_records_case_status")
        batch_op.drop_index(batch_op.f("ix_exclusion_records_person_id"))
        batch_op.drop_index(batch_op.f("ix_exclusion_records_case_id"))
    op.drop_table("exclusion_records")
