"""the planner: weekly posting slots per account, recurring series, and drafts stored as "draft"

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

- ``slots``: an account's weekly posting slots (weekday 0 = Monday .. 6 = Sunday, minute of the local day), each
  once per account; removed with their account.
- ``queue_items.series_id``: the posts one ``post --repeat`` created share it (NULL for a post of its own), indexed
  for ``cancel ID --series``.
- A draft's status is now ``draft`` (it was ``queued``, which read as "waiting to be published").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "weekday", "minute", name="uq_slots_account_time"),
    )
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_queue_series", ["series_id"], unique=False)
    op.execute("UPDATE queue_items SET status = 'draft' WHERE status = 'queued'")


def downgrade() -> None:
    op.execute("UPDATE queue_items SET status = 'queued' WHERE status = 'draft'")
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_series")
        batch_op.drop_column("series_id")
    op.drop_table("slots")
