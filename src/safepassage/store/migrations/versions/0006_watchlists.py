"""watchlist snapshots and entries (issue 6: watchlists), API tokens

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safepassage.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "watchlists",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlists")),
        sa.UniqueConstraint("name", name=op.f("uq_watchlists_name")),
    )
    op.create_table(
        "watchlist_versions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("watchlist_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(36), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["watchlist_id"], ["watchlists.id"],
            name=op.f("fk_watchlist_versions_watchlist_id_watchlists"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_versions")),
        sa.UniqueConstraint("watchlist_id", "number", name="uq_watchlist_versions_list_number"),
    )
    op.create_index(op.f("ix_watchlist_versions_watchlist_id"), "watchlist_versions", ["watchlist_id"])
    op.create_table(
        "watchlist_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("watchlist_id", sa.String(36), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("added_in", sa.Integer(), nullable=False),
        sa.Column("removed_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["watchlist_id"], ["watchlists.id"],
            name=op.f("fk_watchlist_entries_watchlist_id_watchlists"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_entries")),
    )
    op.create_index("ix_watchlist_entries_live", "watchlist_entries", ["watchlist_id", "entity_id", "removed_in"])
    op.create_index("ix_watchlist_entries_added", "watchlist_entries", ["watchlist_id", "added_in"])
    op.create_index("ix_watchlist_entries_removed", "watchlist_entries", ["watchlist_id", "removed_in"])
    op.create_index("ix_watchlist_entries_entity", "watchlist_entries", ["entity_id"])
    op.create_table(
        "watchlist_staging",
        sa.Column("version_id", sa.String(36), nullable=False),
        sa.Column("line", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["watchlist_versions.id"],
            name=op.f("fk_watchlist_staging_version_id_watchlist_versions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "line", name=op.f("pk_watchlist_staging")),
    )
    op.create_index("ix_watchlist_staging_entity", "watchlist_staging", ["version_id", "entity_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("api_tokens")
    op.drop_index("ix_watchlist_staging_entity", table_name="watchlist_staging")
    op.drop_table("watchlist_staging")
    for name in ("ix_watchlist_entries_entity", "ix_watchlist_entries_removed", "ix_watchlist_entries_added",
                 "ix_watchlist_entries_live"):
        op.drop_index(name, table_name="watchlist_entries")
    op.drop_table("watchlist_entries")
    op.drop_index(op.f("ix_watchlist_versions_watchlist_id"), table_name="watchlist_versions")
    op.drop_table("watchlist_versions")
    op.drop_table("watchlists")
