"""Insights rules: the snapshot schedule (+1 h, +24 h, +7 d, +28 d, hourly limit), summaries, the heatmap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoposter_gui.domain.insights import (
    InsightsState,
    best_cells,
    contract_state,
    due,
    engagement,
    heatmap,
    next_due,
    summary,
)

PUB = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_schedule_points_and_catch_up() -> None:
    assert not due(PUB, [], None, PUB + 59 * timedelta(minutes=1))
    assert due(PUB, [], None, PUB + H)
    assert not due(PUB, [PUB + H], PUB + H, PUB + 23 * H)  # +1 h taken, +24 h not reached
    assert due(PUB, [PUB + H], PUB + H, PUB + 24 * H)
    # Off for a month: one snapshot at the first tick after, which covers every missed point.
    assert due(PUB, [PUB + H], PUB + H, PUB + timedelta(days=40))
    assert not due(PUB, [PUB + H, PUB + timedelta(days=40)], PUB + timedelta(days=40), PUB + timedelta(days=41))


def test_never_more_than_once_an_hour() -> None:
    failed_try = PUB + 24 * H
    assert not due(PUB, [PUB + H], failed_try, failed_try + 59 * timedelta(minutes=1))
    assert due(PUB, [PUB + H], failed_try, failed_try + H)


def test_states_are_words_never_zero() -> None:
    assert summary(InsightsState.OK, {"reach": 412, "likes": 37}) == "412 reached · 37 likes"
    assert (
        summary(InsightsState.OK, {"reach": 1200, "reactions": 8, "comments": 2})
        == "1,200 reached · 8 likes · 2 comments"
    )
    assert summary(InsightsState.NOT_ENOUGH_VIEWERS, {}) == "not enough viewers"
    assert summary(InsightsState.NOT_AVAILABLE, {}) == "not available yet"
    assert summary(InsightsState.PENDING, {}) == ""
    assert contract_state(InsightsState.TOO_FEW_FOLLOWERS) == "not_available"
    assert contract_state(InsightsState.PERMISSION_MISSING) == "permission_missing"


def test_engagement_prefers_total_interactions() -> None:
    assert engagement({"total_interactions": 50, "likes": 1}) == 50
    assert engagement({"reactions": 10, "comments": 3, "shares": 2}) == 15


def test_heatmap_medians_and_counts_in_the_owners_zone() -> None:
    monday_9 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    posts = [(monday_9, 10), (monday_9 + timedelta(weeks=1), 30), (monday_9 + timedelta(weeks=2), 20)]
    posts.append((monday_9 + timedelta(days=2, hours=5), 100))  # Wednesday 14:00
    grid = heatmap(posts, "Europe/Berlin")
    assert grid[0][9].posts == 3 and grid[0][9].median == 20.0
    assert grid[2][14].posts == 1 and grid[2][14].median == 100.0
    assert grid[1][9].median is None and grid[1][9].posts == 0
    assert [(c.weekday, c.hour) for c in best_cells(grid, 2)] == [(2, 14), (0, 9)]
    assert [(c.weekday, c.hour) for c in best_cells(grid, 2, min_posts=2)] == [(0, 9)]


def test_next_due_is_the_first_moment_due_holds() -> None:
    assert next_due(PUB, [], None, PUB) == PUB + H  # the first point
    assert next_due(PUB, [], None, PUB + 2 * H) == PUB + 2 * H  # missed: due now
    assert next_due(PUB, [PUB + H], PUB + H, PUB + 2 * H) == PUB + 24 * H
    failed_try = PUB + 24 * H  # a failed try at +24 h: again an hour later
    assert next_due(PUB, [PUB + H], failed_try, failed_try + timedelta(minutes=10)) == failed_try + H
    done = [PUB + H, PUB + 24 * H, PUB + timedelta(days=7), PUB + timedelta(days=28)]
    assert next_due(PUB, done, done[-1], PUB + timedelta(days=30)) is None  # never again
    for now in (PUB, PUB + 2 * H, PUB + timedelta(days=3), PUB + timedelta(days=20)):  # agrees with due()
        fetched = [PUB + H] if now > PUB + H else []
        moment = next_due(PUB, fetched, fetched[-1] if fetched else None, now)
        assert moment is not None and due(PUB, fetched, fetched[-1] if fetched else None, moment)
        if moment > now:
            assert not due(PUB, fetched, fetched[-1] if fetched else None, moment - timedelta(minutes=1))
