"""insight snapshots: a posted item's metric values as Meta reported them, one row per metric per fetch

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Old snapshots are kept (history for the charts). A fetch that found no numbers (not available yet, not enough
viewers, permission missing...) is one row with metric ``*``, no value, and its state.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_item_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=48), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["queue_item_id"], ["queue_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insights_item_fetched", "insight_snapshots", ["queue_item_id", "fetched_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_insights_item_fetched", table_name="insight_snapshots")
    op.drop_table("insight_snapshots")
