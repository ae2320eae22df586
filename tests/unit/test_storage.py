"""The store: migrations, pragmas, UTC round-trip, atomic claim and the due query."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, text

from autoposter_gui.domain.errors import StoreError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, MediaKind, MediaRef, Platform, PublishResult
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.planning import PlanningRepo
from autoposter_gui.storage.repo import Failure, NewItem, Repo, tries_used

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
    _item(repo, acc, NOW - timedelta(hours=1), ItemStatus.DRAFT)  # a draft
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
    _item(repo, acc, NOW + timedelta(hours=5), ItemStatus.DRAFT)
    assert repo.next_due_at() == NOW - timedelta(hours=1)
    repo.defer(retry, NOW + timedelta(minutes=30), "wait", "quota", NOW)  # a retry time later than its schedule
    assert repo.next_due_at() == NOW + timedelta(minutes=30)
    repo.cancel(retry, NOW)
    assert repo.next_due_at() == NOW + timedelta(hours=2)
    assert repo.count_items() == 3
    assert repo.count_items([ItemStatus.SCHEDULED]) == 1
    assert repo.count_items([ItemStatus.CANCELED, ItemStatus.DRAFT]) == 2

    started = repo.start_attempt(first, NOW)
    later = repo.start_attempt(retry, NOW + timedelta(seconds=1))
    rows = repo.attempt_rows(limit=10)
    assert [r.id for r in rows] == [a.id for a in repo.attempts()] == [later.id, started.id]
    row = repo.attempt_rows_by_ids([started.id, 999])[0]
    assert (row.queue_item_id, row.attempt_number, row.outcome) == (first, 1, "in_flight")
    assert row.started_at == NOW and row.started_at.tzinfo is UTC and row.finished_at is None
    assert (row.item_account_id, row.item_platform, row.item_text) == (acc, "facebook", "hi")
    assert repo.attempt_rows(limit=1, offset=1)[0].id == started.id


def test_the_runners_lean_writes_store_what_the_orm_would(repo: Repo) -> None:
    """claim, intent and result run as plain SQL: the ORM must read back exactly what it would have written."""
    acc = _account(repo)
    item_id, other = _item(repo, acc, NOW), _item(repo, acc, NOW)
    when = (NOW + timedelta(seconds=1, microseconds=5)).astimezone(ZoneInfo("Europe/Berlin"))
    work = repo.claim_work(item_id, when)
    assert work is not None and repo.claim_work(item_id, when) is None  # only one caller wins
    assert (work.item.id, work.item.text, work.item.attempt_count, work.item.meta) == (item_id, "hi", 0, {})
    assert work.account is not None and (work.account.id, work.account.external_id) == (acc, "111")
    assert work.history == []
    attempt = repo.start_attempt(item_id, when)
    assert attempt.attempt_number == 1 and repo.history(item_id)[0].outcome == "in_flight"
    repo.finish_success(item_id, attempt.id, PublishResult("111_1", "https://e.org/1", {"container_id": "c1"}), when)
    item, recorded = repo.item(item_id), repo.attempt(attempt.id)
    assert item is not None and recorded is not None
    assert (item.status, item.provider_post_id, item.attempt_count, item.updated_at) == ("posted", "111_1", 1, when)
    assert item.meta == {
        "lastProviderPostIds": {"provider_post_id": "111_1", "permalink": "https://e.org/1", "container_id": "c1"}
    }
    assert (recorded.started_at, recorded.finished_at, recorded.outcome) == (when, when, "succeeded")
    assert (recorded.container_id, recorded.needs_reconcile, recorded.attempt_number) == ("c1", False, 1)
    with repo.store.transaction() as s:  # the same values, written by the ORM
        row = s.get_one(QueueItem, other)
        row.updated_at = when
        row.meta = dict(item.meta)
    with repo.store.read_raw() as conn:
        stored = conn.execute("SELECT updated_at, metadata FROM queue_items ORDER BY id").fetchall()
        started = conn.execute("SELECT started_at FROM delivery_attempts").fetchone()[0]
    assert stored[0] == stored[1] and started == stored[0][0] == "2026-11-28 12:00:01.000005"


def test_a_failed_try_and_a_limit_wait_are_recorded_in_one_commit(repo: Repo) -> None:
    acc = _account(repo)
    item_id = _item(repo, acc, NOW)
    assert repo.claim(item_id, NOW)
    first = repo.start_attempt(item_id, NOW)
    cut_off = Failure("timeout", "No answer from Meta", needs_reconcile=True, counts=False)
    repo.finish_unsuccessful(item_id, first.id, cut_off, NOW, NOW + timedelta(minutes=2))
    work = repo.work(item_id)
    assert work is not None
    assert (work.item.unconfirmed_attempt_id, work.item.meta, tries_used(work.item)) == (first.id, {"limitWaits": 1}, 0)
    (facts,) = work.history
    assert (facts.outcome, facts.needs_reconcile, facts.may_have_landed, facts.started_at) == (
        "retry_scheduled",
        True,
        True,
        NOW,
    )
    item = repo.item(item_id)
    assert item is not None and (item.status, item.next_attempt_at) == ("scheduled", NOW + timedelta(minutes=2))
    assert repo.claim(item_id, NOW)
    second = repo.start_attempt(item_id, NOW)
    repo.finish_unsuccessful(item_id, second.id, Failure("100", "Meta refused it"), NOW, None)
    item = repo.item(item_id)
    assert item is not None and (item.status, item.next_attempt_at, item.last_error_code) == ("failed", None, "100")
    assert (item.unconfirmed_attempt_id, item.meta, second.attempt_number) == (first.id, {"limitWaits": 1}, 2)


def test_a_lean_write_that_cannot_finish_leaves_nothing_behind(repo: Repo) -> None:
    acc = _account(repo)
    item_id = _item(repo, acc, NOW)
    assert repo.claim(item_id, NOW)
    attempt = repo.start_attempt(item_id, NOW)
    with pytest.raises(LookupError):  # the item's half of the result is rolled back with it
        repo.finish_success(item_id, attempt.id + 1, PublishResult("1_2", None), NOW)
    with pytest.raises(LookupError):
        repo.start_attempt(999, NOW)
    with pytest.raises(ValueError, match="naive"):
        repo.finish_unsuccessful(item_id, attempt.id, Failure("x", "y"), NOW, datetime(2026, 1, 1))
    item = repo.item(item_id)
    assert item is not None and (item.status, item.provider_post_id, item.error_message) == ("processing", None, None)
    assert [a.outcome for a in repo.history(item_id)] == ["in_flight"] and len(repo.attempts()) == 1


def test_a_database_error_on_the_lean_write_path_is_rolled_back_and_explained(repo: Repo) -> None:
    acc = _account(repo)
    item_id = _item(repo, acc, NOW)
    with pytest.raises(StoreError, match="could not be used"), repo.store.write_raw() as conn:
        conn.execute("UPDATE queue_items SET status = 'processing' WHERE id = ?", (item_id,))
        conn.execute("UPDATE no_such_table SET x = 1")
    item = repo.item(item_id)
    assert item is not None and item.status == "scheduled"
    assert repo.claim(item_id, NOW)  # the connection went back to the pool usable, with no transaction left open


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


def test_commits_are_synced_to_disk_on_every_path(tmp_path: Path) -> None:
    """In WAL mode synchronous=NORMAL can lose the last commits (an in-flight record) on power loss."""
    from autoposter_gui.storage.db import Store

    store = Store(tmp_path / "sync.db")
    try:
        with store.transaction() as s:
            assert s.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        with store.write_raw() as conn:  # the runner's lean writes
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        with store.read_raw() as conn:
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        store.close()


@contextlib.contextmanager
def _database_at(path: Path, revision: str) -> Iterator[Connection]:
    """A database file migrated only up to ``revision`` (as an older Autoposter left it), open for inserts; it is
    committed and closed on leaving, ready for a current Store to migrate."""
    from alembic import command
    from alembic.config import Config

    from autoposter_gui.storage.db import MIGRATIONS_DIR, make_engine

    engine = make_engine(path)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
            yield connection
    finally:
        engine.dispose()


def test_migration_renumbers_reused_attempt_numbers_and_makes_them_unique(tmp_path: Path) -> None:
    """Databases from before 0002 have numbers reused by a manual Retry (1..5, then 1 again)."""
    path = tmp_path / "old.db"
    with _database_at(path, "0001") as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, platform, external_id, name, connected_at, status) "
            "VALUES (1, 'facebook', '1', 'Page', '2026-01-01 00:00:00', 'connected')"
        )
        connection.exec_driver_sql(
            "INSERT INTO queue_items (id, account_id, platform, text, status, attempt_count, metadata, created_at,"
            " updated_at) VALUES (1, 1, 'facebook', 't', 'scheduled', 1, '{}', '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00')"
        )
        for n, (number, flagged) in enumerate([(1, 0), (2, 0), (1, 1)]):
            connection.exec_driver_sql(
                "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, outcome, needs_reconcile)"
                f" VALUES (1, {number}, '2026-01-01 00:0{n}:00', 'retry_scheduled', {flagged})"
            )
    store = Store(path)
    try:
        repo = Repo(store)
        history = repo.history(1)
        assert [a.number for a in history] == [1, 2, 3]
        item = repo.item(1)
        assert item is not None and item.unconfirmed_attempt_id == history[-1].id  # the flagged one
        with pytest.raises(StoreError, match="IntegrityError"), store.transaction() as s:
            s.execute(
                text(
                    "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, outcome,"
                    " needs_reconcile) VALUES (1, 3, '2026-01-02 00:00:00', 'failed', 0)"
                )
            )
    finally:
        store.close()


def test_an_item_taken_for_a_check_goes_back_as_it_was_after_a_crash(repo: Repo) -> None:
    """An owner's Cancel took a failed post out of the runner's reach to ask Meta, and the app died: the next
    runner's orphan recovery puts it back as failed (it must not become scheduled and publish)."""
    from autoposter_gui.storage.repo import Failure

    item_id = _item(repo, _account(repo), NOW)
    assert repo.claim(item_id, NOW)
    attempt = repo.start_attempt(item_id, NOW)
    repo.finish_unsuccessful(item_id, attempt.id, Failure("network", "cut off", needs_reconcile=True), NOW, None)
    assert repo.take_for_check(item_id, NOW)
    assert not repo.take_for_check(item_id, NOW)  # one check at a time
    taken = repo.item(item_id)
    assert taken is not None and taken.status == "processing"
    repo.release_orphan(item_id, NOW)
    back = repo.item(item_id)
    assert back is not None and back.status == "failed" and back.unconfirmed_attempt_id == attempt.id


