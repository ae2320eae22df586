"""Meta's scheduler against the sandbox: hand-off, changes that follow the post, verification, fall-back."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.cli import item_json
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.models import ItemStatus, MediaRef
from autoposter_gui.engine.alerts import HANDOFF_UNVERIFIED_NOTICE
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.engine.runner import Runner
from autoposter_gui.engine.settings import SettingsService
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.tokens import APP_SECRET
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image, published, queue


@pytest.fixture
def connected(ctx: Context, sandbox: Any, clock: FixedClock) -> Context:
    connect(ctx, sandbox)
    secret = ctx.tokens.get(APP_SECRET)
    ctx.client_factory = lambda: GraphClient(origin=sandbox.url, app_secret=secret, timeout=(2.0, 0.5))
    sandbox.set_clock(clock.now())  # Meta's clock and this machine's agree
    return ctx


def _advance(clock: FixedClock, sandbox: Any, delta: timedelta) -> None:
    clock.advance(delta)
    sandbox.set_clock(clock.now())


def _item(ctx: Context, item_id: int) -> Any:
    item = ctx.repo.item(item_id)
    assert item is not None
    return item


def _scheduled(sandbox: Any, text: str | None = None) -> list[dict[str, Any]]:
    return [p for p in sandbox.state()["scheduled_posts"] if text is None or p["text"] == text]


def _notes(ctx: Context, item_id: int) -> list[str]:
    return [a.error_message or "" for a in ctx.repo.attempts() if a.queue_item_id == item_id and a.step == "handoff"]


def _feed_posts(sandbox: Any) -> int:
    return sum(1 for c in sandbox.state()["calls"] if c["method"] == "POST" and c["path"].endswith("/feed"))


def _hand_off(ctx: Context, clock: FixedClock, text: str, ahead: timedelta = timedelta(hours=1)) -> int:
    item_id = queue(ctx, BAKERY, text, when=clock.now() + ahead).id
    Runner(ctx).run_due()
    return item_id


def test_a_post_an_hour_ahead_is_handed_off_and_marked_posted_by_meta(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    due = clock.now() + timedelta(hours=1)
    item_id = _hand_off(connected, clock, "Fresh bread at nine")
    item = _item(connected, item_id)
    [held] = _scheduled(sandbox, "Fresh bread at nine")
    assert item.status == "scheduled" and item.handoff == "meta" and item.provider_post_id == held["id"]
    assert datetime.fromisoformat(held["scheduled_publish_time"].replace("+0000", "+00:00")) == due
    assert published(sandbox, "Fresh bread at nine") == []
    shown = item_json(item, {a.id: a.external_id for a in connected.repo.accounts()})
    assert shown["handoff"] == "meta" and shown["provider_post_id"] == held["id"] and shown["handoff_pending"] is None
    assert "Handed to Meta's scheduler" in _notes(connected, item_id)
    calls = _feed_posts(sandbox)

    _advance(clock, sandbox, timedelta(minutes=30))  # before its time: nothing happens
    Runner(connected).run_due()
    assert _item(connected, item_id).status == "scheduled"

    _advance(clock, sandbox, timedelta(minutes=33))  # Meta's clock passed the time; 3 minutes later, the check
    Runner(connected).run_due()
    item = _item(connected, item_id)
    [post] = published(sandbox, "Fresh bread at nine")
    assert item.status == "posted" and item.handoff is None
    assert item.provider_post_id == held["id"] == post["id"] and item.permalink == post["permalink"]
    assert item.meta["createdTime"] == post["created_time"]
    assert _feed_posts(sandbox) == calls  # no local publish
    assert "Published by Meta's scheduler" in _notes(connected, item_id)
    Runner(connected).run_due()
    assert len(published(sandbox, "Fresh bread at nine")) == 1


def test_posts_outside_the_window_or_not_for_meta_stay_local(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path
) -> None:
    soon = queue(connected, BAKERY, "In ten minutes", when=clock.now() + timedelta(minutes=10)).id
    far = queue(connected, BAKERY, "In eighty days", when=clock.now() + timedelta(days=80)).id
    ig = (
        PostService(connected)
        .create(
            PostRequest([BAKERY_IG], "Instagram", make_image(tmp_path / "a.jpg"), clock.now() + timedelta(hours=1))
        )[0]
        .id
    )
    Runner(connected).run_due()
    for item_id in (soon, far, ig):
        assert _item(connected, item_id).handoff is None
    assert _scheduled(sandbox) == []
    _advance(clock, sandbox, timedelta(days=6))  # the far one enters the window
    Runner(connected).run_due()
    assert _item(connected, far).handoff == "meta"


def test_handoff_off_keeps_posts_local(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    SettingsService(connected).set("handoff", "off")
    item_id = _hand_off(connected, clock, "Kept here")
    assert _item(connected, item_id).handoff is None and _scheduled(sandbox) == []


def test_photo_and_multi_photo_posts_are_handed_off(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path
) -> None:
    one = queue(connected, BAKERY, "One photo", make_image(tmp_path / "a.jpg"), clock.now() + timedelta(hours=2)).id
    images = [make_image(tmp_path / f"{n}.jpg", color=c) for n, c in (("b", "red"), ("c", "blue"))]
    request = PostRequest(
        [BAKERY], "Two photos", None, clock.now() + timedelta(hours=2), media=tuple(MediaRef(i) for i in images)
    )
    two = PostService(connected).create(request)[0].id
    Runner(connected).run_due()
    assert _item(connected, one).handoff == "meta" and _item(connected, two).handoff == "meta"
    [multi] = _scheduled(sandbox, "Two photos")
    assert len(multi["photo_ids"]) == 2
    _advance(clock, sandbox, timedelta(hours=2, minutes=3))
    Runner(connected).run_due()
    assert _item(connected, one).status == "posted" and _item(connected, two).status == "posted"
    [post] = published(sandbox, "Two photos")
    assert len(post["photo_ids"]) == 2 and len(published(sandbox, "One photo")) == 1


def test_edit_and_reschedule_reach_meta(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    item_id = _hand_off(connected, clock, "Old words")
    service = PostService(connected)
    item = _item(connected, item_id)
    later = clock.now() + timedelta(hours=3)
    service.update(item_id, PostRequest([item.account_id], "New words", None, later, None))
    [held] = _scheduled(sandbox)
    assert held["text"] == "New words" and held["id"] == item.provider_post_id
    assert datetime.fromisoformat(held["scheduled_publish_time"].replace("+0000", "+00:00")) == later
    assert _item(connected, item_id).handoff_change is None  # sent at once: nothing pending
    assert any("new text and new time" in n for n in _notes(connected, item_id))
    _advance(clock, sandbox, timedelta(hours=1, minutes=5))  # the old time passes: still held, not published
    Runner(connected).run_due()
    assert _item(connected, item_id).status == "scheduled" and published(sandbox) == []
    _advance(clock, sandbox, timedelta(hours=2))
    Runner(connected).run_due()
    assert _item(connected, item_id).status == "posted"
    assert [p["text"] for p in published(sandbox)] == ["New words"]


def test_a_new_time_under_15_minutes_takes_it_back_and_publishes_locally(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    item_id = _hand_off(connected, clock, "Sooner please")
    held_id = _item(connected, item_id).provider_post_id
    PostService(connected).reschedule(item_id, clock.now() + timedelta(minutes=5))
    assert _scheduled(sandbox) == []  # deleted at Meta
    item = _item(connected, item_id)
    assert item.handoff is None and item.provider_post_id is None
    assert any("under 15 minutes" in n for n in _notes(connected, item_id))
    _advance(clock, sandbox, timedelta(minutes=5))
    Runner(connected).run_due()
    [post] = published(sandbox, "Sooner please")
    assert _item(connected, item_id).status == "posted" and post["id"] != held_id


def test_cancel_deletes_at_meta(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    item_id = _hand_off(connected, clock, "Never mind")
    PostService(connected).cancel(item_id)
    assert _item(connected, item_id).status == "canceled" and _scheduled(sandbox) == []
    _advance(clock, sandbox, timedelta(hours=2))
    Runner(connected).run_due()
    assert published(sandbox) == [] and _item(connected, item_id).status == "canceled"


def test_publish_now_publishes_at_meta(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    item_id = _hand_off(connected, clock, "Right now")
    calls = _feed_posts(sandbox)
    PostService(connected).publish_now(item_id)
    item = _item(connected, item_id)
    [post] = published(sandbox, "Right now")
    assert item.status == "posted" and item.permalink == post["permalink"] and post["id"] == item.provider_post_id
    assert _feed_posts(sandbox) == calls and _scheduled(sandbox) == []


def test_changes_wait_for_the_runner_when_it_is_busy(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    from autoposter_gui.engine.runner import runner_lock

    item_id = _hand_off(connected, clock, "Busy app")
    lock = runner_lock(connected.config)
    with lock:  # the app's runner is publishing
        PostService(connected).cancel(item_id)
    item = _item(connected, item_id)
    assert item.status == "scheduled" and item.handoff_change == {"op": "cancel"}
    shown = item_json(item, {})
    assert shown["handoff_pending"] == "cancel"
    assert len(_scheduled(sandbox)) == 1
    Runner(connected).run_due()  # the next tick sends it
    assert _item(connected, item_id).status == "canceled" and _scheduled(sandbox) == []


def test_a_vanished_handoff_is_published_locally_exactly_once(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    notices: list[tuple[str, dict[str, Any]]] = []
    connected.events.subscribe(Events.NOTICE, lambda kind, payload: notices.append((kind, payload)))
    item_id = _hand_off(connected, clock, "Lost at Meta")
    assert sandbox.vanish_at_go_live(_item(connected, item_id).provider_post_id)
    _advance(clock, sandbox, timedelta(hours=1, minutes=1))
    Runner(connected).run_due()  # a minute after its time: too early to check
    assert _item(connected, item_id).status == "scheduled" and published(sandbox) == []
    _advance(clock, sandbox, timedelta(minutes=2))
    Runner(connected).run_due()
    item = _item(connected, item_id)
    [post] = published(sandbox, "Lost at Meta")
    assert item.status == "posted" and item.provider_post_id == post["id"]
    assert any("lost the post" in n for n in _notes(connected, item_id))
    assert [k for k, _ in notices] == [HANDOFF_UNVERIFIED_NOTICE] and notices[0][1]["item_id"] == item_id
    for _ in range(3):
        _advance(clock, sandbox, timedelta(minutes=5))
        Runner(connected).run_due()
    assert len(published(sandbox, "Lost at Meta")) == 1


def test_still_unpublished_15_minutes_late_is_deleted_and_published_locally(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    item_id = _hand_off(connected, clock, "Meta is slow")
    clock.advance(timedelta(hours=1, minutes=5))  # Meta's clock is stuck behind: the post is still unpublished
    Runner(connected).run_due()
    assert _item(connected, item_id).status == "scheduled" and len(_scheduled(sandbox)) == 1
    clock.advance(timedelta(minutes=11))
    Runner(connected).run_due()
    assert _scheduled(sandbox) == []  # deleted, so it can't go out late
    assert _item(connected, item_id).status == "posted"
    _advance(clock, sandbox, timedelta(hours=1))
    Runner(connected).run_due()
    assert len(published(sandbox, "Meta is slow")) == 1


def test_a_lost_handoff_answer_is_reconciled_not_sent_twice(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    sandbox.inject_fault(kind="hang_after_commit", match="feed_post", seconds=3)
    item_id = _hand_off(connected, clock, "Answer lost")
    item = _item(connected, item_id)
    assert item.handoff == "pending" and item_json(item, {})["handoff_pending"] == "handoff"
    assert len(_scheduled(sandbox)) == 1
    Runner(connected).run_due()
    item = _item(connected, item_id)
    [held] = _scheduled(sandbox)
    assert item.handoff == "meta" and item.provider_post_id == held["id"]
    Runner(connected).run_due()
    assert len(_scheduled(sandbox)) == 1


def test_a_first_comment_is_posted_by_the_app_after_meta_publishes(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    request = PostRequest([BAKERY], "With a comment", None, clock.now() + timedelta(hours=1), first_comment="#bread")
    item_id = PostService(connected).create(request)[0].id
    Runner(connected).run_due()
    assert _item(connected, item_id).handoff == "meta"
    _advance(clock, sandbox, timedelta(hours=1, minutes=3))
    Runner(connected).run_due()
    item = _item(connected, item_id)
    assert item.status == "posted" and item.comment_status == "posted"
    [comment] = sandbox.state()["comments"]
    assert comment["target_id"] == item.provider_post_id and comment["message"] == "#bread"


def test_a_new_picture_takes_the_post_back_and_hands_it_off_again(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path
) -> None:
    first = make_image(tmp_path / "a.jpg", color="red")
    item_id = queue(connected, BAKERY, "New picture", first, clock.now() + timedelta(hours=1)).id
    Runner(connected).run_due()
    old = _item(connected, item_id).provider_post_id
    item = _item(connected, item_id)
    second = make_image(tmp_path / "b.jpg", color="blue")
    PostService(connected).update(item_id, PostRequest([item.account_id], "New picture", second, item.scheduled_at))
    assert _scheduled(sandbox) == [] and _item(connected, item_id).handoff is None  # taken back
    Runner(connected).run_due()
    [held] = _scheduled(sandbox)
    assert _item(connected, item_id).handoff == "meta" and held["id"] != old


def test_an_edit_whose_change_was_never_recorded_still_reaches_meta(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    """A crash between the local edit and the change's record: the next tick compares and sends it."""
    item_id = _hand_off(connected, clock, "Before the crash")
    item = _item(connected, item_id)
    # The local edit only (what PostService.update writes first).
    connected.repo.update_content(
        item_id, "After the crash", None, item.scheduled_at, ItemStatus.SCHEDULED, clock.now()
    )
    assert _scheduled(sandbox)[0]["text"] == "Before the crash"
    Runner(connected).run_due()
    assert _scheduled(sandbox)[0]["text"] == "After the crash"
    assert _item(connected, item_id).handoff_change is None
    _advance(clock, sandbox, timedelta(hours=1, minutes=3))
    Runner(connected).run_due()
    assert [p["text"] for p in published(sandbox)] == ["After the crash"]


