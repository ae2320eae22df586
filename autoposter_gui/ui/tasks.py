"""Background work for the GUI: run a blocking call on a thread pool, get the result back on the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from autoposter_gui.domain.errors import AutoposterError

log = logging.getLogger(__name__)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]


class _Carrier(QObject):
    """Lives on the GUI thread; the worker emits through it, so delivery is queued to the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], carrier: _Carrier) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._carrier = carrier

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # reported to the GUI thread, never lost on the worker
            if not isinstance(exc, AutoposterError):
                log.exception("background task failed")
            self._carrier.failed.emit(exc)
            return
        self._carrier.succeeded.emit(result)


class TaskRunner(QObject):
    """Runs blocking calls (HTTP, keyring) off the GUI thread; callbacks run on the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._pending: dict[_Carrier, tuple[Success | None, Failure | None]] = {}

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def submit(self, fn: Callable[[], Any], on_success: Success | None = None, on_error: Failure | None = None) -> None:
        carrier = _Carrier(self)
        self._pending[carrier] = (on_success, on_error)
        carrier.succeeded.connect(self._delivered)
        carrier.failed.connect(self._errored)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Job(fn, carrier))

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every running job is done (used at shutdown and in tests)."""
        return bool(self.pool.waitForDone(msecs))

    def _finish(self, carrier: QObject | None) -> tuple[Success | None, Failure | None]:
        callbacks = self._pending.pop(carrier, (None, None)) if isinstance(carrier, _Carrier) else (None, None)
        if isinstance(carrier, _Carrier):
            carrier.deleteLater()
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(object)
    def _delivered(self, result: Any) -> None:
        on_success, _ = self._finish(self.sender())
        if on_success is not None:
            on_success(result)

    @Slot(object)
    def _errored(self, exc: BaseException) -> None:
        _, on_error = self._finish(self.sender())
        if on_error is not None:
            on_error(exc)
        else:
            log.error("background task failed without a handler: %s", type(exc).__name__)