def test_an_account_remembers_its_page_tasks_and_whether_it_can_post(repo: Repo) -> None:
    cafe = DiscoveredAccount(Platform.FACEBOOK, "222", "Cafe", "tok", page_id="222", tasks=("ANALYZE",))
    bakery = DiscoveredAccount(Platform.FACEBOOK, "111", "Bakery", "tok", tasks=("ANALYZE", "CREATE_CONTENT"))
    unknown = DiscoveredAccount(Platform.FACEBOOK, "333", "Old", "tok")  # Meta listed no tasks
    stored = {a.external_id: repo.upsert_account(a, None, NOW) for a in (cafe, bakery, unknown)}
    assert (stored["222"].status, stored["222"].tasks) == ("cannot_post", ["ANALYZE"])
    assert stored["222"].status_message == "Can't post: ask a Page admin for the Create content permission"
    assert (stored["111"].status, stored["111"].status_message) == ("connected", None)
    assert (stored["333"].status, stored["333"].tasks) == ("connected", None)  # unknown is not a refusal
    # Granted later, and connected again: the same row, now connected.
    granted = DiscoveredAccount(Platform.FACEBOOK, "222", "Cafe", "tok", tasks=("ANALYZE", "CREATE_CONTENT"))
    again = repo.upsert_account(granted, None, NOW)
    assert (again.id, again.status, again.status_message) == (stored["222"].id, "connected", None)
    repo.set_account_tasks(again.id, ["MANAGE"])
    assert (account := repo.account(again.id)) is not None and account.tasks == ["MANAGE"]


