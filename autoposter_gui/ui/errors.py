"""Errors in front of the user: short messages, never a traceback (the log gets the details)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QWidget

from autoposter_gui.domain.errors import AutoposterError

log = logging.getLogger("autoposter_gui.ui")


def user_message(exc: BaseException) -> str:
    """A sentence a user can act on: our own errors say it themselves; anything else stays generic."""
    if isinstance(exc, AutoposterError):
        return str(exc)
    return f"Something unexpected went wrong ({type(exc).__name__}). Details were written to the log."


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox  # its enum types are built on first use: not before the first window

    QMessageBox.warning(parent, title, message)


class ExceptionHook:
    """Replaces sys.excepthook: logs the traceback, shows a short message box (one at a time)."""

    def __init__(self, log_dir: Path | None, parent: Callable[[], QWidget | None] = lambda: None) -> None:
        self.log_dir = log_dir
        self.parent = parent
        self._showing = False
        self._previous: Callable[..., object] | None = None

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook = self._previous
        threading.excepthook = threading.__excepthook__

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log.error(
                "unhandled error in thread %s",
                getattr(args.thread, "name", "?"),
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            )

    def __call__(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QCoreApplication.quit()
            return
        log.error("unhandled error", exc_info=(exc_type, exc, tb))
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() is not app.thread() or self._showing:
            return
        self._showing = True
        try:
            where = f"\n\nThe log is in {self.log_dir}." if self.log_dir else ""
            text = user_message(exc)
            if not isinstance(exc, AutoposterError):
                text = (
                    f"Autoposter ran into an unexpected problem ({exc_type.__name__}). "
                    "Your scheduled posts are safe; you can keep working."
                )
            show_error(self.parent(), "Autoposter", text + where)
        finally:
            self._showing = False
