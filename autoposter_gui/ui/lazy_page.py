"""LazyPage: a tab page whose contents (and their modules) are built the first time it is shown, not at start-up;
LazyTabs: the tab widget that shows callers those contents in its place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

W = TypeVar("W", bound=QWidget)


class LazyPage(QWidget, Generic[W]):
    """Stands in a QTabWidget for a tab whose contents are costly to build: they are built by ``build`` (given this
    page as their parent) when the page is first shown, or when the code first asks for them (:meth:`content`),
    and fill it edge to edge, so that the tab looks and behaves as if it had been there from the start."""

    def __init__(self, build: Callable[[QWidget], W], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build: Callable[[QWidget], W] | None = build
        self._content: W | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._content is not None

    def content(self) -> W:
        """The contents, built now if they were not yet."""
        if self._content is None:
            assert self._build is not None
            build, self._build = self._build, None
            self._content = build(self)
            self._layout.addWidget(self._content)
            if self.isVisible():  # shown at once, in the frame that shows the page (not a frame later)
                self._content.show()
        return self._content

    def showEvent(self, event: QShowEvent) -> None:
        self.content()
        super().showEvent(event)


class LazyTabs(QTabWidget):
    """A QTabWidget whose Python callers see each LazyPage's contents in its place: ``currentWidget()``,
    ``widget(i)``, ``indexOf(contents)`` and ``setCurrentWidget(contents)`` work with the tab's real widget, as
    if it had been added itself (the current page's contents are built when asked for: it is on screen, or about
    to be)."""

    def currentWidget(self) -> QWidget:
        return _contents(super().currentWidget())

    def widget(self, index: int) -> QWidget | None:
        found = super().widget(index)
        return None if found is None else _contents(found)

    def indexOf(self, widget: QWidget) -> int:
        return super().indexOf(_page_of(widget))

    def setCurrentWidget(self, widget: QWidget) -> None:
        super().setCurrentWidget(_page_of(widget))


def _contents(widget: QWidget) -> QWidget:
    return widget.content() if isinstance(widget, LazyPage) else widget


def _page_of(widget: QWidget) -> QWidget:
    parent = widget.parentWidget()
    return parent if isinstance(parent, LazyPage) and parent.built and parent.content() is widget else widget
