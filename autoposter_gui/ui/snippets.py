"""Saved hashtag groups and text snippets: the editor Settings and the Composer's "Insert ▾ Manage…" open."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.engine.snippets import Snippet, SnippetKind, SnippetService
from autoposter_gui.ui.snippets_button import SnippetsButton, insert_snippet
from autoposter_gui.ui.widgets import MessageLabel, secondary

__all__ = ["KIND_LABELS", "SnippetsButton", "SnippetsDialog", "insert_snippet"]

KIND_LABELS = {SnippetKind.HASHTAGS: "Hashtag group", SnippetKind.TEXT: "Text snippet"}


class SnippetsDialog(QDialog):
    """A table of the saved snippets: kind, name, text; checked and saved all at once on OK."""

    def __init__(self, service: SnippetService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setWindowTitle("Hashtag groups and snippets")
        self.resize(640, 360)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(("Kind", "Name", "Text"))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_button = QPushButton("&Add", self)
        self.remove_button = QPushButton("&Remove", self)
        self.error = MessageLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(secondary("Hashtag groups hold only hashtags (#bakery #fresh); snippets any text.", self))
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.add_button.clicked.connect(lambda: self.add_row(Snippet(SnippetKind.HASHTAGS, "", "")))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for snippet in service.all():
            self.add_row(snippet)

    def add_row(self, snippet: Snippet) -> None:
        n = self.table.rowCount()
        self.table.insertRow(n)
        kind = QComboBox(self.table)
        for value, label in KIND_LABELS.items():
            kind.addItem(label, value.value)
        kind.setCurrentIndex(list(KIND_LABELS).index(snippet.kind))
        self.table.setCellWidget(n, 0, kind)
        self.table.setItem(n, 1, QTableWidgetItem(snippet.name))
        self.table.setItem(n, 2, QTableWidgetItem(snippet.text))

    def remove_selected(self) -> None:
        for index in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(index)

    def snippets(self) -> list[Snippet]:
        found: list[Snippet] = []
        for n in range(self.table.rowCount()):
            kind = self.table.cellWidget(n, 0)
            name, text = self.table.item(n, 1), self.table.item(n, 2)
            value = kind.currentData() if isinstance(kind, QComboBox) else SnippetKind.TEXT.value
            found.append(Snippet(SnippetKind(value), name.text() if name else "", text.text() if text else ""))
        return found

    def accept(self) -> None:
        try:
            self.service.save(self.snippets())
        except AutoposterError as exc:
            self.error.show_message(str(exc))
            return
        super().accept()
