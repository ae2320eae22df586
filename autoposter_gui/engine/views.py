"""Read models: what the UI and the CLI are shown of accounts, posts and attempts, as plain frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any


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


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A post as the Queue table lists it: the columns it shows (one per visible row, read on the lean path)."""

    id: int
    account_id: int
    platform: str
    text: str
    image_path: str | None
    status: str  # an ItemStatus value
    scheduled_at: datetime | None
    next_attempt_at: datetime | None
    attempt_count: int
    error_message: str | None
    permalink: str | None


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


@dataclass(frozen=True, slots=True)
class AttemptView:
    """A delivery attempt with its post's account, platform and text (None when the post was deleted)."""

    id: int
    queue_item_id: int
    attempt_number: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str  # an AttemptOutcome value
    permalink: str | None
    error_code: str | None
    error_message: str | None
    item_account_id: int | None
    item_platform: str | None
    item_text: str | None
    provider_post_id: str | None


@dataclass(frozen=True, slots=True)
class BackupView:
    """A backup file, newest first in listings (not opened: listing them stays cheap)."""

    path: Path
    taken_at: datetime  # UTC: the file's modification time

    @property
    def name(self) -> str:
        return self.path.name
