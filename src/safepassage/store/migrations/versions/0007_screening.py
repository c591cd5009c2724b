"""case screening results, hit dispositions, incidents, duplicate links (issue 6: case flow)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safepassage.store.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "screening_hits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("watchlist", sa.String(length=100), nullable=False),
        sa.Column("watchlist_version", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("pair_key", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("remembered_from", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_screening_hits_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_screening_hits_person_id_persons"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hits")),
    )
    op.create_index("ix_screening_hits_case_status", "screening_hits", ["case_id", "status"], unique=False)
    op.create_index(op.f("ix_screening_hits_case_id"), "screening_hits", ["case_id"], unique=False)
    op.create_index(op.f("ix_screening_hits_person_id"), "screening_hits", ["person_id"], unique=False)
    op.create_index(op.f("ix_screening_hits_pair_key"), "screening_hits", ["pair_key"], unique=False)
    op.create_index(op.f("ix_screening_hits_status"), "screening_hits", ["status"], unique=False)
    op.create_table(
        "hit_dispositions",
        sa.Column("pair_key", sa.String(length=64), nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("hit_id", sa.String(length=36), nullable=False),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pair_key", name=op.f("pk_hit_dispositions")),
    )
    op.create_table(
        "screening_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_screening_runs_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_runs")),
    )
    op.create_index(op.f("ix_screening_runs_case_id"), "screening_runs", ["case_id"], unique=False)
    op.create_index(op.f("ix_screening_runs_at"), "screening_runs", ["at"], unique=False)
    op.create_table(
        "case_screening_state",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("versions_key", sa.String(length=64), nullable=False),
        sa.Column("screened_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_screening_state_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_screening_state")),
    )
    op.create_index(op.f("ix_case_screening_state_versions_key"), "case_screening_state", ["versions_key"],
                    unique=False)
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=300), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("start", sa.String(length=10), nullable=False),
        sa.Column("end", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("ref", name=op.f("uq_incidents_ref")),
    )
    op.create_table(
        "incident_flags",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_incident_flags_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_incident_flags_incident_id_incidents"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_incident_flags_person_id_persons"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_flags")),
    )
    op.create_index(op.f("ix_incident_flags_case_id"), "incident_flags", ["case_id"], unique=False)
    op.create_index(op.f("ix_incident_flags_status"), "incident_flags", ["status"], unique=False)
    op.create_table(
        "identity_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("other_case_id", sa.String(length=36), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("detail", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_identity_links_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_case_id"], ["cases.id"], name=op.f("fk_identity_links_other_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_links")),
    )
    op.create_index(op.f("ix_identity_links_case_id"), "identity_links", ["case_id"], unique=False)
    op.create_index(op.f("ix_identity_links_other_case_id"), "identity_links", ["other_case_id"], unique=False)
    op.create_index(op.f("ix_identity_links_status"), "identity_links", ["status"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    for table in ("identity_links", "incident_flags", "incidents", "case_screening_state", "screening_runs",
                  "hit_dispositions", "screening_hits"):
        op.drop_table(table)