def test_due_query_takes_a_cannot_post_accounts_item_once_to_hold_it(repo: Repo) -> None:
    from autoposter_gui.domain.models import AccountStatus

    acc = _account(repo)
    fresh = _item(repo, acc, NOW - timedelta(minutes=2))
    held = _item(repo, acc, NOW - timedelta(minutes=1))
    repo.set_account_status(acc, AccountStatus.CANNOT_POST, "Can't post")
    assert repo.claim(held, NOW)
    repo.hold(held, "Page can't post: ask a Page admin", "cannot_post", NOW)
    # The new one is taken (to be held with the reason, or checked first when a try may have landed) ...
    assert [i.id for i in repo.due_items(NOW)] == [fresh]
    # ... the held one waits until the account can post again, then both are due.
    repo.set_account_status(acc, AccountStatus.CONNECTED, None)
    assert repo.clear_account_notes(acc) == [held]
    assert [i.id for i in repo.due_items(NOW)] == [fresh, held]


def test_a_reconnect_clears_account_notes_by_code_not_by_wording(repo: Repo) -> None:
    acc = _account(repo)
    ids = {code: _item(repo, acc, NOW) for code in ("token", "disconnected", "unconfirmed", "cannot_post", "checking")}
    for code, item_id in ids.items():
        # Wordings that the old LIKE 'Reconnect %' matching got wrong both ways.
        repo.flag(item_id, f"Log in at facebook.com first ({code})", code)
    # An item held because its last try may have gone out keeps that mark: only the note goes.
    assert repo.claim(ids["unconfirmed"], NOW)
    attempt = repo.start_attempt(ids["unconfirmed"], NOW)
    repo.finish_unsuccessful(
        ids["unconfirmed"], attempt.id, Failure("network", "cut off", needs_reconcile=True), NOW, NOW
    )
    repo.flag(ids["unconfirmed"], "Reconnect it: Autoposter must check with Meta first", "unconfirmed")
    failed = _item(repo, acc, NOW)
    repo.flag(failed, "Reconnect your account in Autoposter: revoked", "190/460")  # a code of Meta's: not a note
    cleared = repo.clear_account_notes(acc)
    assert sorted(cleared) == sorted(ids[c] for c in ("token", "disconnected", "unconfirmed", "cannot_post"))
    for item_id in cleared:
        item = repo.item(item_id)
        assert item is not None and (item.error_message, item.last_error_code) == (None, None)
    kept = repo.item(ids["unconfirmed"])
    assert kept is not None and kept.unconfirmed_attempt_id == attempt.id
    waiting = repo.item(ids["checking"])
    assert waiting is not None and waiting.error_message == "Log in at facebook.com first (checking)"
    assert (other := repo.item(failed)) is not None and other.error_message


