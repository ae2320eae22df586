"""The performance paths of issue 6: lock-free reads, images prepared ahead, longest account chains first."""

from __future__ import annotations

import io
import os
import sqlite3
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image

from autoposter_gui.domain.errors import ErrorCategory, PublishError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.processor import ItemProcessor, Outcome
from autoposter_gui.engine.runner import GIL_SWITCH_INTERVAL, Runner
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.meta.publisher import MetaPublisher
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.repo import NewItem, Repo

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _account(repo: Repo, platform: Platform, external_id: str) -> int:
    return repo.upsert_account(DiscoveredAccount(platform, external_id, external_id, "tok"), None, NOW).id


# ----- reads never wait for a writer -------------------------------------------------------------------------


def test_reads_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    repo = Repo(Store(tmp_path / "autoposter.db"))
    acc = _account(repo, Platform.FACEBOOK, "111")
    item_id = repo.add_items([NewItem(acc, Platform.FACEBOOK, "hi", None, ItemStatus.SCHEDULED, NOW)], NOW)[0].id
    writer = sqlite3.connect(repo.store.db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another thread or process is in the middle of a write
    writer.execute("UPDATE queue_items SET text = 'changed' WHERE id = ?", (item_id,))
    try:
        started = time.monotonic()
        item = repo.item(item_id)
        assert repo.count_items() == 1 and repo.accounts()[0].id == acc
        assert time.monotonic() - started < 2.0  # a BEGIN IMMEDIATE would wait for busy_timeout (10 s)
        assert item is not None and item.text == "hi"  # the last committed state
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert repo.item(item_id).text == "changed"  # type: ignore[union-attr]


def test_a_read_session_refuses_to_write(tmp_path: Path) -> None:
    store = Store(tmp_path / "autoposter.db")
    with pytest.raises(RuntimeError, match="read-only"), store.read() as s:
        s.add(QueueItem(account_id=1, platform="facebook", text="x", status="draft", attempt_count=0, meta={}))


# ----- images prepared one post ahead --------------------------------------------------------------------------


class _Recorder:
    """Stands in for the HTTP session: records what was uploaded."""

    def __init__(self) -> None:
        self.uploads: list[bytes] = []

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        files = kwargs.get("files") or {}
        if "source" in files:
            self.uploads.append(files["source"][1])

        class _Answer:
            status_code = 200
            headers: ClassVar[dict[str, str]] = {}
            text = '{"id": "1_2", "post_id": "1_2", "permalink_url": "https://fb.test/1_2"}'

        return _Answer()

    def close(self) -> None:
        pass


def _publisher(media: ThreadPoolExecutor | None) -> tuple[MetaPublisher, _Recorder]:
    session = _Recorder()
    client = GraphClient(origin="https://graph.test", session=session)  # type: ignore[arg-type]
    return MetaPublisher(client, media=media), session


def test_a_prepared_image_is_used_and_an_edited_one_is_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bread.jpg"
    Image.new("RGB", (3000, 2000), (200, 150, 90)).save(path, "JPEG")
    with ThreadPoolExecutor(1) as media:
        publisher, session = _publisher(media)
        publisher.prepare_image(str(path), "facebook")
        prepared = next(iter(publisher._prepared.values())).result()
        publisher.publish_facebook("1", "tok", "caption", str(path))
        assert session.uploads == [prepared]  # no second conversion
        assert publisher._prepared == {}

        publisher.prepare_image(str(path), "facebook")
        Image.new("RGB", (800, 600), (0, 0, 255)).save(path, "JPEG")  # the owner swapped the picture meanwhile
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))
        publisher.publish_facebook("1", "tok", "caption", str(path))
        with Image.open(io.BytesIO(session.uploads[-1])) as sent:
            assert sent.size == (800, 600)  # converted from the file as it is now
        publisher.close()
        assert publisher._prepared == {}


def test_a_damaged_prepared_image_is_a_media_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.jpg"
    Image.effect_noise((1600, 1200), 60).convert("RGB").save(path, "JPEG")
    path.write_bytes(path.read_bytes()[:-30_000])
    with ThreadPoolExecutor(1) as media:
        publisher, session = _publisher(media)
        publisher.prepare_image(str(path), "instagram")
        with pytest.raises(PublishError) as info:
            publisher.host_image("1", "tok", str(path))
    assert info.value.category is ErrorCategory.MEDIA_INVALID and "damaged or truncated" in str(info.value)
    assert session.uploads == []


