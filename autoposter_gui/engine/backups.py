"""Backups for the CLI and the GUI alike: list them, take the daily one, restore one (or start empty on purpose)."""

from __future__ import annotations

import builtins
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.errors import AutoposterError, StoreError, ValidationError
from autoposter_gui.engine.views import BackupView
from autoposter_gui.storage import backup as backup_files
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.folder import private_dir, write_marker

log = logging.getLogger(__name__)


class RestoreBusyError(AutoposterError):
    """A runner is publishing from this data folder: a restore now could lose what it records."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file as the owner sees it."""

    path: Path
    taken_at: datetime  # UTC (the file's modification time: when the copy was finished)
    size: int  # bytes
    items: int | None  # queue items in it, None when it can't be read

    def as_dict(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "taken_at": self.taken_at.isoformat(timespec="seconds"),
            "size": self.size,
            "items": self.items,
        }


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the backup put in place (None: started empty) and where the old database went."""

    backup: Path | None
    kept_aside: Path | None


class BackupService:
    """The one place both front ends list, take and restore backups; needs no open store (the database may be
    missing or damaged)."""

    def __init__(self, config: AppConfig) -> None:
        self.config = config

    def list(self) -> list[BackupInfo]:
        """The backups, newest first."""
        out: list[BackupInfo] = []
        for path in backup_files.list_backups(self.config.db_path):
            try:
                st = path.stat()
            except OSError:
                continue
            taken = datetime.fromtimestamp(st.st_mtime, UTC)
            out.append(BackupInfo(path, taken, st.st_size, backup_files.count_items(path)))
        return out

    def files(self) -> builtins.list[BackupView]:
        """The backup files, newest first, none of them opened (cheap: for pickers and reports)."""
        out: builtins.list[BackupView] = []
        for path in backup_files.list_backups(self.config.db_path):
            try:
                out.append(BackupView(path, datetime.fromtimestamp(path.stat().st_mtime, UTC)))
            except OSError:
                continue
        return out

    def database_damaged(self) -> bool:
        """Whether the database file fails SQLite's integrity check (the check every backup gets)."""
        try:
            backup_files.check_backup(self.config.db_path)
        except StoreError:
            return True
        return False

    def latest_good(self) -> Path | None:
        """The newest backup that passes SQLite's integrity check (a damaged one is skipped, with a log line)."""
        for path in backup_files.list_backups(self.config.db_path):
            try:
                backup_files.check_backup(path)
            except StoreError:
                log.warning("backup %s is damaged; trying an older one", path.name)
                continue
            return path
        return None

    def resolve(self, name: str) -> Path:
        """A backup named by the owner: a path, or a file name in the backups folder. ValidationError if none."""
        given = Path(name).expanduser()
        for candidate in (given, backup_files.backups_dir(self.config.db_path) / name):
            if candidate.is_file():
                return candidate
        raise ValidationError(f"No backup file {name!r}; run `autoposter backups` to list them", field="backup")

    def restore(self, backup: Path | None, now: datetime) -> RestoreResult:
        """Put ``backup`` in place of the database (None: start with an empty database on purpose).

        Refused while a runner holds the data folder's lock; holds that lock itself so no runner starts halfway.
        The current database, if any, is kept aside. The database must not be open in this process.
        """
        from filelock import Timeout

        from autoposter_gui.engine.runner import runner_lock

        private_dir(self.config.data_dir)
        lock = runner_lock(self.config)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise RestoreBusyError(
                "Autoposter is publishing from this data folder right now, so nothing was restored; wait for it to "
                "finish (or quit the app) and try again"
            ) from None
        try:
            had_database = self.config.db_path.exists()
            if backup is None:
                aside = backup_files.move_aside(self.config.db_path, now)
                Store(self.config.db_path, allow_new=True).close()  # the empty database, with its schema
                log.warning("started an empty database on purpose; the previous one is at %s", aside)
            else:
                taken_at = datetime.fromtimestamp(backup.stat().st_mtime, UTC)
                aside = backup_files.restore_backup(self.config.db_path, backup, now)
                self._hold_for_checks(taken_at, now)
            write_marker(self.config.data_dir)
        finally:
            lock.release()
        return RestoreResult(backup, aside if had_database and aside is not None and aside.exists() else None)

    def _hold_for_checks(self, taken_at: datetime, now: datetime) -> None:
        """Posts not finished in the backup may have gone out after it was taken: each is checked with Meta (from
        the backup's time on) before anything else happens to it, so none is published twice."""
        from autoposter_gui.storage.repo import Repo

        store = Store(self.config.db_path)
        try:
            held = Repo(store).mark_unconfirmed_after_restore(taken_at, now)
        finally:
            store.close()
        if held:
            log.warning("%s post(s) from the backup will be checked with Meta before anything else", len(held))


def take_daily_backup(store: Store, now: datetime) -> Path | None:
    """Today's backup unless one exists (the scheduler's daily job and `autoposter run-due` both call this)."""
    return backup_files.backup_if_due(store, now)
