"""Lean reads for long listings (the CLI's `queue`): plain SQL on the store's raw read path, importing no ORM."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NamedTuple

from autoposter_gui.storage.db import Store
from autoposter_gui.storage.lean import stored_utc


class ItemRecord(NamedTuple):
    """A queue item with every field the CLI lists, as plain values under the ORM's attribute names (the two times
    are parsed when read)."""

    id: int
    platform: str
    account_id: int
    status: str
    text: str
    image_path: str | None
    scheduled_raw: str | None
    attempt_count: int
    next_attempt_raw: str | None
    error_message: str | None
    last_error_code: str | None
    provider_post_id: str | None
    permalink: str | None
    series_id: str | None
    media_raw: str | None = None
    first_comment: str | None = None
    comment_status: str | None = None
    comment_permalink: str | None = None
    link: str | None = None
    handoff: str | None = None
    handoff_change_raw: str | None = None
    options_raw: str | None = None  # metadata's "options" (a Google post's), as JSON text

    @property
    def options(self) -> dict[str, Any]:
        value = json.loads(self.options_raw) if self.options_raw else None
        return value if isinstance(value, dict) else {}

    @property
    def handoff_change(self) -> dict[str, Any] | None:
        value = json.loads(self.handoff_change_raw) if self.handoff_change_raw else None
        return value if isinstance(value, dict) else None

    @property
    def media(self) -> list[Any]:
        raw = self.media_raw
        if not raw or raw == "[]":  # most posts: one image or none (``image_path``), no list to parse
            return []
        value = json.loads(raw)
        return value if isinstance(value, list) else []

    @property
    def scheduled_at(self) -> datetime | None:
        return stored_utc(self.scheduled_raw)

    @property
    def next_attempt_at(self) -> datetime | None:
        return stored_utc(self.next_attempt_raw)


_RECORDS = (
    "SELECT id, platform, account_id, status, text, image_path, scheduled_at, attempt_count, next_attempt_at,"
    " error_message, last_error_code, provider_post_id, permalink, series_id, media, first_comment, comment_status,"
    " comment_permalink, link, handoff, handoff_change, "
    " CASE WHEN json_valid(metadata) AND json_type(metadata, '$.options') = 'object'"
    " THEN json_extract(metadata, '$.options') END FROM queue_items"
    " ORDER BY id"
)


def item_records(store: Store) -> list[ItemRecord]:
    """Every queue item in id order (as ``Repo.items()``): 20k in ~25 ms, where ORM objects take ~400 ms."""
    with store.read_raw() as conn:
        return list(map(ItemRecord._make, conn.execute(_RECORDS).fetchall()))


def external_ids(store: Store) -> dict[int, str]:
    """Account id → its page id or IG user id."""
    with store.read_raw() as conn:
        return dict(conn.execute("SELECT id, external_id FROM accounts").fetchall())
