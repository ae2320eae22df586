"""attempt numbers are never reused; items remember their unconfirmed attempt

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Earlier versions restarted the numbering after a manual Retry: renumber each item's attempts 1..n in the
    # order they were made, so the numbers can be unique.
    op.execute(
        """
        UPDATE delivery_attempts SET attempt_number = (
            SELECT count(*) FROM delivery_attempts AS earlier
            WHERE earlier.queue_item_id = delivery_attempts.queue_item_id
              AND (earlier.started_at < delivery_attempts.started_at
                   OR (earlier.started_at = delivery_attempts.started_at AND earlier.id <= delivery_attempts.id))
        )
        """
    )
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_attempts_item")
        batch_op.create_index("uq_attempts_item_number", ["queue_item_id", "attempt_number"], unique=True)
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unconfirmed_attempt_id", sa.Integer(), nullable=True))
    # An attempt that may have gone out (flagged, or still in flight) is the item's unconfirmed attempt.
    op.execute(
        """
        UPDATE queue_items SET unconfirmed_attempt_id = (
            SELECT d.id FROM delivery_attempts AS d
            WHERE d.queue_item_id = queue_items.id AND (d.needs_reconcile = 1 OR d.outcome = 'in_flight')
            ORDER BY d.attempt_number LIMIT 1
        )
        WHERE status NOT IN ('posted', 'canceled')
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_column("unconfirmed_attempt_id")
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.drop_index("uq_attempts_item_number")
        batch_op.create_index("ix_attempts_item", ["queue_item_id", "attempt_number"], unique=False)
