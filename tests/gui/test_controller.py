"""The controller: run-now and pause go to the scheduler; a timer wakes it when the next post falls due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.controller import AppController
from tests.gui.helpers import BAKERY_PAGE, FakeScheduler


def test_due_timer_wakes_the_scheduler_for_a_post_due_within_the_minute(
    controller: AppController, fake_scheduler: FakeScheduler, ctx: Context, connected: list[Account]
) -> None:
    assert not controller.due_timer_active
    controller.posts.create(PostRequest([BAKERY_PAGE], "Soon", when=ctx.clock.now() + timedelta(seconds=20)))
    controller.rearm_due_timer()
    assert controller.due_timer_active
    controller._due_timer.timeout.emit()
    assert fake_scheduler.run_now_calls == 1


def test_due_timer_ignores_far_posts_and_pause(
    controller: AppController, fake_scheduler: FakeScheduler, ctx: Context, connected: list[Account]
) -> None:
    controller.posts.create(PostRequest([BAKERY_PAGE], "Later", when=ctx.clock.now() + timedelta(hours=2)))
    controller.rearm_due_timer()
    assert not controller.due_timer_active
    controller.posts.create(PostRequest([BAKERY_PAGE], "Soon", when=ctx.clock.now() + timedelta(seconds=20)))
    controller.pause()
    controller.rearm_due_timer()
    assert not controller.due_timer_active
    controller.run_now()
    assert fake_scheduler.run_now_calls == 0  # paused: nothing is published
    controller.resume()
    assert controller.due_timer_active


def test_run_now_before_the_scheduler_starts_says_so(qtbot: Any, controller: AppController) -> None:
    notices: list[str] = []
    controller.notice.connect(notices.append)
    controller.run_now()
    controller.notice.emit("Publishing now…")  # what the caller announces right after run_now()
    qtbot.waitUntil(lambda: len(notices) == 2)
    # The explanation comes after the caller's announcement, so the status bar ends on it.
    assert notices == ["Publishing now…", "The scheduler is still starting; your post will go out in a moment"]
