"""accounts remember the owner's tasks on their Page (whether the role can create posts)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

``accounts.tasks`` is a JSON list of Meta's task names (``["ANALYZE", "CREATE_CONTENT"]``), read from
``/me/accounts`` when connecting and at each daily check. An Instagram account stores the tasks of its linked Page
(publishing to it goes through that Page's token). NULL means not known yet: existing accounts keep publishing as
before, and the next daily check fills it in.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tasks", sa.JSON(none_as_null=True), nullable=True))
    # Notes about an account are now found by their code, no longer by their wording: give the notes written
    # before (whose code was left as it was) the code a reconnect clears.
    op.execute(
        """
        UPDATE queue_items SET last_error_code = CASE
            WHEN error_message LIKE 'Needs attention:%' THEN 'disconnected' ELSE 'token' END
        WHERE status IN ('scheduled', 'queued')
          AND (error_message LIKE 'Reconnect %' OR error_message LIKE 'Needs attention:%')
          AND coalesce(last_error_code, '') NOT IN ('token', 'not_connected', 'disconnected', 'unconfirmed')
        """
    )


def downgrade() -> None:
    # The old code knows no "cannot_post": "invalid" keeps holding the account's posts (instead of failing them).
    op.execute("UPDATE accounts SET status = 'invalid' WHERE status = 'cannot_post'")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("tasks")
