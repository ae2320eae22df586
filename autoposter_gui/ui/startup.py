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
    first click); the pointer shows it is busy meanwhile. Nothing is disabled, so nothing greys out and back."""

    def __init__(self, window: QWidget, controller: AppController) -> None:
        super().__init__(controller)
        self._window = window
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        controller.engine_ready.connect(self.release)
        self._held = True

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Shortcut:  # delivered to the action, not to a widget of the window
            return True
        return bool(kind in HELD and isinstance(obj, QWidget) and obj.window() is self._window)

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        QGuiApplication.restoreOverrideCursor()


def hold_input_until_ready(window: QWidget, controller: AppController) -> HeldInput | None:
    """Hold ``window``'s input until ``controller`` has its engine (its ``engine_ready`` signal); None when it
    already has. ``release()`` lets go early (the engine did not open: the window is going away)."""
    return None if controller.ready else HeldInput(window, controller)
