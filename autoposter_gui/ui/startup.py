"""The moment between the first window (filled from the quick start-up read) and the open engine: input is held."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from autoposter_gui.ui.controller import AppController

# What acts on the window (clicks, keys, drops); painting, resizing, hovering and scrolling go on as usual.
HELD = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.Shortcut,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Drop,
        QEvent.Type.ContextMenu,
    }
)


class HeldInput(QObject):
    """Swallows the window's input events until the engine is open (usually a few hundred ms, under the user's
    first click); the pointer shows it is busy meanwhile. Nothing is disabled, so nothing greys out and back.

    Until the window's first frame only its own QWindow is watched: the window system's clicks, keys and drops reach
    its widgets through it, while the thousands of events that lay out and paint that frame need not go through
    Python (an application-wide filter cost ~20 ms of start-up). From the first frame (:meth:`hold_everywhere`)
    the filter is application-wide: it also holds shortcuts and events sent to a widget directly."""

    def __init__(self, window: QWidget, controller: AppController) -> None:
        super().__init__(controller)
        self._window = window
        self._handle: QObject | None = window.windowHandle()
        self._everywhere = False
        self._held = True
        if self._handle is None:  # not shown yet: no window of its own to watch
            self.hold_everywhere()
        else:
            self._handle.installEventFilter(self)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        controller.engine_ready.connect(self.release)

    def hold_everywhere(self) -> None:
        """Watch every event of the application from now on (called once the window has painted)."""
        if self._everywhere or not self._held:
            return
        self._everywhere = True
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        if self._handle is not None:
            self._handle.removeEventFilter(self)

    @property
    def everywhere(self) -> bool:
        return self._everywhere

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Shortcut:  # delivered to the action, not to a widget of the window
            return True
        if kind not in HELD:
            return False
        return obj is self._handle or (isinstance(obj, QWidget) and obj.window() is self._window)

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        app = QApplication.instance()
        if app is not None and self._everywhere:
            app.removeEventFilter(self)
        if self._handle is not None and not self._everywhere:
            self._handle.removeEventFilter(self)
        QGuiApplication.restoreOverrideCursor()


def hold_input_until_ready(window: QWidget, controller: AppController) -> HeldInput | None:
    """Hold ``window``'s input until ``controller`` has its engine (its ``engine_ready`` signal); None when it
    already has. ``release()`` lets go early (the engine did not open: the window is going away)."""
    return None if controller.ready else HeldInput(window, controller)
