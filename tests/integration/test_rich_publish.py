"""Rich posts through the runner against the sandbox: carousels, multi-photo and link posts, first comments."""

from __future__ import annotations

import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.models import MediaRef
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.engine.runner import Runner
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image


@pytest.fixture
def connected(ctx: Context, sandbox: Any) -> Context:
    connect(ctx, sandbox)
    sandbox.configure(container_polls=0)
    return ctx


def _images(tmp_path: Path, n: int) -> tuple[MediaRef, ...]:
    colours = ["orange", "green", "blue", "red"]
    return tuple(
        MediaRef(make_image(tmp_path / f"i{k}.jpg", color=colours[k % 4]), alt_text=f"alt {k}" if k != 1 else None)
        for k in range(n)
    )


def _post(ctx: Context, account: str, text: str, **kw: Any) -> int:
    return PostService(ctx).create(PostRequest([account], text, **kw))[0].id


def _graph_calls(sandbox: Any, before: int = 0) -> list[str]:
    return [f"{c['method']} {c['path']}" for c in sandbox.state()["calls"][before:] if "/sandbox/" not in c["path"]]


def _opens(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=10) as response:  # the sandbox, on 127.0.0.1
        return bool(response.status == 200)


def test_an_instagram_carousel_with_alt_text_and_a_first_comment(
    connected: Context, sandbox: Any, tmp_path: Path
) -> None:
    media = _images(tmp_path, 3)
    item_id = _post(connected, BAKERY_IG, "Three loaves", media=media, first_comment="#bread #sourdough")
    before = len(sandbox.state()["calls"])
    stats = Runner(connected).run_due()
    assert stats.as_dict() == {"processed": 1, "succeeded": 1, "failed": 0, "retried": 0}
    item = connected.repo.item(item_id)
    assert item is not None and item.status == "posted" and item.permalink and _opens(item.permalink)
    state = sandbox.state()
    (post,) = [p for p in state["posts"] if p["text"] == "Three loaves"]
    assert len(post["photo_ids"]) == 3 and post["id"] == item.provider_post_id
    alts = {p["id"]: p["alt_text"] for p in state["photos"]}
    children = [c for c in state["containers"] if c["is_carousel_item"]]
    assert [c["alt_text"] for c in children] == ["alt 0", None, "alt 2"]
    assert all(alts[pid] is None for pid in post["photo_ids"])  # the hosting photos carry none: the children do
    # The comment, on the media, once; its link opens.
    assert [(c["target_id"], c["message"]) for c in state["comments"]] == [(post["id"], "#bread #sourdough")]
    assert item.comment_status == "posted" and item.comment_id == state["comments"][0]["id"]
    assert item.comment_permalink and _opens(item.comment_permalink)
    # 3 per image (the upload answers with the image URL), then parent, status, publish, permalink; + the comment.
    calls = _graph_calls(sandbox, before)
    assert len(calls) == 3 * 3 + 4 + 1, calls
    assert calls[-1] == f"POST /{post['id']}/comments"
    steps = [a.step for a in connected.repo.attempts()]
    assert sorted(steps) == ["comment", "publish"]


def test_a_facebook_post_with_three_photos_is_n_plus_one_calls(
    connected: Context, sandbox: Any, tmp_path: Path
) -> None:
    media = _images(tmp_path, 3)
    item_id = _post(connected, BAKERY, "Our shelves", media=media)
    before = len(sandbox.state()["calls"])
    Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.status == "posted" and item.permalink and _opens(item.permalink)
    calls = _graph_calls(sandbox, before)
    assert calls == [f"POST /{BAKERY}/photos"] * 3 + [f"POST /{BAKERY}/feed"]
    state = sandbox.state()
    (post,) = [p for p in state["posts"] if p["text"] == "Our shelves"]
    photos = {p["id"]: p for p in state["photos"]}
    assert [photos[pid]["alt_text"] for pid in post["photo_ids"]] == ["alt 0", None, "alt 2"]
    assert all(photos[pid]["published"] for pid in post["photo_ids"])
    (attempt,) = connected.repo.history(item_id)
    assert attempt.checkpoint["fb_photo_ids"] == post["photo_ids"]  # each id was committed on the way


def test_a_facebook_link_post_with_a_first_comment(connected: Context, sandbox: Any) -> None:
    item_id = _post(connected, BAKERY, "Read our story", link="https://example.com/story", first_comment="Thanks!")
    before = len(sandbox.state()["calls"])
    Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.status == "posted" and item.comment_status == "posted"
    (post,) = [p for p in sandbox.state()["posts"] if p["text"] == "Read our story"]
    assert post["link"] == "https://example.com/story"
    assert _graph_calls(sandbox, before) == [f"POST /{BAKERY}/feed", f"POST /{post['id']}/comments"]
    assert item.comment_permalink and _opens(item.comment_permalink)


