"""The media store: posts' images copied into the data folder under their content hash, and collected later."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from autoposter_gui.domain.clock import Clock, SystemClock
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.storage.folder import FILE_MODE, private_dir

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024  # hashed and copied a chunk at a time: a 50 MB image is never held in memory
GRACE = timedelta(days=7)  # a copy is kept this long after its last post finished, or after it was last stored
CLEANUP_EVERY = timedelta(days=1)
MARKER = ".last-cleanup"  # when the last cleanup ran (ISO time inside, so an injected clock works)
TRASH = ".removing-"  # a file being removed (renamed first, so a concurrent put can't reuse it half-way)
STORED_NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]{1,10})?$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


def _store_error(exc: OSError, root: Path) -> ValidationError:
    """A clear sentence for a failed write into the store (disk full, folder not writable, ...)."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        reason = "the disk is full; free some space and try again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = f"the data folder {root} can't be written to; check its permissions"
    else:
        reason = f"{exc.strerror or exc.__class__.__name__} ({root})"
    return ValidationError(f"Could not store the image: {reason}", field="image")


def _clean_suffix(suffix: str) -> str:
    suffix = suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


def _read_chunks(fh: IO[bytes], source: Path) -> Iterator[bytes]:
    while True:
        try:
            chunk = fh.read(CHUNK)
        except OSError as exc:
            raise ValidationError(f"Cannot read image {source}: {exc.strerror}", field="image") from None
        if not chunk:
            return
        yield chunk


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class MediaStore:
    """Files named ``<sha256><.ext>`` in one folder (0700), each written atomically with mode 0600.

    The same content is stored once. A stored file never changes, so a post that points to one publishes the
    picture as it was when queued, whatever happens to the original afterwards.
    """

    def __init__(self, root: Path, *, clock: Clock | None = None, grace: timedelta = GRACE) -> None:
        self.root = root
        self.clock: Clock = clock or SystemClock()
        self.grace = grace

    # ----- storing --------------------------------------------------------------------------------
    def owns(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` names a file of this store (by its place and name, without reading it)."""
        p = Path(path)
        if not STORED_NAME.match(p.name):
            return False
        try:
            return p.parent.resolve() == self.root.resolve()
        except OSError:
            return False

    def put(self, path: str | os.PathLike[str], suffix: str | None = None) -> Path:
        """Copy the file at ``path`` into the store and return the copy (the existing one for known content).

        ``suffix`` (e.g. ".png") defaults to the original's. A file already in the store is returned as is.
        Raises ValidationError with a clear sentence when the original can't be read or the copy can't be written.
        """
        source = Path(path)
        if self.owns(source):
            stamp = self.clock.now().timestamp()
            try:
                os.utime(source, (stamp, stamp))  # in use again: its grace period starts over
            except FileNotFoundError:
                pass  # gone (collected): reading it below says so
            except OSError as exc:
                log.warning("could not touch stored media %s: %s", source.name, exc.strerror)
                return source
            else:
                return source
        try:
            fh = open(source, "rb")  # noqa: SIM115 - closed below, after the copy
        except OSError as exc:
            raise ValidationError(f"Cannot read image {source}: {exc.strerror}", field="image") from None
        with fh:
            return self._write(_read_chunks(fh, source), _clean_suffix(source.suffix if suffix is None else suffix))

    def put_bytes(self, data: bytes, suffix: str) -> Path:
        """Store ``data`` (e.g. a fitted JPEG) and return its file."""
        return self._write([data], _clean_suffix(suffix))

    def _write(self, chunks: Iterable[bytes], suffix: str) -> Path:
        """Hash while copying into a temporary file in the store, then fsync and rename it to its hash."""
        self._ensure_root()
        tmp: Path | None = None
        try:
            handle, name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=self.root)
            tmp = Path(name)
            digest = hashlib.sha256()
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            target = self.root / f"{digest.hexdigest()}{suffix}"
            stamp = self.clock.now().timestamp()
            if target.is_file():  # the same content is already here: keep the one file, marked as used now
                try:
                    os.utime(target, (stamp, stamp))
                except FileNotFoundError:
                    pass  # a cleanup took it just now: ours goes in its place below
                else:
                    return target
            os.chmod(tmp, FILE_MODE)  # whatever the umask (mkstemp's 0600 is masked by it)
            os.utime(tmp, (stamp, stamp))
            os.replace(tmp, target)
            tmp = None
            _fsync_dir(self.root)
            return target
        except OSError as exc:
            raise _store_error(exc, self.root) from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def _ensure_root(self) -> None:
        try:
            private_dir(self.root)  # 0700 whatever the umask, like the rest of the data folder
        except OSError as exc:
            raise _store_error(exc, self.root) from None

    # ----- cleanup --------------------------------------------------------------------------------
    def collect(self, in_use: Collection[str], now: datetime | None = None) -> list[Path]:
        """Remove stored files that no path in ``in_use`` names and that were not stored or reused within the
        grace period (by their mtime; ``in_use`` should also name the files of posts finished within it).

        Query ``in_use`` *before* calling: a copy put (or re-used) after that query has a fresh mtime, so it stays.
        Leftover temporary files are removed the same way. Returns the removed files.
        """
        keep = {Path(p).name for p in in_use}
        cutoff = (now or self.clock.now()).timestamp() - self.grace.total_seconds()
        removed: list[Path] = []
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return removed
        except OSError as exc:
            log.warning("media cleanup skipped: %s", exc.strerror)
            return removed
        for entry in entries:
            if entry.name == MARKER or entry.name in keep:
                continue
            try:
                if not entry.is_file(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_mtime > cutoff:
                    continue
                if entry.name.startswith(TRASH):  # left by a cleanup that was interrupted
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
                elif self._remove_if_unused(Path(entry.path), cutoff):
                    removed.append(Path(entry.path))
            except FileNotFoundError:
                continue  # another cleanup (the app's and the CLI's at once) got there first
            except OSError as exc:
                log.warning("could not remove stored media %s: %s", entry.name, exc.strerror)
        if removed:
            log.info("media cleanup removed %d unused file(s)", len(removed))
        return removed

    def _remove_if_unused(self, path: Path, cutoff: float) -> bool:
        """Take the file out of use atomically (a rename), then delete it unless a ``put`` reused it meanwhile.

        A ``put`` that reuses a file touches it (then the fresh mtime is seen here and the file is put back), or,
        when the file is already gone, writes its own copy in its place: a reused copy is never lost.
        """
        trash = path.with_name(f"{TRASH}{path.name}")
        try:
            os.replace(path, trash)
        except FileNotFoundError:
            return False
        if trash.stat().st_mtime > cutoff:  # reused between the first look and the rename
            os.replace(trash, path)  # the same content if a put wrote it again meanwhile
            return False
        trash.unlink()
        return True

    def cleanup_if_due(self, in_use: Callable[[], Collection[str]], now: datetime | None = None) -> list[Path] | None:
        """``collect`` at most once a day (None when it already ran in the last day). ``in_use`` is called only
        when a cleanup is due, so calling this often is cheap: one small file read."""
        now = now or self.clock.now()
        marker = self.root / MARKER
        try:
            last: datetime | None = datetime.fromisoformat(marker.read_text(encoding="ascii").strip())
        except (OSError, ValueError, UnicodeDecodeError):
            last = None
        if last is not None and last.tzinfo is not None and timedelta(0) <= now - last < CLEANUP_EVERY:
            return None
        if not self.root.is_dir():
            return []
        removed = self.collect(in_use(), now)
        try:
            handle, name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=self.root)
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(now.isoformat())
            os.replace(name, marker)
        except OSError as exc:
            log.warning("could not record the media cleanup: %s", exc.strerror)
        return removed
