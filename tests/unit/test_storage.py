"""The store: migrations, pragmas, UTC round-trip, atomic claim and the due query."""

from __future__ import annotations

import gc
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from autoposter_gui.domain.errors import StoreError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.repo import NewItem, Repo

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(Store(tmp_path / "db" / "autoposter.db"))


def _account(repo: Repo) -> int:
    found = DiscoveredAccount(Platform.FACEBOOK, "111", "Page", "tok")
    return repo.upsert_account(found, None, NOW).id


def _item(repo: Repo, account_id: int, when: datetime, status: ItemStatus = ItemStatus.SCHEDULED) -> int:
    return repo.add_items([NewItem(account_id, Platform.FACEBOOK, "hi", None, status, when)], NOW)[0].id


def test_migrations_and_pragmas(repo: Repo) -> None:
    with repo.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert {"accounts", "queue_items", "delivery_attempts", "alembic_version"} <= tables
    # Opening again is a no-op migration.
    Store(repo.store.db_path).close()


def test_timestamps_round_trip_as_utc(repo: Repo) -> None:
    acc = _account(repo)
    berlin = datetime(2027, 1, 1, 10, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    item_id = _item(repo, acc, berlin)
    item = repo.item(item_id)
    assert item is not None and item.scheduled_at == datetime(2027, 1, 1, 10, 0, tzinfo=UTC)
    assert item.scheduled_at.tzinfo is UTC
    with repo.store.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT scheduled_at FROM queue_items").scalar()
    assert str(raw).startswith("2027-01-01 10:00:00")


def test_due_query_respects_time_and_retry_wait(repo: Repo) -> None:
    acc = _account(repo)
    due = _item(repo, acc, NOW - timedelta(minutes=1))
    later = _item(repo, acc, NOW + timedelta(minutes=1))  # not yet
    _item(repo, acc, NOW - timedelta(hours=1), ItemStatus.QUEUED)  # a draft
    waiting = _item(repo, acc, NOW - timedelta(hours=2))
    with repo.store.transaction() as s:
        s.execute(
            text("UPDATE queue_items SET next_attempt_at = :t WHERE id = :i"),
            {"t": "2026-11-28 12:05:00", "i": waiting},
        )
    assert [i.id for i in repo.due_items(NOW)] == [due]
    assert [i.id for i in repo.due_items(NOW + timedelta(minutes=6))] == [waiting, due, later]


def test_due_query_uses_an_index(repo: Repo) -> None:
    with repo.store.engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM queue_items WHERE status='scheduled' AND scheduled_at <= '2026'"
        ).fetchall()
    assert any("ix_queue_status" in str(row) for row in plan)


def test_claim_is_atomic_across_threads(repo: Repo) -> None:
    acc = _account(repo)
    item_id = _item(repo, acc, NOW)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        wins.append(repo.claim(item_id, NOW))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1
    item = repo.item(item_id)
    assert item is not None and item.status == "processing"


def test_corrupted_database_is_refused_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "autoposter.db"
    db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="damaged"):
        Store(db)
    assert db.read_bytes().startswith(b"this is not sqlite")


def test_foreign_keys_are_enforced(repo: Repo) -> None:
    with pytest.raises(StoreError):
        repo.add_items([NewItem(999, Platform.FACEBOOK, "x", None, ItemStatus.SCHEDULED, NOW)], NOW)


def test_schema_head_constant_matches_the_migrations() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from autoposter_gui.storage.db import MIGRATIONS_DIR, SCHEMA_HEAD

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_heads() == [SCHEMA_HEAD]


def test_lean_reads_match_the_orm(repo: Repo) -> None:
    acc = _account(repo)
    first = _item(repo, acc, NOW + timedelta(hours=2))
    retry = _item(repo, acc, NOW - timedelta(hours=1))
    _item(repo, acc, NOW + timedelta(hours=5), ItemStatus.QUEUED)
    assert repo.next_due_at() == NOW - timedelta(hours=1)
    repo.defer(retry, NOW + timedelta(minutes=30), "wait", "quota", NOW)  # a retry time later than its schedule
    assert repo.next_due_at() == NOW + timedelta(minutes=30)
    repo.cancel(retry, NOW)
    assert repo.next_due_at() == NOW + timedelta(hours=2)
    assert repo.count_items() == 3
    assert repo.count_items([ItemStatus.SCHEDULED]) == 1
    assert repo.count_items([ItemStatus.CANCELED, ItemStatus.QUEUED]) == 2

    started = repo.start_attempt(first, NOW)
    later = repo.start_attempt(retry, NOW + timedelta(seconds=1))
    rows = repo.attempt_rows(limit=10)
    assert [r.id for r in rows] == [a.id for a in repo.attempts()] == [later.id, started.id]
    row = repo.attempt_rows_by_ids([started.id, 999])[0]
    assert (row.queue_item_id, row.attempt_number, row.outcome) == (first, 1, "in_flight")
    assert row.started_at == NOW and row.started_at.tzinfo is UTC and row.finished_at is None
    assert (row.item_account_id, row.item_platform, row.item_text) == (acc, "facebook", "hi")
    assert repo.attempt_rows(limit=1, offset=1)[0].id == started.id


def test_a_threads_lean_connection_closes_with_the_thread(repo: Repo) -> None:
    counts: list[int] = []
    worker = threading.Thread(target=lambda: counts.append(repo.count_items()))
    worker.start()
    worker.join()
    assert counts == [0]
    gc.collect()  # a sqlite3 connection sits in a reference cycle with its statement cache
    repo.count_items()  # this thread's connection stays open for the next read
    assert len(repo.store._raw_connections) == 1
    repo.store.close()
    assert len(repo.store._raw_connections) == 0
