"""Missed while asleep or off: the grace window, wake detection by clock jumps, and the owner's choices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.catchup import CatchUpPolicy
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.posts import PostService
from autoposter_gui.engine.runner import Runner
from autoposter_gui.engine.scheduler import PublishScheduler
from autoposter_gui.engine.settings import SettingsService
from tests.support.helpers import BAKERY, connect, published, queue


def _status(ctx: Context, item_id: int) -> str:
    item = ctx.repo.item(item_id)
    assert item is not None
    return item.status


def test_start_after_being_off(ctx: Context, sandbox: Any, clock: FixedClock) -> None:
    connect(ctx, sandbox)
    slightly_late = queue(ctx, BAKERY, "slightly late", when=clock.now() + timedelta(minutes=10)).id
    very_late = queue(ctx, BAKERY, "very late", when=clock.now() + timedelta(minutes=5)).id
    notices: list[tuple[str, dict[str, Any]]] = []
    ctx.events.subscribe(Events.NOTICE, lambda kind, payload: notices.append((kind, payload)))
    # The computer was off for 6 h 7 min: one post is 6 h 2 min late, the other 5 h 57 min.
    clock.advance(timedelta(hours=6, minutes=7))
    policy = CatchUpPolicy(ctx)
    assert policy.before_tick() == [very_late]
    assert notices == [("missed", {"ids": [very_late], "count": 1, "reason": "not_running"})]
    row = ctx.repo.item(very_late)  # the app can't tell "off" from "closed": it says what it knows
    assert row is not None
    assert row.error_message == "Missed while Autoposter wasn't running: publish it now, reschedule it or skip it"
    assert Runner(ctx).run_due().succeeded == 1
    assert _status(ctx, slightly_late) == "posted" and _status(ctx, very_late) == "missed"
    assert published(sandbox, "very late") == []
    # Later ticks don't publish it either.
    clock.advance(timedelta(minutes=1))
    assert policy.before_tick() == []
    assert Runner(ctx).run_due().processed == 0
    # The owner chooses "Publish now": exactly one post.
    PostService(ctx).publish_missed([very_late])
    assert Runner(ctx).run_due().succeeded == 1
    PostService(ctx).publish_missed([])  # nothing more to do
    assert len(published(sandbox, "very late")) == 1


def test_wake_is_detected_by_a_clock_jump(ctx: Context, sandbox: Any, clock: FixedClock) -> None:
    connect(ctx, sandbox)
    policy = CatchUpPolicy(ctx, grace=timedelta(hours=1))
    assert policy.before_tick() == []  # start: nothing due
    item = queue(ctx, BAKERY, "due while asleep", when=clock.now() + timedelta(minutes=30)).id
    clock.advance(timedelta(minutes=1))
    assert policy.before_tick() == []  # a normal tick
    notices: list[dict[str, Any]] = []
    ctx.events.subscribe(Events.NOTICE, lambda kind, payload: notices.append(payload))
    clock.advance(timedelta(hours=3))  # suspended
    assert policy.before_tick() == [item]
    assert notices[-1]["reason"] == "asleep"
    row = ctx.repo.item(item)
    assert row is not None and row.error_message is not None
    assert row.error_message.startswith("Missed while the computer was asleep:")
    PostService(ctx).skip([item])
    assert _status(ctx, item) == "canceled"
    assert Runner(ctx).run_due().processed == 0


def test_reschedule_a_missed_post(ctx: Context, sandbox: Any, clock: FixedClock) -> None:
    connect(ctx, sandbox)
    SettingsService(ctx).set("handoff", "off")  # published by the app (an hour ahead, Meta's scheduler would take it)
    item = queue(ctx, BAKERY, "reschedule me", when=clock.now() + timedelta(minutes=1)).id
    clock.advance(timedelta(hours=7))
    assert CatchUpPolicy(ctx).before_tick() == [item]
    PostService(ctx).reschedule(item, clock.now() + timedelta(hours=1))
    row = ctx.repo.item(item)
    assert row is not None and row.status == "scheduled" and row.error_message is None
    assert Runner(ctx).run_due().processed == 0
    clock.advance(timedelta(hours=1))
    assert Runner(ctx).run_due().succeeded == 1


def test_a_long_pause_is_named_as_the_reason(ctx: Context, sandbox: Any, clock: FixedClock) -> None:
    connect(ctx, sandbox)
    policy = CatchUpPolicy(ctx, grace=timedelta(hours=1))
    assert policy.before_tick() == []
    item = queue(ctx, BAKERY, "due while paused", when=clock.now() + timedelta(minutes=30)).id
    notices: list[dict[str, Any]] = []
    ctx.events.subscribe(Events.NOTICE, lambda kind, payload: notices.append(payload))
    PublishScheduler(Runner(ctx), catchup=policy).pause()  # the owner paused publishing: the policy is told
    clock.advance(timedelta(hours=3))
    assert policy.before_tick() == [item]
    assert notices[-1]["reason"] == "paused"
    later = queue(ctx, BAKERY, "due while asleep", when=clock.now() + timedelta(minutes=10)).id
    clock.advance(timedelta(hours=3))  # resumed since: a gap now is sleep again
    assert policy.before_tick() == [later]
    assert notices[-1]["reason"] == "asleep"
