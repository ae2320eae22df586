"""What the Connect wizard's pages share: secret fields, links that open in the browser, masked stored values."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from autoposter_gui.ui.widgets import secondary

MASK = "••••••"


def masked(value: str | None) -> str:
    """A stored secret as the owner may see it: only its last 4 characters, and only when it is long."""
    if not value:
        return ""
    return MASK + value[-4:] if len(value) >= 8 else MASK


def secret_field(parent: QWidget, placeholder: str) -> QLineEdit:
    """A masked line edit with a Show/Hide toggle."""
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    toggle = QAction("Show", edit)
    toggle.setCheckable(True)
    toggle.setToolTip("Show or hide what you typed")

    def flip(shown: bool) -> None:
        edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        toggle.setText("Hide" if shown else "Show")

    toggle.toggled.connect(flip)
    edit.addAction(toggle, QLineEdit.ActionPosition.TrailingPosition)
    return edit


def link_label(html: str, parent: QWidget) -> QLabel:
    """Explanatory text with links; links open in the owner's browser (through QDesktopServices)."""
    label = secondary(html, parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    label.setOpenExternalLinks(False)
    label.linkActivated.connect(lambda link: QDesktopServices.openUrl(QUrl(link)))
    return label


def link_button(text: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setFlat(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setStyleSheet("QPushButton { color: palette(link); text-decoration: underline; border: 0; padding: 2px; }")
    return button


class Page(QWidget):
    """A wizard page: a column without margins (the dialog has them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)


def copy_row(value: str, parent: QWidget, tip: str) -> tuple[QHBoxLayout, QLineEdit, QPushButton]:
    """A read-only value the owner copies elsewhere, with a Copy button (the clipboard, not the keyboard)."""
    row = QHBoxLayout()
    shown = QLineEdit(value, parent)
    shown.setReadOnly(True)
    shown.setToolTip(tip)
    button = QPushButton("&Copy", parent)
    button.setAutoDefault(False)  # Enter stays the wizard's Next
    button.setToolTip(tip)

    def copy() -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(shown.text())
        button.setText("Copied ✓")

    button.clicked.connect(copy)
    row.addWidget(shown, 1)
    row.addWidget(button)
    return row, shown, button
