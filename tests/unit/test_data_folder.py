"""The data folder's safety: no silent empty database where one was used, private modes, the file's identity,
and "the disk is full" said plainly."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.errors import DatabaseReplacedError, MissingDatabaseError, StoreError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.logsetup import configure_logging
from autoposter_gui.storage import db as dbmod
from autoposter_gui.storage.backup import backup_now
from autoposter_gui.storage.db import Store, explain_db_error
from autoposter_gui.storage.folder import MARKER, used_before
from autoposter_gui.storage.repo import NewItem, Repo

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def _add(store: Store, text: str = "hello") -> None:
    repo = Repo(store)
    acc = repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, "1", "P", "t"), None, NOW)
    repo.add_items([NewItem(acc.id, Platform.FACEBOOK, text, None, ItemStatus.SCHEDULED, NOW)], NOW)


# ----- a missing or emptied database -------------------------------------------------------------


def test_a_new_folder_gets_a_database_and_the_marker(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    assert not used_before(folder)
    Store(folder / "autoposter.db").close()
    assert (folder / MARKER).is_file()
    assert used_before(folder)


def test_an_existing_database_from_before_the_marker_gets_one(tmp_path: Path) -> None:
    db = tmp_path / "autoposter.db"
    Store(db).close()
    (tmp_path / MARKER).unlink()
    Store(db).close()
    assert (tmp_path / MARKER).is_file()


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_missing_database_in_a_used_folder_is_refused(tmp_path: Path, how: str) -> None:
    db = tmp_path / "autoposter.db"
    store = Store(db)
    _add(store)
    backup = backup_now(store, NOW)
    store.close()
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    with pytest.raises(MissingDatabaseError) as caught:
        Store(db)
    message = str(caught.value)
    assert "`autoposter restore --latest`" in message
    taken = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    assert taken in message and "\n" not in message
    assert caught.value.latest_backup == backup
    # Nothing was created in its place.
    assert (not db.exists()) if how == "deleted" else db.stat().st_size == 0


def test_without_a_backup_the_message_says_how_to_start_empty(tmp_path: Path) -> None:
    db = tmp_path / "autoposter.db"
    Store(db).close()
    db.unlink()
    with pytest.raises(MissingDatabaseError, match="restore --empty"):
        Store(db)
    store = Store(db, allow_new=True)  # the owner chose to start empty
    assert Repo(store).count_items() == 0


@pytest.mark.parametrize("evidence", ["backup", "log", "runner.lock", "gui.ini"])
def test_folders_from_before_the_marker_count_as_used(tmp_path: Path, evidence: str) -> None:
    if evidence == "backup":
        (tmp_path / "backups").mkdir()
        (tmp_path / "backups" / "autoposter-20261101.db").write_bytes(b"x")
    elif evidence == "log":
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "autoposter.log").write_text(
            "2026-11-01 03:00:00,000 INFO autoposter_gui.storage.backup [MainThread] database backed up\n"
        )
    else:
        (tmp_path / evidence).write_text("")
    with pytest.raises(MissingDatabaseError):
        Store(tmp_path / "autoposter.db")


def test_an_empty_log_from_a_first_start_is_no_evidence(tmp_path: Path) -> None:
    """The CLI and the app open the log before the database: a first start must still create it."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "autoposter.log").write_text("2026-11-01 03:00:00,000 INFO autoposter_gui.app starting\n")
    Store(tmp_path / "autoposter.db").close()


# ----- private modes ---------------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o002)  # group- and world-readable by default
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.usefixtures("open_umask")
def test_folder_database_wal_logs_lock_and_backups_are_private(tmp_path: Path) -> None:
    config = AppConfig(tmp_path / "data")
    config.ensure_dir()
    store = Store(config.db_path)
    _add(store)  # WAL mode: the write creates -wal and -shm
    backup = backup_now(store, NOW)
    log_file = configure_logging(config.log_dir)
    assert log_file is not None
    logging.getLogger("autoposter_gui.test").warning("a line")
    from autoposter_gui.engine.runner import runner_lock

    lock = runner_lock(config)
    with lock:
        lock_mode = _mode(config.lock_path)
    assert _mode(config.data_dir) == 0o700
    assert _mode(config.log_dir) == 0o700
    assert _mode(backup.parent) == 0o700
    files = [config.db_path, *(config.db_path.with_name(config.db_path.name + s) for s in ("-wal", "-shm"))]
    assert all(p.exists() for p in files)
    assert {p.name: _mode(p) for p in [*files, log_file, backup]} == {p.name: 0o600 for p in [*files, log_file, backup]}
    assert lock_mode == 0o600
    store.close()


@pytest.mark.usefixtures("open_umask")
def test_an_existing_open_database_is_made_private(tmp_path: Path) -> None:
    db = tmp_path / "autoposter.db"
    Store(db).close()
    os.chmod(db, 0o644)
    os.chmod(tmp_path, 0o755)
    Store(db).close()
    assert _mode(db) == 0o600 and _mode(tmp_path) == 0o700


# ----- the database file's identity ------------------------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_database_deleted_or_replaced_under_the_store_fails_loudly(tmp_path: Path, how: str) -> None:
    db = tmp_path / "autoposter.db"
    store = Store(db)
    _add(store, "first")
    if how == "deleted":
        db.unlink()
    else:
        other = tmp_path / "elsewhere" / "autoposter.db"
        Store(other).close()
        os.replace(other, db)
    with pytest.raises(DatabaseReplacedError, match="deleted or replaced"):
        _add(store, "second")
    store.close()


def test_the_identity_check_is_a_single_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "autoposter.db")
    calls: list[object] = []
    real_stat = os.stat
    monkeypatch.setattr(dbmod.os, "stat", lambda p, *a, **k: calls.append(p) or real_stat(p, *a, **k))
    _add(store)
    assert calls == [store.db_path, store.db_path]  # upsert_account and add_items: one commit each
    store.close()


# ----- the disk is full --------------------------------------------------------------------------


def test_sqlite_full_says_the_disk_is_full(tmp_path: Path) -> None:
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorcode = 13  # type: ignore[attr-defined]
    assert str(explain_db_error(exc, tmp_path / "autoposter.db")).startswith("The disk is full")


def test_an_io_error_on_a_full_disk_says_the_disk_is_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    exc = sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**9, 10**9, 0))
    assert str(explain_db_error(exc, tmp_path / "autoposter.db")).startswith("The disk is full")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**9, 10**8, 9 * 10**8))
    assert "disk is full" not in str(explain_db_error(exc, tmp_path / "autoposter.db"))


def test_no_space_to_create_the_database_says_the_disk_is_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from autoposter_gui.storage import folder

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(folder, "private_file", full)
    with pytest.raises(StoreError, match=r"^The disk is full"):
        Store(tmp_path / "autoposter.db")
