"""The When field of the Composer, Reschedule and Missed-posts dialogs: a date, a typed or listed time, quick picks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.times import AmbiguousTimeError, parse_clock
from autoposter_gui.ui import fmt, icons

STEP_MINUTES = 15
UNREADABLE_TIME = "Can't read the time {text!r}; type it like 9:30, 14:05 or 2:30 pm"


def date_format() -> str:
    """The locale's short, all-digit date format, with a four-digit year (so typed digits always land)."""
    pattern = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


def clock_text(hour: int, minute: int) -> str:
    """A time of day in the user's locale (``9:30 AM`` or ``09:30``)."""
    return QLocale().toString(QTime(hour, minute), QLocale.FormatType.ShortFormat)


def step_times() -> list[tuple[int, int]]:
    """Every time of day in 15-minute steps, from midnight."""
    return [(m // 60, m % 60) for m in range(0, 24 * 60, STEP_MINUTES)]


def quick_choices(now_local: datetime) -> list[tuple[str, datetime]]:
    """The quick picks as (label, naive local wall time), from the current local time."""
    later = now_local.replace(second=0, microsecond=0) + timedelta(minutes=1 if now_local.second else 0)
    tomorrow = now_local.date() + timedelta(days=1)
    monday = now_local.date() + timedelta(days=7 - now_local.weekday())

    def at(day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, 0)

    nine = clock_text(9, 0)
    choices = [
        ("In 30 minutes", later + timedelta(minutes=30)),
        ("In 1 hour", later + timedelta(hours=1)),
        ("In 3 hours", later + timedelta(hours=3)),
    ]
    if now_local.hour < 17:
        choices.append((f"This evening, {clock_text(18, 0)}", at(now_local.date(), 18)))
    choices += [
        (f"Tomorrow, {nine}", at(tomorrow, 9)),
        (f"Tomorrow, {clock_text(12, 0)}", at(tomorrow, 12)),
        (f"Monday, {nine}", at(monday, 9)),
    ]
    return [(label, when.replace(tzinfo=None)) for label, when in choices]


def relative_text(target: datetime, now: datetime) -> str:
    """``in 45 minutes``, ``in 3 hours``, ``in 2 days``, or ``in the past``."""
    minutes = int((target - now).total_seconds() // 60)
    if minutes < -1:
        return "in the past"
    if minutes < 1:
        return "now"
    if minutes < 60:
        return f"in {fmt.plural(minutes, 'minute')}"
    hours = round(minutes / 60)
    if hours < 36:
        return f"in {fmt.plural(hours, 'hour')}"
    return f"in {fmt.plural(round(minutes / 1440), 'day')}"


def ask_which(parent: QWidget | None, naive: datetime, choices: tuple[datetime, datetime]) -> datetime | None:
    """Ask which of the two moments a wall time that happens twice means (None: the owner cancelled)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Which time?")
    shown = clock_text(naive.hour, naive.minute)
    box.setText(f"{shown} happens twice on that day: the clocks go back an hour then.")
    box.setInformativeText("Which one do you mean?")
    buttons = [
        (box.addButton(f"The first {shown} ({choice.tzname()})", QMessageBox.ButtonRole.AcceptRole), choice)
        for choice in choices
    ]
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(buttons[0][0])
    box.exec()
    clicked = box.clickedButton()
    return next((choice for button, choice in buttons if button is clicked), None)


class WhenPicker(QWidget):
    """A local wall time: a date (calendar popup, typed digits), a time (typed freely, or from a 15-minute list)
    and a menu of quick picks. Times are plain wall-clock values; ``when_utc`` applies the core's DST rules."""

    changed = Signal()
    dateTimeChanged = Signal(QDateTime)  # QDateTimeEdit's name, for callers written against it

    def __init__(
        self,
        value: datetime,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = now or (lambda: datetime.now(UTC))
        self.ask_which: Callable[[QWidget | None, datetime, tuple[datetime, datetime]], datetime | None] = ask_which

        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(date_format())
        self.date_edit.setAccessibleName("Date")
        self.date_edit.setToolTip("The day: type it, or open the calendar")
        self.time_combo = QComboBox(self)
        self.time_combo.setEditable(True)
        self.time_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # No inline completion: "1" + Enter must mean 1:00, not 10:00. (The stubs miss that None is allowed.)
        self.time_combo.setCompleter(None)  # type: ignore[arg-type]
        self.time_combo.setMaxVisibleItems(12)
        self.time_combo.setAccessibleName("Time")
        self.time_combo.setToolTip("The time: type it (9:30, 14:05, 2:30 pm) or pick one from the list")
        for hour, minute in step_times():
            self.time_combo.addItem(clock_text(hour, minute), QTime(hour, minute))
        width = self.fontMetrics().horizontalAdvance(clock_text(12, 45)) + 48
        self.time_combo.setMinimumWidth(width)
        self.quick_button = QToolButton(self)
        self.quick_button.setText("&Quick picks ▾")
        self.quick_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.quick_button.setToolTip("Quick choices: in 1 hour, tomorrow morning…")
        self.quick_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.quick_menu = QMenu(self.quick_button)
        self.quick_menu.aboutToShow.connect(self._fill_quick_menu)
        self.quick_button.setMenu(self.quick_menu)
        self.summary = QLabel(self)  # the weekday and how far off: placed by the host (or left hidden)
        self.summary.setStyleSheet(f"color: {icons.INK};")
        self.summary.hide()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.date_edit)
        layout.addWidget(self.time_combo)
        layout.addWidget(self.quick_button)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setFocusProxy(self.time_combo)
        QWidget.setTabOrder(self.date_edit, self.time_combo)
        QWidget.setTabOrder(self.time_combo, self.quick_button)

        self.set_naive(value)
        self.date_edit.dateChanged.connect(self._edited)
        self.time_combo.editTextChanged.connect(self._edited)
        line = self.time_combo.lineEdit()
        assert line is not None  # editable
        line.editingFinished.connect(self.tidy_time)

    # ----- value -------------------------------------------------------------------------------------
    def time_of_day(self) -> tuple[int, int] | None:
        """The typed or chosen time as (hour, minute), or None while it can't be read."""
        return parse_clock(self.time_combo.currentText())

    def naive(self) -> datetime:
        """The chosen local wall time (no zone). Raises ValidationError while the typed time can't be read."""
        clock = self.time_of_day()
        if clock is None:
            raise ValidationError(UNREADABLE_TIME.format(text=self.time_combo.currentText().strip()), field="when")
        day = self.date_edit.date()
        return datetime(day.year(), day.month(), day.day(), *clock)

    def set_naive(self, value: datetime) -> None:
        self.date_edit.setDate(QDate(value.year, value.month, value.day))
        self._set_time(value.hour, value.minute)

    def dateTime(self) -> QDateTime:
        """The wall time as fmt.qdatetime_from_naive gives it (raises ValidationError like ``naive``)."""
        return fmt.qdatetime_from_naive(self.naive())

    def setDateTime(self, value: QDateTime) -> None:
        self.set_naive(fmt.naive_from_qdatetime(value))

    def when_utc(self) -> tuple[datetime, str]:
        """The chosen time as (aware UTC, zone name), by the core's rules: a time in a DST gap is refused with
        the next valid time proposed; a time that happens twice asks which one is meant."""
        naive = self.naive()
        try:
            return fmt.wall_time_to_utc(fmt.qdatetime_from_naive(naive))
        except AmbiguousTimeError as exc:
            chosen = self.ask_which(self.window(), naive, exc.choices)
            if chosen is None:
                raise
            return chosen.astimezone(UTC), fmt.zone()[1]

    # ----- editing -----------------------------------------------------------------------------------
    def _set_time(self, hour: int, minute: int) -> None:
        index = self.time_combo.findData(QTime(hour, minute))
        if index >= 0:
            self.time_combo.setCurrentIndex(index)
        self.time_combo.setEditText(clock_text(hour, minute))

    @Slot()
    def tidy_time(self) -> None:
        """Show a typed time (``930``, ``2:30 pm``) the way the locale writes it."""
        clock = self.time_of_day()
        if clock is not None and self.time_combo.currentText() != clock_text(*clock):
            self._set_time(*clock)
        self._update_summary()

    def choose(self, naive: datetime) -> None:
        """Set a quick choice (a naive local wall time)."""
        self.set_naive(naive)
        self.time_combo.setFocus()

    def _fill_quick_menu(self) -> None:
        self.quick_menu.clear()
        for label, when in quick_choices(fmt.to_local(self._now()).replace(tzinfo=None)):
            action = QAction(label, self.quick_menu)
            action.setData(when)
            action.triggered.connect(lambda _checked=False, w=when: self.choose(w))
            self.quick_menu.addAction(action)

    def quick_actions(self) -> list[QAction]:
        """The quick choices as menu actions, filled from the clock now."""
        self._fill_quick_menu()
        return list(self.quick_menu.actions())

    @Slot()
    def _edited(self) -> None:
        self._update_summary()
        self.changed.emit()
        clock = self.time_of_day()
        if clock is not None:
            self.dateTimeChanged.emit(fmt.qdatetime_from_naive(self.naive()))

    def show_summary(self) -> QLabel:
        """The weekday-and-distance line (``Tuesday · in 3 hours``), for the host to place."""
        self.summary.show()
        self._update_summary()
        return self.summary

    def _update_summary(self) -> None:
        clock = self.time_of_day()
        if clock is None:
            self.summary.setText("Type a time like 9:30 or 14:05")
            return
        naive = self.naive()
        day = QLocale().dayName(self.date_edit.date().dayOfWeek(), QLocale.FormatType.LongFormat)
        now_local = fmt.to_local(self._now()).replace(tzinfo=None)
        self.summary.setText(f"{day} · {relative_text(naive, now_local)}")
