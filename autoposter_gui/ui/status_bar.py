"""The status bar: accounts needing attention, scheduler state, last check, next post due, the SANDBOX badge."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QIcon, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.accounts_model import ATTENTION
from autoposter_gui.ui.controller import AppController

REFRESH_MS = 20_000
MESSAGE_MS = 6_000


def outcome_text(summary: dict[str, Any]) -> str:
    """One line for a tick's summary (``processed``, ``succeeded``, ``failed``, ``retried``, ``error``); "" when
    it did nothing."""
    if error := str(summary.get("error") or ""):  # a sentence for the owner, or a crash's exception class
        return error if " " in error else "Publishing stopped on an unexpected error; see the log"
    parts = []
    if succeeded := int(summary.get("succeeded") or 0):
        parts.append(f"published {fmt.plural(succeeded, 'post')}")
    if failed := int(summary.get("failed") or 0):
        parts.append(f"couldn't publish {fmt.plural(failed, 'post')}")
    if retried := int(summary.get("retried") or 0):
        parts.append(f"{fmt.plural(retried, 'post')} will be tried again")
    text = "; ".join(parts)
    text = text[:1].upper() + text[1:]
    return f"{text}: see the Queue for why" if failed or retried else text


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


class _AttentionLabel(_IconLabel):
    """⚠ "N accounts need attention": clicking it opens the Accounts tab."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.text.setStyleSheet("color: #b06000;")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class AppStatusBar(QStatusBar):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._publishing = False
        self._run_requested = False  # "Run now", "Publish now", a retry: the next tick's outcome is shown ...
        self._watching = False  # ... once that tick has started
        self.setSizeGripEnabled(True)

        self.badge = QLabel("SANDBOX", self)
        self.badge.setToolTip("Sandbox mode: posts go to a local stand-in for Meta, nothing is published for real")
        self.badge.setStyleSheet(
            "QLabel { background: #e37400; color: white; font-weight: bold; border-radius: 3px; padding: 1px 8px; }"
        )
        self.attention_label = _AttentionLabel(self)
        self.attention_label.hide()
        self.scheduler_label = _IconLabel(self)
        self.last_tick_label = QLabel(self)
        self.next_due_label = QLabel(self)
        self.awake_label = QLabel(self)  # "Keeping this computer awake for the 09:30 Instagram post"
        self.awake_label.setToolTip("So that the post goes out on time; turn this off in Settings")
        self.awake_label.hide()
        for widget in (
            self.attention_label,
            self.awake_label,
            self.scheduler_label,
            self.last_tick_label,
            self.next_due_label,
        ):
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
        self._accounts_soon = QTimer(self)  # health checks change several accounts at once: refresh once
        self._accounts_soon.setSingleShot(True)
        self._accounts_soon.setInterval(200)
        self._accounts_soon.timeout.connect(self.refresh_accounts)

        bridge = controller.bridge
        bridge.tick_started.connect(self._tick_started)
        bridge.tick_finished.connect(self._tick_finished)
        bridge.items_changed.connect(self._items_changed)
        controller.scheduler_changed.connect(self.refresh)
        bridge.account_changed.connect(self._account_changed)
        controller.notice.connect(self._notice)
        controller.run_requested.connect(self._run_requested_now)
        controller.keep_awake_changed.connect(self._keep_awake_changed)
        self.attention_label.clicked.connect(lambda: controller.show_tab_requested.emit("accounts"))
        self.messageChanged.connect(self._fit_message)
        self.refresh()
        self.refresh_accounts()

    @Slot(str)
    def _notice(self, text: str) -> None:
        self.showMessage(text, MESSAGE_MS)

    @Slot()
    def _fit_message(self) -> None:
        """A passing message gets the room it needs: in a narrow window the last-check, next-post and scheduler
        labels step aside (in that order) while it shows, and come back when it goes."""
        steps_aside = (self.last_tick_label, self.next_due_label, self.scheduler_label)
        for widget in steps_aside:
            widget.show()
        message = self.currentMessage()
        self.setToolTip(message)  # a message longer than any window is still readable whole
        if not message:
            return
        need = self.fontMetrics().horizontalAdvance(message) + 24
        shown = [self.attention_label, self.awake_label, *steps_aside, self.badge]
        used = sum(w.sizeHint().width() + 8 for w in shown if not w.isHidden()) + 20  # spacing, the size grip
        for widget in steps_aside:
            if self.width() - used >= need:
                break
            widget.hide()
            used -= widget.sizeHint().width() + 8

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_message()

    @Slot()
    def _keep_awake_changed(self) -> None:
        message = self.controller.keep_awake_message
        self.awake_label.setText(message or "")
        self.awake_label.setVisible(bool(message))

    @Slot(int)
    def _account_changed(self, _account_id: int) -> None:
        self._accounts_soon.start()

    @Slot()
    def refresh_accounts(self) -> None:
        """⚠ when an account's token expires soon, lacks a permission or no longer works."""
        attention = [a for a in self.controller.accounts() if a.status in ATTENTION]
        self.attention_label.setVisible(bool(attention))
        if attention:
            verb = "needs" if len(attention) == 1 else "need"
            tip = "\n".join(fmt.account_problem(a) for a in attention)
            self.attention_label.set(
                icons.warning_icon(), f"{fmt.plural(len(attention), 'account')} {verb} attention", tip
            )

    @Slot()
    def _run_requested_now(self) -> None:
        self._run_requested = True

    @Slot()
    def _tick_started(self) -> None:
        self._publishing = True
        if self._run_requested:  # a tick already running when asked did not see the request: wait for the next
            self._run_requested, self._watching = False, True
        self.refresh()

    @Slot(dict)
    def _tick_finished(self, summary: dict[str, Any]) -> None:
        self._publishing = False
        if self._watching:
            self._watching = False
            self._show_outcome(summary)
        self.refresh()

    def _show_outcome(self, summary: dict[str, Any]) -> None:
        """Replace "Publishing now…" with what the asked-for tick did (it would otherwise stay on after a failure)."""
        text = outcome_text(summary)
        if text:
            self.showMessage(text, MESSAGE_MS)
        elif self.currentMessage().endswith("…"):
            self.clearMessage()  # nothing went out (the post is held: the Queue says why)

    @Slot(list)
    def _items_changed(self, _item_ids: list[int]) -> None:
        self._soon.start()

    @Slot()
    def refresh(self) -> None:
        scheduler = self.controller.scheduler
        if scheduler is None:
            self.scheduler_label.set(icons.status_icon("draft"), "Scheduler starting…")
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
        due = self.controller.reads.next_due_at()
        if due is None:
            return "No posts scheduled"
        now = self.controller.now()
        if due <= now:
            return "Next post: due now"
        return f"Next post: {fmt.when_text(due, now)}"
