"""The Calendar tab: chips in their slots across DST, drag to reschedule (then published at the new time), drafts
dropped on a time, clicks, keys, month view, the drafts list, and posted chips opening their permalink."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.engine.runner import Runner
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.calendar_tab import CalendarTab, monday
from autoposter_gui.ui.calendar_view import MONTH, WEEK, CalendarView
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from tests.gui.helpers import BAKERY_PAGE, Dialogs

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def tab(qtbot: Any, controller: AppController, connected: list[Account]) -> CalendarTab:
    widget = CalendarTab(controller)
    qtbot.addWidget(widget)
    widget.resize(1200, 1300)  # every hour of the week in sight
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def post_at(ctx: Context, when: datetime, text: str = "Fresh bread", **kwargs: Any) -> int:
    return PostService(ctx).create(PostRequest([BAKERY_PAGE], text, when=when, **kwargs))[0].id


def spring_forward_after(start: datetime) -> date:
    """The next day Berlin's clocks jump from 02:00 to 03:00 (last Sunday of March) whose Saturday is after start."""
    for year in (start.year, start.year + 1):
        day = date(year, 3, 31)
        day -= timedelta(days=(day.weekday() - 6) % 7)
        if day - timedelta(days=1) > start.date():  # its Saturday still ahead: within a year
            return day
    raise AssertionError("no March change within a year")


def mouse(view: CalendarView, kind: Any, pos: QPoint, button: Any = Qt.MouseButton.LeftButton) -> None:
    buttons = Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseButtonRelease else button
    event = QMouseEvent(kind, QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def drag(view: CalendarView, start: QPoint, end: QPoint) -> None:
    mouse(view, QMouseEvent.Type.MouseButtonPress, start)
    mouse(view, QMouseEvent.Type.MouseMove, start + QPoint(0, 20))
    mouse(view, QMouseEvent.Type.MouseMove, end)
    mouse(view, QMouseEvent.Type.MouseButtonRelease, end)


def cell_point(view: CalendarView, day_index: int, hour: int, minute: int = 0) -> QPoint:
    """The viewport point of a week cell at hour:minute (its left part)."""
    cell = view.cell_rect(day_index, hour)
    y = cell.y() + minute * cell.height() // 60 + 2
    return QPoint(cell.x() + 8, y - view.verticalScrollBar().value())


def tomorrow_at(ctx: Context, hour: int) -> datetime:
    day = ctx.clock.now().date() + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=UTC)


