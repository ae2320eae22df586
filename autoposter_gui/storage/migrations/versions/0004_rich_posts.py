"""rich posts: several images or a video per post, alt text, a first comment, a link; attempt steps and checkpoints

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

``queue_items.media`` is a JSON list of ``{"path", "kind": "image"|"video", "alt_text"}`` in the post's order; an
existing post's ``image_path`` becomes its one entry (``image_path`` stays, as the first image). A first comment is
delivered after the post by attempts of its own (``delivery_attempts.step = 'comment'``); ``comment_status`` is NULL
(no comment), pending, posted or failed. ``delivery_attempts.checkpoint`` keeps the ids Meta created before the final
publish (each committed before the next call), so that a crash resumes without making anything public twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("media", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("first_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("link", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("comment_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("comment_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("comment_permalink", sa.Text(), nullable=True))
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step", sa.String(length=16), nullable=False, server_default="publish"))
        batch_op.add_column(sa.Column("checkpoint", sa.JSON(), nullable=False, server_default="{}"))
    op.execute(
        """
        UPDATE queue_items
        SET media = json_array(json_object('path', image_path, 'kind', 'image', 'alt_text', NULL))
        WHERE image_path IS NOT NULL AND image_path != ''
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.drop_column("checkpoint")
        batch_op.drop_column("step")
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_column("comment_permalink")
        batch_op.drop_column("comment_id")
        batch_op.drop_column("comment_status")
        batch_op.drop_column("link")
        batch_op.drop_column("first_comment")
        batch_op.drop_column("media")
