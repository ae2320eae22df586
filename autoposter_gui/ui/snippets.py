"""Saved hashtag groups and text snippets: the Composer's "Insert" menu and the editor Settings opens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.engine.snippets import Snippet, SnippetKind, SnippetService
from autoposter_gui.ui.widgets import MessageLabel, secondary

if TYPE_CHECKING:
    from autoposter_gui.ui.controller import AppController

KIND_LABELS = {SnippetKind.HASHTAGS: "Hashtag group", SnippetKind.TEXT: "Text snippet"}


def insert_snippet(editor: QPlainTextEdit, text: str) -> None:
    """Insert at the cursor, with a space (or, for a block, a line) between it and the text around."""
    cursor = editor.textCursor()
    before = editor.toPlainText()[: cursor.position()]
    gap = "" if not before or before[-1].isspace() else ("\n" if "\n" in text else " ")
    cursor.insertText(gap + text)
    editor.setTextCursor(cursor)
    editor.setFocus()


class SnippetsButton(QToolButton):
    """ "Insert ▾": the saved hashtag groups and snippets, each inserted with a click; "Manage…" edits them."""

    def __init__(self, controller: AppController, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._service: SnippetService | None = None
        self.editor = editor
        self.setText("Insert")
        self.setToolTip("Insert a saved hashtag group or text snippet (manage them in Settings)")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.menu().aboutToShow.connect(self.rebuild)  # read when opened: nothing read at start-up

    @property
    def service(self) -> SnippetService:
        """The saved snippets, through the engine: made when first needed (the first window has no engine yet)."""
        if self._service is None:
            self._service = SnippetService(self.controller.ctx)
        return self._service

    def rebuild(self) -> None:
        menu = self.menu()
        menu.clear()
        snippets = self.service.all()
        for kind in SnippetKind:
            mine = [s for s in snippets if s.kind is kind]
            if mine:
                menu.addSection(KIND_LABELS[kind] + "s")
            for snippet in mine:
                action = menu.addAction(snippet.name)
                action.setToolTip(snippet.text)
                action.triggered.connect(lambda _c=False, text=snippet.text: insert_snippet(self.editor, text))
        if not snippets:
            menu.addAction("No saved snippets yet").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Manage…").triggered.connect(self.manage)

    def manage(self) -> None:
        SnippetsDialog(self.service, self.window()).exec()


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
