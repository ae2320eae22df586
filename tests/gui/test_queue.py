"""The Queue tab: the lazy table model at 100k rows, filtering, sorting, per-post actions and live updates."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.storage.repo import Failure
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.dialogs import RescheduleDialog
from autoposter_gui.ui.queue_model import PAGE_SIZE, ItemIdRole, QueueColumn, QueueTableModel
from autoposter_gui.ui.queue_tab import FILTERS, QueueTab
from tests.gui.helpers import Dialogs, FakeScheduler, make_post

STATUS_CYCLE = ("scheduled", "posted", "failed", "draft", "canceled")


def _bulk_items(ctx: Context, account_id: int, count: int) -> None:
    """Insert many rows directly (a test shortcut: the GUI never writes SQL)."""
    base = datetime(2026, 12, 1, tzinfo=UTC)
    rows = [
        {
            "account_id": account_id,
            "platform": "facebook",
            "text": f"Post number {n}",
            "status": STATUS_CYCLE[n % len(STATUS_CYCLE)],
            "scheduled_at": (base + timedelta(minutes=n)).replace(tzinfo=None),
            "attempt_count": n % 3,
            "metadata": "{}",
            "created_at": base.replace(tzinfo=None),
            "updated_at": base.replace(tzinfo=None),
        }
        for n in range(count)
    ]
    with ctx.store.transaction() as s:
        s.execute(
            text(
                "INSERT INTO queue_items (account_id, platform, text, status, scheduled_at, attempt_count, metadata,"
                " created_at, updated_at) VALUES (:account_id, :platform, :text, :status, :scheduled_at,"
                " :attempt_count, :metadata, :created_at, :updated_at)"
            ),
            rows,
        )


@pytest.fixture
def queue(qtbot: Any, controller: AppController, connected: list[Account]) -> QueueTab:
    tab = QueueTab(controller)
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    tab.show()
    return tab


def _cell(tab: QueueTab, row: int, column: QueueColumn) -> str:
    return str(tab.model.index(row, column).data())


def test_model_pages_lazily_at_100k_rows(qtbot: Any, ctx: Context, connected: list[Account]) -> None:
    _bulk_items(ctx, connected[0].id, 100_000)
    model = QueueTableModel(lambda: ctx.reads, ctx.clock.now)
    started = time.perf_counter()
    model.reload()
    assert time.perf_counter() - started < 1.0
    assert model.total == 100_000
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    # upcoming first: the scheduled posts (every fifth one), soonest at the top
    assert [model.index(r, QueueColumn.POST).data() for r in range(3)] == [
        "Post number 0",
        "Post number 5",
        "Post number 10",
    ]
    # sorting and filtering run in SQL over all rows, still one page at a time
    model.sort(QueueColumn.SCHEDULED, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == PAGE_SIZE
    assert model.index(0, QueueColumn.POST).data() == "Post number 0"
    started = time.perf_counter()
    model.set_status_filter([ItemStatus.FAILED])
    assert time.perf_counter() - started < 1.0
    assert model.total == 20_000
    assert {model.index(r, QueueColumn.STATUS).data() for r in range(model.rowCount())} == {"Failed"}


def test_view_fetches_more_when_scrolled(qtbot: Any, ctx: Context, queue: QueueTab, connected: list[Account]) -> None:
    _bulk_items(ctx, connected[0].id, 1_000)
    queue.model.reload()
    assert queue.model.rowCount() == PAGE_SIZE
    queue.view.scrollToBottom()
    qtbot.waitUntil(lambda: queue.model.rowCount() > PAGE_SIZE)
    assert queue.count_label.text() == "1,000 posts"


def test_columns_show_status_account_text_and_times(queue: QueueTab, ctx: Context) -> None:
    item = make_post(ctx, "Sourdough\nis back", minutes=90)
    queue.model.refresh_item(item.id)
    assert _cell(queue, 0, QueueColumn.STATUS) == "Scheduled"
    assert _cell(queue, 0, QueueColumn.ACCOUNT) == "Sandbox Bakery"
    assert _cell(queue, 0, QueueColumn.POST) == "Sourdough is back"
    assert _cell(queue, 0, QueueColumn.SCHEDULED).startswith("Today ")
    assert _cell(queue, 0, QueueColumn.ATTEMPTS) == "—"
    assert queue.model.index(0, QueueColumn.STATUS).data(Qt.ItemDataRole.DecorationRole) is not None
    assert queue.model.headerData(QueueColumn.ERROR, Qt.Orientation.Horizontal) == "Last error"


def test_filter_by_status(qtbot: Any, queue: QueueTab, ctx: Context, controller: AppController) -> None:
    make_post(ctx, "one")
    second = make_post(ctx, "two")
    controller.posts.cancel(second.id)
    assert queue.model.rowCount() == 2
    queue.filter_combo.setCurrentIndex([label for label, _ in FILTERS].index("Canceled"))
    assert queue.model.rowCount() == 1
    assert _cell(queue, 0, QueueColumn.POST) == "two"
    qtbot.waitUntil(lambda: queue.count_label.text() == "1 of 2 posts")
    queue.filter_combo.setCurrentIndex([label for label, _ in FILTERS].index("Failed"))
    assert queue.stack.currentWidget() is queue.empty
    assert queue.empty.title.text() == "No failed posts"


def test_sorting_by_header_click(qtbot: Any, queue: QueueTab, ctx: Context) -> None:
    make_post(ctx, "later", minutes=300)
    make_post(ctx, "sooner", minutes=30)
    assert _cell(queue, 0, QueueColumn.POST) == "sooner"  # upcoming first by default: soonest at the top
    queue.view.sortByColumn(QueueColumn.SCHEDULED, Qt.SortOrder.DescendingOrder)
    assert _cell(queue, 0, QueueColumn.POST) == "later"
    queue.view.sortByColumn(QueueColumn.SCHEDULED, Qt.SortOrder.AscendingOrder)
    assert _cell(queue, 0, QueueColumn.POST) == "sooner"


def test_new_items_appear_live_and_rows_update_by_id(qtbot: Any, queue: QueueTab, ctx: Context) -> None:
    assert queue.stack.currentWidget() is queue.empty
    item = make_post(ctx, "Live!")  # the core emits item_changed; the bridge delivers it
    assert queue.model.rowCount() == 1
    assert queue.stack.currentWidget() is queue.view
    ctx.repo.claim(item.id, ctx.clock.now())
    ctx.events.emit("item_changed", item.id)
    assert _cell(queue, 0, QueueColumn.STATUS) == "Publishing…"


def test_actions_follow_the_status(qtbot: Any, queue: QueueTab, ctx: Context) -> None:
    item = make_post(ctx)
    queue.select_item(item.id)
    enabled = {name: b.isEnabled() for name, b in queue.action_buttons.items()}
    assert enabled == {
        "edit": True,
        "reschedule": True,
        "publish": True,
        "retry": False,
        "cancel": True,
        "delete": False,
        "view_post": False,
        "copy_link": False,
        "duplicate": True,
    }
    ctx.repo.claim(item.id, ctx.clock.now())
    ctx.events.emit("item_changed", item.id)
    assert not any(b.isEnabled() for b in queue.action_buttons.values())  # processing: hands off


def test_cancel_then_delete(qtbot: Any, queue: QueueTab, ctx: Context, dialogs: Dialogs) -> None:
    item = make_post(ctx, "Never mind")
    queue.select_item(item.id)
    qtbot.mouseClick(queue.action_buttons["cancel"], Qt.MouseButton.LeftButton)
    assert dialogs.titles() == ["Cancel post"]
    canceled = ctx.repo.item(item.id)
    assert canceled is not None and canceled.status == "canceled"
    assert _cell(queue, 0, QueueColumn.STATUS) == "Canceled"
    qtbot.mouseClick(queue.action_buttons["delete"], Qt.MouseButton.LeftButton)
    assert ctx.repo.item(item.id) is None
    assert queue.model.rowCount() == 0


def test_cancel_needs_confirmation(qtbot: Any, queue: QueueTab, ctx: Context, dialogs: Dialogs) -> None:
    from PySide6.QtWidgets import QMessageBox

    dialogs.answer = QMessageBox.StandardButton.No
    item = make_post(ctx)
    queue.select_item(item.id)
    queue.cancel_selected()
    still = ctx.repo.item(item.id)
    assert still is not None and still.status == "scheduled"


def test_publish_now_goes_through_the_scheduler(
    qtbot: Any, queue: QueueTab, ctx: Context, fake_scheduler: FakeScheduler
) -> None:
    item = make_post(ctx, minutes=600)
    queue.select_item(item.id)
    qtbot.mouseClick(queue.action_buttons["publish"], Qt.MouseButton.LeftButton)
    due = ctx.repo.item(item.id)
    assert due is not None and due.scheduled_at == ctx.clock.now()
    assert fake_scheduler.run_now_calls == 1


def test_retry_and_retry_all_failed(
    qtbot: Any, queue: QueueTab, ctx: Context, fake_scheduler: FakeScheduler, dialogs: Dialogs
) -> None:
    ids = []
    for n in range(3):
        item = make_post(ctx, f"fails {n}", minutes=0)
        attempt = ctx.repo.start_attempt(item.id, ctx.clock.now())
        ctx.repo.finish_unsuccessful(item.id, attempt.id, Failure("368", "Meta flagged it"), ctx.clock.now(), None)
        ctx.events.emit("item_changed", item.id)
        ids.append(item.id)
    assert _cell(queue, 0, QueueColumn.ERROR) == "Meta flagged it"
    qtbot.waitUntil(lambda: queue.retry_all_button.text() == "Retry all failed (3)")
    queue.select_item(ids[0])
    qtbot.mouseClick(queue.action_buttons["retry"], Qt.MouseButton.LeftButton)
    assert ctx.repo.count_items([ItemStatus.FAILED]) == 2
    qtbot.mouseClick(queue.retry_all_button, Qt.MouseButton.LeftButton)
    assert dialogs.titles() == ["Retry all failed posts"]
    assert ctx.repo.count_items([ItemStatus.FAILED]) == 0
    assert ctx.repo.count_items([ItemStatus.SCHEDULED]) == 3
    assert fake_scheduler.run_now_calls == 2
    qtbot.waitUntil(lambda: not queue.retry_all_button.isEnabled())


def test_reschedule_dialog(qtbot: Any, queue: QueueTab, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    from autoposter_gui.ui import fmt

    item = make_post(ctx, minutes=60)
    queue.select_item(item.id)
    target = ctx.clock.now() + timedelta(days=2)
    seen: dict[str, Any] = {}

    def run(dialog: RescheduleDialog) -> int:
        dialog.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now() - timedelta(days=1))))
        dialog.accept()  # the past is refused inside the dialog
        seen["error"] = dialog.error.text()
        dialog.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(target)))
        dialog.accept()
        return 1

    monkeypatch.setattr(RescheduleDialog, "exec", run)
    qtbot.mouseClick(queue.action_buttons["reschedule"], Qt.MouseButton.LeftButton)
    assert "in the past" in seen["error"]
    moved = ctx.repo.item(item.id)
    assert moved is not None and moved.scheduled_at == target


def test_double_click_opens_editor_signal(qtbot: Any, queue: QueueTab, ctx: Context) -> None:
    item = make_post(ctx)
    index = queue.model.index(0, QueueColumn.POST)
    assert index.data(ItemIdRole) == item.id
    with qtbot.waitSignal(queue.edit_requested) as blocker:
        queue.view.activated.emit(index)
    assert blocker.args == [item.id]


def _cut_off(ctx: Context, item_id: int, sandbox: Any, *, landed: bool) -> None:
    """The item's last try was cut off (we never saw Meta's answer); with ``landed``, Meta had published it."""
    from autoposter_gui.meta.client import GraphClient

    assert ctx.repo.claim(item_id, ctx.clock.now())
    attempt = ctx.repo.start_attempt(item_id, ctx.clock.now())
    failure = Failure("network", "The connection to Facebook was interrupted", needs_reconcile=True)
    ctx.repo.finish_unsuccessful(item_id, attempt.id, failure, ctx.clock.now(), ctx.clock.now())
    item = ctx.repo.item(item_id)
    assert item is not None
    if landed:
        token = ctx.tokens.account_token("facebook", "100000000000001")
        GraphClient(origin=sandbox.url).post("/100000000000001/feed", token, data={"message": item.text})


def test_cancel_of_a_post_that_went_out_meanwhile_says_so(
    qtbot: Any, queue: QueueTab, ctx: Context, dialogs: Dialogs, sandbox: Any
) -> None:
    item = make_post(ctx, "Already out", minutes=0)
    _cut_off(ctx, item.id, sandbox, landed=True)
    queue.select_item(item.id)
    qtbot.mouseClick(queue.action_buttons["cancel"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Can't cancel this post" in dialogs.titles(), timeout=10_000)
    assert any("already gone out" in c[2] for c in dialogs.calls)
    posted = ctx.repo.item(item.id)
    assert posted is not None and posted.status == "posted" and posted.permalink


def test_edit_of_a_cut_off_post_that_did_not_go_out_opens_after_the_check(
    qtbot: Any, queue: QueueTab, ctx: Context, dialogs: Dialogs, sandbox: Any
) -> None:
    item = make_post(ctx, "Not out", minutes=0)
    _cut_off(ctx, item.id, sandbox, landed=False)
    ctx.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
    queue.select_item(item.id)
    with qtbot.waitSignal(queue.edit_requested, timeout=10_000) as signal:
        queue.edit_selected()
    assert signal.args == [item.id]
    checked = ctx.repo.item(item.id)
    assert checked is not None and checked.status == "scheduled" and checked.unconfirmed_attempt_id is None


# ----- the order: upcoming first, remembered sort --------------------------------------------------------------
def _posted(ctx: Context, text: str, *, minutes: int = 0, permalink: str | None = None) -> int:
    from autoposter_gui.domain.models import PublishResult

    item = make_post(ctx, text, minutes=minutes)
    assert ctx.repo.claim(item.id, ctx.clock.now())
    attempt = ctx.repo.start_attempt(item.id, ctx.clock.now())
    link = permalink or f"https://www.facebook.com/100000000000001/posts/{item.id}"
    ctx.repo.finish_success(item.id, attempt.id, PublishResult(f"1_{item.id}", link), ctx.clock.now())
    ctx.events.emit("item_changed", item.id)
    return item.id


def _texts(tab: QueueTab) -> list[str]:
    return [_cell(tab, row, QueueColumn.POST) for row in range(tab.model.rowCount())]


def test_default_order_is_upcoming_soonest_first_then_drafts_then_latest(
    qtbot: Any, queue: QueueTab, ctx: Context, controller: AppController
) -> None:
    from autoposter_gui.engine.posts import PostRequest

    _posted(ctx, "posted long ago")
    ctx.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    _posted(ctx, "posted lately")
    make_post(ctx, "in five hours", minutes=300)
    make_post(ctx, "in one hour", minutes=60)
    controller.posts.create(PostRequest(["100000000000001"], "a draft", when=None, draft=True))
    canceled = make_post(ctx, "canceled", minutes=120)
    controller.posts.cancel(canceled.id)
    expected = ["in one hour", "in five hours", "a draft", "canceled", "posted lately", "posted long ago"]
    assert _texts(queue) == expected  # live updates put each row in its place
    assert queue.view.horizontalHeader().sortIndicatorSection() == -1
    assert queue.order_label.isVisible() and queue.order_label.text() == "Upcoming first, then the most recent"
    queue.model.reload()
    assert _texts(queue) == expected  # the same order from SQL


def test_upcoming_order_pages_across_its_parts_like_sql(qtbot: Any, ctx: Context, connected: list[Account]) -> None:
    """Many rows of every status (drafts with and without a time): paging gives each row once, in the order that
    ``upcoming_before`` (what live updates use) says."""
    from functools import cmp_to_key

    from autoposter_gui.storage.repo import UPCOMING_SORT, upcoming_before

    _bulk_items(ctx, connected[0].id, 1_000)
    with ctx.store.transaction() as s:
        s.execute(text("UPDATE queue_items SET scheduled_at = NULL WHERE status = 'draft' AND id % 2 = 0"))
        s.execute(text("UPDATE queue_items SET status = 'processing' WHERE id % 97 = 0"))
        s.execute(text("UPDATE queue_items SET scheduled_at = '2026-12-01 00:00:00.000000' WHERE id % 89 = 0"))
    model = QueueTableModel(lambda: ctx.reads, ctx.clock.now)
    model.reload()
    while model.canFetchMore():
        model.fetchMore()
    rows = [model.item_at(r) for r in range(model.rowCount())]
    assert len(rows) == 1_000 and len({r.id for r in rows if r}) == 1_000
    every = ctx.repo.item_rows(None, limit=2_000, sort=UPCOMING_SORT)
    by_rule = sorted(every, key=cmp_to_key(lambda a, b: -1 if upcoming_before(a, b) else 1))
    assert [r.id for r in rows if r] == [r.id for r in every] == [r.id for r in by_rule]
    assert [r.status for r in rows[:3] if r] == ["processing", "scheduled", "scheduled"]
    # with a filter, only that part (here drafts, newest first)
    drafts = ctx.repo.item_rows([ItemStatus.DRAFT], limit=500, sort=UPCOMING_SORT)
    assert [r.id for r in drafts] == sorted((r.id for r in every if r.status == "draft"), reverse=True)


def test_chosen_sort_is_remembered(qtbot: Any, queue: QueueTab, ctx: Context, controller: AppController) -> None:
    make_post(ctx, "later", minutes=300)
    make_post(ctx, "sooner", minutes=30)
    queue.view.horizontalHeader().setSortIndicator(QueueColumn.SCHEDULED, Qt.SortOrder.DescendingOrder)
    assert _texts(queue) == ["later", "sooner"]
    assert not queue.order_label.isVisible()
    again = QueueTab(controller)  # as at the next start
    qtbot.addWidget(again)
    header = again.view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        QueueColumn.SCHEDULED,
        Qt.SortOrder.DescendingOrder,
    )
    assert _texts(again) == ["later", "sooner"]
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # back to the default order
    assert _texts(again) == ["sooner", "later"]
    third = QueueTab(controller)
    qtbot.addWidget(third)
    assert third.view.horizontalHeader().sortIndicatorSection() == -1
    controller.settings.setValue("queue/sort_column", "nonsense")
    assert QueueTab(controller).view.horizontalHeader().sortIndicatorSection() == -1


def test_sorting_by_time_over_all_posts_uses_the_status_index(ctx: Context, connected: list[Account]) -> None:
    """The Queue's queries over all posts read the (status, scheduled_at) index, never every row."""
    import sqlite3

    from autoposter_gui.storage.repo import UPCOMING_SORT

    seen: list[str] = []
    with ctx.store.read_raw() as conn:
        assert isinstance(conn, sqlite3.Connection)
        conn.set_trace_callback(seen.append)
    try:
        ctx.repo.item_rows(None, limit=PAGE_SIZE, sort=UPCOMING_SORT)
        ctx.repo.item_rows(None, limit=PAGE_SIZE, sort="scheduled_at", descending=False)
    finally:
        with ctx.store.read_raw() as conn:
            conn.set_trace_callback(None)
    selects = [sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]
    assert selects
    with ctx.store.read_raw() as conn:
        for sql in selects:
            plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            assert "USING" in plan and "INDEX" in plan and "SCAN q" not in plan, (sql, plan)