def test_a_failing_comment_never_republishes_and_retries_on_its_schedule(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    item_id = _post(connected, BAKERY, "Comment later", first_comment="First!")
    sandbox.inject_fault(kind="error", match="comments_post", code=2, is_transient=True, http_status=500, times=2)
    Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.status == "posted" and item.comment_status == "pending"
    assert item.error_message and item.error_message.startswith("First comment:")
    clock.advance(timedelta(minutes=1))
    Runner(connected).run_due()  # not due yet (2 min)
    assert len(sandbox.state()["comments"]) == 0
    for minutes in (2, 5):
        clock.advance(timedelta(minutes=minutes))
        Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.comment_status == "posted" and item.error_message is None
    assert len([p for p in sandbox.state()["posts"] if p["text"] == "Comment later"]) == 1
    assert [c["message"] for c in sandbox.state()["comments"]] == ["First!"]
    comments = [a for a in connected.repo.attempts() if a.step == "comment"]
    assert [a.outcome for a in sorted(comments, key=lambda a: a.attempt_number)] == [
        "retry_scheduled",
        "retry_scheduled",
        "succeeded",
    ]


def test_a_comment_whose_answer_was_lost_is_read_back_not_posted_twice(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    item_id = _post(connected, BAKERY, "Lost answer", first_comment="Only once")
    sandbox.inject_fault(kind="reset", match="comments_post", after_commit=True)
    Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.comment_status == "pending"
    assert len(sandbox.state()["comments"]) == 1  # Meta has it; we don't know
    clock.advance(timedelta(hours=1))
    Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.comment_status == "posted"
    assert len(sandbox.state()["comments"]) == 1
    outcomes = sorted((a.attempt_number, a.outcome) for a in connected.repo.attempts() if a.step == "comment")
    assert [o for _, o in outcomes] == ["reconciled"]


def test_comments_give_up_after_five_tries_and_the_post_stays_posted(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    item_id = _post(connected, BAKERY, "Never a comment", first_comment="Nope")
    sandbox.inject_fault(kind="error", match="comments_post", code=2, is_transient=True, times=100)
    for _ in range(6):
        Runner(connected).run_due()
        clock.advance(timedelta(hours=2))
    item = connected.repo.item(item_id)
    assert item is not None and item.status == "posted" and item.comment_status == "failed"
    assert item.error_message and "First comment" in item.error_message
    assert len([a for a in connected.repo.attempts() if a.step == "comment"]) == 5
    assert len([p for p in sandbox.state()["posts"] if p["text"] == "Never a comment"]) == 1


def test_a_carousel_cut_off_before_its_parent_reuses_its_children(
    connected: Context, sandbox: Any, tmp_path: Path, clock: FixedClock
) -> None:
    media = _images(tmp_path, 3)
    item_id = _post(connected, BAKERY_IG, "Resume me", media=media)
    # The 4th container call (the parent) fails after the 3 children were made and committed.
    sandbox.inject_fault(kind="error", match="media_post", code=2, is_transient=True, http_status=500, skip=3)
    Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.status == "scheduled" and item.unconfirmed_attempt_id is None
    (first,) = connected.repo.history(item_id)
    assert len(first.checkpoint["ig_children"]) == 3 and len(first.checkpoint["ig_hosted"]) == 3
    clock.advance(timedelta(minutes=3))
    before = len(sandbox.state()["calls"])
    Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.status == "posted"
    state = sandbox.state()
    assert len([c for c in state["containers"] if c["is_carousel_item"]]) == 3  # none made again
    (post,) = [p for p in state["posts"] if p["text"] == "Resume me"]
    assert len(post["photo_ids"]) == 3
    # The retry: 3 status reads of the reused children, then parent, status, publish, permalink.
    assert len(_graph_calls(sandbox, before)) == 3 + 4
    second = connected.repo.history(item_id)[1]
    assert second.checkpoint["ig_children"] == first.checkpoint["ig_children"]
    assert second.checkpoint["ig_parent"] == second.container_id


def test_after_a_restore_a_pending_comment_is_read_back_before_it_is_posted(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    item_id = _post(connected, BAKERY, "Restored later", first_comment="Just once")
    backup_time = clock.now()
    Runner(connected).run_due()
    assert len(sandbox.state()["comments"]) == 1
    # The backup was taken before the comment went out: it knows the post, but the comment as pending.
    with connected.repo.store.write_raw() as conn:
        conn.execute("UPDATE queue_items SET comment_status = 'pending', comment_id = NULL WHERE id = ?", (item_id,))
        conn.execute("DELETE FROM delivery_attempts WHERE step = 'comment'")
    clock.advance(timedelta(minutes=5))
    assert item_id in connected.repo.mark_unconfirmed_after_restore(backup_time, clock.now())
    Runner(connected).run_due()
    item = connected.repo.item(item_id)
    assert item is not None and item.comment_status == "posted"
    assert item.comment_id == sandbox.state()["comments"][0]["id"]
    assert len(sandbox.state()["comments"]) == 1


def test_one_image_keeps_its_alt_text_on_both_networks(connected: Context, sandbox: Any, tmp_path: Path) -> None:
    (image,) = _images(tmp_path, 1)
    for account in (BAKERY, BAKERY_IG):
        _post(connected, account, f"One image {account}", media=(image,))
    Runner(connected).run_due()
    state = sandbox.state()
    fb_post = next(p for p in state["posts"] if p["text"] == f"One image {BAKERY}")
    assert next(p for p in state["photos"] if p["post_id"] == fb_post["id"])["alt_text"] == "alt 0"
    (container,) = [c for c in state["containers"] if c["media_id"]]
    assert container["alt_text"] == "alt 0" and not container["is_carousel_item"]