# ----- the runner: longest chains first, order kept, images prefetched ---------------------------------------


class _FakeProcessor(ItemProcessor):
    """Records the order items are processed in (per thread) and what was prefetched; no HTTP."""

    log: ClassVar[list[tuple[str, int]]] = []
    prefetched: ClassVar[list[int]] = []
    lock = threading.Lock()

    def process(self, item_id: int) -> Outcome:
        with self.lock:
            self.log.append((threading.current_thread().name, item_id))
        time.sleep(0.01)
        return Outcome.SUCCEEDED

    def prefetch(self, item: QueueItem) -> None:
        if self.media is not None:  # the runner gives a media executor only when it runs chains on threads
            with self.lock:
                self.prefetched.append(item.id)


def test_runner_starts_the_longest_chain_first_and_keeps_each_accounts_order(ctx: Context) -> None:
    repo = ctx.repo
    fb = _account(repo, Platform.FACEBOOK, "111")
    ig = _account(repo, Platform.INSTAGRAM, "222")
    when = ctx.clock.now() - timedelta(minutes=1)
    new = [NewItem(fb, Platform.FACEBOOK, f"fb {i}", None, ItemStatus.SCHEDULED, when) for i in range(3)]
    new += [NewItem(ig, Platform.INSTAGRAM, f"ig {i}", "/x.jpg", ItemStatus.SCHEDULED, when) for i in range(2)]
    items = repo.add_items(new, when)
    fb_ids = [i.id for i in items if i.account_id == fb]
    ig_ids = [i.id for i in items if i.account_id == ig]
    _FakeProcessor.log, _FakeProcessor.prefetched = [], []
    switch = sys.getswitchinterval()
    stats = Runner(ctx, max_workers=1, processor_factory=_FakeProcessor).run_due()
    assert stats.processed == 5
    # One worker: the Instagram chain (2 x 5 calls) runs before the Facebook one (3 x 1 call), each in order.
    assert [i for _t, i in _FakeProcessor.log] == ig_ids + fb_ids
    _FakeProcessor.log = []  # the fake leaves the items scheduled: the same five again, on two workers
    Runner(ctx, max_workers=2, processor_factory=_FakeProcessor).run_due()
    by_thread: dict[str, list[int]] = {}
    for thread, item_id in _FakeProcessor.log:
        by_thread.setdefault(thread, []).append(item_id)
    assert sorted(len(ids) for ids in by_thread.values()) == [2, 3]
    assert all(ids == sorted(ids) for ids in by_thread.values())  # per-account order
    assert len(_FakeProcessor.prefetched) == 3  # the next item of each chain, while the current one runs
    assert sys.getswitchinterval() == switch and switch > GIL_SWITCH_INTERVAL  # restored after the run


class _QuittingProcessor(_FakeProcessor):
    """The owner quits while the first post is being published."""

    runner: ClassVar[Runner | None] = None

    def process(self, item_id: int) -> Outcome:
        assert self.runner is not None
        self.runner.request_stop()
        return super().process(item_id)


def test_quitting_mid_run_finishes_the_post_in_hand_and_leaves_the_rest_due(ctx: Context) -> None:
    repo = ctx.repo
    fb = _account(repo, Platform.FACEBOOK, "111")
    when = ctx.clock.now() - timedelta(minutes=1)
    items = repo.add_items(
        [NewItem(fb, Platform.FACEBOOK, f"fb {i}", None, ItemStatus.SCHEDULED, when) for i in range(3)], when
    )
    _QuittingProcessor.log = []
    runner = Runner(ctx, max_workers=1, processor_factory=_QuittingProcessor)
    _QuittingProcessor.runner = runner
    stats = runner.run_due()
    assert stats.processed == 1 and [i for _t, i in _QuittingProcessor.log] == [items[0].id]
    assert {i.id for i in repo.due_items(ctx.clock.now(), 50)} == {i.id for i in items}  # nothing dropped
    runner.clear_stop()  # started again: the rest go out
    _QuittingProcessor.log = []
    _QuittingProcessor.runner = None
    assert Runner(ctx, max_workers=1, processor_factory=_FakeProcessor).run_due().processed == 3
