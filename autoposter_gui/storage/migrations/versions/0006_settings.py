"""a key/value table for the settings the CLI and the GUI share (and the email alerts' batching state)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Values are text; the engine's settings service checks and converts them. Secrets (the SMTP password) are never
stored here: they live in the OS keyring.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("settings")
