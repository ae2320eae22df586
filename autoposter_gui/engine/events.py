"""A tiny thread-safe callback hub the runner reports through (the GUI bridges it to Qt signals)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)
INSIGHTS_NOTICE = "insights"  # the NOTICE kind: {"running": bool, "done": int, "total": int}
TOKEN_CHECK = "token_check"  # the NOTICE kind around a token health check: {"running": True}, then False


class Events:
    """Named events with plain-value payloads (ids, counts, dicts). Listeners must be quick and not raise."""

    ITEM_CHANGED = "item_changed"  # (item_id: int)
    ATTEMPT_RECORDED = "attempt_recorded"  # (attempt_id: int)
    TICK_STARTED = "tick_started"  # ()
    TICK_FINISHED = "tick_finished"  # (summary: dict)
    ACCOUNT_CHANGED = "account_changed"  # (account_id: int)
    NOTICE = "notice"  # (kind: str, payload: dict)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, list[Callable[..., None]]] = {}

    def subscribe(self, name: str, callback: Callable[..., None]) -> None:
        with self._lock:
            self._listeners.setdefault(name, []).append(callback)

    def unsubscribe(self, name: str, callback: Callable[..., None]) -> None:
        with self._lock:
            if callback in self._listeners.get(name, []):
                self._listeners[name].remove(callback)

    def emit(self, name: str, *args: Any) -> None:
        with self._lock:
            listeners = list(self._listeners.get(name, ()))
        for callback in listeners:
            try:
                callback(*args)
            except Exception:  # a broken listener must never break publishing
                log.exception("event listener for %s failed", name)

    def emit_each(self, name: str, values: Iterable[Any]) -> None:
        """``emit(name, value)`` for each of ``values``, in order (the listeners looked up once: an import emits
        thousands)."""
        with self._lock:
            listeners = list(self._listeners.get(name, ()))
        if not listeners:
            return
        for value in values:
            for callback in listeners:
                try:
                    callback(value)
                except Exception:  # a broken listener must never break publishing
                    log.exception("event listener for %s failed", name)
