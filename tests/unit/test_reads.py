"""The engine's read models: the same facts as the ORM rows, read on the lean path; and the start-up read, which
takes a database only when it is there at the current schema."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from functools import cmp_to_key
from pathlib import Path

import pytest

from autoposter_gui.domain.models import (
    AttemptStep,
    DiscoveredAccount,
    ItemStatus,
    MediaKind,
    MediaRef,
    Platform,
    PublishResult,
    media_from_json,
)
from autoposter_gui.engine.reads import UPCOMING_SORT, Reads, startup_reads, upcoming_before
from autoposter_gui.engine.views import AccountView, AttemptView, ItemView, QueueRow
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.lean import SCHEMA_HEAD, LeanReader
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.repo import Failure, NewItem, Repo

NOW = datetime(2026, 5, 12, 9, 30, 15, 123456, tzinfo=UTC)


def _filled(db_path: Path) -> Repo:
    repo = Repo(Store(db_path))
    page = DiscoveredAccount(Platform.FACEBOOK, "111", "Bakery", "tok", tasks=("CREATE_CONTENT", "MODERATE"))
    fb = repo.upsert_account(page, NOW + timedelta(days=50), NOW).id
    ig = repo.upsert_account(
        DiscoveredAccount(Platform.INSTAGRAM, "222", "Bakery IG", "tok", page_id="111", username="bakery"), None, NOW
    ).id
    items = repo.add_items(
        [
            NewItem(fb, Platform.FACEBOOK, "Fresh bread", None, ItemStatus.SCHEDULED, NOW + timedelta(hours=1)),
            NewItem(ig, Platform.INSTAGRAM, "Menu\nüber 😀", "/m/ab.jpg", ItemStatus.SCHEDULED, NOW, "Europe/Berlin"),
            NewItem(fb, Platform.FACEBOOK, "Draft", None, ItemStatus.DRAFT, None),
        ],
        NOW,
    )
    done = repo.start_attempt(items[0].id, NOW)
    repo.finish_success(items[0].id, done.id, PublishResult("111_9", "https://www.facebook.com/111_9"), NOW)
    tried = repo.start_attempt(items[1].id, NOW)
    failure = Failure("transient", "Instagram had a temporary problem", needs_reconcile=True)
    repo.finish_unsuccessful(items[1].id, tried.id, failure, NOW, NOW + timedelta(minutes=5))
    with repo.store.transaction() as s:  # metadata and an unconfirmed try, as the runner leaves them
        row = s.get(QueueItem, items[1].id)
        assert row is not None
        row.meta = {"limitWaits": 1}
        row.unconfirmed_attempt_id = tried.id
    return repo


def _fields(view: object, row: object) -> tuple[dict[str, object], dict[str, object]]:
    names = [f.name for f in dataclasses.fields(view) if not f.name.startswith("item_")]  # type: ignore[arg-type]
    return {n: getattr(view, n) for n in names}, {n: getattr(row, n) for n in names}


def test_read_models_carry_exactly_what_the_orm_rows_do(tmp_path: Path) -> None:
    repo = _filled(tmp_path / "autoposter.db")
    fb = repo.accounts()[0].id
    photos = (MediaRef("/m/1.jpg", MediaKind.IMAGE, "A croissant"), MediaRef("/m/2.jpg"))
    rich = NewItem(fb, Platform.FACEBOOK, "Two photos", None, ItemStatus.SCHEDULED, NOW, series_id="s-1", media=photos)
    rich_id = repo.add_items(
        [rich, dataclasses.replace(rich, media=(), first_comment="Order now", link="https://x.io")], NOW
    )[0].id
    done = repo.start_attempt(rich_id, NOW)
    repo.finish_success(rich_id, done.id, PublishResult("111_10", "https://www.facebook.com/111_10"), NOW)
    repo.start_attempt(rich_id + 1, NOW, AttemptStep.COMMENT)  # a first comment's try: its step reads back
    reads = Reads(LeanReader(repo.store.read_raw))
    accounts = reads.accounts()
    assert [a.name for a in accounts] == [a.name for a in repo.accounts()]  # the same order
    for view, row in zip(accounts, repo.accounts(), strict=True):
        assert isinstance(view, AccountView)
        got, want = _fields(view, row)
        want["tasks"] = tuple(row.tasks) if row.tasks is not None else None
        assert got == want
    assert accounts[0].tasks == ("CREATE_CONTENT", "MODERATE") and accounts[1].tasks is None
    assert reads.account(accounts[0].id) == accounts[0] and reads.account(999) is None
    for item in repo.items():
        view = reads.item(item.id)
        assert isinstance(view, ItemView)
        got, want = _fields(view, item)
        want["media"] = media_from_json(item.media)
        assert got == want
    assert reads.item(rich_id).media == photos and reads.item(rich_id).series_id == "s-1"  # type: ignore[union-attr]
    assert reads.item(rich_id + 1).first_comment == "Order now" and reads.item(rich_id + 1).link == "https://x.io"  # type: ignore[union-attr]
    assert reads.item(rich_id + 1).comment_status == "pending"  # type: ignore[union-attr]
    with sqlite3.connect(repo.store.db_path) as conn:  # a post Meta's scheduler holds, with a change to send
        conn.execute(
            "UPDATE queue_items SET handoff = 'meta', handoff_change = ? WHERE id = ?", ('{"op": "update"}', 1)
        )
    conn.close()
    (held,) = reads.queue_rows_by_ids([1])
    assert (held.handoff, held.handoff_change) == ("meta", "update")
    for row in reads.queue_rows(None, limit=100):  # the Queue's rich columns (and Meta's scheduler's)
        stored = repo.item(row.id)
        assert stored is not None
        assert media_from_json(json.loads(row.media_raw) if row.media_raw else None) == media_from_json(stored.media)
        assert (row.comment_status, row.comment_permalink) == (stored.comment_status, stored.comment_permalink)
        assert (row.handoff, json.loads(row.handoff_change_raw or "null")) == (stored.handoff, stored.handoff_change)
        assert row.series_id == stored.series_id  # the Queue's series mark
    marks = [reads.series_mark(i, "s-1") for i in (rich_id, rich_id + 1)]  # the two posts of series s-1 (a tooltip)
    assert [m.text if m else None for m in marks] == [f"{n} of 2 in a repeating series" for n in (1, 2)]
    assert reads.series_mark(rich_id, None) is None and reads.series_mark(1, "s-1") is None  # not in that series
    assert reads.item(2).meta == {"limitWaits": 1} and reads.item(2).unconfirmed_attempt_id is not None  # type: ignore[union-attr]
    assert reads.item(999) is None
    attempts = reads.attempts(limit=None)
    assert [a.id for a in attempts] == [a.id for a in repo.attempts()]
    names = ["id", "queue_item_id", "attempt_number", "started_at", "finished_at", "outcome", "permalink"]
    names += ["error_code", "error_message", "provider_post_id", "step"]
    for view, row in zip(attempts, repo.attempts(), strict=True):
        assert isinstance(view, AttemptView)
        assert {n: getattr(view, n) for n in names} == {n: getattr(row, n) for n in names}
        assert view.step == ("comment" if view.queue_item_id == rich_id + 1 else "publish")
        item = repo.item(row.queue_item_id)
        assert item is not None
        assert (view.item_account_id, view.item_platform, view.item_text) == (item.account_id, item.platform, item.text)
        assert media_from_json(json.loads(view.item_media_raw) if view.item_media_raw else None) == media_from_json(
            item.media
        )
    assert reads.external_ids() == {a.id: a.external_id for a in repo.accounts()}
    with pytest.raises(dataclasses.FrozenInstanceError):
        accounts[0].name = "Changed"  # type: ignore[misc]
    repo.store.close()


def test_queue_rows_follow_the_upcoming_order_the_live_updates_use(tmp_path: Path) -> None:
    repo = _filled(tmp_path / "autoposter.db")
    fb = repo.accounts()[0].id
    later = [
        NewItem(fb, Platform.FACEBOOK, f"Post {n}", None, ItemStatus.SCHEDULED, NOW + timedelta(minutes=n))
        for n in (30, 5, 90)
    ]
    repo.add_items([*later, NewItem(fb, Platform.FACEBOOK, "Another draft", None, ItemStatus.DRAFT, None)], NOW)
    reads = Reads(LeanReader(repo.store.read_raw))
    rows = reads.queue_rows(None, limit=100, sort=UPCOMING_SORT)
    assert len(rows) == reads.count_items() == 7
    by_rule = sorted(rows, key=cmp_to_key(lambda a, b: -1 if upcoming_before(a, b) else 1))
    assert [r.id for r in by_rule] == [r.id for r in rows]
    # still to go out, soonest first; then drafts, newest first; then the rest (the posted one)
    texts = ["Menu\nüber 😀", "Post 5", "Post 30", "Post 90", "Another draft", "Draft", "Fresh bread"]
    assert [r.text for r in rows] == texts
    assert {r.id for r in reads.queue_rows_by_ids([rows[0].id, 999])} == {rows[0].id}
    # Immutable rows with aware UTC times
    assert isinstance(rows[1], QueueRow) and rows[1].scheduled_at == NOW + timedelta(minutes=5)
    assert rows[1].scheduled_at.tzinfo is UTC  # type: ignore[union-attr]
    with pytest.raises(AttributeError):
        rows[1].text = "Changed"  # type: ignore[misc]
    assert reads.next_due_at() == NOW + timedelta(minutes=5)
    repo.store.close()


def test_the_start_up_read_takes_only_a_current_database(tmp_path: Path) -> None:
    db = tmp_path / "autoposter.db"
    assert startup_reads(db) is None
    assert not db.exists()  # never created by a read
    db.write_bytes(b"")
    assert startup_reads(db) is None  # empty: the store decides (a used folder's empty database is an error)
    db.write_bytes(b"this is not a database" * 100)
    assert startup_reads(db) is None
    db.unlink()
    _filled(db).store.close()
    quick = startup_reads(db)
    assert quick is not None
    try:
        assert [a.name for a in quick.accounts()] == ["Bakery", "Bakery IG"]
        assert quick.count_items([ItemStatus.SCHEDULED]) == 1
        with sqlite3.connect(db) as conn:  # the read connection is query-only: it holds no write lock
            conn.execute("UPDATE accounts SET name = 'Renamed' WHERE external_id = '111'")
        assert quick.accounts()[0].name == "Renamed"
    finally:
        quick.close()
    with pytest.raises(RuntimeError):
        quick.accounts()
    with sqlite3.connect(db) as conn:  # a database a migration behind: the store must open (and migrate) first
        conn.execute("UPDATE alembic_version SET version_num = ?", (f"{int(SCHEMA_HEAD) - 1:04d}",))
    conn.close()
    assert startup_reads(db) is None
