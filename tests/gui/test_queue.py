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

STATUS_CYCLE = ("scheduled", "posted", "failed", "queued", "canceled")


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
    model = QueueTableModel(lambda: ctx.repo, ctx.clock.now)
    started = time.perf_counter()
    model.reload()
    assert time.perf_counter() - started < 1.0
    assert model.total == 100_000
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    assert model.index(0, QueueColumn.POST).data() == "Post number 99999"  # newest first
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
    assert _cell(queue, 0, QueueColumn.POST) == "sooner"  # newest first by default
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
