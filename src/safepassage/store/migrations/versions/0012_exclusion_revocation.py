"""revocation of approved Art. 1F exclusion records (four eyes)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26

`exclusion_revocations`: one row per request to revoke an approved record (requested, then approved or
declined by a different officer). The reason and the reviewer's reasons are sealed with the case key
(`exclusion_revocations|content|<id>`). An approved revocation sets the record's status to `revoked`
(a new value of the existing `exclusion_records.status` column: no change there). Downgrading drops the
revocations and turns revoked records into `returned` ones: an older version knows no revoked records, and
a returned record supports nothing until two people approve it again (never back to `approved`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import safepassage.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WHEN = safepassage.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "exclusion_revocations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("requested_at", _WHEN, nullable=False),
        sa.Column("decided_at", _WHEN, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_exclusion_revocations_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["record_id"], ["exclusion_records.id"],
                                name=op.f("fk_exclusion_revocations_record_id_exclusion_records"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusion_revocations")),
    )
    with op.batch_alter_table("exclusion_revocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exclusion_revocations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exclusion_revocations_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("exclusion_revocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exclusion_revocations_record_id"))
        batch_op.drop_index(batch_op.f("ix_exclusion_revocations_case_id"))
    op.drop_table("exclusion_revocations")
    # Never back to 'approved': a revoked record must not support an exclusion again without four eyes.
    op.execute("UPDATE exclusion_records SET status = 'returned' WHERE status = 'revoked'")
