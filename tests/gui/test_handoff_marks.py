"""Meta's scheduler in the GUI: the Queue's "Held by Meta" mark, and the composer's computer-off note."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt

from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostService
from autoposter_gui.engine.runner import Runner, runner_lock
from autoposter_gui.engine.settings import SettingsService
from autoposter_gui.storage.models import Account
from autoposter_gui.ui import fmt
from autoposter_gui.ui.composer_tab import ComposerTab
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.queue_model import QueueColumn
from autoposter_gui.ui.queue_tab import QueueTab
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, account_id, make_post


def _row_of(tab: QueueTab, item_id: int) -> int:
    row = tab.model.row_of(item_id)
    assert row is not None
    return row


def _held_and_local(ctx: Context, sandbox: Any) -> tuple[int, int]:
    """Two posts after one tick: the one due in an hour handed off to Meta, the one due in 5 minutes kept."""
    sandbox.set_clock(ctx.clock.now())
    held = make_post(ctx, "Handed off", minutes=60).id
    local = make_post(ctx, "Kept local", minutes=5).id
    Runner(ctx).run_due()
    return held, local


def test_queue_shows_held_by_meta_and_a_pending_change(
    qtbot: Any, controller: AppController, connected: list[Account], ctx: Context, sandbox: Any
) -> None:
    held, local = _held_and_local(ctx, sandbox)
    tab = QueueTab(controller)
    qtbot.addWidget(tab)
    tab.model.reload()
    status = tab.model.index(_row_of(tab, held), QueueColumn.STATUS)
    assert status.data() == "Held by Meta"
    assert "even with this computer off" in status.data(Qt.ItemDataRole.ToolTipRole)
    assert tab.model.index(_row_of(tab, held), QueueColumn.NEXT_ATTEMPT).data() == "Meta publishes it"
    assert tab.model.index(_row_of(tab, local), QueueColumn.STATUS).data() == "Scheduled"
    with runner_lock(ctx.config):  # the app is busy: the cancel waits for the next tick
        PostService(ctx).cancel(held)
    tab.model.refresh_item(held)
    status = tab.model.index(_row_of(tab, held), QueueColumn.STATUS)
    assert status.data() == "Held by Meta"
    assert tab.model.index(_row_of(tab, held), QueueColumn.NEXT_ATTEMPT).data() == "Cancel pending"
    assert "the cancel is still to be sent to Meta" in status.data(Qt.ItemDataRole.ToolTipRole)


def test_composer_says_what_goes_out_with_this_computer_off(qtbot: Any, composer: ComposerTab, ctx: Context) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)])
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now() + timedelta(hours=2))))
    note = composer.footer.handoff_note
    assert not note.isHidden()
    assert "Goes out with this computer off, through Meta's scheduler: Facebook Page" in note.text()
    assert "Needs this computer on at its time: Instagram" in note.text()
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now() + timedelta(minutes=5))))
    assert "Goes out with this computer off" not in note.text()  # too soon for Meta's scheduler
    SettingsService(ctx).set("handoff", "off")
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now() + timedelta(hours=3))))
    assert "Goes out with this computer off" not in note.text()
    composer.set_selected_accounts([])
    assert note.isHidden()


def test_the_gui_leaves_meta_calls_to_the_scheduler_thread(
    qtbot: Any, controller: AppController, fake_scheduler: Any, connected: list[Account], ctx: Context, sandbox: Any
) -> None:
    """A cancel from the GUI records the change and wakes the scheduler; the GUI thread calls no Meta."""
    sandbox.set_clock(ctx.clock.now())
    held = make_post(ctx, "Cancel me from the GUI", minutes=60).id
    Runner(ctx).run_due()
    calls = len(sandbox.state()["calls"])
    controller.posts.cancel(held)
    qtbot.waitUntil(lambda: fake_scheduler.run_now_calls == 1)
    item = ctx.repo.item(held)
    assert item is not None and item.status == "scheduled" and item.handoff_change == {"op": "cancel"}
    assert len(sandbox.state()["calls"]) == calls  # nothing sent from the GUI thread
    Runner(ctx).run_due()  # the scheduler thread's tick sends it
    item = ctx.repo.item(held)
    assert item is not None and item.status == "canceled" and sandbox.state()["scheduled_posts"] == []


def test_the_calendar_marks_a_post_held_by_meta(
    qtbot: Any, controller: AppController, connected: list[Account], ctx: Context, sandbox: Any
) -> None:
    from autoposter_gui.ui.calendar_tab import CalendarTab

    held, local = _held_and_local(ctx, sandbox)
    tab = CalendarTab(controller)
    qtbot.addWidget(tab)
    tab.resize(1200, 1300)
    tab.show()
    qtbot.waitExposed(tab)
    tab.go_to(fmt.naive_local(ctx.clock.now()).date())
    held_center, local_center = tab.view.chip_center(held), tab.view.chip_center(local)
    assert held_center is not None and local_center is not None
    assert "Held by Meta: Meta publishes it, even with this computer off" in (tab.view.tooltip_at(held_center) or "")
    assert "Held by Meta" not in (tab.view.tooltip_at(local_center) or "")