def test_migration_0003_adds_tasks_and_codes_the_old_account_notes(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with _database_at(path, "0002") as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, platform, external_id, name, connected_at, status) "
            "VALUES (1, 'facebook', '1', 'Page', '2026-01-01 00:00:00', 'connected')"
        )
        notes = [
            ("Reconnect Facebook Page Page: its access token no longer works", "http_500"),
            ("Needs attention: Facebook Page Page was disconnected; reconnect it to publish", None),
            ("Facebook had a temporary problem", "2"),
        ]
        for n, (message, code) in enumerate(notes, start=1):
            connection.exec_driver_sql(
                "INSERT INTO queue_items (id, account_id, platform, text, status, attempt_count, metadata,"
                " created_at, updated_at, error_message, last_error_code) VALUES"
                f" ({n}, 1, 'facebook', 't', 'scheduled', 0, '{{}}', '2026-01-01 00:00:00', '2026-01-01 00:00:00',"
                " ?, ?)",
                (message, code),
            )
    store = Store(path)
    try:
        repo = Repo(store)
        account = repo.account(1)
        assert account is not None and account.tasks is None and account.status == "connected"
        assert [repo.item(n).last_error_code for n in (1, 2, 3)] == ["token", "disconnected", "2"]  # type: ignore[union-attr]
        assert sorted(repo.clear_account_notes(1)) == [1, 2]
    finally:
        store.close()


def test_a_post_held_for_its_account_is_not_called_missed(repo: Repo) -> None:
    acc = _account(repo)
    late = _item(repo, acc, NOW - timedelta(days=2))
    held = _item(repo, acc, NOW - timedelta(days=2))
    repo.flag(held, "Facebook Page Page can't post: ask a Page admin for the Create content permission", "cannot_post")
    assert repo.mark_missed(NOW - timedelta(hours=6), NOW, "Missed") == [late]
    kept = repo.item(held)
    assert kept is not None and kept.status == "scheduled" and "can't post" in (kept.error_message or "")


