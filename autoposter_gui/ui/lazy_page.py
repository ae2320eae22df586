"""LazyPage: a tab page whose contents (and their modules) are built the first time it is shown, not at start-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

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
