"""The Qt signal bridge: engine events (raised on runner threads) become signals delivered on the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal
from shiboken6 import isValid

from autoposter_gui.engine.events import Events


class EngineBridge(QObject):
    """Created on the GUI thread. Engine callbacks emit from any thread; Qt queues delivery to GUI-thread slots.

    Signals carry plain values only (ids and counts); views re-query what they show by id.

    ``items_changed``/``attempts_recorded`` carry the same ids in batches: raised on the GUI thread they are
    delivered at once; from runner threads they are gathered and delivered every ``BATCH_MS``, so a view re-reads
    a burst of changes with one query instead of one per event.
    """

    BATCH_MS = 100

    item_changed = Signal(int)
    attempt_recorded = Signal(int)
    items_changed = Signal(list)
    attempts_recorded = Signal(list)
    _wake = Signal()
    tick_started = Signal()
    tick_finished = Signal(dict)
    account_changed = Signal(int)
    notice = Signal(str, dict)  # (kind, payload): "missed" {"ids", "count"}, "token_attention" {...}

    def __init__(self, events: Events, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events = events
        self._lock = threading.Lock()
        self._pending_items: dict[int, None] = {}
        self._pending_attempts: dict[int, None] = {}
        self._flush_scheduled = False
        # Queued from runner threads, so the timer starts on ours. A one-shot timer rather than a child QTimer:
        # the bridge's last reference may go on a runner thread, and a child timer can't be stopped from there.
        self._wake.connect(self._start_flush_timer)
        self._subscriptions: list[tuple[str, Any]] = [
            (Events.ITEM_CHANGED, self._on_item_changed),
            (Events.ATTEMPT_RECORDED, self._on_attempt_recorded),
            (Events.TICK_STARTED, self._on_tick_started),
            (Events.TICK_FINISHED, self._on_tick_finished),
            (Events.ACCOUNT_CHANGED, self._on_account_changed),
            (Events.NOTICE, self._on_notice),
        ]
        for name, callback in self._subscriptions:
            events.subscribe(name, callback)

    def detach(self) -> None:
        """Stop listening (call before the bridge is destroyed)."""
        for name, callback in self._subscriptions:
            self._events.unsubscribe(name, callback)
        self._subscriptions = []

    # These run on whichever thread raised the event: they only emit.
    def _on_item_changed(self, item_id: int) -> None:
        self.item_changed.emit(int(item_id))
        if self._on_own_thread():
            self.items_changed.emit([int(item_id)])
        else:
            self._gather(self._pending_items, int(item_id))

    def _on_attempt_recorded(self, attempt_id: int) -> None:
        self.attempt_recorded.emit(int(attempt_id))
        if self._on_own_thread():
            self.attempts_recorded.emit([int(attempt_id)])
        else:
            self._gather(self._pending_attempts, int(attempt_id))

    def _on_own_thread(self) -> bool:
        return QThread.currentThread() is self.thread()

    def _gather(self, pending: dict[int, None], value: int) -> None:
        with self._lock:
            pending[value] = None
            if self._flush_scheduled:
                return
            self._flush_scheduled = True
        self._wake.emit()

    def _start_flush_timer(self) -> None:
        QTimer.singleShot(self.BATCH_MS, self.flush)

    def flush(self) -> None:
        """Deliver the ids gathered from runner threads (GUI thread)."""
        if not isValid(self):  # the timer outlived the bridge
            return
        with self._lock:
            items, attempts = list(self._pending_items), list(self._pending_attempts)
            self._pending_items.clear()
            self._pending_attempts.clear()
            self._flush_scheduled = False
        if items:
            self.items_changed.emit(items)
        if attempts:
            self.attempts_recorded.emit(attempts)

    def _on_tick_started(self) -> None:
        self.tick_started.emit()

    def _on_tick_finished(self, summary: dict[str, Any]) -> None:
        self.tick_finished.emit(dict(summary))

    def _on_account_changed(self, account_id: int) -> None:
        self.account_changed.emit(int(account_id))

    def _on_notice(self, kind: str, payload: dict[str, Any]) -> None:
        self.notice.emit(str(kind), dict(payload))
