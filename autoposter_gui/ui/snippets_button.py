"""The Composer's "Insert ▾" button: the saved hashtag groups and snippets, read when its menu opens (the
snippets' engine service and editor load then, not at start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu, QPlainTextEdit, QToolButton, QWidget

if TYPE_CHECKING:
    from autoposter_gui.engine.snippets import SnippetService
    from autoposter_gui.ui.controller import AppController


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
            from autoposter_gui.engine.snippets import SnippetService

            self._service = SnippetService(self.controller.ctx)
        return self._service

    def rebuild(self) -> None:
        from autoposter_gui.engine.snippets import SnippetKind
        from autoposter_gui.ui.snippets import KIND_LABELS

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
        from autoposter_gui.ui.snippets import SnippetsDialog

        SnippetsDialog(self.service, self.window()).exec()