def test_migration_0005_keeps_everything_adds_slots_and_series_and_renames_drafts(tmp_path: Path) -> None:
    """A database left at 0003 (before the planner): its accounts, posts and attempts come through unchanged, its
    drafts read "draft" (they were stored as "queued"), and the new slots table and series_id column work."""
    path = tmp_path / "old.db"
    with _database_at(path, "0003") as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, platform, external_id, name, connected_at, status, tasks) "
            "VALUES (1, 'facebook', '1', 'Page', '2026-01-01 00:00:00', 'connected', '[\"CREATE_CONTENT\"]')"
        )
        for n, status in enumerate(("queued", "scheduled", "posted", "failed"), start=1):
            connection.exec_driver_sql(
                "INSERT INTO queue_items (id, account_id, platform, text, image_path, status, scheduled_at,"
                " attempt_count, metadata, created_at, updated_at, permalink) VALUES"
                f" ({n}, 1, 'facebook', 'post {n}', '/m/{n}.jpg', '{status}', '2026-02-0{n} 09:30:00.000000', {n - 1},"
                f" '{{\"k\": 1}}', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'https://x/{n}')"
            )
        connection.exec_driver_sql(
            "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, outcome, needs_reconcile,"
            " provider_post_id) VALUES (3, 1, '2026-02-03 09:30:01', 'succeeded', 0, '1_3')"
        )
    store = Store(path)
    try:
        repo = Repo(store)
        items = repo.items()
        assert [(i.id, i.status) for i in items] == [(1, "draft"), (2, "scheduled"), (3, "posted"), (4, "failed")]
        assert [i.text for i in items] == ["post 1", "post 2", "post 3", "post 4"]
        assert [i.image_path for i in items] == [f"/m/{n}.jpg" for n in (1, 2, 3, 4)]
        assert [i.scheduled_at for i in items] == [datetime(2026, 2, n, 9, 30, tzinfo=UTC) for n in (1, 2, 3, 4)]
        assert [i.attempt_count for i in items] == [0, 1, 2, 3]
        assert all(i.meta == {"k": 1} and i.series_id is None for i in items)
        assert [i.permalink for i in items] == [f"https://x/{n}" for n in (1, 2, 3, 4)]
        assert [(a.queue_item_id, a.provider_post_id) for a in repo.attempts()] == [(3, "1_3")]
        account = repo.account(1)
        assert account is not None and account.tasks == ["CREATE_CONTENT"]
        assert repo.count_items([ItemStatus.DRAFT]) == 1
        planning = PlanningRepo(store)
        planning.set_slots(1, [(2, 12 * 60), (0, 9 * 60 + 30), (2, 12 * 60)])
        assert planning.slots() == [(1, 0, 570), (1, 2, 720)]
        [new] = repo.add_items(
            [NewItem(1, Platform.FACEBOOK, "weekly", None, ItemStatus.SCHEDULED, NOW, None, "abc")], NOW
        )
        assert [i.id for i in planning.series_items("abc")] == [new.id]
    finally:
        store.close()


def test_the_bulk_insert_stores_what_add_items_stores_all_or_nothing(repo: Repo) -> None:
    acc = _account(repo)
    planning = PlanningRepo(repo.store)
    media = (MediaRef("/m/b.jpg", MediaKind.IMAGE, "A loaf"), MediaRef("/m/c.jpg", MediaKind.IMAGE))
    new = [
        NewItem(acc, Platform.FACEBOOK, "Bread", "/m/a.jpg", ItemStatus.SCHEDULED, NOW, "Europe/Berlin", "s1"),
        NewItem(acc, Platform.FACEBOOK, "Idea", None, ItemStatus.DRAFT, None),
        NewItem(
            acc, Platform.FACEBOOK, "Two", None, ItemStatus.SCHEDULED, NOW, media=media, first_comment="Hi", link="x"
        ),
        NewItem(acc, Platform.GOOGLE, "Event", None, ItemStatus.DRAFT, None, options={"google_type": "event"}),
    ]
    orm = [i.id for i in repo.add_items(new, NOW)]
    bulk = planning.add_items_bulk(new, NOW)
    assert bulk == [orm[-1] + 1, orm[-1] + 2, orm[-1] + 3, orm[-1] + 4]
    assert repo.item(bulk[-1]).meta == {"options": {"google_type": "event"}}  # type: ignore[union-attr]
    with repo.store.read_raw() as conn:  # every column, so a column added later must be added to the bulk path too
        rows = {r[0]: r[1:] for r in conn.execute("SELECT * FROM queue_items").fetchall()}
    assert [rows[i] for i in bulk] == [rows[i] for i in orm]
    assert [repo.item(i).scheduled_at for i in bulk] == [NOW, None, NOW, None]  # type: ignore[union-attr]
    # All or nothing: a row that breaks a constraint (an unknown account) leaves none of the batch behind.
    broken = [new[0], NewItem(acc + 99, Platform.FACEBOOK, "x", None, ItemStatus.SCHEDULED, NOW)]
    with pytest.raises(StoreError):
        planning.add_items_bulk(broken, NOW)
    assert repo.count_items() == 8


def test_migration_0005_goes_back_to_0004_with_drafts_as_queued(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from autoposter_gui.storage.db import MIGRATIONS_DIR

    path = tmp_path / "new.db"
    store = Store(path)
    repo = Repo(store)
    acc = _account(repo)
    draft = _item(repo, acc, NOW, ItemStatus.DRAFT)
    PlanningRepo(store).set_slots(acc, [(0, 600)])
    store.close()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    from autoposter_gui.storage.db import make_engine

    engine = make_engine(path)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0004")
            assert connection.exec_driver_sql(f"SELECT status FROM queue_items WHERE id = {draft}").scalar() == "queued"
            tables = {r[0] for r in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
            assert "slots" not in tables
            columns = {r[1] for r in connection.exec_driver_sql("PRAGMA table_info(queue_items)")}
            assert "series_id" not in columns
    finally:
        engine.dispose()