@pytest.mark.parametrize("then", [timedelta(minutes=63), timedelta(minutes=95), timedelta(hours=4)])
def test_a_later_time_whose_answer_was_lost_still_goes_out_once(
    connected: Context, sandbox: Any, clock: FixedClock, then: timedelta
) -> None:
    """The owner moves a held post later; Meta takes the change but its answer is lost (the run dies); the post must
    go out once, at its new time, whatever moment the next runs come (the crash suite's handoff shape)."""
    from autoposter_gui.engine.runner import runner_lock

    item_id = _hand_off(connected, clock, "Moved later, answer lost")
    _advance(clock, sandbox, timedelta(minutes=3))
    later = clock.now() + timedelta(minutes=90)
    with runner_lock(connected.config):  # the app is busy: the change is recorded, sent by the next tick
        PostService(connected).reschedule(item_id, later)
    sandbox.inject_fault(kind="hang_after_commit", match="post_update", seconds=3)
    Runner(connected).run_due()  # Meta takes the new time; the answer never comes
    [held] = _scheduled(sandbox)
    assert datetime.fromisoformat(held["scheduled_publish_time"].replace("+0000", "+00:00")) == later
    _advance(clock, sandbox, then)
    Runner(connected).run_due()
    _advance(clock, sandbox, timedelta(hours=3))
    Runner(connected).run_due()
    Runner(connected).run_due()
    assert [p["text"] for p in published(sandbox)] == ["Moved later, answer lost"]
    assert _item(connected, item_id).status == "posted"


