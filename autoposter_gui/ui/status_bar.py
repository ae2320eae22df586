"""The status bar: scheduler state, last check, next post due, and the SANDBOX badge."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.controller import AppController

REFRESH_MS = 20_000
MESSAGE_MS = 6_000


class _IconLabel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(5)
        self.icon = QLabel(self)
        self.icon.setFixedSize(16, 16)
        self.text = QLabel(self)
        layout.addWidget(self.icon)
        layout.addWidget(self.text)

    def set(self, icon: QIcon | None, text: str, tip: str = "") -> None:
        if icon is None:
            self.icon.clear()
        else:
            self.icon.setPixmap(icon.pixmap(16, 16))
        self.icon.setVisible(icon is not None)
        self.text.setText(text)
        self.setToolTip(tip)


class AppStatusBar(QStatusBar):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._publishing = False
        self.setSizeGripEnabled(True)

        self.badge = QLabel("SANDBOX", self)
        self.badge.setToolTip("Sandbox mode: posts go to a local stand-in for Meta, nothing is published for real")
        self.badge.setStyleSheet(
            "QLabel { background: #e37400; color: white; font-weight: bold; border-radius: 3px; padding: 1px 8px; }"
        )
        self.scheduler_label = _IconLabel(self)
        self.last_tick_label = QLabel(self)
        self.next_due_label = QLabel(self)
        for widget in (self.scheduler_label, self.last_tick_label, self.next_due_label):
            self.addPermanentWidget(widget)
        self.addPermanentWidget(self.badge)
        self.badge.setVisible(controller.sandbox)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(300)
        self._soon.timeout.connect(self.refresh)

        bridge = controller.bridge
        bridge.tick_started.connect(self._tick_started)
        bridge.tick_finished.connect(self._tick_finished)
        bridge.item_changed.connect(self._item_changed)
        controller.scheduler_changed.connect(self.refresh)
        controller.notice.connect(self._notice)
        self.refresh()

    @Slot(str)
    def _notice(self, text: str) -> None:
        self.showMessage(text, MESSAGE_MS)

    @Slot()
    def _tick_started(self) -> None:
        self._publishing = True
        self.refresh()

    @Slot(dict)
    def _tick_finished(self, summary: dict[str, Any]) -> None:
        self._publishing = False
        self.refresh()

    @Slot(int)
    def _item_changed(self, _item_id: int) -> None:
        self._soon.start()

    @Slot()
    def refresh(self) -> None:
        scheduler = self.controller.scheduler
        if scheduler is None:
            self.scheduler_label.set(icons.status_icon("queued"), "Scheduler starting…")
        elif not scheduler.state.running:
            self.scheduler_label.set(icons.status_icon("canceled"), "Scheduler stopped")
        elif scheduler.state.paused:
            self.scheduler_label.set(
                icons.tray_icon("paused"), "Publishing paused", "Nothing is published until you resume"
            )
        elif self._publishing:
            self.scheduler_label.set(icons.status_icon("processing"), "Publishing…")
        elif scheduler.state.last_error:
            self.scheduler_label.set(icons.warning_icon(), "Scheduler problem", scheduler.state.last_error)
        else:
            self.scheduler_label.set(
                icons.status_icon("posted"), "Scheduler running", "Due posts are published every minute"
            )
        last = scheduler.state.last_tick_at if scheduler is not None else None
        self.last_tick_label.setText(f"Last check: {fmt.clock_time(last)}" if last else "Last check: —")
        self.last_tick_label.setToolTip(fmt.full_time(last) if last else "The scheduler has not run yet")
        self.next_due_label.setText(self._next_due_text())

    def _next_due_text(self) -> str:
        due = self.controller.repo.next_due_at()
        if due is None:
            return "No posts scheduled"
        now = self.controller.now()
        if due <= now:
            return "Next post: due now"
        return f"Next post: {fmt.when_text(due, now)}"
