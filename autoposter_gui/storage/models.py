"""SQLAlchemy 2 typed ORM tables: accounts, queue_items, delivery_attempts, posting slots and insight snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; returns aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_accounts_platform_external"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255))
    page_id: Mapped[str | None] = mapped_column(String(64))
    connected_at: Mapped[datetime] = mapped_column(default=_utcnow)
    token_expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(24), default="connected")
    status_message: Mapped[str | None] = mapped_column(Text)
    token_checked_at: Mapped[datetime | None]
    # The owner's tasks on the Page (an Instagram account: those on its linked Page), as Meta listed them at connect
    # and at each daily check; NULL when never read (connected before they were stored, or Meta did not say).
    tasks: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))

    items: Mapped[list[QueueItem]] = relationship(back_populates="account")


class QueueItem(Base):
    __tablename__ = "queue_items"
    __table_args__ = (
        Index("ix_queue_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_queue_status_scheduled", "status", "scheduled_at"),
        Index("ix_queue_account", "account_id"),
        Index("ix_queue_series", "series_id"),
        Index("ix_queue_handoff", "handoff"),  # the few posts Meta's scheduler holds, read at every tick
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    platform: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    image_path: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    scheduled_at: Mapped[datetime | None]
    scheduled_tz: Mapped[str | None] = mapped_column(String(64))
    next_attempt_at: Mapped[datetime | None]
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    error_message: Mapped[str | None] = mapped_column(Text)
    last_error_code: Mapped[str | None] = mapped_column(String(32))
    provider_post_id: Mapped[str | None] = mapped_column(String(128))
    permalink: Mapped[str | None] = mapped_column(Text)
    # Rich posts (migration 0004): the images/video in order ([{"path", "kind", "alt_text"}]; image_path stays the
    # first image), the first comment and its delivery, and a Facebook link.
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    first_comment: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    comment_status: Mapped[str | None] = mapped_column(String(16))
    comment_id: Mapped[str | None] = mapped_column(String(128))
    comment_permalink: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    # The attempt that may have published without us knowing: checked with Meta before anything else happens.
    unconfirmed_attempt_id: Mapped[int | None] = mapped_column(Integer)
    # The posts of one recurring series (`post --repeat`) share this id; NULL for a post of its own.
    series_id: Mapped[str | None] = mapped_column(String(32))
    # Meta's scheduler (migration 0007): NULL, "pending" (the hand-off call may be under way) or "meta" (Meta holds
    # the post: provider_post_id is its id); when the hand-off began; the owner's change still to send to Meta.
    handoff: Mapped[str | None] = mapped_column(String(16))
    handoff_at: Mapped[datetime | None]
    handoff_change: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=_utcnow, onupdate=_utcnow)

    account: Mapped[Account] = relationship(back_populates="items")
    attempts: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="item", order_by="DeliveryAttempt.attempt_number", cascade="all, delete-orphan"
    )


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    __table_args__ = (
        # A number is never reused, not even after a manual Retry (reconciliation finds attempts by number).
        Index("uq_attempts_item_number", "queue_item_id", "attempt_number", unique=True),
        Index("ix_attempts_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id", ondelete="CASCADE"))
    attempt_number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20), default="in_flight")
    provider_post_id: Mapped[str | None] = mapped_column(String(128))
    permalink: Mapped[str | None] = mapped_column(Text)
    container_id: Mapped[str | None] = mapped_column(String(128))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    # The provider may have published even though we saw no answer: reconcile before trying again.
    needs_reconcile: Mapped[bool] = mapped_column(default=False)
    # "publish" or "comment" (a first comment has attempts of its own).
    step: Mapped[str] = mapped_column(String(16), default="publish", server_default="publish")
    # Provider ids made before the final publish (unpublished photos, child/parent containers, video id, upload
    # offset...), each committed before the next call to Meta.
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    item: Mapped[QueueItem] = relationship(back_populates="attempts")


class PostingSlot(Base):
    """One weekly posting slot of an account: a weekday (0 = Monday) and a local time (minutes after midnight)."""

    __tablename__ = "slots"
    __table_args__ = (UniqueConstraint("account_id", "weekday", "minute", name="uq_slots_account_time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)


class InsightSnapshot(Base):
    """One metric of one posted item as fetched at one time (migration 0008); ``metric`` "*" records a state."""

    __tablename__ = "insight_snapshots"
    __table_args__ = (Index("ix_insights_item_fetched", "queue_item_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(48))
    value: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(24))
    fetched_at: Mapped[datetime]
