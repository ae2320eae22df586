"""The signal bridge: engine events raised on runner threads reach GUI-thread views as queued Qt signals."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, QThread, Slot
from PySide6.QtWidgets import QApplication

from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.activity_model import ActivityColumn
from autoposter_gui.ui.bridge import EngineBridge
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.queue_model import QueueColumn
from tests.gui.helpers import make_post


class _Recorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.threads: list[QThread] = []
        self.values: list[Any] = []

    @Slot(int)
    def on_item(self, item_id: int) -> None:
        self.threads.append(QThread.currentThread())
        self.values.append(item_id)


def test_events_from_a_worker_thread_arrive_on_the_gui_thread(qtbot: Any, ctx: Context) -> None:
    bridge = EngineBridge(ctx.events)
    recorder = _Recorder()
    bridge.item_changed.connect(recorder.on_item)
    with qtbot.waitSignal(bridge.item_changed) as blocker:
        worker = threading.Thread(target=ctx.events.emit, args=(Events.ITEM_CHANGED, 7))
        worker.start()
        worker.join()
    assert blocker.args == [7]
    qtbot.waitUntil(lambda: recorder.values == [7])
    app = QApplication.instance()
    assert app is not None and recorder.threads == [app.thread()]
    with qtbot.waitSignal(bridge.tick_finished) as tick:
        threading.Thread(target=ctx.events.emit, args=(Events.TICK_FINISHED, {"processed": 1})).start()
    assert tick.args == [{"processed": 1}]
    bridge.detach()
    ctx.events.emit(Events.ITEM_CHANGED, 8)
    assert recorder.values == [7]


def test_runner_thread_updates_queue_activity_and_status_bar(
    qtbot: Any,
    window: MainWindow,
    ctx: Context,
    controller: AppController,
    connected: list[Account],
    real_scheduler: Any,
) -> None:
    """A real publish on the scheduler thread: the views follow through the bridge's signals."""
    qtbot.waitUntil(lambda: real_scheduler.state.last_tick_at is not None, timeout=10_000)  # the start-up tick
    item = make_post(ctx, "From the runner thread", minutes=0)
    assert window.queue.model.index(0, QueueColumn.STATUS).data() == "Scheduled"
    with qtbot.waitSignal(controller.bridge.tick_finished, timeout=15_000) as tick:
        controller.run_now()
    assert tick.args[0]["succeeded"] == 1
    qtbot.waitUntil(lambda: window.queue.model.index(0, QueueColumn.STATUS).data() == "Posted")
    posted = ctx.repo.item(item.id)
    assert posted is not None and posted.permalink
    qtbot.waitUntil(lambda: window.activity.model.index(0, ActivityColumn.LINK).data() == "View Post →")
    assert window.activity.model.index(0, ActivityColumn.OUTCOME).data() == "Posted"
    assert window.status.scheduler_label.text.text() == "Scheduler running"
    assert window.status.last_tick_label.text().startswith("Last check: ")
    assert window.status.next_due_label.text() == "No posts scheduled"
