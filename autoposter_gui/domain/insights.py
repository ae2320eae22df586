"""Insights vocabulary and rules: states, the snapshot schedule, engagement, summaries and the best-time heatmap."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# The Insights tab's periods: label → days back (None: all time).
PERIODS: dict[str, int | None] = {"Last 7 days": 7, "Last 28 days": 28, "Last 90 days": 90, "All time": None}


class InsightsState(StrEnum):
    """How a post's numbers stand. Only OK carries numbers; every other state is shown as words, never as 0."""

    OK = "ok"
    PENDING = "pending"  # nothing fetched yet
    NOT_AVAILABLE = "not_available"  # Meta answered with no data (it can lag 48 h)
    NOT_ENOUGH_VIEWERS = "not_enough_viewers"  # error #10
    TOO_FEW_FOLLOWERS = "too_few_followers"  # a Page under 100 likes has no post insights
    PERMISSION_MISSING = "permission_missing"  # read_insights / instagram_manage_insights not granted
    FAILED = "failed"  # the fetch failed (network, throttling): kept for the hourly limit, never shown


# What the CLI contract's ``state`` says for each state (too few followers: "not_available", with a reason).
CONTRACT_STATE = {
    InsightsState.TOO_FEW_FOLLOWERS: InsightsState.NOT_AVAILABLE,
}

STATE_WORDS = {
    InsightsState.OK: "ok",
    InsightsState.PENDING: "not fetched yet",
    InsightsState.NOT_AVAILABLE: "not available yet",
    InsightsState.NOT_ENOUGH_VIEWERS: "not enough viewers",
    InsightsState.TOO_FEW_FOLLOWERS: "this Page has too few followers for insights",
    InsightsState.PERMISSION_MISSING: "permission missing",
    InsightsState.FAILED: "could not fetch",
}

# Snapshot points after publishing; each is taken at the first refresh after it (even if the computer was off).
SCHEDULE: tuple[timedelta, ...] = (timedelta(hours=1), timedelta(hours=24), timedelta(days=7), timedelta(days=28))
MIN_INTERVAL = timedelta(hours=1)  # never more than one fetch an hour per post

# Metric names as stored (the same for Instagram and Facebook where they mean the same).
REACH, VIEWS, LIKES, COMMENTS, SAVED, SHARES, REACTIONS, CLICKS, INTERACTIONS = (
    "reach",
    "views",
    "likes",
    "comments",
    "saved",
    "shares",
    "reactions",
    "clicks",
    "total_interactions",
)
METRIC_ORDER = (REACH, VIEWS, LIKES, REACTIONS, COMMENTS, SAVED, SHARES, CLICKS, INTERACTIONS)
STATE_METRIC = "*"  # the metric name of a row that records a state without numbers


def contract_state(state: InsightsState) -> str:
    return CONTRACT_STATE.get(state, state).value


def engagement(metrics: Mapping[str, int]) -> int:
    """Likes (or reactions) + comments + saves + shares: what the owner's audience did with the post."""
    if INTERACTIONS in metrics:
        return metrics[INTERACTIONS]
    liked = metrics.get(REACTIONS, metrics.get(LIKES, 0))
    return liked + metrics.get(COMMENTS, 0) + metrics.get(SAVED, 0) + metrics.get(SHARES, 0)


def summary(state: InsightsState | None, metrics: Mapping[str, int]) -> str:
    """A compact line for a posted item: "412 reached · 37 likes", or the state in words ("" when unknown)."""
    if state is None or state is InsightsState.PENDING:
        return ""
    if state is not InsightsState.OK:
        return STATE_WORDS[state]
    parts = []
    if REACH in metrics:
        parts.append(f"{metrics[REACH]:,} reached")
    liked = metrics.get(LIKES, metrics.get(REACTIONS))
    if liked is not None:
        parts.append(_count(liked, "like"))
    if metrics.get(COMMENTS):
        parts.append(_count(metrics[COMMENTS], "comment"))
    return " · ".join(parts)


def _count(value: int, noun: str) -> str:
    return f"{value:,} {noun}" + ("" if value == 1 else "s")


def due(published_at: datetime, fetched: Sequence[datetime], last_try: datetime | None, now: datetime) -> bool:
    """Whether a post needs a snapshot now: a schedule point has passed with no good snapshot since it, and the
    last try (good or not) is over an hour old."""
    if last_try is not None and now - last_try < MIN_INTERVAL:
        return False
    passed = [published_at + offset for offset in SCHEDULE if published_at + offset <= now]
    if not passed:
        return False
    latest_point = passed[-1]
    return not any(when >= latest_point for when in fetched)


def next_due(
    published_at: datetime, fetched: Sequence[datetime], last_try: datetime | None, now: datetime
) -> datetime | None:
    """The first moment from ``now`` on at which :func:`due` holds for this post (``now`` if it does already);
    None when no snapshot is ever due again (every schedule point is covered)."""
    floor = last_try + MIN_INTERVAL if last_try is not None else now
    points = [published_at + offset for offset in SCHEDULE]
    passed = [point for point in points if point <= now]
    if passed and not any(when >= passed[-1] for when in fetched):
        return max(now, floor)
    upcoming = [point for point in points if point > now]
    return max(upcoming[0], floor) if upcoming else None


@dataclass
class HeatCell:
    """One weekday × hour slot of the best-time heatmap."""

    weekday: int  # 0 = Monday
    hour: int
    posts: int = 0
    median: float | None = None
    values: list[int] = field(default_factory=list)


def heatmap(posts: Iterable[tuple[datetime, int]], tz: str | None = None) -> list[list[HeatCell]]:
    """7 × 24 cells of median engagement (in the owner's time zone) with the number of posts behind each."""
    zone = ZoneInfo(tz) if tz else None
    grid = [[HeatCell(d, h) for h in range(24)] for d in range(7)]
    for when, value in posts:
        local = when.astimezone(zone) if zone else when.astimezone()
        grid[local.weekday()][local.hour].values.append(value)
    for row in grid:
        for cell in row:
            cell.posts = len(cell.values)
            cell.median = float(statistics.median(cell.values)) if cell.values else None
    return grid


def best_cells(grid: list[list[HeatCell]], count: int = 3, min_posts: int = 1) -> list[HeatCell]:
    """The ``count`` cells with the highest median engagement (ties: more posts first)."""
    cells = [c for row in grid for c in row if c.median is not None and c.posts >= min_posts]
    cells.sort(key=lambda c: (-(c.median or 0.0), -c.posts, c.weekday, c.hour))
    return cells[:count]
