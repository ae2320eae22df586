"""Small modal dialogs: a confirmation with buttons named by what they do, rescheduling a post."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.ui import fmt
from autoposter_gui.ui.when_picker import WhenPicker
from autoposter_gui.ui.widgets import MessageLabel, secondary


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    action: str,
    keep: str,
    default_to_action: bool = False,
    informative: str = "",
) -> bool:
    """Ask before doing something, with two buttons that say what each does ("Cancel post" / "Keep post"), never
    Yes/No. Escape always keeps things as they are; Enter takes the default (the safe choice unless told)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    if informative:
        box.setInformativeText(informative)
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    stay = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(go if default_to_action else stay)
    box.setEscapeButton(stay)
    box.exec()
    return box.clickedButton() is go


class RescheduleDialog(QDialog):
    """Pick a new local time; ``submit(when_utc, zone)`` runs the core's checks and errors stay in the dialog."""

    def __init__(
        self,
        *,
        title: str,
        initial: datetime,
        submit: Callable[[datetime, str], None],
        parent: QWidget | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reschedule post")
        self._submit = submit
        layout = QVBoxLayout(self)
        intro = secondary(f"Choose when to publish “{fmt.preview(title, 60)}”.", self)
        layout.addWidget(intro)
        form = QFormLayout()
        self.when_edit = WhenPicker(initial, self, now=now)
        form.addRow("Publish &at:", self.when_edit)
        form.addRow("", self.when_edit.show_summary())
        form.addRow("", QLabel(f"Times are in your local time zone ({fmt.zone()[1]}).", self))
        when_label = form.labelForField(self.when_edit)
        if isinstance(when_label, QLabel):
            when_label.setBuddy(self.when_edit.time_combo)
        layout.addLayout(form)
        self.error = MessageLabel(self)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Reschedule")
        ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.when_edit.changed.connect(self.error.clear)
        self.when_edit.time_combo.setFocus()
        self.setMinimumWidth(460)

    def accept(self) -> None:
        try:
            when, zone_name = self.when_edit.when_utc()  # DST: a gap is refused, a time that happens twice asks
            self._submit(when, zone_name)
        except ValidationError as exc:
            self.error.show_message(str(exc))
            return
        super().accept()
