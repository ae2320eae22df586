"""The Composer's fixed parts around the scrolling body: the editing banner, the time row and the save buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from autoposter_gui.ui import fmt
from autoposter_gui.ui.when_picker import WhenPicker
from autoposter_gui.ui.widgets import MessageLabel, secondary, separator


class EditingBanner(QFrame):
    """ "Editing a scheduled post for …" with a "Stop editing" button; hidden while a new post is written."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("banner")
        self.setStyleSheet("QFrame#banner { background: #e8f0fe; border: 1px solid #aecbfa; border-radius: 4px; }")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.stop_button = QPushButton("Stop editing", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.stop_button)
        self.hide()


class ComposerFooter(QWidget):
    """When to publish (always in sight, even in a small window), the form's own message, and the three buttons."""

    def __init__(self, start: datetime, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.when_edit = WhenPicker(start, self, now=now)
        when_label = QLabel("&When:", self)
        when_label.setBuddy(self.when_edit.time_combo)
        self.when_summary = self.when_edit.show_summary()
        self.zone_label = secondary(f"({fmt.zone()[1]} time)", self)
        self.zone_label.setWordWrap(False)
        self.when_error = MessageLabel(self)
        # Which picked accounts' posts go out with this computer off (Meta's scheduler) and which need it on.
        self.handoff_note = secondary("", self)
        self.handoff_note.setWordWrap(True)
        self.handoff_note.setVisible(False)
        when_row = QHBoxLayout()
        when_row.addWidget(when_label)
        when_row.addWidget(self.when_edit)
        when_row.addSpacing(4)
        when_row.addWidget(self.when_summary)
        when_row.addWidget(self.zone_label)
        when_row.addStretch(1)

        self.form_error = MessageLabel(self)
        self.draft_button = QPushButton("Save &draft", self)
        self.draft_button.setToolTip("Keep this post without scheduling it (Ctrl+S)")
        self.now_button = QPushButton("Publish &now", self)
        self.now_button.setToolTip("Publish as soon as possible (Ctrl+Shift+Enter)")
        self.schedule_button = QPushButton("&Schedule", self)
        self.schedule_button.setToolTip("Publish at the chosen time (Ctrl+Enter)")
        self.schedule_button.setDefault(True)
        self.queue_button = QPushButton("Add to &queue", self)
        self.queue_button.setToolTip("Publish at each account's next free posting slot")
        self.repeat_button = QPushButton("&Repeat…", self)
        self.repeat_button.setToolTip("Publish this post again every day, week or month from the chosen time")
        bottom = QHBoxLayout()
        bottom.addWidget(self.form_error, 1)
        bottom.addStretch(0)
        bottom.addSpacing(12)
        bottom.addWidget(self.draft_button)
        bottom.addWidget(self.repeat_button)
        bottom.addWidget(self.queue_button)
        bottom.addWidget(self.now_button)
        bottom.addWidget(self.schedule_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(separator(self))
        layout.addLayout(when_row)
        layout.addWidget(self.when_error)
        layout.addWidget(self.handoff_note)
        layout.addLayout(bottom)
        self.when_edit.changed.connect(self.when_error.clear)

    def buttons(self) -> tuple[QPushButton, QPushButton, QPushButton]:
        return self.schedule_button, self.now_button, self.draft_button
