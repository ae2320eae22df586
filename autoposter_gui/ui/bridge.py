"""The Qt signal bridge: engine events (raised on runner threads) become signals delivered on the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from autoposter_gui.engine.events import Events


class EngineBridge(QObject):
    """Created on the GUI thread. Engine callbacks emit from any thread; Qt queues delivery to GUI-thread slots.

    Signals carry plain values only (ids and counts); views re-query what they show by id.
    """

    item_changed = Signal(int)
    attempt_recorded = Signal(int)
    tick_started = Signal()
    tick_finished = Signal(dict)
    account_changed = Signal(int)
    notice = Signal(str, dict)  # (kind, payload): "missed" {"ids", "count"}, "token_attention" {...}

    def __init__(self, events: Events, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events = events
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

    def _on_attempt_recorded(self, attempt_id: int) -> None:
        self.attempt_recorded.emit(int(attempt_id))

    def _on_tick_started(self) -> None:
        self.tick_started.emit()

    def _on_tick_finished(self, summary: dict[str, Any]) -> None:
        self.tick_finished.emit(dict(summary))

    def _on_account_changed(self, account_id: int) -> None:
        self.account_changed.emit(int(account_id))

    def _on_notice(self, kind: str, payload: dict[str, Any]) -> None:
        self.notice.emit(str(kind), dict(payload))
