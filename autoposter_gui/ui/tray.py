"""The system tray icon: menu (show, run now, pause/resume, quit) and notifications for published/failed posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from autoposter_gui.domain.models import AttemptOutcome, ItemStatus
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.controller import AppController

NOTIFY_MS = 8_000
BATCH_MS = 600


@dataclass(frozen=True)
class Notification:
    title: str
    body: str
    warning: bool = False


class TrayController(QObject):
    show_window_requested = Signal()
    activity_requested = Signal()
    quit_requested = Signal()

    def __init__(self, controller: AppController, parent: QObject | None = None, *, available: bool | None = None):
        super().__init__(parent)
        self.controller = controller
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.notifications: list[Notification] = []  # everything shown (or that would be, without a tray)
        self._publishing = False
        self._posted: list[int] = []
        self._failed: list[int] = []
        self._seen: set[int] = set()

        self.icon = QSystemTrayIcon(icons.tray_icon("idle", controller.sandbox), self)
        self.menu = QMenu()
        self.show_action = self.menu.addAction("Show Autoposter")
        self.run_now_action = self.menu.addAction("Run now")
        self.run_now_action.setToolTip("Publish every due post now")
        self.pause_action = self.menu.addAction("Pause publishing")
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction("Quit Autoposter")
        self.icon.setContextMenu(self.menu)

        self.show_action.triggered.connect(self.show_window_requested)
        self.run_now_action.triggered.connect(self._run_now)
        self.pause_action.triggered.connect(controller.toggle_pause)
        self.quit_action.triggered.connect(self.quit_requested)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.activity_requested)

        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(BATCH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(300)
        self._refresh_timer.timeout.connect(self.refresh)

        bridge = controller.bridge
        bridge.attempts_recorded.connect(self._attempts_recorded)  # batched: one query a burst
        bridge.tick_started.connect(self._tick_started)
        bridge.tick_finished.connect(self._tick_finished)
        bridge.items_changed.connect(self._items_changed)
        bridge.notice.connect(self._engine_notice)
        controller.scheduler_changed.connect(self.refresh)
        controller.keep_awake_changed.connect(self.refresh)
        self.refresh()

    def show(self) -> bool:
        """Show the icon when a tray exists; returns whether it is shown."""
        if self.available:
            self.icon.show()
        return self.visible

    def hide(self) -> None:
        self.icon.hide()

    @property
    def visible(self) -> bool:
        return self.available and self.icon.isVisible()

    @Slot()
    def refresh(self) -> None:
        paused = self.controller.paused
        self.pause_action.setText("Resume publishing" if paused else "Pause publishing")
        self.pause_action.setEnabled(self.controller.scheduler is not None)
        self.run_now_action.setEnabled(self.controller.scheduler is not None and not paused)
        state = "paused" if paused else "publishing" if self._publishing else "idle"
        if not paused and self.controller.reads.count_items([ItemStatus.FAILED, ItemStatus.MISSED]):
            state = "attention" if not self._publishing else state
        self.icon.setIcon(icons.tray_icon(state, self.controller.sandbox))
        self.icon.setToolTip(self._tooltip(paused))

    def _tooltip(self, paused: bool) -> str:
        name = "Autoposter (sandbox demo)" if self.controller.sandbox else "Autoposter"
        if paused:
            return f"{name}: publishing paused"
        pending = self.controller.pending_count()
        text = f"{name}: {fmt.plural(pending, 'post')} scheduled" if pending else f"{name}: nothing scheduled"
        awake = self.controller.keep_awake_message
        return f"{text}\n{awake}" if awake else text

    @Slot()
    def _run_now(self) -> None:
        self.controller.run_now()

    @Slot(QSystemTrayIcon.ActivationReason)
    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window_requested.emit()

    @Slot()
    def _tick_started(self) -> None:
        self._publishing = True
        self.refresh()

    @Slot(dict)
    def _tick_finished(self, _summary: dict[str, Any]) -> None:
        self._publishing = False
        self.refresh()

    @Slot(list)
    def _items_changed(self, _item_ids: list[int]) -> None:
        self._refresh_timer.start()  # coalesce bursts: refresh() runs two COUNT queries

    # ----- notifications ---------------------------------------------------------------------------
    def notify(self, title: str, body: str, *, warning: bool = False, kind: str = "info") -> bool:
        """Show a notification unless the owner turned ``kind`` off in Settings (``published``, ``failed``,
        ``warnings``; ``info`` always shows). Returns whether it was shown."""
        if not self.controller.preferences.notify(kind):
            return False
        self.notifications.append(Notification(title, body, warning))
        if self.visible:
            icon = QSystemTrayIcon.MessageIcon.Warning if warning else QSystemTrayIcon.MessageIcon.Information
            self.icon.showMessage(title, body, icon, NOTIFY_MS)
        return True

    @Slot(list)
    def _attempts_recorded(self, attempt_ids: list[int]) -> None:
        found = {a.id: a for a in self.controller.reads.attempts_by_ids(attempt_ids)}
        gathered = False
        for attempt_id in dict.fromkeys(attempt_ids):
            attempt = found.get(attempt_id)
            if attempt is None or attempt.id in self._seen:
                continue  # signals are queued: its "started" event may already read as finished
            if attempt.outcome in (AttemptOutcome.SUCCEEDED.value, AttemptOutcome.RECONCILED.value):
                self._posted.append(attempt.id)
            elif attempt.outcome == AttemptOutcome.FAILED.value:
                self._failed.append(attempt.id)
            else:
                continue
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen.add(attempt.id)
            gathered = True
        if gathered:
            self._flush_timer.start()  # gather a burst from one tick into one notification

    @Slot()
    def _flush(self) -> None:
        posted, failed = self._posted, self._failed
        self._posted, self._failed = [], []
        reads = self.controller.reads
        found = reads.attempts_by_ids((failed or posted)[:1])  # the attempt the message names, with its post
        attempt = found[0] if found else None
        account = reads.account(attempt.item_account_id) if attempt and attempt.item_account_id else None
        if failed:
            also = f" ({fmt.plural(len(posted), 'other post')} published)" if posted else ""
            if len(failed) == 1:
                title = f"Couldn't publish to {fmt.account_name(account)}"
                body = (attempt.error_message if attempt and attempt.error_message else "The post failed.") + also
            else:
                title = f"{len(failed)} posts could not be published"
                body = "Open Activity to see why and retry them." + also
            self.notify(title, body, warning=True, kind="failed")
        elif posted:
            if len(posted) == 1:
                title = f"Posted to {fmt.account_name(account)}"
                text = attempt.item_text if attempt else None
                body = fmt.preview(text, 100) if text is not None else "Your post was published."
            else:
                title = f"{len(posted)} posts published"
                body = "Click to see them in Activity."
            self.notify(title, body, kind="published")
        self.refresh()

    @Slot(str, dict)
    def _engine_notice(self, kind: str, payload: dict[str, Any]) -> None:
        """An account needs the owner while posts wait for it (missed posts have their own dialog)."""
        if kind == "token_attention" and payload.get("message"):
            waiting = int(payload.get("scheduled_posts") or 0)
            title = f"{fmt.plural(waiting, 'post is', 'posts are')} waiting" if waiting else "An account needs you"
            self.notify(title, str(payload["message"]), warning=True, kind="warnings")
