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
    """Lives on the GUI thread as long as its runner; workers emit through it (job id, outcome), so delivery is
    queued to the GUI thread. One carrier for every job: no QObject is created on one thread and deleted on
    another while a worker may still hold it (a per-job carrier deleted after delivery could crash under load)."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], carrier: _Carrier, job_id: int) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._carrier = carrier
        self._id = job_id

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # reported to the GUI thread, never lost on the worker
            if not isinstance(exc, AutoposterError):
                log.exception("background task failed")
            self._carrier.failed.emit(self._id, exc)
            return
        self._carrier.succeeded.emit(self._id, result)


class TaskRunner(QObject):
    """Runs blocking calls (HTTP, keyring) off the GUI thread; callbacks run on the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._carrier = _Carrier(self)
        self._carrier.succeeded.connect(self._delivered)
        self._carrier.failed.connect(self._errored)
        self._pending: dict[int, tuple[Success | None, Failure | None]] = {}
        self._next_id = 0

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def submit(self, fn: Callable[[], Any], on_success: Success | None = None, on_error: Failure | None = None) -> None:
        self._next_id += 1
        self._pending[self._next_id] = (on_success, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Job(fn, self._carrier, self._next_id))

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every running job is done (used at shutdown and in tests)."""
        return bool(self.pool.waitForDone(msecs))

    def _finish(self, job_id: int) -> tuple[Success | None, Failure | None]:
        callbacks = self._pending.pop(job_id, (None, None))
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(int, object)
    def _delivered(self, job_id: int, result: Any) -> None:
        on_success, _ = self._finish(job_id)
        if on_success is not None:
            on_success(result)

    @Slot(int, object)
    def _errored(self, job_id: int, exc: BaseException) -> None:
        _, on_error = self._finish(job_id)
        if on_error is not None:
            on_error(exc)
        else:
            log.error("background task failed without a handler: %s", type(exc).__name__)
