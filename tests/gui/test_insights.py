"""The Insights tab against the sandbox: charts, top posts, heatmap, states as words, background refresh, exports."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.models import PublishResult
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.planner import PlannerService
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.activity_model import ActivityColumn
from autoposter_gui.ui.activity_tab import ActivityTab
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.insights_tab import InsightsTab
from tests.gui.helpers import make_post
from tests.support.helpers import BAKERY_IG

DAY = timedelta(days=1)


def publish_at(
    ctx: Context, sandbox: Any, when: datetime, text: str, image: str | None, account: str = BAKERY_IG
) -> int:
    """A post published at ``when``: in the sandbox (Meta's side) and in the queue (ours), with the same id."""
    platform = "instagram" if account == BAKERY_IG else "facebook"
    with sandbox._store.lock:
        remote = sandbox._store.add_post(platform, account, text, created_ts=when.timestamp())
    assert isinstance(ctx.clock, FixedClock)
    now = ctx.clock.now()
    ctx.clock.set(when - timedelta(minutes=5))
    item = make_post(ctx, text, minutes=0, accounts=[account], image_path=image)
    ctx.clock.set(when)
    attempt = ctx.repo.start_attempt(item.id, when)
    ctx.repo.finish_success(item.id, attempt.id, PublishResult(remote.id, f"https://sandbox/p/{remote.id}"), when)
    ctx.clock.set(now)
    return item.id


@pytest.fixture
def posts(ctx: Context, sandbox: Any, connected: list[Account], image: str) -> list[int]:
    now = ctx.clock.now()
    return [publish_at(ctx, sandbox, now - n * DAY - timedelta(hours=n), f"Post {n}", image) for n in range(1, 7)]


@pytest.fixture
def tab(qtbot: Any, controller: AppController) -> InsightsTab:
    widget = InsightsTab(controller)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def _refresh(qtbot: Any, tab: InsightsTab, notices: list[str]) -> None:
    tab.refresh()
    assert not tab.refresh_button.isEnabled()  # the GUI goes on; the work is on a worker thread
    qtbot.waitUntil(lambda: not tab.refreshing, timeout=15_000)


def _column(tab: InsightsTab, title: str) -> list[str]:
    column = next(c for c in range(tab.model.columnCount()) if tab.model.header(c) == title)
    return [tab.model.text(row, column) for row in tab.model.rows]


def test_refresh_fills_charts_table_and_heatmap(
    qtbot: Any, posts: list[int], tab: InsightsTab, controller: AppController
) -> None:
    assert tab.model.rowCount() == 6 and tab.model.metrics == ["reach"]
    assert set(_column(tab, "Reach")) == {"not fetched yet"}  # nothing fetched: words, never 0
    assert "6 not fetched yet" in tab.totals.text()
    notices: list[str] = []
    controller.notice.connect(notices.append)
    _refresh(qtbot, tab, notices)
    assert any(n.startswith("Refreshing insights… ") and " of 6" in n for n in notices)
    assert notices[-1] == "Insights refreshed: 6 posts"
    assert {"reach", "views", "likes", "comments", "saved", "shares"} <= set(tab.model.metrics)
    reach = _column(tab, "Reach")
    assert all(v.replace(",", "").isdigit() and int(v.replace(",", "")) > 0 for v in reach)
    reach_chart, engagement_chart = tab.ensure_charts()
    assert reach_chart.point_counts() == [6, 6] and engagement_chart.point_counts() == [6]
    cells = [c for row in tab.heatmap.grid for c in row if c.posts]
    assert sum(c.posts for c in cells) == 6 and all(c.median is not None for c in cells)
    assert tab.best_label.text().startswith("Best so far: ")
    # Sortable by a metric: the biggest reach first.
    column = next(c for c in range(tab.model.columnCount()) if tab.model.header(c) == "Reach")
    tab.table.sortByColumn(column, tab.table.horizontalHeader().sortIndicatorOrder().DescendingOrder)
    shown = [int(str(tab.model.index(r, column).data()).replace(",", "")) for r in range(6)]
    assert shown == sorted(shown, reverse=True)


def test_each_state_shows_as_words_never_zero(
    qtbot: Any, posts: list[int], tab: InsightsTab, ctx: Context, sandbox: Any
) -> None:
    ids = {item_id: ctx.repo.item(item_id).provider_post_id for item_id in posts}  # type: ignore[union-attr]
    forced = ["not_enough_viewers", "empty", "no_permission"]
    for item_id, state in zip(posts, forced, strict=False):
        sandbox.set_insights_state(ids[item_id], state)
    _refresh(qtbot, tab, [])
    reach = dict(zip([r.id for r in tab.model.rows], _column(tab, "Reach"), strict=True))
    assert reach[posts[0]] == "not enough viewers"
    assert reach[posts[1]] == "not available yet"
    assert reach[posts[2]] == "permission missing"
    assert all(reach[i] != "0" and reach[i][0].isdigit() for i in posts[3:])
    assert "1 not enough viewers" in tab.totals.text()


def test_exports_csv_and_png_and_offers_slots(
    qtbot: Any, posts: list[int], tab: InsightsTab, ctx: Context, tmp_path: Path, dialogs: Any
) -> None:
    _refresh(qtbot, tab, [])
    path = tmp_path / "insights.csv"
    assert tab.export_to(path) == 6
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6 and all(int(r["reach"]) > 0 and r["state"] == "ok" for r in rows)
    assert tab.ensure_charts()[0].save_png(tmp_path / "chart.png") and (tmp_path / "chart.png").stat().st_size > 1000

    assert not tab.slots_button.isEnabled()  # all accounts: choose one first
    tab.account.setCurrentIndex(
        tab.account.findData(next(a.id for a in ctx.repo.accounts() if a.external_id == BAKERY_IG))
    )
    assert tab.slots_button.isEnabled()
    dialogs.answer = QMessageBox.StandardButton.Yes
    labels = tab.add_best_slots()
    assert len(labels) == 3
    slots = PlannerService(ctx).slots(BAKERY_IG)
    assert [s.slot.label for s in slots] == labels and dialogs.calls[-1][0] == "question"


def test_activity_rows_get_a_compact_summary(
    qtbot: Any, posts: list[int], tab: InsightsTab, controller: AppController
) -> None:
    activity = ActivityTab(controller)
    qtbot.addWidget(activity)
    details = lambda: [  # noqa: E731
        str(activity.model.index(r, ActivityColumn.DETAILS).data()) for r in range(activity.model.rowCount())
    ]
    assert not any("reached" in d for d in details())
    _refresh(qtbot, tab, [])
    qtbot.waitUntil(lambda: all(" reached · " in d and " like" in d for d in details()), timeout=5000)


def test_no_posts_shows_the_empty_state(tab: InsightsTab, connected: list[Account]) -> None:
    assert tab.stack.currentWidget() is tab.empty and not tab.export_button.isEnabled()
    assert tab.account.count() == 1 + len(connected)


def test_a_page_with_too_few_followers_says_so(
    qtbot: Any, ctx: Context, sandbox: Any, connected: list[Account], image: str, tab: InsightsTab
) -> None:
    from tests.support.helpers import BAKERY

    item_id = publish_at(ctx, sandbox, ctx.clock.now() - DAY, "A Page post", image, account=BAKERY)
    sandbox.set_insights_state(BAKERY, "too_few_followers")
    tab.reload()
    _refresh(qtbot, tab, [])
    [row] = tab.model.rows
    assert row.id == item_id and row.metrics == {}
    assert _column(tab, "Reach") == ["this Page has too few followers for insights"]  # words, never 0
    assert "this Page has too few followers for insights" in tab.totals.text()
