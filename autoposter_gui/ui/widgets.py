"""Small shared widgets: inline message labels, headings, empty-tab states, and keeping numbers on one line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, TypeVar

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.ui import icons

Column = TypeVar("Column", bound=int)
NBSP = "\u00a0"
# A number and the word on each side of it ("at most 2,200 characters", "has 2,201"): wrapped as one piece.
_NUMBER_RE = re.compile(r"(?<=\S) (?=[\d.,]*\d)|(?<=\d) (?=\S)")


def keep_together(text: str) -> str:
    """``text`` as one unbreakable piece for word wrap: non-breaking spaces, and a word joiner after each hyphen
    (``@-mentions``)."""
    return text.replace(" ", NBSP).replace("-", "-\u2060")


def glue_numbers(text: str) -> str:
    """``text`` with each number joined to the words next to it by non-breaking spaces, so word wrap never
    leaves a number (``2,200``) alone at the start or end of a line."""
    return _NUMBER_RE.sub(NBSP, text)


def read_only_table(
    parent: QWidget, model: QAbstractItemModel, widths: Mapping[Column, int], *, row_padding: int = 12
) -> QTableView:
    """A list-style table: whole-row single selection, no editing or grid, left-aligned headers, given widths."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(parent.fontMetrics().height() + row_padding)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in widths.items():
        view.setColumnWidth(column, width)
    return view


class MessageLabel(QWidget):
    """An inline message with an icon; hidden while empty. ``kind`` is ``error``, ``warning`` or ``hint``."""

    COLORS: ClassVar[dict[str, str]] = {"error": icons.RED, "warning": "#b06000", "hint": icons.INK}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.icon = QLabel(self)
        self.icon.setFixedSize(16, 16)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.kind = "error"
        self.hide()

    def text(self) -> str:
        """The message shown (with plain spaces), or "" when hidden."""
        return "" if self.isHidden() else self.label.text().replace(NBSP, " ")

    def show_message(self, text: str, kind: str = "error") -> None:
        if not text:
            self.clear()
            return
        self.kind = kind
        self.label.setText(glue_numbers(text))
        self.label.setStyleSheet(f"color: {self.COLORS.get(kind, icons.INK)};")
        icon = icons.error_icon() if kind == "error" else icons.warning_icon() if kind == "warning" else None
        if icon is not None:
            self.icon.setPixmap(icon.pixmap(16, 16))
            self.icon.show()
        else:
            self.icon.clear()
            self.icon.hide()
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.hide()


class EmptyState(QWidget):
    """What a tab shows instead of an empty table: its icon, a title, a line of text and, optionally, a button
    (hidden without ``button``).

    ``above``/``below`` are the stretch factors that place it vertically.
    """

    def __init__(
        self,
        tab: str,
        title: str,
        text: str,
        parent: QWidget | None = None,
        *,
        button: str | None = None,
        above: int = 2,
        below: int = 3,
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(above)
        self.icon = QLabel(self)
        self.icon.setPixmap(icons.tab_icon(tab).pixmap(64, 64))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = heading(title, self, scale=1.3)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = secondary(text, self)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.icon, self.title, self.text):
            layout.addWidget(widget)
        self.button = QPushButton(button or "", self)
        if button is None:
            self.button.hide()
        else:
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.button)
            row.addStretch(1)
            layout.addSpacing(8)
            layout.addLayout(row)
        layout.addStretch(below)


def heading(text: str, parent: QWidget | None = None, *, scale: float = 1.15) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def secondary(text: str, parent: QWidget | None = None) -> QLabel:
    """A muted explanatory line."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {icons.INK};")
    return label


def separator(parent: QWidget | None = None) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line
