"""Exactly once under what owners really do: Retry, reconnect, cancel, edit, the same words twice, a clock that is
off, a late commit. Each test is a sequence that published twice or dropped a post before the decision function."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import ActionRefusedError, PostRequest, PostService
from autoposter_gui.engine.runner import Runner
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.tokens import APP_SECRET
from tests.support.helpers import BAKERY, connect, published, queue


@pytest.fixture
def connected(ctx: Context, sandbox: Any) -> Context:
    connect(ctx, sandbox)
    secret = ctx.tokens.get(APP_SECRET)
    # A short read timeout, so that a hang after Meta committed ends the try as "may have gone out".
    ctx.client_factory = lambda: GraphClient(origin=sandbox.url, app_secret=secret, timeout=(2.0, 0.5))
    return ctx


def _item(ctx: Context, item_id: int) -> Any:
    item = ctx.repo.item(item_id)
    assert item is not None
    return item


def _post_by_hand(ctx: Context, sandbox: Any, text: str, age: timedelta) -> None:
    """The owner posts ``text`` on facebook.com, ``age`` before now (on Meta's clock)."""
    token = ctx.tokens.account_token("facebook", BAKERY)
    GraphClient(origin=sandbox.url).post(f"/{BAKERY}/feed", token, data={"message": text})
    with sandbox._store.lock:
        sandbox._store.posts[-1].created_ts -= age.total_seconds()


def test_retry_after_five_tries_then_a_cut_off_commit_is_reconciled(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    """5 throttled tries, the owner presses Retry, Meta commits but the answer is lost, then the next tick: the
    cut-off try (number 6, never a reused 1) is checked with Meta, not published again."""
    item_id = queue(connected, BAKERY, "Open on Sunday").id
    sandbox.inject_fault(kind="error", match="feed_post", code=4, times=5)
    for wait in (2, 5, 15, 60, 0):
        Runner(connected).run_due()
        clock.advance(timedelta(minutes=wait))
    assert _item(connected, item_id).status == "failed"
    PostService(connected).retry(item_id)
    sandbox.inject_fault(kind="hang_after_commit", match="feed_post", seconds=3)
    assert Runner(connected).run_due().retried == 1
    clock.advance(timedelta(minutes=2))
    assert Runner(connected).run_due().succeeded == 1
    item = _item(connected, item_id)
    assert item.status == "posted"
    assert len(published(sandbox, "Open on Sunday")) == 1
    numbers = [a.number for a in connected.repo.history(item_id)]
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert connected.repo.history(item_id)[-1].outcome == "reconciled"


def test_cut_off_try_then_token_lost_is_held_and_reconciled_after_reconnect(
    connected: Context, sandbox: Any, clock: FixedClock, keyring_backend: Any
) -> None:
    item_id = queue(connected, BAKERY, "Lunch special").id
    sandbox.inject_fault(kind="hang_after_commit", match="feed_post", seconds=3)
    Runner(connected).run_due()
    keyring_backend.data = {k: v for k, v in keyring_backend.data.items() if BAKERY not in k[1]}
    clock.advance(timedelta(minutes=3))
    Runner(connected).run_due()
    held = _item(connected, item_id)
    assert held.status == "scheduled" and "Reconnect" in held.error_message  # held, never failed
    assert held.unconfirmed_attempt_id is not None
    connect(connected, sandbox)
    assert Runner(connected).run_due().succeeded == 1
    assert _item(connected, item_id).status == "posted"
    assert len(published(sandbox, "Lunch special")) == 1


def test_an_older_manual_post_with_the_same_words_is_not_taken_for_ours(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    """Queued two days ahead; the owner posts the same words by hand a day before; the try is cut off before
    Meta got it. The hand-made post is not ours: the scheduled one still goes out."""
    clock.advance(timedelta(days=-2))
    item_id = queue(connected, BAKERY, "Happy holidays!", when=clock.now() + timedelta(days=2)).id
    clock.advance(timedelta(days=2))
    _post_by_hand(connected, sandbox, "Happy holidays!", timedelta(days=1))
    sandbox.inject_fault(kind="hang_before", match="feed_post", seconds=3)
    assert Runner(connected).run_due().retried == 1
    clock.advance(timedelta(minutes=3))
    assert Runner(connected).run_due().succeeded == 1
    item = _item(connected, item_id)
    assert item.status == "posted"
    mine = [p for p in published(sandbox, "Happy holidays!") if p["id"] == item.provider_post_id]
    assert len(mine) == 1 and len(published(sandbox, "Happy holidays!")) == 2


def test_this_clock_two_hours_ahead_of_meta_still_finds_the_post(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=2))  # this machine is 2 h ahead of Meta
    item_id = queue(connected, BAKERY, "Clock is off").id
    sandbox.inject_fault(kind="hang_after_commit", match="feed_post", seconds=3)
    Runner(connected).run_due()
    clock.advance(timedelta(minutes=3))
    assert Runner(connected).run_due().succeeded == 1
    assert _item(connected, item_id).status == "posted"
    assert len(published(sandbox, "Clock is off")) == 1


def test_a_late_commit_is_found_not_published_twice(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    """The runner dies mid-request; right after the restart Meta has nothing, and commits the request later."""
    item_id = queue(connected, BAKERY, "Late bloomer").id
    assert connected.repo.claim(item_id, clock.now())
    connected.repo.start_attempt(item_id, clock.now())  # ... and the process was killed
    clock.advance(timedelta(seconds=20))
    assert Runner(connected).run_due().processed == 0  # not found yet: not trusted
    assert published(sandbox, "Late bloomer") == []
    token = connected.tokens.account_token("facebook", BAKERY)
    GraphClient(origin=sandbox.url).post(f"/{BAKERY}/feed", token, data={"message": "Late bloomer"})  # Meta commits
    clock.advance(timedelta(minutes=2))
    assert Runner(connected).run_due().succeeded == 1
    assert _item(connected, item_id).status == "posted"
    assert len(published(sandbox, "Late bloomer")) == 1


def test_cancel_while_unconfirmed_says_it_went_out(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    item_id = queue(connected, BAKERY, "Too late to cancel").id
    sandbox.inject_fault(kind="hang_after_commit", match="feed_post", seconds=3)
    Runner(connected).run_due()
    with pytest.raises(ActionRefusedError, match="already gone out"):
        PostService(connected).cancel(item_id)
    item = _item(connected, item_id)
    assert item.status == "posted" and item.permalink
    assert len(published(sandbox, "Too late to cancel")) == 1
    assert Runner(connected).run_due().processed == 0


def test_cancel_while_unconfirmed_and_meta_unreachable_is_refused(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    item_id = queue(connected, BAKERY, "Cancel me").id
    sandbox.inject_fault(kind="hang_before", match="feed_post", seconds=3)
    Runner(connected).run_due()
    clock.advance(timedelta(minutes=3))
    sandbox.inject_fault(kind="error", match="feed_get", code=2, is_transient=True, http_status=500)
    with pytest.raises(ActionRefusedError, match="could not be reached"):
        PostService(connected).cancel(item_id)
    assert _item(connected, item_id).status == "scheduled"  # as it was
    PostService(connected).cancel(item_id)  # Meta answers now: it is not out, so the cancel goes through
    assert _item(connected, item_id).status == "canceled"
    assert Runner(connected).run_due().processed == 0
    assert published(sandbox, "Cancel me") == []


def test_edit_while_unconfirmed_checks_first(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    item_id = queue(connected, BAKERY, "Edit me").id
    sandbox.inject_fault(kind="hang_after_commit", match="feed_post", seconds=3)
    Runner(connected).run_due()
    with pytest.raises(ActionRefusedError, match="already gone out"):
        PostService(connected).update(item_id, PostRequest([BAKERY], "Edited", when=clock.now()))
    assert _item(connected, item_id).status == "posted"
    assert len(published(sandbox, "Edit me")) == 1 and published(sandbox, "Edited") == []


def test_identical_texts_each_go_out_once(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    """The same words in two posts; the second one's try is cut off before Meta got it: the first one's post
    is never taken for it."""
    first = queue(connected, BAKERY, "Fresh bread").id
    assert Runner(connected).run_due().succeeded == 1
    clock.advance(timedelta(hours=1))
    with sandbox._store.lock:  # an hour passes on Meta's side too
        sandbox._store.posts[-1].created_ts -= 3600
    second = queue(connected, BAKERY, "Fresh bread").id
    sandbox.inject_fault(kind="hang_before", match="feed_post", seconds=3)
    Runner(connected).run_due()
    clock.advance(timedelta(minutes=3))
    assert Runner(connected).run_due().succeeded == 1
    ids = {_item(connected, first).provider_post_id, _item(connected, second).provider_post_id}
    assert len(ids) == 2 and len(published(sandbox, "Fresh bread")) == 2


def test_restore_holds_tried_posts_for_a_check(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    """A post queued before the backup went out after it; once restored, it is checked, not published again."""
    backup_time = clock.now()
    item_id = queue(connected, BAKERY, "After the backup").id
    token = connected.tokens.account_token("facebook", BAKERY)
    GraphClient(origin=sandbox.url).post(f"/{BAKERY}/feed", token, data={"message": "After the backup"})
    clock.advance(timedelta(hours=1))
    assert connected.repo.mark_unconfirmed_after_restore(backup_time, clock.now()) == [item_id]
    assert Runner(connected).run_due().succeeded == 1
    assert _item(connected, item_id).status == "posted"
    assert len(published(sandbox, "After the backup")) == 1
