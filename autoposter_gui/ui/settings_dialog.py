"""The Settings dialog: start-up, missed posts and keep-awake, notifications, email alerts, data folder (and restore
from backup), logs."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui import APP_NAME
from autoposter_gui.desktop.autostart import Autostart, for_this_platform, launch_command
from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.logsetup import configure_logging
from autoposter_gui.ui import fmt
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.email_settings import EmailAlertsGroup
from autoposter_gui.ui.preferences import LOG_LEVELS, MAX_GRACE_HOURS, NOTIFY_KINDS
from autoposter_gui.ui.widgets import MessageLabel, secondary

log = logging.getLogger(__name__)
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
NOTIFY_LABELS = {
    "published": "When a post is &published",
    "failed": "When a post &fails",
    "warnings": "&Warnings: missed posts, accounts that need reconnecting",
}
LEVEL_LABELS = {"DEBUG": "Debug (very detailed)", "INFO": "Info (normal)", "WARNING": "Warnings", "ERROR": "Errors"}


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the file manager (created first if missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))


def backup_day(path: Path, now: datetime) -> str:
    """``today``, ``yesterday`` or ``Tue 12 May 2026`` for ``autoposter-20260512.db`` (the file name if odd)."""
    try:
        day = datetime.strptime(path.stem.removeprefix("autoposter-"), "%Y%m%d").date()
    except ValueError:
        return path.name
    today = fmt.to_local(now).date()
    return "today" if day == today else "yesterday" if (today - day).days == 1 else day.strftime("%a %d %b %Y")


def backup_label(path: Path, now: datetime) -> str:
    """``Today · 148 KB``, ``Tue 12 May 2026 · 150 KB``."""
    day = backup_day(path, now)
    when = day[:1].upper() + day[1:]
    try:
        size = f"{path.stat().st_size / 1024:,.0f} KB"
    except OSError:
        size = "unreadable"
    return f"{when} · {size}"


class RestoreBackupDialog(QDialog):
    """Pick one of the rolling daily backups (newest first)."""

    def __init__(self, backups: list[Path], now: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            secondary(
                f"{APP_NAME} backs up its database once a day and keeps the last 7. Restoring replaces your posts, "
                "accounts and history with the backup's; the current database is kept aside.",
                self,
            )
        )
        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for path in backups:
            item = QListWidgetItem(backup_label(path, now))
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        self.empty = secondary("There are no backups yet: the first one is made when Autoposter starts.", self)
        self.empty.setVisible(not backups)
        self.list.setVisible(bool(backups))
        layout.addWidget(self.empty)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = self.buttons.addButton("&Restore…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setDefault(True)
        self.restore_button.setEnabled(bool(backups))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.buttons)
        if backups:
            self.list.setCurrentRow(0)
            self.list.setFocus()

    def chosen(self) -> Path | None:
        item = self.list.currentItem()
        return Path(str(item.data(PATH_ROLE))) if item is not None else None


class SettingsDialog(QDialog):
    """Changes apply on OK, at once (no restart), except a restore, which restarts the app on its data."""

    def __init__(
        self, controller: AppController, *, autostart: Autostart | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.prefs = controller.preferences
        self.autostart = autostart if autostart is not None else for_this_platform()
        self.setWindowTitle("Settings")  # Qt shows "Settings — Autoposter"
        self.setMinimumWidth(940)
        config = controller.config

        # --- start-up
        startup = QGroupBox("Start-up", self)
        self.minimized_check = QCheckBox("Start &minimized to the system tray", startup)
        self.autostart_check = QCheckBox("Start Autoposter when I log &in", startup)
        self.autostart_check.setToolTip("It starts in the tray, so scheduled posts go out without opening a window")
        startup_layout = QVBoxLayout(startup)
        startup_layout.addWidget(self.minimized_check)
        startup_layout.addWidget(self.autostart_check)

        # --- missed posts
        missed = QGroupBox("Posts due while Autoposter is not running or the computer sleeps", self)
        self.grace_spin = QSpinBox(missed)
        self.grace_spin.setRange(0, MAX_GRACE_HOURS)
        self.grace_spin.setSuffix(" hours")
        self.grace_spin.setSpecialValueText("Always ask")
        self.grace_spin.setAccessibleName("Grace window in hours")
        grace_row = QHBoxLayout()
        grace_row.addWidget(self.grace_spin)
        grace_row.addStretch(1)
        grace_label = QLabel("Publish late posts &up to:", missed)
        grace_label.setBuddy(self.grace_spin)
        missed_form = QFormLayout(missed)
        missed_form.addRow(grace_label, grace_row)
        missed_form.addRow(
            secondary(
                "A post that is later than this is held as missed, and Autoposter asks you whether to publish, "
                "reschedule or skip it.",
                missed,
            )
        )
        self.keep_awake_check = QCheckBox("&Keep this computer awake while a post is due", missed)
        self.keep_awake_check.setToolTip(
            "From 10 minutes before a post is due until it is published, the computer does not go to sleep by itself"
        )
        missed_form.addRow(self.keep_awake_check)

        # --- email alerts (the same settings as `autoposter settings`)
        self.email = EmailAlertsGroup(controller.engine_settings, controller.tasks, self)

        # --- notifications
        notifications = QGroupBox("Notifications", self)
        notify_layout = QVBoxLayout(notifications)
        self.notify_checks: dict[str, QCheckBox] = {}
        for kind in NOTIFY_KINDS:
            box = QCheckBox(NOTIFY_LABELS[kind], notifications)
            notify_layout.addWidget(box)
            self.notify_checks[kind] = box

        # --- the Composer's saved hashtag groups and snippets (saved by their own dialog)
        snippets = QGroupBox("Composer", self)
        self.snippets_button = QPushButton("Hashtag groups and &snippets…", snippets)
        self.snippets_button.setToolTip("Text the Composer's Insert menu adds with a click")
        snippets_layout = QHBoxLayout(snippets)
        snippets_layout.addWidget(self.snippets_button)
        snippets_layout.addStretch(1)

        # --- data
        data = QGroupBox("Data", self)
        self.data_dir_edit = QLineEdit(str(config.data_dir), data)
        self.data_dir_edit.setReadOnly(True)
        self.data_dir_edit.setCursorPosition(0)
        self.open_data_button = QPushButton("&Open folder", data)
        self.restore_button = QPushButton("&Restore from backup…", data)
        self.restore_button.setToolTip("Replace the database with one of the daily backups (the last 7 days)")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_dir_edit, 1)
        folder_row.addWidget(self.open_data_button)
        data_form = QFormLayout(data)
        data_form.addRow("Data folder:", folder_row)
        restore_row = QHBoxLayout()
        restore_row.addWidget(self.restore_button)
        restore_row.addStretch(1)
        data_form.addRow("", restore_row)

        # --- logs
        logs = QGroupBox("Logs", self)
        self.log_level_combo = QComboBox(logs)
        for level in LOG_LEVELS:
            self.log_level_combo.addItem(LEVEL_LABELS[level], level)
        self.open_logs_button = QPushButton("Open lo&g folder", logs)
        level_row = QHBoxLayout()
        level_row.addWidget(self.log_level_combo)
        level_row.addWidget(self.open_logs_button)
        level_row.addStretch(1)
        level_label = QLabel("Log &level:", logs)
        level_label.setBuddy(self.log_level_combo)
        logs_form = QFormLayout(logs)
        logs_form.addRow(level_label, level_row)
        logs_form.addRow(secondary("Logs never contain your access tokens.", logs))

        self.error = MessageLabel(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        for group in (startup, missed, notifications, snippets):
            left.addWidget(group)
        for group in (self.email, data, logs):
            right.addWidget(group)
        left.addStretch(1)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.open_data_button.clicked.connect(lambda: open_folder(config.data_dir))
        self.open_logs_button.clicked.connect(lambda: open_folder(config.log_dir))
        self.restore_button.clicked.connect(self.restore_from_backup)
        self.snippets_button.clicked.connect(self.manage_snippets)
        self.load()

    # ----- values ------------------------------------------------------------------------------------
    def load(self) -> None:
        prefs = self.prefs
        self.minimized_check.setChecked(prefs.start_minimized)
        try:
            enabled = self.autostart.is_enabled()
        except OSError:
            enabled = False
        self.autostart_check.setChecked(enabled)
        self.grace_spin.setValue(prefs.grace_hours)
        self.keep_awake_check.setChecked(self.controller.engine_settings.keep_awake)
        for kind, box in self.notify_checks.items():
            box.setChecked(prefs.notify(kind))
        self.log_level_combo.setCurrentIndex(max(0, self.log_level_combo.findData(prefs.log_level)))

    def apply(self) -> bool:
        """Save and apply every choice; False (with the reason shown) if start-at-login could not be changed."""
        self.error.clear()
        prefs = self.prefs
        try:
            self.email.check()  # a bad address stops everything here: nothing is half-saved
        except AutoposterError as exc:
            self.error.show_message(str(exc))
            return False
        want_autostart = self.autostart_check.isChecked()
        try:
            if want_autostart != self.autostart.is_enabled():
                if want_autostart:
                    self.autostart.enable(launch_command())
                else:
                    self.autostart.disable()
        except OSError as exc:
            self.error.show_message(f"Could not change start at login: {exc.strerror or exc}")
            return False
        prefs.start_minimized = self.minimized_check.isChecked()
        prefs.grace_hours = self.grace_spin.value()
        engine_settings = self.controller.engine_settings
        engine_settings.set("keep_awake", "on" if self.keep_awake_check.isChecked() else "off")
        try:
            self.email.save()
        except AutoposterError as exc:  # the keyring refused the password
            self.error.show_message(str(exc))
            return False
        catchup = getattr(self.controller.scheduler, "catchup", None)
        if catchup is not None:
            catchup.grace = prefs.grace()  # the next start or wake-up uses it
        for kind, box in self.notify_checks.items():
            prefs.set_notify(kind, box.isChecked())
        level = str(self.log_level_combo.currentData())
        if level != prefs.log_level or logging.getLevelName(logging.getLogger().level) != level:
            prefs.log_level = level
            configure_logging(self.controller.config.log_dir, level)
            log.info("log level set to %s", level)
        prefs.sync()
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def manage_snippets(self) -> None:
        from autoposter_gui.engine.snippets import SnippetService
        from autoposter_gui.ui.snippets import SnippetsDialog

        SnippetsDialog(SnippetService(self.controller.ctx), self).exec()

    # ----- restore -----------------------------------------------------------------------------------
    @Slot()
    def restore_from_backup(self) -> None:
        """Pick a backup, confirm, then hand it to the app (which closes the store, restores and restarts)."""
        now = self.controller.now()
        from autoposter_gui.engine.backups import BackupService  # the store's modules: loaded when asked

        backups = [b.path for b in BackupService(self.controller.config).files()]
        picker = RestoreBackupDialog(backups, now, self)
        if picker.exec() != QDialog.DialogCode.Accepted:
            return
        backup = picker.chosen()
        if backup is None:
            return
        answer = QMessageBox.question(
            self,
            "Restore this backup?",
            f"Restore the backup from {backup_day(backup, now)}?\n\n"
            "Posts, accounts and history changed since then are replaced by the backup's. The current database "
            f"is kept aside in the data folder. {APP_NAME} restarts, and posts that came due meanwhile are held "
            "as missed so you can check them before anything is published.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.reject()
        self.controller.restore_requested.emit(backup)
