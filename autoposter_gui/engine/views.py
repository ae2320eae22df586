"""Read models: what the UI and the CLI are shown of accounts, posts and attempts: immutable plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from autoposter_gui.domain.models import MediaRef
from autoposter_gui.storage.lean import AttemptRow, ItemRow


@dataclass(frozen=True, slots=True)
class AccountView:
    """A connected (or once connected) Facebook Page or Instagram account."""

    id: int
    platform: str
    external_id: str  # the Page id or Instagram user id
    name: str
    username: str | None
    page_id: str | None  # an Instagram account's linked Page
    connected_at: datetime
    token_expires_at: datetime | None
    status: str  # an AccountStatus value
    status_message: str | None
    token_checked_at: datetime | None
    tasks: tuple[str, ...] | None  # the owner's tasks on the Page; None when never read


class QueueRow(ItemRow):
    """A post as the Queue table lists it: id, account_id, platform, text, image_path, status, scheduled_at,
    next_attempt_at, attempt_count, error_message, permalink (the two times parsed when read), and a rich post's
    media_raw (its ``media`` JSON), comment_status and comment_permalink; handoff (Meta's scheduler holds it: "pending"
    or "meta") and handoff_change (the change still to send there).

    An immutable named tuple, not a dataclass: the rows of the store's lean query, as they come (built at C speed).
    A dataclass per row doubled the cost of loading a Queue page (benchmark B5: 1.84× → 2.36× the bare query)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ItemView:
    """One post in full, as an owner's action on it (edit, duplicate, check first) needs it."""

    id: int
    account_id: int
    platform: str
    text: str
    image_path: str | None
    status: str
    scheduled_at: datetime | None
    scheduled_tz: str | None
    next_attempt_at: datetime | None
    attempt_count: int
    error_message: str | None
    last_error_code: str | None
    provider_post_id: str | None
    permalink: str | None
    meta: Mapping[str, Any]
    unconfirmed_attempt_id: int | None  # a try that may have gone out: checked with Meta before anything else
    created_at: datetime
    updated_at: datetime
    media: tuple[MediaRef, ...] = ()  # its photos or video in order (empty: just ``image_path``, if any)
    first_comment: str | None = None
    link: str | None = None
    comment_status: str | None = None  # a CommentStatus value when it has a first comment
    comment_permalink: str | None = None
    series_id: str | None = None  # shared by the posts of one recurring series


class AttemptView(AttemptRow):
    """A delivery attempt with its post's account, platform and text (None when the post was deleted): id,
    queue_item_id, attempt_number, started_at, finished_at, outcome, permalink, error_code, error_message,
    item_account_id, item_platform, item_text, step ("publish" or "comment"), item_media_raw (the post's ``media``
    JSON), provider_post_id. An immutable named tuple, as ``QueueRow`` (the
    Activity table loads 200 a page)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class SeriesMark:
    """Where a post stands in its series: ``position`` of ``total``, and how it repeats ("weekly")."""

    position: int
    total: int
    kind: str

    @property
    def text(self) -> str:
        return f"{self.position} of {self.total} in a {self.kind} series"


@dataclass(frozen=True, slots=True)
class BackupView:
    """A backup file, newest first in listings (not opened: listing them stays cheap)."""

    path: Path
    taken_at: datetime  # UTC: the file's modification time

    @property
    def name(self) -> str:
        return self.path.name
