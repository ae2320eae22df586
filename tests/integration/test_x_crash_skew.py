"""An X post whose create answer was lost, found again by reconciling when X's clock is hours off this machine's."""

from __future__ import annotations

from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.sandbox.x_state import X_USER_ID
from tests.support.networks import answer_lost_then_runs, sign_in


@pytest.mark.parametrize("skew_hours", [-2, 2])
def test_a_lost_answer_is_found_when_xs_clock_is_hours_off(
    ctx: Context, sandbox: Any, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, skew_hours: int
) -> None:
    monkeypatch.setenv("AUTOPOSTER_X_URL", sandbox.url)
    sandbox.set_clock(clock.now())
    sandbox.set_clock_skew(skew_hours * 3600.0)  # X's created_at is hours off ours
    sign_in(ctx, "x")
    [item] = PostService(ctx).create(PostRequest([X_USER_ID], "Sourdough at nine"))
    answer_lost_then_runs(ctx, sandbox, clock, "x_tweet_create", runs=3)  # X made the post
    tweets = sandbox.state()["x"]["tweets"]
    assert [t["text"] for t in tweets] == ["Sourdough at nine"]
    done = ctx.repo.item(item.id)
    assert done is not None and done.status == "posted" and done.provider_post_id == tweets[0]["id"], (
        done.error_message if done else None
    )