def test_chips_sit_in_their_local_hour_across_the_march_change(
    tab: CalendarTab, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    sunday = spring_forward_after(ctx.clock.now())
    saturday = sunday - timedelta(days=1)
    before = post_at(ctx, datetime.combine(saturday, time(9, 30), tzinfo=BERLIN))  # CET, 08:30 UTC
    after = post_at(ctx, datetime.combine(sunday, time(9, 30), tzinfo=BERLIN))  # CEST, 07:30 UTC
    early = post_at(ctx, datetime.combine(sunday, time(3, 0), tzinfo=BERLIN))  # the first hour after the jump
    tab.go_to(saturday)
    view = tab.view
    assert view.first == sunday - timedelta(days=6)
    chips = {c.row.id: c.rect for c in view.chips if c.row is not None}
    assert view.cell_rect(5, 9).contains(chips[before])
    assert view.cell_rect(6, 9).contains(chips[after])
    assert view.cell_rect(6, 3).contains(chips[early])


def test_drag_reschedules_and_the_post_publishes_at_the_new_time(
    tab: CalendarTab, ctx: Context, clock: FixedClock
) -> None:
    item_id = post_at(ctx, tomorrow_at(ctx, 10))
    tab.go_to(tomorrow_at(ctx, 10).date())
    view = tab.view
    index = (tomorrow_at(ctx, 10).date() - view.first).days
    start = view.chip_center(item_id)
    assert start is not None
    drag(view, start, cell_point(view, index, 14, 30))
    item = ctx.repo.item(item_id)
    assert item is not None and item.scheduled_at == tomorrow_at(ctx, 14) + timedelta(minutes=30)
    assert view.cell_rect(index, 14).contains(view.chip_center(item_id) + QPoint(0, view.verticalScrollBar().value()))
    clock.set(tomorrow_at(ctx, 14) + timedelta(minutes=29))
    assert Runner(ctx).run_due().processed == 0  # not at the old time, not before the new one
    clock.set(tomorrow_at(ctx, 14) + timedelta(minutes=30, seconds=5))
    assert Runner(ctx).run_due().succeeded == 1
    posted = ctx.repo.item(item_id)
    assert posted is not None and posted.status == ItemStatus.POSTED.value and posted.permalink


def test_a_drop_in_the_past_is_refused_and_changes_nothing(tab: CalendarTab, ctx: Context, dialogs: Dialogs) -> None:
    when = tomorrow_at(ctx, 10)
    item_id = post_at(ctx, when)
    yesterday = (ctx.clock.now() - timedelta(days=1)).replace(tzinfo=None)
    tab.go_to(yesterday.date())
    tab.move_item(item_id, yesterday)
    assert dialogs.calls and "past" in dialogs.calls[-1][2]
    item = ctx.repo.item(item_id)
    assert item is not None and item.scheduled_at == when


def test_a_drop_in_the_dst_gap_snaps_to_the_next_valid_time(
    tab: CalendarTab, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    sunday = spring_forward_after(ctx.clock.now())
    item_id = post_at(ctx, datetime.combine(sunday - timedelta(days=1), time(10), tzinfo=BERLIN))
    tab.go_to(sunday)
    drag(tab.view, tab.view.chip_center(item_id) or QPoint(), cell_point(tab.view, 6, 2, 30))
    item = ctx.repo.item(item_id)
    assert item is not None and item.scheduled_at is not None
    assert item.scheduled_at.astimezone(BERLIN).replace(tzinfo=None) == datetime.combine(sunday, time(3, 0))


def test_a_draft_dropped_on_a_time_is_scheduled(tab: CalendarTab, ctx: Context) -> None:
    [draft] = PostService(ctx).create(PostRequest([BAKERY_PAGE], "Plan me", draft=True))
    tab.reload()
    assert tab.drafts.count() == 1
    target = tomorrow_at(ctx, 11)
    tab.go_to(target.date())
    mime = tab.drafts.mimeData([tab.drafts.item(0)])
    pos = cell_point(tab.view, (target.date() - tab.view.first).days, 11)
    event = QDropEvent(QPointF(pos), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.NoModifier)
    tab.view.dropEvent(event)
    item = ctx.repo.item(draft.id)
    assert item is not None and item.status == ItemStatus.SCHEDULED.value and item.scheduled_at == target
    assert tab.drafts.count() == 0
    assert tab.view.chip_center(draft.id) is not None


def test_a_click_on_an_empty_slot_opens_the_composer_at_that_time(
    window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    window.show_tab("calendar")
    window.resize(1200, 1400)
    target = tomorrow_at(ctx, 15)
    window.calendar.go_to(target.date())
    view = window.calendar.view
    view.scroll_to_hour(10)
    pos = cell_point(view, (target.date() - view.first).days, 15, 35)
    mouse(view, QMouseEvent.Type.MouseButtonPress, pos)
    mouse(view, QMouseEvent.Type.MouseButtonRelease, pos)
    assert window.current_tab() == "composer"
    assert window.composer.when_edit.when_utc()[0] == target + timedelta(minutes=30)


def test_double_click_and_enter_edit_like_the_queue(window: MainWindow, ctx: Context, connected: list[Account]) -> None:
    item_id = post_at(ctx, tomorrow_at(ctx, 9), "Edit me")
    window.show_tab("calendar")
    window.calendar.go_to(tomorrow_at(ctx, 9).date())
    view = window.calendar.view
    view.scroll_to_hour(8)
    pos = view.chip_center(item_id)
    assert pos is not None
    mouse(view, QMouseEvent.Type.MouseButtonDblClick, pos)
    assert window.current_tab() == "composer" and window.composer.editing == item_id
    window.composer.stop_editing()
    window.show_tab("calendar")
    view.select(None)
    view.setFocus()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Return):
        QApplication.sendEvent(view, _key(key))
    assert window.composer.editing == item_id


def _key(key: Any) -> Any:
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QKeyEvent.Type.KeyPress, key, Qt.NoModifier)


def test_arrows_move_the_selection_and_page_keys_change_the_week(tab: CalendarTab, ctx: Context) -> None:
    day = tomorrow_at(ctx, 9)
    first, second = post_at(ctx, day), post_at(ctx, day + timedelta(hours=2))
    third = post_at(ctx, day + timedelta(days=1, hours=1))
    tab.go_to(day.date())
    if tab.view.chip_center(third) is None:  # tomorrow is a Sunday: the next day is in the next week
        third = second
    view = tab.view
    view.setFocus()
    QApplication.sendEvent(view, _key(Qt.Key.Key_Down))
    assert view.selected == first
    QApplication.sendEvent(view, _key(Qt.Key.Key_Down))
    assert view.selected == second
    QApplication.sendEvent(view, _key(Qt.Key.Key_Up))
    assert view.selected == first
    QApplication.sendEvent(view, _key(Qt.Key.Key_Right))
    assert view.selected == third
    shown = view.first
    QApplication.sendEvent(view, _key(Qt.Key.Key_PageDown))
    assert view.first == shown + timedelta(days=7)
    QApplication.sendEvent(view, _key(Qt.Key.Key_PageUp))
    QApplication.sendEvent(view, _key(Qt.Key.Key_PageUp))
    assert view.first == shown - timedelta(days=7)
    tab.today_button.click()
    assert view.first <= ctx.clock.now().date() < view.first + timedelta(days=7)


def test_month_view_places_chips_on_their_day_and_keeps_the_time_on_a_move(tab: CalendarTab, ctx: Context) -> None:
    when = tomorrow_at(ctx, 10)
    item_id = post_at(ctx, when)
    tab.go_to(when.date())
    tab.set_mode(MONTH)
    view = tab.view
    assert view.mode == MONTH and view.first == monday(when.date().replace(day=1))
    index = (when.date() - view.first).days
    center = view.chip_center(item_id)
    assert center is not None and view.cell_rect(index).contains(center)
    target_index = index + 7 if index + 7 < 42 else index - 7
    target_day = view.first + timedelta(days=target_index)
    if target_day <= ctx.clock.now().date():
        target_index, target_day = index + 1, view.first + timedelta(days=index + 1)
    drag(view, center, view.cell_rect(target_index).center())
    item = ctx.repo.item(item_id)
    assert item is not None and item.scheduled_at == datetime.combine(target_day, time(10), tzinfo=UTC)
    month = view.first
    tab.step(1)
    assert view.first > month and view.mode == MONTH
    tab.set_mode(WEEK)
    assert view.mode == WEEK


def test_slot_markers_and_series_marks(tab: CalendarTab, ctx: Context) -> None:
    from autoposter_gui.domain.recurrence import Recurrence, Repeat
    from autoposter_gui.engine.planner import PlannerService

    planner = PlannerService(ctx)
    planner.set_slots(BAKERY_PAGE, ["mon 09:30", "thu 17:00"])
    items = planner.create_series(
        PostRequest([BAKERY_PAGE], "Weekly", when=tomorrow_at(ctx, 8)), Recurrence(Repeat.WEEKLY, 6)
    )
    tab.go_to(tomorrow_at(ctx, 8).date())
    local = {(m.weekday(), m.hour, m.minute) for _a, m in tab.view.markers}
    assert local == {(0, 9, 30), (3, 17, 0)}
    assert tab._series_note(items[0].id, items[0].series_id) == "1 of 6 in a weekly series"
    center = tab.view.chip_center(items[0].id)
    assert center is not None and "1 of 6 in a weekly series" in (tab.view.tooltip_at(center) or "")


def test_a_posted_chip_opens_its_permalink(
    tab: CalendarTab, ctx: Context, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    item_id = post_at(ctx, ctx.clock.now() + timedelta(minutes=1))
    clock.advance(timedelta(minutes=2))
    assert Runner(ctx).run_due().succeeded == 1
    tab.go_to(ctx.clock.now().date())
    tab.activate(item_id)
    item = ctx.repo.item(item_id)
    assert item is not None and [u.toString() for u in opened] == [item.permalink]


def test_a_post_whose_last_try_may_be_out_is_checked_with_meta_before_it_moves(
    qtbot: Any, tab: CalendarTab, ctx: Context, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autoposter_gui.engine.posts import ActionRefusedError

    item_id = post_at(ctx, tomorrow_at(ctx, 10))
    tab.go_to(tomorrow_at(ctx, 10).date())
    row = next(r for r in tab.view.rows if r.id == item_id)
    tab.view.rows = [row._replace(unconfirmed=True) if r.id == item_id else r for r in tab.view.rows]
    asked: list[int] = []
    answers: list[Exception | None] = [ActionRefusedError("It went out at 10:00: it is now marked posted"), None]

    def check_first(checked: int) -> None:
        asked.append(checked)
        answer = answers.pop(0)
        if answer is not None:
            raise answer

    monkeypatch.setattr(tab.controller.posts, "check_first", check_first)
    target = (tomorrow_at(ctx, 15)).replace(tzinfo=None)
    tab.move_item(item_id, target)
    qtbot.waitUntil(lambda: bool(dialogs.calls))
    assert asked == [item_id] and "went out" in dialogs.calls[-1][2]
    stored = ctx.repo.item(item_id)
    assert stored is not None and stored.scheduled_at == tomorrow_at(ctx, 10)  # refused: nothing changed
    tab.view.rows = [row._replace(unconfirmed=True) if r.id == item_id else r for r in tab.view.rows]
    tab.move_item(item_id, target)
    qtbot.waitUntil(lambda: (ctx.repo.item(item_id) or row).scheduled_at == tomorrow_at(ctx, 15))
    assert asked == [item_id, item_id]


def test_calendar_and_insights_are_built_when_first_shown_and_fill_their_tab(
    qtbot: Any, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    item_id = post_at(ctx, tomorrow_at(ctx, 9), "Shown later")
    assert not window.calendar_page.built and not window.insights_page.built  # nothing built at start-up
    window.show_tab("queue")
    assert not window.calendar_page.built
    window.show_tab("calendar")
    page = window.calendar_page
    assert page.built and window.tabs.currentWidget() is window.calendar and window.calendar.isVisible()
    assert window.tabs.indexOf(window.calendar) == window.tabs.indexOf(page) == window.tabs.currentIndex()
    qtbot.waitUntil(lambda: window.calendar.geometry() == page.rect())  # edge to edge, as if it were the page
    assert not window.calendar._stale  # read its range in the frame that showed it
    window.calendar.go_to(tomorrow_at(ctx, 9).date())
    assert window.calendar.view.chip_center(item_id) is not None
    window.show_tab("insights")
    assert window.insights_page.built and window.insights.isVisible() and window.insights._loaded_once
    # Tab from the tab bar moves into the shown tab's contents, as it did when they were built at start-up
    window.show_tab("calendar")
    widget = window.tabs.tabBar().nextInFocusChain()
    while not (widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
        widget = widget.nextInFocusChain()
    assert window.calendar.isAncestorOf(widget)
