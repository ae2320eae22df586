"""queue items handed to Meta's scheduler: the hand-off state, when it began, and a change still to send

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

``handoff`` is NULL (the app publishes the post), "pending" (the hand-off call may be under way: reconciled before
anything else) or "meta" (Meta holds the post; provider_post_id is its id). ``handoff_change`` is the owner's change
still to send to Meta (JSON), committed before the call.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_items") as batch:
        batch.add_column(sa.Column("handoff", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("handoff_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("handoff_change", sa.JSON(), nullable=True))
    op.create_index("ix_queue_handoff", "queue_items", ["handoff"])


def downgrade() -> None:
    op.drop_index("ix_queue_handoff", table_name="queue_items")
    with op.batch_alter_table("queue_items") as batch:
        batch.drop_column("handoff_change")
        batch.drop_column("handoff_at")
        batch.drop_column("handoff")
