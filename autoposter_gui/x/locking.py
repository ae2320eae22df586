"""One X account's sign-in changed by one caller at a time, across threads AND processes (single-use refresh tokens).

X's refresh tokens are single-use: a refresh returns a new pair, the old refresh token dies, and spending a dead one
makes X revoke the whole grant. The GUI and a CLI command on the same data folder are two processes, so a thread
lock is not enough: :func:`account_lock` takes this process's lock for the account, then a file lock in
``Env.locks`` (``x-<user id>.lock``, 0600, in a 0700 folder). Whoever holds it reads the grant again from the
keyring itself (another process may have rotated it) before deciding to refresh.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from filelock import FileLock, Timeout

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.networks.protocol import WAIT

LOCK_TIMEOUT = 30.0  # seconds: a refresh is one HTTP call (its own timeout is shorter); longer means something hangs
RETRY_AFTER = timedelta(minutes=1)
DIR_MODE = 0o700
FILE_MODE = 0o600
_SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")

_guard = threading.Lock()
_threads: dict[str, threading.Lock] = {}


def _thread_lock(user_id: str) -> threading.Lock:
    with _guard:
        return _threads.setdefault(user_id, threading.Lock())


def lock_path(folder: Path, user_id: str) -> Path:
    """``<folder>/x-<user id>.lock`` (X user ids are digits; anything else is hashed into a safe name)."""
    name = user_id if _SAFE.fullmatch(user_id) else hashlib.sha256(user_id.encode()).hexdigest()[:32]
    return folder / f"x-{name}.lock"


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if os.name == "posix" and folder.stat().st_mode & 0o777 != DIR_MODE:
        folder.chmod(DIR_MODE)


def busy(username: str | None) -> PublishError:
    """The lock was not free in time: a wait (the runner tries again without spending a try: another process is
    renewing the sign-in, nobody failed); nothing was sent to X."""
    who = f" (@{username})" if username else ""
    return PublishError(
        ErrorKind.TEMPORARY,
        ErrorCategory.TRANSIENT,
        f"Another Autoposter window or command is renewing the X sign-in{who}: it will try again in a minute",
        retry_after=RETRY_AFTER,
        extra={WAIT: "sign-in renewing"},
    )


@contextmanager
def account_lock(user_id: str, folder: Path | None, username: str | None = None) -> Iterator[None]:
    """Hold account ``user_id``'s lock: this process's thread lock, then (``folder`` given) its file lock.
    Waits at most LOCK_TIMEOUT seconds in all, then raises a temporary PublishError: never a hang, and never a
    refresh without the lock. Read the grant again (``grant.load(..., fresh=True)``) once inside."""
    deadline = time.monotonic() + LOCK_TIMEOUT
    thread_lock = _thread_lock(user_id)
    if not thread_lock.acquire(timeout=LOCK_TIMEOUT):
        raise busy(username)
    try:
        if folder is None:
            yield
            return
        try:
            _private_folder(folder)
            file_lock = FileLock(str(lock_path(folder, user_id)), mode=FILE_MODE)
            file_lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
        except Timeout:
            raise busy(username) from None
        except OSError as exc:
            raise PublishError(
                ErrorKind.TEMPORARY,
                ErrorCategory.UNKNOWN,
                f"Could not lock the X sign-in in the data folder ({type(exc).__name__}): check that the folder "
                "is writable; it will try again",
                retry_after=RETRY_AFTER,
                extra={},
            ) from None
        try:
            yield
        finally:
            file_lock.release()
    finally:
        thread_lock.release()
