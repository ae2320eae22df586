"""The Composer's problems: each shown next to its field, all at once, the first one scrolled to and focused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from autoposter_gui.ui.composer_google import in_composer_words

if TYPE_CHECKING:
    from autoposter_gui.ui.composer_tab import ComposerTab


class ProblemDisplay:
    """Puts the core's (field, message) problems under the Composer's fields, and reads them back."""

    def __init__(self, tab: ComposerTab) -> None:
        self.tab = tab

    def clear(self) -> None:
        t = self.tab
        for label in (t.text_error, t.accounts_error, t.image_error, t.when_error, t.form_error):
            label.clear()
        t.extras.comment_error.clear()
        t.extras.link_error.clear()
        t.fit_panel.message.clear()
        t.google.clear_errors()

    def shown(self) -> dict[str, str]:
        """The inline messages shown now, by field (used by tests and accessibility)."""
        t = self.tab
        shown = {
            "text": t.text_error.text(),
            "accounts": t.accounts_error.text(),
            "image": next(
                (m.text() for m in (t.image_error, t.fit_panel.message) if m.kind == "error" and m.text()), ""
            ),
            "when": t.when_error.text(),
            "first_comment": t.extras.comment_error.text() if t.extras.comment_error.kind == "error" else "",
            "link": t.extras.link_error.text() if t.extras.link_error.kind == "error" else "",
            "form": t.form_error.text(),
            **t.google.shown(),  # a Google post's options, by option key (google_type, event_title...)
        }
        return {k: v for k, v in shown.items() if v}

    def show(self, problems: list[tuple[str, str]]) -> None:
        """Every problem at once, each next to its field (several for one field are listed one a line); the
        first problem's field takes the focus."""
        t = self.tab
        # One box for the media; the core's messages say the Google options' flags in the Composer's words.
        problems = [("image" if f == "video" else f, in_composer_words(m)) for f, m in problems]
        by_field: dict[str, list[str]] = {}
        for field, message in problems:
            if message not in by_field.setdefault(field, []):
                by_field[field].append(message)
        image = by_field.pop("image", [])
        shape = t.image_box.ratio_problem()
        if shape is not None and t.fit_panel.isVisible() and t.fit_panel.fit is None and shape in image:
            image.remove(shape)
            t.fit_panel.message.show_message(shape)  # the shape: said once, next to its two fixes
        if image:
            by_field["image"] = image
            t.image_box.preflight.clear()  # the same refusals, said once: under the media, with the others
            t.image_box.limits.clear()
        t.google.show_errors({key: by_field.pop(key) for key in list(by_field) if key in t.google.errors})
        targets = {
            "text": t.text_error,
            "accounts": t.accounts_error,
            "image": t.image_error,
            "when": t.when_error,
            "first_comment": t.extras.comment_error,
            "link": t.extras.link_error,
        }
        for field, messages in by_field.items():
            targets.get(field, t.form_error).show_message("\n".join(messages))
        first = problems[0][0] if problems else ""
        # A Google option's problem: its field and the message under it, scrolled to together.
        first_label = targets.get(first, t.google.rows.get(first))
        if first == "image" and t.fit_panel.message.text():
            first_label = t.fit_panel.message
        body = t.body_scroll.widget()
        if first_label is not None and body is not None and body.isAncestorOf(first_label):
            self.scroll_to(first_label)  # a short window scrolls to the first problem
        focus: QWidget | None = {
            "text": t.text_edit,
            "image": t.fit_panel.pad_button if t.fit_panel.message.text() else t.choose_button,
            "when": t.when_edit,
            "first_comment": t.comment_edit,
            "link": t.link_edit,
            **t.google.inputs,
        }.get(first)
        if focus is not None:
            focus.setFocus()

    def scroll_to(self, widget: QWidget) -> None:
        """Scroll ``widget`` wholly into sight once the messages just shown have their wrapped height (scrolling at
        once used the old, one-line height and cut the message's last lines off)."""

        t = self.tab

        def scroll() -> None:
            if shiboken6.isValid(widget) and widget.isVisible():
                t.body_scroll.ensureWidgetVisible(widget, 0, 8)

        body = t.body_scroll.widget()
        layout = body.layout() if body is not None else None
        if layout is not None:
            layout.activate()
        scroll()
        QTimer.singleShot(0, scroll)
