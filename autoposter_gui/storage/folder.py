"""The data folder's safety: private modes (0700/0600), the "used before" marker, and evidence of earlier use."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

MARKER = ".autoposter"
DIR_MODE = 0o700
FILE_MODE = 0o600
POSIX = os.name == "posix"
# Log lines only a working store writes (a backup, the runner): a folder whose log has one was used before.
_USED_LOG_LINES = (" autoposter_gui.storage.backup ", " autoposter_gui.engine.")


def private_dir(path: Path) -> None:
    """Create ``path`` (and its parents) if needed, and make it 0700 whatever the umask (POSIX)."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if POSIX:
        with contextlib.suppress(OSError):  # not ours to change (a shared parent): leave it
            if path.stat().st_mode & 0o777 != DIR_MODE:
                path.chmod(DIR_MODE)


def private_file(path: Path) -> None:
    """Create ``path`` empty if it is missing, and make it 0600 whatever the umask (POSIX)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        if POSIX and os.fstat(fd).st_mode & 0o777 != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def make_private(path: Path) -> None:
    """Make an existing file 0600 (POSIX); nothing if it is missing."""
    if POSIX:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mode & 0o777 != FILE_MODE:
                path.chmod(FILE_MODE)


def private_opener(path: str, flags: int) -> int:
    """An ``open(..., opener=)`` that creates files 0600 and tightens an existing one (logs)."""
    fd = os.open(path, flags, FILE_MODE)
    if POSIX and os.fstat(fd).st_mode & 0o777 != FILE_MODE:
        os.fchmod(fd, FILE_MODE)
    return fd


def write_marker(folder: Path) -> None:
    """Mark ``folder`` as holding Autoposter data (written once a database exists in it)."""
    marker = folder / MARKER
    if marker.exists():
        return
    with contextlib.suppress(OSError):  # a read-only folder: the backups and logs still tell
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("This folder holds Autoposter's data. Do not delete autoposter.db.\n")


def used_before(folder: Path) -> bool:
    """True when ``folder`` already held Autoposter data: the marker, a backup, the runner's lock or the GUI's
    settings, or a log written by a working store (folders from before the marker existed)."""
    if (folder / MARKER).exists():
        return True
    backups = folder / "backups"
    if backups.is_dir() and any(backups.glob("autoposter-*.db")):
        return True
    if (folder / "runner.lock").exists() or (folder / "gui.ini").exists():
        return True
    logs = folder / "logs"
    if logs.is_dir():
        for log_file in logs.glob("autoposter.log*"):
            with contextlib.suppress(OSError):
                text = log_file.read_text(encoding="utf-8", errors="replace")
                if any(line in text for line in _USED_LOG_LINES):
                    return True
    return False


def is_missing_or_empty(db_path: Path) -> bool:
    """True when the database file does not exist or has 0 bytes (SQLite would silently start it empty)."""
    try:
        return db_path.stat().st_size == 0
    except FileNotFoundError:
        return True
