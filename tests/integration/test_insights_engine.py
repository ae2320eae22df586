"""Insights against the sandbox over real HTTP: the schedule, the batched refresh, and each state as itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.insights import InsightsState
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.insights import InsightsService
from autoposter_gui.engine.runner import Runner
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image, queue


@pytest.fixture
def posted(ctx: Context, sandbox: Any, tmp_path: Path) -> dict[str, int]:
    connect(ctx, sandbox)
    img = make_image(tmp_path / "p.jpg")
    ids = {"fb": queue(ctx, BAKERY, "Fresh bread").id, "ig": queue(ctx, BAKERY_IG, "New menu", img).id}
    assert Runner(ctx).run_due().succeeded == 2
    return ids


def _move(ctx: Context, sandbox: Any, delta: timedelta) -> None:
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(delta)
    sandbox.advance_clock(delta.total_seconds())


def _states(service: InsightsService) -> dict[int, InsightsState]:
    return {row.id: row.state for row in service.rows()}


def test_snapshots_follow_the_schedule_and_keep_history(ctx: Context, sandbox: Any, posted: dict[str, int]) -> None:
    service = InsightsService(ctx)
    assert set(_states(service).values()) == {InsightsState.PENDING}
    assert service.refresh().asked == 0  # nothing due before +1 h
    _move(ctx, sandbox, timedelta(minutes=61))
    stats = service.refresh()
    assert stats.asked == 2 and stats.calls == 1 + 1  # the Page and its IG account share a token: one check, one batch
    rows = {r.id: r for r in service.rows()}
    ig, fb = rows[posted["ig"]], rows[posted["fb"]]
    assert ig.state is InsightsState.OK and ig.metrics["reach"] > 0 and {"views", "saved"} <= set(ig.metrics)
    assert "impressions" not in ig.metrics
    assert fb.state is InsightsState.OK and fb.metrics["reach"] > 0 and "reactions" in fb.metrics
    assert service.refresh().asked == 0  # +1 h done; +24 h not yet
    # The computer was off for nine days: one snapshot at the first refresh after, not one per missed point.
    _move(ctx, sandbox, timedelta(days=9))
    assert service.refresh().asked == 2 and service.refresh().asked == 0
    history = service.history([posted["ig"]])
    assert len(history) == 2 and history[1].metrics["reach"] > history[0].metrics["reach"]
    assert "412 reached" not in ig.summary and ig.summary.endswith("likes") and "reached" in ig.summary


def test_refresh_all_is_never_more_than_once_an_hour(ctx: Context, sandbox: Any, posted: dict[str, int]) -> None:
    service = InsightsService(ctx)
    _move(ctx, sandbox, timedelta(minutes=20))
    assert service.refresh(everything=True).asked == 2
    _move(ctx, sandbox, timedelta(minutes=30))
    assert service.refresh(everything=True).asked == 0
    _move(ctx, sandbox, timedelta(minutes=31))
    assert service.refresh(everything=True).asked == 2


@pytest.mark.parametrize(
    ("forced", "settings", "fb_state", "ig_state"),
    [
        ("empty", {}, InsightsState.NOT_AVAILABLE, InsightsState.NOT_AVAILABLE),
        ("not_enough_viewers", {}, InsightsState.NOT_ENOUGH_VIEWERS, InsightsState.NOT_ENOUGH_VIEWERS),
        ("too_few_followers", {}, InsightsState.TOO_FEW_FOLLOWERS, InsightsState.OK),
        (None, {"insights_permission": False}, InsightsState.PERMISSION_MISSING, InsightsState.PERMISSION_MISSING),
    ],
)
def test_each_state_is_itself_never_zero(
    ctx: Context,
    sandbox: Any,
    posted: dict[str, int],
    forced: str | None,
    settings: dict[str, Any],
    fb_state: InsightsState,
    ig_state: InsightsState,
) -> None:
    if forced is not None:
        sandbox.set_insights_state(BAKERY, forced)
        sandbox.set_insights_state(BAKERY_IG, forced)
    sandbox.configure(**settings)
    service = InsightsService(ctx)
    _move(ctx, sandbox, timedelta(hours=2))
    service.refresh()
    rows = {r.id: r for r in service.rows()}
    assert rows[posted["fb"]].state is fb_state and rows[posted["ig"]].state is ig_state
    for row in rows.values():
        if row.state is not InsightsState.OK:
            assert row.metrics == {} and "0" not in row.summary and row.summary


def test_a_failed_fetch_keeps_the_last_numbers_and_waits_an_hour(
    ctx: Context, sandbox: Any, posted: dict[str, int]
) -> None:
    service = InsightsService(ctx)
    _move(ctx, sandbox, timedelta(hours=2))
    service.refresh()
    before = {r.id: r.metrics for r in service.rows()}
    sandbox.inject_fault(kind="error", match="batch", code=2, is_transient=True, times=5)
    _move(ctx, sandbox, timedelta(days=1))
    stats = service.refresh()
    assert stats.states == {"failed": 2}
    rows = service.rows()
    assert all(r.state is InsightsState.OK for r in rows) and {r.id: r.metrics for r in rows} == before
    assert service.refresh().asked == 0  # tried within the hour
    sandbox.clear_faults()
    _move(ctx, sandbox, timedelta(minutes=61))
    assert service.refresh().asked == 2


def test_token_health_says_when_a_token_lacks_the_insights_permissions(
    ctx: Context, sandbox: Any, posted: dict[str, int]
) -> None:
    from autoposter_gui.engine.health import TokenHealthService

    sandbox.configure(insights_permission=False)
    results = {h.label: h for h in TokenHealthService(ctx).check_all()}
    ig = next(h for label, h in results.items() if label.startswith("Instagram"))
    assert ig.status.value == "connected"  # it still posts
    assert "read your Instagram insights" in (ig.message or "")
    accounts = {a.external_id: a for a in ctx.repo.accounts()}
    assert "read your Page's insights" in (accounts[BAKERY].status_message or "")
    sandbox.configure(insights_permission=True)
    TokenHealthService(ctx).check_all()
    assert ctx.repo.account(accounts[BAKERY].id).status_message is None  # type: ignore[union-attr]


def test_the_scheduler_hook_reads_nothing_until_a_snapshot_can_fall_due(
    ctx: Context, sandbox: Any, posted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook runs after every tick: between the moments a snapshot can fall due it must not read every posted
    item and its fetches; at the moment one does, it takes it."""
    service = InsightsService(ctx)
    reads: list[int] = []
    scan = service.repo.posted_items
    monkeypatch.setattr(service.repo, "posted_items", lambda *a: reads.append(1) or scan(*a))
    service.tick()  # nothing due yet: looked once, and knows when to look again (+1 h)
    looked = len(reads)
    assert looked > 0
    for _minute in range(59):
        _move(ctx, sandbox, timedelta(minutes=1))
        service.tick()
    assert len(reads) == looked  # 59 ticks, no read
    assert _states(service) == {posted["fb"]: InsightsState.PENDING, posted["ig"]: InsightsState.PENDING}
    _move(ctx, sandbox, timedelta(minutes=2))  # +1 h passed
    service.tick()
    assert set(_states(service).values()) == {InsightsState.OK}
