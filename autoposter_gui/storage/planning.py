"""The planner's queries: posting slots, the times an account already uses, series, drafts, and the bulk insert."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from autoposter_gui.domain.errors import no_such_item, require_draft
from autoposter_gui.domain.models import CommentStatus, ItemStatus, first_image, media_to_json
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.lean import LeanReader, stored_utc
from autoposter_gui.storage.lean import db_time as _db_time
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.repo import NewItem

# Statuses whose time an account "uses": a slot holding one of these is taken.
TAKEN_STATUSES = (ItemStatus.SCHEDULED.value, ItemStatus.PROCESSING.value, ItemStatus.POSTED.value)

_BULK_INSERT = (
    "INSERT INTO queue_items (account_id, platform, text, image_path, media, first_comment, link, comment_status,"
    " status, scheduled_at, scheduled_tz, series_id, attempt_count, metadata, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)"
)


class PlanningRepo:
    """Typed access to the planner's tables and queries (the rest of the queue is ``Repo``'s)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ----- slots ----------------------------------------------------------------------------------
    def slots(self, account_id: int | None = None) -> list[tuple[int, int, int]]:
        """(account id, weekday 0 = Monday, minute of the day) of every slot, or of one account's; in that order."""
        sql = "SELECT account_id, weekday, minute FROM slots"
        args: tuple[int, ...] = ()
        if account_id is not None:
            sql, args = sql + " WHERE account_id = ?", (account_id,)
        with self.store.read_raw() as conn:
            rows = conn.execute(sql + " ORDER BY account_id, weekday, minute", args).fetchall()
        return [(int(a), int(w), int(m)) for a, w, m in rows]

    def set_slots(self, account_id: int, slots: Iterable[tuple[int, int]]) -> None:
        """Replace the account's slots with ``slots`` ((weekday, minute) pairs; duplicates kept once)."""
        wanted = sorted(set(slots))
        with self.store.write_raw() as conn:
            conn.execute("DELETE FROM slots WHERE account_id = ?", (account_id,))
            conn.executemany(
                "INSERT INTO slots (account_id, weekday, minute) VALUES (?, ?, ?)",
                [(account_id, w, m) for w, m in wanted],
            )

    # ----- times in use ---------------------------------------------------------------------------
    def taken_times(self, account_id: int, since: datetime, until: datetime) -> list[datetime]:
        """The times (UTC) of the account's scheduled, publishing and posted items between ``since`` and
        ``until`` (inclusive)."""
        marks = ", ".join("?" * len(TAKEN_STATUSES))
        sql = (
            f"SELECT scheduled_at FROM queue_items WHERE account_id = ? AND status IN ({marks})"
            " AND scheduled_at >= ? AND scheduled_at <= ?"
        )
        with self.store.read_raw() as conn:
            rows = conn.execute(sql, (account_id, *TAKEN_STATUSES, _db_time(since), _db_time(until))).fetchall()
        return [t for (raw,) in rows if (t := stored_utc(raw)) is not None]

    # ----- series and drafts ----------------------------------------------------------------------
    def series_items(self, series_id: str) -> list[QueueItem]:
        """Every item of the series, by time (then id)."""
        with self.store.read() as s:
            q = select(QueueItem).where(QueueItem.series_id == series_id).order_by(QueueItem.scheduled_at, QueueItem.id)
            return list(s.scalars(q))

    def schedule_draft(self, item_id: int, when: datetime, zone: str | None, now: datetime) -> QueueItem:
        """A draft becomes a scheduled post at ``when``; refused (nothing changed) when the item is not a draft."""
        with self.store.transaction() as s:
            item = s.get(QueueItem, item_id)
            if item is None:
                raise no_such_item(item_id)
            require_draft(item_id, item.status)
            item.status = ItemStatus.SCHEDULED.value
            item.scheduled_at = when
            item.scheduled_tz = zone
            item.next_attempt_at = None
            item.updated_at = now
            return item

    # ----- the bulk path --------------------------------------------------------------------------
    def add_items_bulk(self, items: Sequence[NewItem], now: datetime) -> list[int]:
        """Insert ``items`` in one transaction (all or nothing) with one prepared statement, storing exactly what
        ``Repo.add_items`` stores (a test compares every column); their ids, in order."""
        stamp = _db_time(now)
        # str() of these StrEnum members is their value, without the enum's slower ``.value`` descriptor.
        rows = [
            (
                i.account_id,
                str(i.platform),
                i.text,
                first_image(i.media_list()) if i.media else i.image_path,
                json.dumps(media_to_json(i.media_list())) if i.media or i.image_path else "[]",
                i.first_comment or None,
                i.link or None,
                CommentStatus.PENDING.value if i.first_comment else None,
                str(i.status),
                None if i.scheduled_at is None else _db_time(i.scheduled_at),
                i.scheduled_tz,
                i.series_id,
                json.dumps(i.metadata()) if i.options else "{}",
                stamp,
                stamp,
            )
            for i in items
        ]
        with self.store.write_raw() as conn:
            # The write lock is held from BEGIN IMMEDIATE: the new rows take the ids right after the largest one.
            first = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM queue_items").fetchone()[0])
            conn.executemany(_BULK_INSERT, rows)
        return list(range(first, first + len(rows)))


def series_times(store: Store, series_id: str) -> list[tuple[int, str | None]]:
    """(id, stored time) of every item of a series, by time then id."""
    return LeanReader(store.read_raw).series_times(series_id)
