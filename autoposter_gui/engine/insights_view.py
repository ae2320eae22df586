"""Read models for the Insights tab and Activity: one account's posts over a period, daily series, the heatmap."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from autoposter_gui.domain.insights import (
    METRIC_ORDER,
    REACH,
    VIEWS,
    HeatCell,
    InsightsState,
    best_cells,
    engagement,
    heatmap,
)
from autoposter_gui.domain.slots import Slot
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.insights import InsightsRow, InsightsService, RefreshStats
from autoposter_gui.engine.labels import account_label


@dataclass(frozen=True)
class DayPoint:
    """One day of the charts: the sums over the posts published that day that have numbers."""

    day: date
    reach: int
    views: int
    engagement: int
    posts: int


@dataclass
class InsightsData:
    """Everything the tab shows for one account and period."""

    rows: list[InsightsRow]
    days: list[DayPoint] = field(default_factory=list)
    grid: list[list[HeatCell]] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)  # the metric columns worth showing, in order

    @property
    def with_numbers(self) -> list[InsightsRow]:
        return [r for r in self.rows if r.state is InsightsState.OK]


class InsightsView:
    """What the Insights tab reads (no network); the refresh itself is InsightsService's."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.service = InsightsService(ctx)

    def accounts(self) -> list[tuple[int, str]]:
        return [(a.id, account_label(a)) for a in self.ctx.repo.accounts()]

    def load(self, account: int | None, days: int | None, tz: str | None = None) -> InsightsData:
        since = self.ctx.clock.now() - timedelta(days=days) if days is not None else None
        rows = self.service.rows(account, since)
        data = InsightsData(rows)
        ok = data.with_numbers
        present = {m for r in ok for m in r.metrics}
        # Reach at least: a post without numbers then shows its state in words in that column.
        data.metrics = [m for m in METRIC_ORDER if m in present] or [REACH]
        by_day: dict[date, list[InsightsRow]] = {}
        for row in ok:
            by_day.setdefault(row.published_at.astimezone().date(), []).append(row)
        data.days = [
            DayPoint(
                day,
                sum(r.metrics.get(REACH, 0) for r in group),
                sum(r.metrics.get(VIEWS, r.metrics.get(REACH, 0)) for r in group),
                sum(engagement(r.metrics) for r in group),
                len(group),
            )
            for day, group in sorted(by_day.items())
        ]
        data.grid = heatmap(((r.published_at, engagement(r.metrics)) for r in ok), tz)
        return data

    def refresh_and_load(self, account: int | None, days: int | None) -> tuple[RefreshStats, InsightsData]:
        """For a background thread: refresh every post (at most hourly each), then read what the tab shows, with
        short GIL turns throughout so that the GUI thread sharing the interpreter never waits long for it."""
        from autoposter_gui.engine.csv_io import _collector_paused
        from autoposter_gui.engine.runner import _short_gil_turns

        # The collector paused too: a full pass over the app's heap, started by this thread's many small acyclic
        # objects, would hold the GIL (and the GUI thread) for its whole length and free nothing.
        with _short_gil_turns(), _collector_paused(), self.ctx.tokens.cached():
            stats = self.service.refresh(everything=True)
            return stats, self.load(account, days)

    def summaries(self) -> dict[int, str]:
        """Item id → its compact metric line ("412 reached · 37 likes", or the state in words) for Activity."""
        latest = self.service.repo.latest()
        from autoposter_gui.domain.insights import summary

        return {item_id: summary(InsightsState(s.state), s.metrics) for item_id, s in latest.items()}

    def best_slots(self, data: InsightsData, count: int = 3) -> list[Slot]:
        """The best cells, from those with two posts or more once there are enough of them (one lucky post is
        not a pattern)."""
        cells = best_cells(data.grid, count, min_posts=2)
        if len(cells) < count:
            cells = best_cells(data.grid, count)
        return [Slot(c.weekday, c.hour * 60) for c in cells]

    def add_slots(self, account: int, slots: Sequence[Slot]) -> list[str]:
        """Add ``slots`` to the account's weekly posting slots (those it has stay); the labels of all of them."""
        from autoposter_gui.engine.planner import PlannerService

        planner = PlannerService(self.ctx)
        have = [s.slot for s in planner.slots(account)]
        wanted = sorted({*have, *slots}, key=lambda s: (s.weekday, s.minute))
        return [s.slot.label for s in planner.set_slots(account, [s.label for s in wanted])]


def export_csv(rows: Sequence[InsightsRow], metrics: Sequence[str], path: Path) -> int:
    """Write the top-posts table to ``path`` (UTF-8 with a header row); states are words, never 0. Rows written."""
    from autoposter_gui.domain.insights import STATE_WORDS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "published_at", "platform", "text", "state", *metrics, "permalink"])
        for row in rows:
            values = [row.metrics.get(m, "") if row.state is InsightsState.OK else "" for m in metrics]
            state = "ok" if row.state is InsightsState.OK else STATE_WORDS[row.state]
            when = row.published_at.astimezone().isoformat(timespec="minutes")
            writer.writerow([row.id, when, row.platform, row.text, state, *values, row.permalink or ""])
    return len(rows)


def day_start(value: date) -> datetime:
    return datetime(value.year, value.month, value.day).astimezone()
