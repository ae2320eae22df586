"""The media store: content-addressed copies, atomic private writes, clear errors, and the grace-period cleanup."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.storage import media as media_module
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.media import MARKER, TRASH, MediaStore
from autoposter_gui.storage.repo import NewItem, Repo

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> MediaStore:
    return MediaStore(tmp_path / "data" / "media", clock=clock)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _files(store: MediaStore) -> list[str]:
    return sorted(p.name for p in store.root.iterdir() if p.name != MARKER)


def test_put_copies_under_the_content_hash_with_the_given_extension(tmp_path: Path, store: MediaStore) -> None:
    src = tmp_path / "photo.PNG"
    data = os.urandom(3 * media_module.CHUNK + 17)  # several chunks
    src.write_bytes(data)
    stored = store.put(src, ".png")
    assert stored == store.root / f"{hashlib.sha256(data).hexdigest()}.png"
    assert stored.read_bytes() == data
    assert store.put(src) == store.root / f"{hashlib.sha256(data).hexdigest()}.png"  # the original's, lower case
    src.unlink()
    assert stored.read_bytes() == data  # the original may go; the copy stays


def test_same_content_is_stored_once_and_different_content_twice(tmp_path: Path, store: MediaStore) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "photo.png").write_bytes(b"one picture")
    (tmp_path / "b" / "photo.png").write_bytes(b"one picture")
    first = store.put(tmp_path / "a" / "photo.png")
    assert store.put(tmp_path / "b" / "photo.png") == first
    assert store.put_bytes(b"one picture", ".png") == first
    assert _files(store) == [first.name]  # no temporary file left behind either
    (tmp_path / "b" / "photo.png").write_bytes(b"another picture")
    second = store.put(tmp_path / "b" / "photo.png")
    assert second != first and _files(store) == sorted([first.name, second.name])


def test_files_are_0600_and_the_folder_0700_even_with_umask_000(
    tmp_path: Path, store: MediaStore, open_umask: None
) -> None:
    src = tmp_path / "p.jpg"
    src.write_bytes(b"jpeg bytes")
    stored = store.put(src)
    fitted = store.put_bytes(b"fitted bytes", ".jpg")
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(fitted.stat().st_mode) == 0o600


def test_an_existing_wide_open_folder_is_narrowed(tmp_path: Path, store: MediaStore, open_umask: None) -> None:
    store.root.mkdir(parents=True, mode=0o777)
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o777
    store.put_bytes(b"x", ".jpg")
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700


def test_a_stored_file_put_again_is_returned_as_is_and_touched(store: MediaStore, clock: FixedClock) -> None:
    stored = store.put_bytes(b"picture", ".jpg")
    assert stored.stat().st_mtime == NOW.timestamp()
    clock.advance(3 * DAY)
    assert store.owns(stored) and store.put(stored) == stored  # an edit that keeps the stored copy: no copy
    assert stored.stat().st_mtime == (NOW + 3 * DAY).timestamp()  # its grace period starts over
    assert _files(store) == [stored.name]


def test_owns_only_hash_named_files_of_its_folder(tmp_path: Path, store: MediaStore) -> None:
    stored = store.put_bytes(b"picture", ".jpg")
    assert store.owns(stored) and store.owns(str(stored))
    assert not store.owns(tmp_path / stored.name)  # same name elsewhere
    assert not store.owns(store.root / "photo-pad-1440x754.jpg")  # an old fitted copy, named after its original


@pytest.mark.parametrize(
    ("err", "message"),
    [
        (errno.ENOSPC, "Could not store the image: the disk is full"),
        (errno.EACCES, "can't be written to"),
        (errno.EROFS, "can't be written to"),
    ],
)
def test_a_failed_write_is_a_clear_message_and_leaves_nothing(
    tmp_path: Path, store: MediaStore, monkeypatch: pytest.MonkeyPatch, err: int, message: str
) -> None:
    src = tmp_path / "p.jpg"
    src.write_bytes(b"picture")

    def fail(fd: int) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(ValidationError, match=message) as raised:
        store.put(src)
    assert raised.value.field == "image"
    with pytest.raises(ValidationError, match=message):
        store.put_bytes(b"fitted", ".jpg")
    assert _files(store) == []  # the temporary files are gone


def test_an_unusable_data_folder_is_a_clear_message(tmp_path: Path, clock: FixedClock) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(ValidationError, match="Could not store the image"):
        MediaStore(blocker / "media", clock=clock).put_bytes(b"x", ".jpg")


def test_an_unreadable_original_is_a_clear_message(tmp_path: Path, store: MediaStore) -> None:
    with pytest.raises(ValidationError, match="Cannot read image"):
        store.put(tmp_path / "gone.jpg")
    assert not store.root.exists() or _files(store) == []


def test_suffixes_are_sanitised(store: MediaStore) -> None:
    assert store.put_bytes(b"a", ".JPG").suffix == ".jpg"
    assert store.put_bytes(b"b", "/../evil").parent == store.root
    assert store.put_bytes(b"b", "/../evil").suffix == ""


# ----- cleanup ------------------------------------------------------------------------------------


def test_collect_removes_only_unreferenced_copies_past_the_grace_period(store: MediaStore, clock: FixedClock) -> None:
    old_unused = store.put_bytes(b"old, unused", ".jpg")
    old_used = store.put_bytes(b"old, still used", ".jpg")
    clock.advance(5 * DAY)
    young_unused = store.put_bytes(b"young, unused", ".jpg")
    in_use = {str(old_used)}
    assert store.collect(in_use, NOW + 6 * DAY) == []  # nothing is 7 days old yet
    assert store.collect(in_use, NOW + 7 * DAY + timedelta(seconds=1)) == [old_unused]
    assert not old_unused.exists() and old_used.exists() and young_unused.exists()
    assert store.collect(in_use, NOW + 30 * DAY) == [young_unused]
    assert old_used.exists()  # referenced: kept however old


def test_reusing_a_copy_restarts_its_grace_period(store: MediaStore, clock: FixedClock) -> None:
    stored = store.put_bytes(b"picture", ".jpg")
    clock.advance(6 * DAY)
    store.put_bytes(b"picture", ".jpg")  # queued again (a dedupe hit)
    assert store.collect(set(), NOW + 8 * DAY) == []
    assert store.collect(set(), NOW + 14 * DAY) == [stored]


def test_collect_also_removes_old_leftovers_but_not_its_marker(store: MediaStore) -> None:
    store.put_bytes(b"x", ".jpg")
    leftover = store.root / ".incoming-abc.tmp"  # a crash in the middle of a copy
    leftover.write_bytes(b"half")
    legacy = store.root / "photo-pad-1440x754.jpg"  # a fitted copy from before the store
    legacy.write_bytes(b"old")
    (store.root / MARKER).write_text(NOW.isoformat())
    old = (NOW - 10 * DAY).timestamp()
    for path in store.root.iterdir():
        os.utime(path, (old, old))
    removed = store.collect({str(legacy)}, NOW)
    assert leftover in removed and legacy not in removed and (store.root / MARKER).exists()


def test_a_copy_a_cleanup_takes_while_it_is_reused_is_written_again(
    store: MediaStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = store.put_bytes(b"picture", ".jpg")
    real_utime = os.utime

    def cleanup_first(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path) == stored and stored.exists():
            stored.unlink()  # a cleanup removed it between put's look and its touch
        real_utime(path, *args, **kwargs)

    monkeypatch.setattr(os, "utime", cleanup_first)
    assert store.put_bytes(b"picture", ".jpg") == stored
    assert stored.read_bytes() == b"picture" and _files(store) == [stored.name]


def test_a_copy_reused_while_a_cleanup_removes_it_is_put_back(
    store: MediaStore, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = store.put_bytes(b"picture", ".jpg")
    clock.advance(10 * DAY)
    real_replace = os.replace

    def reuse_first(src: Any, dst: Any) -> None:
        if Path(src) == stored:
            store.put_bytes(b"picture", ".jpg")  # queued again between the cleanup's look and its rename
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", reuse_first)
    assert store.collect(set()) == []
    assert stored.read_bytes() == b"picture" and _files(store) == [stored.name]  # no trash left either


def test_an_interrupted_removal_is_finished_later(store: MediaStore) -> None:
    store.root.mkdir(parents=True)
    trash = store.root / f"{TRASH}{'0' * 64}.jpg"
    trash.write_bytes(b"half removed")
    old = (NOW - 10 * DAY).timestamp()
    os.utime(trash, (old, old))
    assert store.collect(set()) == [trash] and _files(store) == []


def test_cleanup_if_due_runs_at_most_once_a_day(store: MediaStore, clock: FixedClock) -> None:
    first = store.put_bytes(b"first", ".jpg")
    asked: list[int] = []

    def in_use() -> set[str]:
        asked.append(1)
        return set()

    clock.advance(8 * DAY)
    assert store.cleanup_if_due(in_use) == [first]
    second = store.put_bytes(b"second", ".jpg")
    old = (NOW - 30 * DAY).timestamp()
    os.utime(second, (old, old))
    clock.advance(23 * timedelta(hours=1))
    assert store.cleanup_if_due(in_use) is None and second.exists()  # ran less than a day ago
    assert len(asked) == 1  # and the database was not even asked
    clock.advance(timedelta(hours=1))
    assert store.cleanup_if_due(in_use) == [second]
    assert len(asked) == 2


def test_cleanup_without_a_store_folder_does_nothing(store: MediaStore) -> None:
    assert store.cleanup_if_due(set) == []
    assert not store.root.exists()


def test_media_in_use_is_every_unfinished_items_image(tmp_path: Path) -> None:
    repo = Repo(Store(tmp_path / "autoposter.db"))
    acc = repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, "1", "P", "t"), None, NOW)
    repo.add_items(
        [
            NewItem(acc.id, Platform.FACEBOOK, status.value, f"/m/{status.value}.jpg", status, NOW)
            for status in ItemStatus
        ]
        + [NewItem(acc.id, Platform.FACEBOOK, "no image", None, ItemStatus.SCHEDULED, NOW)],
        NOW,
    )
    unfinished = {f"/m/{s}.jpg" for s in ("draft", "scheduled", "processing", "failed", "missed")}
    assert repo.media_in_use() == unfinished  # posted and canceled ones may go...
    assert repo.media_in_use(finished_since=NOW - DAY) == unfinished | {"/m/posted.jpg", "/m/canceled.jpg"}
    assert repo.media_in_use(finished_since=NOW + timedelta(seconds=1)) == unfinished  # ...after their grace
    repo.store.close()
