"""Queries of posts handed to Meta's scheduler: candidates, the hand-off's intent and result, changes, verdicts."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any, NamedTuple

from autoposter_gui.domain.handoff import HELD, PENDING, merge_change
from autoposter_gui.domain.models import (
    AccountStatus,
    AttemptOutcome,
    AttemptStep,
    CommentStatus,
    ItemStatus,
    MediaRef,
    media_from_json,
)
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.lean import stored_utc

HANDOFF_REFUSED = "handoffRefused"  # queue_items.metadata: Meta refused this post's hand-off: it stays local
SENT = "handoffSent"  # queue_items.metadata: what Meta was last sent of a handed-off post (text, time, pictures)
HANDOFF_STEP = AttemptStep.HANDOFF.value  # delivery_attempts.step of a hand-off event (shown in Activity)


def _db_time(value: datetime) -> str:
    from autoposter_gui.storage.lean import db_time

    return db_time(value)


class HandoffRow(NamedTuple):
    """A post to hand off, or one handed off, with what the calls need."""

    id: int
    account_id: int
    external_id: str
    platform: str
    text: str
    link: str | None
    media: tuple[MediaRef, ...]
    image_path: str | None
    due: datetime
    handoff: str | None
    handoff_at: datetime | None
    post_id: str | None
    change: dict[str, Any] | None
    status: str
    sent: dict[str, Any] | None = None  # what Meta was last sent (domain.handoff.snapshot)

    @property
    def images(self) -> tuple[MediaRef, ...]:
        if self.media:
            return self.media
        return (MediaRef(self.image_path),) if self.image_path else ()


_SELECT = (
    "SELECT q.id, q.account_id, a.external_id, q.platform, q.text, q.link, q.media, q.image_path, q.scheduled_at,"
    " q.handoff, q.handoff_at, q.provider_post_id, q.handoff_change, q.status,"
    " json_extract(coalesce(q.metadata, '{}'), '$." + SENT + "')"
    " FROM queue_items q JOIN accounts a ON a.id = q.account_id"
)


def _row(r: tuple[Any, ...]) -> HandoffRow:
    media = media_from_json(json.loads(r[6]) if r[6] else None)
    due = stored_utc(r[8])
    assert due is not None
    change = json.loads(r[12]) if r[12] else None
    sent = json.loads(r[14]) if r[14] else None
    return HandoffRow(
        r[0], r[1], r[2], r[3], r[4], r[5], media, r[7], due, r[9], stored_utc(r[10]), r[11], change, r[13], sent
    )


def _event(
    conn: sqlite3.Connection,
    item_id: int,
    now: datetime,
    note: str,
    outcome: AttemptOutcome = AttemptOutcome.SUCCEEDED,
    *,
    post_id: str | None = None,
    permalink: str | None = None,
) -> int:
    """One Activity line about the hand-off (a finished attempt of its own step; it uses up no try)."""
    t = _db_time(now)
    row = conn.execute(
        "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, finished_at, outcome,"
        " provider_post_id, permalink, error_message, needs_reconcile, step, checkpoint)"
        " SELECT ?, coalesce(max(attempt_number), 0) + 1, ?, ?, ?, ?, ?, ?, 0, ?, '{}'"
        " FROM delivery_attempts WHERE queue_item_id = ? RETURNING id",
        (item_id, t, t, outcome.value, post_id, permalink, note, HANDOFF_STEP, item_id),
    ).fetchall()
    return int(row[0][0])


class HandoffQueries:
    """Mixed into :class:`~autoposter_gui.storage.repo.Repo`."""

    store: Store

    def handoff_candidates(self, earliest: datetime, latest: datetime, limit: int = 50) -> list[HandoffRow]:
        """Scheduled Facebook posts due in [earliest, latest], never tried, not handed off nor refused, of accounts
        that can publish."""
        sql = (
            _SELECT + " WHERE q.status = ? AND q.platform = 'facebook' AND q.handoff IS NULL"
            " AND q.attempt_count = 0 AND q.unconfirmed_attempt_id IS NULL AND q.next_attempt_at IS NULL"
            " AND q.scheduled_at >= ? AND q.scheduled_at <= ? AND a.status NOT IN (?, ?, ?)"
            " AND json_extract(coalesce(q.metadata, '{}'), '$." + HANDOFF_REFUSED + "') IS NULL"
            " ORDER BY q.scheduled_at, q.id LIMIT ?"
        )
        args = (
            ItemStatus.SCHEDULED.value,
            _db_time(earliest),
            _db_time(latest),
            AccountStatus.INVALID.value,
            AccountStatus.DISCONNECTED.value,
            AccountStatus.CANNOT_POST.value,
            limit,
        )
        with self.store.read_raw() as conn:
            return [_row(r) for r in conn.execute(sql, args).fetchall()]

    def handed_off(self) -> list[HandoffRow]:
        """Every post pending a hand-off or held by Meta (still scheduled, or canceled with a delete to send)."""
        with self.store.read_raw() as conn:
            rows = conn.execute(_SELECT + " WHERE q.handoff IS NOT NULL ORDER BY q.scheduled_at, q.id").fetchall()
        return [_row(r) for r in rows]

    def handoff_row(self, item_id: int) -> HandoffRow | None:
        with self.store.read_raw() as conn:
            r = conn.execute(_SELECT + " WHERE q.id = ?", (item_id,)).fetchone()
        return None if r is None else _row(r)

    def begin_handoff(self, item_id: int, now: datetime) -> bool:
        """The hand-off's intent, committed before the call: the item is "pending" (no local publish, and a crash
        is reconciled from /scheduled_posts). False when the item changed meanwhile."""
        with self.store.write_raw() as conn:
            cursor = conn.execute(
                "UPDATE queue_items SET handoff = ?, handoff_at = ?, handoff_change = NULL WHERE id = ? AND status = ?"
                " AND handoff IS NULL AND attempt_count = 0 AND unconfirmed_attempt_id IS NULL",
                (PENDING, _db_time(now), item_id, ItemStatus.SCHEDULED.value),
            )
            return cursor.rowcount == 1

    def handoff_accepted(
        self, item_id: int, post_id: str, verify_at: datetime, now: datetime, note: str, sent: dict[str, Any]
    ) -> int:
        """Meta holds the post: its id, what it was sent, and when to check it (the runner's next look at it)."""
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE queue_items SET handoff = ?, provider_post_id = ?, next_attempt_at = ?, updated_at = ?,"
                " metadata = json_set(coalesce(metadata, '{}'), '$." + SENT + "', json(?)) WHERE id = ?",
                (HELD, post_id, _db_time(verify_at), _db_time(now), json.dumps(sent), item_id),
            )
            return _event(conn, item_id, now, note, post_id=post_id)

    def handoff_dropped(self, item_id: int, now: datetime, note: str | None, *, refused: bool = False) -> int | None:
        """The post is the app's again (never held by Meta, deleted there, or refused): it publishes locally when
        due. ``refused``: Meta said no for good, so it is not handed off again."""
        with self.store.write_raw() as conn:
            meta_sql = ""
            args: list[Any] = [_db_time(now)]
            if refused:
                meta_sql = ", metadata = json_set(coalesce(metadata, '{}'), '$." + HANDOFF_REFUSED + "', 1)"
            conn.execute(
                "UPDATE queue_items SET handoff = NULL, handoff_at = NULL, handoff_change = NULL,"
                " provider_post_id = NULL, next_attempt_at = NULL, updated_at = ?" + meta_sql + " WHERE id = ?",
                (*args, item_id),
            )
            if note:
                outcome = AttemptOutcome.FAILED if refused else AttemptOutcome.RECONCILED
                return _event(conn, item_id, now, note, outcome)
            return None

    def set_handoff_change(self, item_id: int, change: dict[str, Any]) -> dict[str, Any] | None:
        """Record an owner's change to send to Meta (merged with one not sent yet), committed before any call.
        None when the item is not handed off (the change is only local)."""
        with self.store.write_raw() as conn:
            r = conn.execute("SELECT handoff, handoff_change FROM queue_items WHERE id = ?", (item_id,)).fetchone()
            if r is None or r[0] is None:
                return None
            merged = merge_change(json.loads(r[1]) if r[1] else None, change)
            conn.execute("UPDATE queue_items SET handoff_change = ? WHERE id = ?", (json.dumps(merged), item_id))
            return merged

    def handoff_change_sent(
        self, item_id: int, sent: dict[str, Any], now: datetime, note: str, snapshot: dict[str, Any]
    ) -> int:
        """An update reached Meta: what Meta now has is ``snapshot``; the change is cleared unless a newer one came
        meanwhile; one Activity line."""
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE queue_items SET handoff_change = CASE WHEN handoff_change = ? THEN NULL ELSE handoff_change"
                " END, metadata = json_set(coalesce(metadata, '{}'), '$." + SENT + "', json(?)) WHERE id = ?",
                (json.dumps(sent), json.dumps(snapshot), item_id),
            )
            return _event(conn, item_id, now, note)

    def handoff_wait(self, item_id: int, until: datetime) -> None:
        with self.store.write_raw() as conn:
            conn.execute("UPDATE queue_items SET next_attempt_at = ? WHERE id = ?", (_db_time(until), item_id))

    def handoff_canceled(self, item_id: int, now: datetime, note: str) -> int:
        """Deleted at Meta for a cancel: the item is canceled."""
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE queue_items SET status = ?, handoff = NULL, handoff_change = NULL, provider_post_id = NULL,"
                " next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                (ItemStatus.CANCELED.value, _db_time(now), item_id),
            )
            return _event(conn, item_id, now, note)

    def handoff_posted(
        self, item_id: int, post_id: str, permalink: str | None, created: str | None, now: datetime, note: str
    ) -> int:
        """Meta published the post: the item is posted with Meta's link and time; a first comment is due now."""
        with self.store.write_raw() as conn:
            meta_row = conn.execute("SELECT metadata FROM queue_items WHERE id = ?", (item_id,)).fetchone()
            meta = dict(json.loads(meta_row[0]) if meta_row and meta_row[0] else {})
            meta["lastProviderPostIds"] = {"provider_post_id": post_id, "permalink": permalink}
            meta["publishedBy"] = "meta"
            if created:
                meta["createdTime"] = created
            t = _db_time(now)
            conn.execute(
                "UPDATE queue_items SET status = ?, handoff = NULL, handoff_change = NULL, provider_post_id = ?,"
                " permalink = ?, next_attempt_at = CASE WHEN comment_status = ? THEN ? END, error_message = NULL,"
                " last_error_code = NULL, metadata = ?, updated_at = ? WHERE id = ?",
                (
                    ItemStatus.POSTED.value,
                    post_id,
                    permalink,
                    CommentStatus.PENDING.value,
                    t,
                    json.dumps(meta),
                    t,
                    item_id,
                ),
            )
            return _event(conn, item_id, now, note, post_id=post_id, permalink=permalink)
