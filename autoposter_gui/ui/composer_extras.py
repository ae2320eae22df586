"""The Composer's first-comment and link fields, each with its live problems from the core's rules."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from autoposter_gui.domain.models import Platform
from autoposter_gui.domain.validation import comment_problems, is_blank, link_problems
from autoposter_gui.ui.composer_networks import comment_reason, link_reason
from autoposter_gui.ui.widgets import MessageLabel

LINK_FOR_FACEBOOK_ONLY = link_reason({Platform.INSTAGRAM})


class PostExtras(QWidget):
    """ "First comment" (not for X or Google) and "Link" (Facebook only: enabled while only Facebook Pages are
    ticked, or while it holds a link, so that its problem can be read and the link removed)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comment_edit = QPlainTextEdit(self)
        self.comment_edit.setPlaceholderText("Posted as the first comment, right after the post (e.g. hashtags)")
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setFixedHeight(self.comment_edit.fontMetrics().lineSpacing() * 3 + 12)
        comment_label = QLabel("First &comment:", self)
        comment_label.setBuddy(self.comment_edit)
        self.comment_error = MessageLabel(self)
        self.link_edit = QLineEdit(self)
        self.link_edit.setPlaceholderText("https://… (Facebook shows a preview card of the page)")
        self.link_edit.setClearButtonEnabled(True)
        link_label = QLabel("&Link:", self)
        link_label.setBuddy(self.link_edit)
        self.link_error = MessageLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(comment_label)
        layout.addWidget(self.comment_edit)
        layout.addWidget(self.comment_error)
        layout.addWidget(link_label)
        layout.addWidget(self.link_edit)
        layout.addWidget(self.link_error)
        QWidget.setTabOrder(self.comment_edit, self.link_edit)
        self.comment_edit.textChanged.connect(self.changed)
        self.link_edit.textChanged.connect(self.changed)

    def first_comment(self) -> str | None:
        text = self.comment_edit.toPlainText()
        return None if is_blank(text) else text

    def link(self) -> str | None:
        return self.link_edit.text().strip() or None

    def update_for(self, platforms: set[Platform], has_media: bool) -> None:
        """Enable the link for Facebook-only posts and the first comment for networks that take one (each stays on
        while it holds text, so that its problem can be read and the text removed); say why one is off, and show
        each field's problems as they appear."""
        link, comment = self.link(), self.first_comment()
        link_off, comment_off = link_reason(platforms), comment_reason(platforms)
        self.link_edit.setEnabled(not link_off or link is not None)
        self.comment_edit.setEnabled(not comment_off or comment is not None)
        problems = [str(p) for p in comment_problems(comment, platforms)]
        if problems:
            self.comment_error.show_message("\n".join(problems))
        elif comment_off:
            self.comment_error.show_message(comment_off, "hint" if comment is None else "warning")
        else:
            self.comment_error.clear()
        if link is not None:
            problems = [str(p) for p in link_problems(link, platforms, has_media=has_media)]
            if problems:
                self.link_error.show_message("\n".join(problems))
            elif link_off:
                self.link_error.show_message(link_off, "warning")
            else:
                self.link_error.clear()
        elif link_off:
            self.link_error.show_message(link_off, "hint")
        else:
            self.link_error.clear()

    def set_editable(self, editable: bool) -> None:
        self.comment_edit.setReadOnly(not editable)
        self.link_edit.setReadOnly(not editable)

    def clear(self) -> None:
        self.comment_edit.clear()
        self.link_edit.clear()
