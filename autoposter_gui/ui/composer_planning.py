"""The Composer's planning actions: "Add to queue" (each account's next free slot) and "Repeat…" (a series)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError, ValidationError
from autoposter_gui.domain.recurrence import MAX_OCCURRENCES, Recurrence, Repeat, occurrences
from autoposter_gui.engine.planner import PlannerService
from autoposter_gui.engine.posts import PostRequest
from autoposter_gui.ui import fmt

if TYPE_CHECKING:
    from autoposter_gui.ui.composer_tab import ComposerTab

REPEAT_LABELS = {Repeat.DAILY: "Every day", Repeat.WEEKLY: "Every week", Repeat.MONTHLY: "Every month"}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class RepeatDialog(QDialog):
    """Daily, weekly or monthly; N times or until a date (at most 100 posts); shows what it gives before OK."""

    def __init__(self, start: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start = start  # the first post's moment (UTC)
        self.setWindowTitle("Repeat this post")
        self.setMinimumWidth(440)
        self.repeat_combo = QComboBox(self)
        for repeat, label in REPEAT_LABELS.items():
            self.repeat_combo.addItem(label, repeat.value)
        self.repeat_combo.setCurrentIndex(1)
        self.count_radio = QRadioButton("&Number of posts:", self)
        self.until_radio = QRadioButton("&Until (inclusive):", self)
        group = QButtonGroup(self)
        group.addButton(self.count_radio)
        group.addButton(self.until_radio)
        self.count_radio.setChecked(True)
        self.count_spin = QSpinBox(self)
        self.count_spin.setRange(1, MAX_OCCURRENCES)
        self.count_spin.setValue(6)
        first_day = fmt.to_local(start).date()
        self.until_edit = QDateEdit(_qdate(first_day + timedelta(weeks=5)), self)
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setMinimumDate(_qdate(first_day))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Repeat:", self.repeat_combo)
        form.addRow(self.count_radio, self.count_spin)
        form.addRow(self.until_radio, self.until_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for signal in (
            self.repeat_combo.currentIndexChanged,
            self.count_spin.valueChanged,
            self.until_edit.dateChanged,
            self.count_radio.toggled,
        ):
            signal.connect(self.update_summary)
        self.update_summary()

    def rule(self) -> Recurrence:
        repeat = Repeat(str(self.repeat_combo.currentData()))
        if self.count_radio.isChecked():
            return Recurrence(repeat, count=self.count_spin.value())
        until = self.until_edit.date()
        return Recurrence(repeat, until=date(until.year(), until.month(), until.day()))

    def update_summary(self) -> None:
        self.count_spin.setEnabled(self.count_radio.isChecked())
        self.until_edit.setEnabled(self.until_radio.isChecked())
        try:
            times = occurrences(self.start, self.rule(), fmt.zone()[0])
        except ValidationError as exc:
            self.summary.setText(str(exc).replace("--count", "the number").replace("--until", "the end date"))
            self.ok_button.setEnabled(False)
            return
        first, last = (f"{fmt.to_local(t):%a %d %b %Y}" for t in (times[0], times[-1]))
        clock = fmt.clock_time(times[0])
        self.summary.setText(f"{fmt.plural(len(times), 'post')} at {clock} local time, from {first} to {last}.")
        self.ok_button.setEnabled(True)


def _finish(tab: ComposerTab, ids: list[int], message: str) -> list[int]:
    """After a save: tell the owner, remember the accounts, clear the form, show the posts (as ``submit`` does)."""
    warnings = tab.quota_warnings()
    tab.controller.notice.emit(message + (". " + warnings[0] if warnings else ""))
    tab.picker.remember()
    tab.clear()
    tab.saved.emit(ids)
    return ids


def _refused(tab: ComposerTab, request: PostRequest, exc: AutoposterError) -> list[int]:
    if isinstance(exc, ValidationError):
        tab.show_problems(tab._all_problems(request, exc))
    else:
        tab.form_error.show_message(str(exc))
    return []


MIXED_GOOGLE = (
    "Add to queue and Repeat take Google's post options for Google locations alone: untick the other accounts, "
    "or use Schedule to post to all of them at once"
)


def _mixed_google(tab: ComposerTab) -> bool:
    """Whether Google options go with other networks' accounts (the planner takes one post for all): said if so."""
    if len(tab._requests("schedule", None, fmt.zone()[1])) > 1:
        tab.form_error.show_message(MIXED_GOOGLE)
        return True
    return False


def add_to_queue(tab: ComposerTab) -> list[int]:
    """ "Add to queue": the post for each ticked account at that account's next free posting slot."""
    tab.clear_errors()
    if _mixed_google(tab):
        return []
    request = tab._request("schedule", None, fmt.zone()[1])
    try:
        items = PlannerService(tab.controller.ctx, tab.controller.posts).create_in_next_slots(request)
    except AutoposterError as exc:
        return _refused(tab, request, exc)
    first = min((i.scheduled_at for i in items if i.scheduled_at is not None), default=None)
    when = fmt.when_text(first, tab.controller.now()) if first is not None else ""
    posts = fmt.plural(len(items), "post")
    return _finish(tab, [i.id for i in items], f"Added {posts} to the queue, in the next free slot ({when})")


def repeat(tab: ComposerTab, dialog: RepeatDialog | None = None) -> list[int]:
    """ "Repeat…": ask how (unless ``dialog`` is given, already answered), then create the series from the chosen
    time through the planner."""
    tab.clear_errors()
    if _mixed_google(tab):
        return []
    try:
        when, zone_name = tab.when_edit.when_utc()
    except ValidationError as exc:
        tab.show_problems([(exc.field or "when", exc.phrased())])
        return []
    if dialog is None:
        dialog = RepeatDialog(when, tab)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return []
    request = tab._request("schedule", when, zone_name)
    try:
        items = PlannerService(tab.controller.ctx, tab.controller.posts).create_series(request, dialog.rule())
    except AutoposterError as exc:
        return _refused(tab, request, exc)
    return _finish(tab, [i.id for i in items], f"Scheduled a series of {fmt.plural(len(items), 'post')}")
