"""The Composer's caption editor: the text, a live per-platform counter, and the text's problems as they appear."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from autoposter_gui.domain.models import Platform
from autoposter_gui.domain.validation import (
    IG_MAX_HASHTAGS,
    IG_MAX_MENTIONS,
    char_limit,
    count_hashtags,
    count_mentions,
    is_blank,
    text_problems,
)
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.composer_networks import NAMES, network_counts
from autoposter_gui.ui.widgets import MessageLabel, keep_together


def counter_parts(text: str, platforms: set[Platform]) -> tuple[list[str], bool]:
    """The counter's parts ("12 / 2,200 characters", …) for the ticked platforms, and whether a limit is passed.
    With an X or Google account ticked, each network's count against its own limit ("X 35 / 280 · Google 35 /
    1,500 characters"): X counts every link as 23 and CJK characters as 2."""
    length, tags, mentions = len(text), count_hashtags(text), count_mentions(text)
    parts: list[str] = []
    over = False
    if platforms - {Platform.FACEBOOK, Platform.INSTAGRAM}:  # X or Google: each network's own count and limit
        counts = network_counts(text, platforms)
        for n, (platform, count, limit) in enumerate(counts, start=1):
            unit = " characters" if n == len(counts) else ""
            parts.append(f"{NAMES[platform]} {count:,} / {limit:,}{unit}")
            over = over or count > limit
    elif platforms:
        limit = min(char_limit(p) for p in platforms)
        parts.append(f"{length:,} / {limit:,} characters")
        over = length > limit
        if Platform.INSTAGRAM in platforms:
            parts.append(f"{tags} / {IG_MAX_HASHTAGS} hashtags")
            parts.append(f"{mentions} / {IG_MAX_MENTIONS} @-mentions")
            over = over or tags > IG_MAX_HASHTAGS or mentions > IG_MAX_MENTIONS
    else:
        parts.append(fmt.plural(length, "character"))
        if tags:
            parts.append(fmt.plural(tags, "hashtag"))
        if mentions:
            parts.append(fmt.plural(mentions, "@-mention"))
    return parts, over


class CaptionEditor(QWidget):
    """The "Text" label, the editor, its counter and its inline problems; ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setPlaceholderText("What would you like to share?")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMinimumHeight(110)
        self.counter = QLabel(self)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.counter.setWordWrap(True)
        self.counter.setTextFormat(Qt.TextFormat.PlainText)
        self._counter_plain = ""
        self.error = MessageLabel(self)
        label = QLabel("&Text", self)
        label.setBuddy(self.text_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tools = QHBoxLayout()  # the label, and buttons that insert text (the Composer adds them)
        self.tools.addWidget(label)
        self.tools.addStretch(1)
        layout.addLayout(self.tools)
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(self.counter)
        layout.addWidget(self.error)
        self.text_edit.textChanged.connect(self.changed)

    def text(self) -> str:
        return self.text_edit.toPlainText()

    def update_counter(self, platforms: set[Platform]) -> None:
        """The counter and the live text problems for the ticked platforms."""
        text = self.text()
        parts, over = counter_parts(text, platforms)
        self._counter_plain = " · ".join(parts)
        # The counter wraps between its parts only, never inside "2,200 characters" or "@-mentions".
        self.counter.setText(" · ".join(keep_together(part) for part in parts))
        self.counter.setStyleSheet(f"color: {icons.RED if over else icons.INK};")
        problems = [] if is_blank(text) else text_problems(text, platforms)
        if problems:
            self.error.show_message("\n".join(problems))
        else:
            self.error.clear()

    def counter_text(self) -> str:
        """The counter as plain text (the label's parts are held together with non-breaking characters)."""
        return self._counter_plain
