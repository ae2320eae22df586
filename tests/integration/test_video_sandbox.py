"""Video posts end to end: the runner publishes Facebook Reels, Page videos and Instagram Reels through the sandbox
(real HTTP, streamed uploads), resumes interrupted uploads and waits out Instagram's processing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.models import MediaKind, MediaRef
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.engine.runner import Runner
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.meta.video import UPLOAD_OFFSET
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.repo import tries_used
from autoposter_gui.tokens import APP_SECRET
from tests.support.helpers import BAKERY, BAKERY_IG, connect, published, queue
from tests.support.videos import make_video, reel_video


@pytest.fixture
def connected(ctx: Context, sandbox: Any) -> Context:
    connect(ctx, sandbox)
    return ctx


def queue_video(ctx: Context, account: str, text: str, path: Path) -> QueueItem:
    request = PostRequest([account], text, media=(MediaRef(str(path), MediaKind.VIDEO),))
    return PostService(ctx).create(request)[0]


def _item(ctx: Context, item_id: int) -> Any:
    item = ctx.repo.item(item_id)
    assert item is not None
    return item


def _counting(ctx: Context, sandbox: Any) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    secret = ctx.tokens.get(APP_SECRET)
    ctx.client_factory = lambda: GraphClient(
        origin=sandbox.url, app_secret=secret, on_request=lambda m, p: calls.append((m, p)), sleep=lambda _s: None
    )
    return calls


def _video_record(sandbox: Any, post_id: str) -> dict[str, Any]:
    return next(v for v in sandbox.state()["videos"] if v["post_id"] == post_id)


def test_facebook_reel_in_three_calls(connected: Context, sandbox: Any, tmp_path: Path) -> None:
    calls = _counting(connected, sandbox)
    path = reel_video(tmp_path)
    item_id = queue_video(connected, BAKERY, "Our new oven, in 5 seconds", path).id
    assert Runner(connected).run_due().succeeded == 1
    item = _item(connected, item_id)
    assert item.status == "posted" and item.permalink and item.permalink.startswith(sandbox.url)
    assert [m for m, _ in calls] == ["POST", "POST", "GET"]  # start, finish, permalink (the upload is not a call)
    assert calls[0][1] == calls[1][1] == f"/{BAKERY}/video_reels"
    (post,) = published(sandbox)
    assert post["text"] == "Our new oven, in 5 seconds" and post["video_id"]
    record = _video_record(sandbox, post["id"])
    assert record["kind"] == "fb_reel" and record["received"] == path.stat().st_size


def test_landscape_video_goes_to_page_videos(connected: Context, sandbox: Any, tmp_path: Path) -> None:
    calls = _counting(connected, sandbox)
    path = make_video(tmp_path / "wide.mp4", width=320, height=180, seconds=4, audio="aac")
    item_id = queue_video(connected, BAKERY, "A wide tour", path).id
    assert Runner(connected).run_due().succeeded == 1
    assert _item(connected, item_id).permalink
    assert [m for m, _ in calls] == ["POST"]  # the permalink comes back on the POST itself
    (post,) = published(sandbox)
    record = _video_record(sandbox, post["id"])
    assert record["kind"] == "fb_video" and record["received"] == path.stat().st_size


def test_instagram_reel_with_a_status_read(connected: Context, sandbox: Any, tmp_path: Path) -> None:
    calls = _counting(connected, sandbox)
    sandbox.configure(container_polls=0)  # processing is done at the first status read
    item_id = queue_video(connected, BAKERY_IG, "Reel time #bakery", reel_video(tmp_path)).id
    assert Runner(connected).run_due().succeeded == 1
    item = _item(connected, item_id)
    assert item.status == "posted" and item.permalink
    assert len(calls) == 4  # container, status, media_publish, permalink
    (post,) = published(sandbox)
    assert post["platform"] == "instagram" and post["text"] == "Reel time #bakery"
    (attempt,) = connected.repo.attempts()
    assert attempt.container_id == _video_record(sandbox, post["id"])["id"]


def test_slow_processing_waits_without_spending_tries(
    connected: Context, sandbox: Any, tmp_path: Path, clock: FixedClock
) -> None:
    _counting(connected, sandbox)
    sandbox.configure(container_polls=50)  # Instagram takes a long while
    item_id = queue_video(connected, BAKERY_IG, "Slow reel", reel_video(tmp_path)).id
    other = queue(connected, BAKERY, "Meanwhile on Facebook").id
    stats = Runner(connected).run_due()
    assert stats.succeeded == 1 and _item(connected, other).status == "posted"  # not held up by the Reel
    item = _item(connected, item_id)
    assert item.status == "scheduled" and tries_used(item) == 0
    assert item.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert "still processing" in item.error_message
    (container,) = sandbox.state()["videos"]
    assert container["received"] == container["file_size"]
    sandbox.configure(container_polls=0)
    with sandbox._store.lock:
        sandbox._store.videos[container["id"]].polls_needed = 0
    clock.advance(timedelta(seconds=30))
    assert Runner(connected).run_due().succeeded == 1
    assert _item(connected, item_id).status == "posted"
    # The same container, uploaded once: no second container, no second upload.
    assert len(sandbox.state()["videos"]) == 1
    assert [p["text"] for p in published(sandbox)] == ["Meanwhile on Facebook", "Slow reel"]


def test_interrupted_upload_resumes_at_the_saved_offset(
    connected: Context, sandbox: Any, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _counting(connected, sandbox)
    sandbox.configure(container_polls=0)
    path = reel_video(tmp_path, seconds=4)
    size = path.stat().st_size
    from autoposter_gui.meta import video as mv

    chunk = size // 3 + 1
    monkeypatch.setattr(mv, "UPLOAD_CHUNK", chunk)
    item_id = queue_video(connected, BAKERY_IG, "Resumed reel", path).id
    # The second byte upload fails (a gateway error): the first third is in, and saved.
    sandbox.inject_fault(kind="html", match="video_upload", skip=1, http_status=502)
    assert Runner(connected).run_due().retried == 1
    (first,) = connected.repo.attempts()
    work = connected.repo.work(item_id)
    assert work is not None and work.history[0].checkpoint[UPLOAD_OFFSET] == chunk
    clock.advance(timedelta(minutes=2))
    assert Runner(connected).run_due().succeeded == 1
    assert _item(connected, item_id).status == "posted"
    (record,) = sandbox.state()["videos"]
    assert record["received"] == size
    uploads = [c for c in sandbox.state()["calls"] if "ig-api-upload" in c["path"]]
    assert len(uploads) == 4  # 1 + the failed one, then the 2 left: the first third was not sent again
    assert first.container_id == record["id"]


def test_processing_error_fails_the_post(connected: Context, sandbox: Any, tmp_path: Path) -> None:
    _counting(connected, sandbox)
    sandbox.configure(container_polls=0, video_error=True)
    item_id = queue_video(connected, BAKERY_IG, "Broken reel", reel_video(tmp_path)).id
    assert Runner(connected).run_due().failed == 1
    item = _item(connected, item_id)
    assert item.status == "failed" and "could not process the video" in item.error_message
    assert published(sandbox) == []


def test_reels_limit_is_a_wait(connected: Context, sandbox: Any, tmp_path: Path, clock: FixedClock) -> None:
    _counting(connected, sandbox)
    sandbox.configure(reels_per_day=0)
    item_id = queue_video(connected, BAKERY, "One Reel too many", reel_video(tmp_path)).id
    stats = Runner(connected).run_due()
    assert stats.failed == 0
    item = _item(connected, item_id)
    assert item.status == "scheduled" and tries_used(item) == 0
    assert "30 Reels a day" in item.error_message
    assert item.next_attempt_at >= clock.now() + timedelta(hours=1)
    assert published(sandbox) == []


def test_reels_with_a_first_comment(connected: Context, sandbox: Any, tmp_path: Path) -> None:
    _counting(connected, sandbox)
    sandbox.configure(container_polls=0)
    path = reel_video(tmp_path)
    request = PostRequest(
        [BAKERY, BAKERY_IG], "Reel with a comment", media=(MediaRef(str(path), MediaKind.VIDEO),), first_comment="#reel"
    )
    ids = [item.id for item in PostService(connected).create(request)]
    assert Runner(connected).run_due().succeeded == 2
    for item_id in ids:
        item = _item(connected, item_id)
        assert item.status == "posted" and item.comment_status == "posted" and item.comment_permalink
    comments = sandbox.state()["comments"]
    posts = {p["id"] for p in published(sandbox)}
    assert len(comments) == 2 and {c["message"] for c in comments} == {"#reel"}
    assert {c["target_id"] for c in comments} <= posts