@pytest.mark.parametrize("then", [timedelta(minutes=63), timedelta(minutes=95), timedelta(hours=4)])
@pytest.mark.parametrize("first", ["feed_post_lost", "feed_post_never_sent"])
def test_a_reconciled_handoff_moved_later_with_its_answer_lost_goes_out_once(
    connected: Context, sandbox: Any, clock: FixedClock, then: timedelta, first: str
) -> None:
    from autoposter_gui.engine.runner import runner_lock

    kind = "hang_after_commit" if first == "feed_post_lost" else "hang_before"
    sandbox.inject_fault(kind=kind, match="feed_post", seconds=3)
    item_id = _hand_off(connected, clock, "Reconciled then moved")
    _advance(clock, sandbox, timedelta(minutes=3))
    Runner(connected).run_due()  # finds the hand-off at Meta (or hands it off now)
    assert _item(connected, item_id).handoff == "meta"
    later = clock.now() + timedelta(minutes=90)
    with runner_lock(connected.config):
        PostService(connected).reschedule(item_id, later)
    sandbox.inject_fault(kind="hang_after_commit", match="post_update", seconds=3)
    Runner(connected).run_due()
    _advance(clock, sandbox, then)
    Runner(connected).run_due()
    _advance(clock, sandbox, timedelta(hours=3))
    Runner(connected).run_due()
    Runner(connected).run_due()
    assert [p["text"] for p in published(sandbox)] == ["Reconciled then moved"]


