"""Rolling database backups (one a day, the last 7 kept) and restoring one."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from autoposter_gui.domain.errors import StoreError
from autoposter_gui.storage.db import Store, disk_full_message, is_disk_full
from autoposter_gui.storage.folder import private_dir

log = logging.getLogger(__name__)
KEEP = 7
PREFIX = "autoposter-"


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def list_backups(db_path: Path) -> list[Path]:
    """Backups, newest first."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{PREFIX}*.db"), reverse=True)


def backup_now(store: Store, now: datetime, keep: int = KEEP) -> Path:
    """Copy the live database (consistently, with SQLite's backup API) to today's backup; prune old ones."""
    folder = backups_dir(store.db_path)
    target = folder / f"{PREFIX}{now:%Y%m%d}.db"
    tmp: Path | None = None
    try:
        private_dir(folder)
        # A unique temporary name: two backups at once (a daily job and a manual one) never share a file.
        handle, name = tempfile.mkstemp(prefix=".backup-", suffix=".tmp", dir=folder)
        os.close(handle)
        tmp = Path(name)
        raw = store.engine.raw_connection()
        try:
            dest = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(dest)  # type: ignore[union-attr]
            finally:
                dest.close()
        finally:
            raw.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if is_disk_full(exc, folder):
            raise StoreError(f"Could not back up the database: {disk_full_message(folder)}") from None
        raise StoreError(f"Could not back up the database to {folder}: {exc}") from None
    for old in list_backups(store.db_path)[keep:]:
        old.unlink(missing_ok=True)
    log.info("database backed up to %s", target.name)
    return target


def backup_if_due(store: Store, now: datetime, keep: int = KEEP) -> Path | None:
    """Today's backup, unless one was already made today (a restart never overwrites it)."""
    target = backups_dir(store.db_path) / f"{PREFIX}{now:%Y%m%d}.db"
    if target.exists():
        return None
    return backup_now(store, now, keep)


def _read_only_uri(path: Path) -> str:
    """Open a backup read-only and immutable: SQLite then leaves no -wal/-shm files next to it."""
    return f"{path.resolve().as_uri()}?mode=ro&immutable=1"


def check_backup(path: Path) -> None:
    """Raise StoreError unless ``path`` is a healthy SQLite database."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        raise StoreError(f"The backup {path.name} cannot be read; pick another one") from None
    if not result or result[0] != "ok":
        raise StoreError(f"The backup {path.name} is damaged; pick another one")


def restore_backup(db_path: Path, backup: Path, now: datetime) -> Path | None:
    """Put ``backup`` in place of the database (which must not be open). The current file is kept aside.

    Returns where the replaced database was moved (None: there was none).
    """
    check_backup(backup)
    aside = move_aside(db_path, now)
    try:
        shutil.copy2(backup, db_path)
    except OSError as exc:
        raise StoreError(f"Could not restore the backup: {exc.strerror}") from None
    log.warning("database restored from %s; the previous one is at %s", backup.name, aside.name if aside else "-")
    return aside


def move_aside(db_path: Path, now: datetime) -> Path | None:
    """Move the database and its -wal/-shm aside, as a restore does; returns where the database went (None: there
    was none; stray -wal/-shm files are moved all the same, so they never meet another database)."""
    aside = db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}")
    had_database = db_path.exists()
    try:
        if had_database:
            os.replace(db_path, aside)
        for suffix in ("-wal", "-shm"):
            extra = db_path.with_name(db_path.name + suffix)
            if extra.exists():
                os.replace(extra, aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise StoreError(f"Could not move the database aside: {exc.strerror}") from None
    return aside if had_database else None


def count_items(path: Path) -> int | None:
    """Queue items in a backup (one COUNT on a read-only connection), None when it can't be read."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            row = conn.execute("SELECT COUNT(*) FROM queue_items").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return int(row[0]) if row else None