# ----- per-post actions: names, confirmations, posted rows ----------------------------------------------------
@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    from PySide6.QtGui import QDesktopServices

    urls: list[Any] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: urls.append(url) or True))
    return urls


def test_posted_row_offers_view_copy_and_post_again(
    qtbot: Any, queue: QueueTab, ctx: Context, opened: list[Any], controller: AppController
) -> None:
    from PySide6.QtGui import QGuiApplication

    item_id = _posted(ctx, "Fresh croissants")
    assert queue.select_item(item_id)
    buttons = queue.action_buttons
    assert {n for n, b in buttons.items() if b.isEnabled()} == {"view_post", "copy_link", "duplicate"}
    assert buttons["duplicate"].text() == "Post again…"
    link = f"https://www.facebook.com/100000000000001/posts/{item_id}"
    qtbot.mouseClick(buttons["view_post"], Qt.MouseButton.LeftButton)
    assert [u.toString() for u in opened] == [link]
    QGuiApplication.clipboard().clear()
    with qtbot.waitSignal(controller.notice) as notice:
        qtbot.mouseClick(buttons["copy_link"], Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == link and notice.args == ["Link copied"]
    with qtbot.waitSignal(queue.duplicate_requested) as duplicate:
        qtbot.mouseClick(buttons["duplicate"], Qt.MouseButton.LeftButton)
    assert duplicate.args == [item_id]
    queue.view.activated.emit(queue.model.index(queue.model.row_of(item_id) or 0, QueueColumn.POST))
    assert len(opened) == 2  # Enter / double click on a posted row opens it


def test_posted_row_actions_from_the_keyboard_and_the_context_menu(
    qtbot: Any, queue: QueueTab, ctx: Context, opened: list[Any]
) -> None:
    from PySide6.QtGui import QGuiApplication

    item_id = _posted(ctx, "Fresh croissants")
    queue.select_item(item_id)
    queue.view.setFocus()
    qtbot.waitUntil(queue.view.hasFocus)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(queue.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text().endswith(f"/posts/{item_id}")
    qtbot.keyClick(queue.view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 1
    with qtbot.waitSignal(queue.duplicate_requested):
        qtbot.keyClick(queue.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    menu = queue.context_menu()
    entries = [(a.text().replace("&", ""), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]
    assert entries[:3] == [("View post", True), ("Copy link", True), ("Post again…", True)]
    assert ("Edit…", False) in entries and ("Cancel post", False) in entries


def test_unsafe_permalink_is_not_offered(qtbot: Any, queue: QueueTab, ctx: Context, opened: list[Any]) -> None:
    item_id = _posted(ctx, "Odd link", permalink="file:///etc/passwd")
    queue.select_item(item_id)
    assert not queue.view_post_action.isEnabled() and not queue.copy_link_action.isEnabled()
    queue.view_selected_post()
    assert opened == []


def test_delete_is_named_by_what_it_deletes(qtbot: Any, queue: QueueTab, ctx: Context, dialogs: Dialogs) -> None:
    from autoposter_gui.engine.posts import PostRequest, PostService

    draft = PostService(ctx).create(PostRequest(["100000000000001"], "a draft", when=None, draft=True))[0]
    queue.select_item(draft.id)
    assert queue.action_buttons["delete"].text() == "Delete draft"
    canceled = make_post(ctx, "canceled")
    PostService(ctx).cancel(canceled.id)
    queue.select_item(canceled.id)
    assert queue.action_buttons["delete"].text() == "Delete"
    assert queue.delete_action.text().replace("&", "") == "Delete"
    qtbot.mouseClick(queue.action_buttons["delete"], Qt.MouseButton.LeftButton)
    assert dialogs.calls[-1][1] == "Delete post" and dialogs.buttons[-1] == ["Delete post", "Keep post"]
    assert ctx.repo.item(canceled.id) is None


def test_cancel_asks_with_named_buttons_and_keeps_the_selection(
    qtbot: Any, queue: QueueTab, ctx: Context, dialogs: Dialogs
) -> None:
    _posted(ctx, "older")
    item = make_post(ctx, "Never mind", minutes=30)
    queue.select_item(item.id)
    assert queue.model.row_of(item.id) == 0
    queue.cancel_selected()
    assert dialogs.calls[-1][:2] == ("confirm", "Cancel post")
    assert dialogs.calls[-1][2].startswith("Cancel “Never mind”?")
    assert dialogs.buttons[-1] == ["Cancel post", "Keep post"]
    selected = queue.selected_item()  # the row moved (no longer upcoming): it stays selected
    assert selected is not None and selected.id == item.id and selected.status == "canceled"
    assert queue.action_buttons["delete"].text() == "Delete"


def test_publish_now_confirms_it_replaces_the_time(
    qtbot: Any,
    queue: QueueTab,
    ctx: Context,
    dialogs: Dialogs,
    fake_scheduler: FakeScheduler,
    controller: AppController,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from autoposter_gui.ui import fmt

    item = make_post(ctx, "Weekend special", minutes=600)
    planned = fmt.when_text(item.scheduled_at, ctx.clock.now())
    queue.select_item(item.id)
    dialogs.answer = QMessageBox.StandardButton.No
    queue.publish_selected()
    assert dialogs.calls[-1][2].startswith(f"Publish now instead of {planned}?")
    assert dialogs.buttons[-1] == ["Publish now", "Keep the time"]
    kept = ctx.repo.item(item.id)
    assert kept is not None and kept.scheduled_at == item.scheduled_at and fake_scheduler.run_now_calls == 0
    dialogs.answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(controller.notice) as notice:
        queue.publish_selected()
    assert notice.args == [f"Publishing now… (it was scheduled for {planned})"]
    due = ctx.repo.item(item.id)
    assert due is not None and due.scheduled_at == ctx.clock.now() and fake_scheduler.run_now_calls == 1


def test_publish_now_of_a_draft_without_a_time_does_not_ask(
    qtbot: Any, queue: QueueTab, ctx: Context, dialogs: Dialogs, fake_scheduler: FakeScheduler
) -> None:
    from autoposter_gui.engine.posts import PostRequest, PostService

    draft = PostService(ctx).create(PostRequest(["100000000000001"], "a draft", when=None, draft=True))[0]
    queue.select_item(draft.id)
    queue.publish_selected()
    assert dialogs.calls == [] and fake_scheduler.run_now_calls == 1


def test_duplicate_opens_the_composer_prefilled_as_a_new_post(
    qtbot: Any, ctx: Context, window: Any, connected: list[Account], image: str
) -> None:
    from autoposter_gui.engine.posts import PostRequest, PostService

    posted_id = _posted(ctx, "Croissants are back")
    with_image = PostService(ctx).create(
        PostRequest(
            ["17841400000000001"], "Pastry of the day", when=ctx.clock.now() + timedelta(hours=2), image_path=image
        )
    )[0]
    window.queue.select_item(with_image.id)
    with qtbot.waitSignal(window.controller.notice) as notice:
        window.queue.duplicate_selected()
    assert notice.args == ["A new post, copied from the selected one: change it as you like"]
    composer = window.composer
    assert window.tabs.currentWidget() is composer
    assert composer.text_edit.toPlainText() == "Pastry of the day"
    assert composer.editing is None  # a new post, not an edit
    assert composer.selected_account_ids() == [with_image.account_id]
    assert composer.image_path == with_image.image_path
    composer.clear()
    window.queue.select_item(posted_id)
    window.queue.duplicate_selected()
    assert composer.text_edit.toPlainText() == "Croissants are back" and composer.editing is None


def test_the_menu_key_opens_the_actions_of_the_selected_post(
    qtbot: Any, queue: QueueTab, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    shown: list[tuple[list[str], QPoint]] = []
    monkeypatch.setattr(
        QMenu, "popup", lambda menu, at, *_: shown.append(([a.text() for a in menu.actions() if a.isEnabled()], at))
    )
    make_post(ctx, "Other")
    item = make_post(ctx, "Keyboard only", minutes=120)
    queue.select_item(item.id)
    # The Menu key (or Shift+F10): Qt sends a keyboard context-menu event, its position somewhere in the view.
    QApplication.sendEvent(
        queue.view,
        QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(1, 1), queue.view.mapToGlobal(QPoint(1, 1))),
    )
    assert len(shown) == 1
    labels, at = shown[0]
    assert "&Edit…" in labels and "&Cancel post" in labels
    row_rect = queue.view.visualRect(queue.model.index(queue.model.row_of(item.id) or 0, QueueColumn.POST))
    assert queue.view.viewport().mapFromGlobal(at) == row_rect.center()  # by the selected row
    queue.view.clearSelection()
    QApplication.sendEvent(
        queue.view,
        QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(1, 1), queue.view.mapToGlobal(QPoint(1, 1))),
    )
    assert len(shown) == 1  # nothing selected: no menu


def test_a_row_that_moves_past_the_loaded_rows_comes_back_with_paging(
    qtbot: Any, ctx: Context, connected: list[Account]
) -> None:
    _bulk_items(ctx, connected[0].id, 500)
    model = QueueTableModel(lambda: ctx.reads, ctx.clock.now)
    model.reload()
    first = model.item_at(0)
    assert first is not None and first.status == "scheduled" and model.rowCount() == PAGE_SIZE
    with ctx.store.transaction() as s:  # it went out long ago, as far as the order goes
        s.execute(
            text("UPDATE queue_items SET status = 'posted', scheduled_at = '2020-01-01 00:00:00.000000' WHERE id = :i"),
            {"i": first.id},
        )
    model.refresh_items([first.id])
    assert model.row_of(first.id) is None and model.rowCount() == PAGE_SIZE - 1
    assert model.total == 500  # still there, only not loaded
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 500 and model.row_of(first.id) == 499  # the oldest of all, last
