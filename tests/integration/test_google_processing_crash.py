"""A Google local post still PROCESSING when the create's answer was lost: found, waited on, and never sent twice."""

from __future__ import annotations

from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from tests.support.networks import answer_lost_then_runs, sign_in


def test_a_processing_post_whose_answer_was_lost_is_waited_on_not_sent_again(
    ctx: Context, sandbox: Any, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOPOSTER_GOOGLE_URL", sandbox.url)
    sandbox.set_clock(clock.now())
    sign_in(ctx, "google")
    sandbox.google.configure(post_state="PROCESSING", processing_reads=2)
    [item] = PostService(ctx).create(PostRequest(["2001"], "Fresh loaves at noon"))
    # Google makes the post, the answer is lost; each later run finds it PROCESSING and reads it again until LIVE
    answer_lost_then_runs(ctx, sandbox, clock, "google_local_post_create", runs=6)
    posts = sandbox.google.snapshot()["posts"]
    assert [p["summary"] for p in posts] == ["Fresh loaves at noon"]
    done = ctx.repo.item(item.id)
    assert done is not None and done.status == "posted" and done.provider_post_id == posts[0]["name"]


@pytest.mark.parametrize("skew_hours", [-2, 2])
def test_a_lost_answer_is_found_when_googles_clock_is_hours_off(
    ctx: Context, sandbox: Any, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, skew_hours: int
) -> None:
    monkeypatch.setenv("AUTOPOSTER_GOOGLE_URL", sandbox.url)
    sandbox.set_clock(clock.now())
    sandbox.set_clock_skew(skew_hours * 3600.0)  # Google's createTime and Date header are hours off ours
    sign_in(ctx, "google")
    [item] = PostService(ctx).create(PostRequest(["2002"], "Rye is back"))
    answer_lost_then_runs(ctx, sandbox, clock, "google_local_post_create", runs=3)  # Google made the post
    posts = sandbox.google.snapshot()["posts"]
    assert [p["summary"] for p in posts] == ["Rye is back"]
    done = ctx.repo.item(item.id)
    assert done is not None and done.status == "posted" and done.provider_post_id == posts[0]["name"]