def test_a_change_sent_again_too_close_to_its_time_is_not_published_twice(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    """Meta took the new time but its answer was lost; the change goes again when the new time is under 10 minutes
    away, and Meta refuses it with error 100, the same code as for a post that is gone. The post is still scheduled
    at Meta: it is taken back (deleted) before it is published here, never left to go out twice (found by the
    crash suite's handoff shape)."""
    from autoposter_gui.engine.runner import runner_lock

    item_id = _hand_off(connected, clock, "Refused the second time")
    _advance(clock, sandbox, timedelta(minutes=3))
    later = clock.now() + timedelta(minutes=90)
    with runner_lock(connected.config):
        PostService(connected).reschedule(item_id, later)
    sandbox.inject_fault(kind="hang_after_commit", match="post_update", seconds=3)
    Runner(connected).run_due()  # Meta takes the new time; the answer never comes
    _advance(clock, sandbox, timedelta(minutes=83))  # 7 minutes before the new time: Meta refuses the resend
    Runner(connected).run_due()
    assert _scheduled(sandbox) == []  # taken back from Meta's scheduler
    for _ in range(3):
        _advance(clock, sandbox, timedelta(minutes=30))
        Runner(connected).run_due()
    assert [p["text"] for p in published(sandbox)] == ["Refused the second time"]
    assert _item(connected, item_id).status == "posted"
    assert any("refused the change" in n for n in _notes(connected, item_id))
