"""Settings: persistence in QSettings, start at login (XDG entry), grace window, notifications, log level, restore."""

from __future__ import annotations

import configparser
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog

from autoposter_gui import APP_NAME, APP_ORG
from autoposter_gui.app import Application
from autoposter_gui.config import AppConfig
from autoposter_gui.desktop.autostart import APP_ID
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.catchup import CatchUpPolicy
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.runner import Runner
from autoposter_gui.engine.scheduler import PublishScheduler
from autoposter_gui.engine.settings import SettingsService
from autoposter_gui.logsetup import LOG_FILE
from autoposter_gui.storage.backup import backup_now
from autoposter_gui.tokens import TokenStore
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.preferences import Preferences
from autoposter_gui.ui.settings_dialog import RestoreBackupDialog, SettingsDialog
from autoposter_gui.ui.tray import TrayController
from tests.gui.helpers import Dialogs, make_post, shut_down
from tests.support.memory_keyring import MemoryKeyring


@pytest.fixture
def dialog(qtbot: Any, controller: AppController) -> SettingsDialog:
    settings = SettingsDialog(controller)
    qtbot.addWidget(settings)
    settings.show()
    return settings


def _entry(config_home: Path) -> Path:
    return config_home / "autostart" / f"{APP_ID}.desktop"


def test_defaults(dialog: SettingsDialog, ctx: Context) -> None:
    assert not dialog.minimized_check.isChecked() and not dialog.autostart_check.isChecked()
    assert dialog.grace_spin.value() == 6
    assert all(box.isChecked() for box in dialog.notify_checks.values())
    assert dialog.log_level_combo.currentData() == "INFO"
    assert dialog.data_dir_edit.text() == str(ctx.config.data_dir) and dialog.data_dir_edit.isReadOnly()


def test_choices_persist_in_qsettings(
    qtbot: Any, dialog: SettingsDialog, controller: AppController, _isolated_preferences: Path
) -> None:
    dialog.minimized_check.setChecked(True)
    dialog.grace_spin.setValue(3)
    dialog.notify_checks["published"].setChecked(False)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    fresh = Preferences()  # a new QSettings(organization, app name) reads what was saved
    assert fresh.file_name == str(_isolated_preferences / APP_ORG / f"{APP_NAME}.conf")
    assert fresh.start_minimized
    assert SettingsService(controller.ctx).grace_hours == 3  # the grace window is an engine setting now
    assert not fresh.notify("published") and fresh.notify("failed") and fresh.notify("warnings")
    again = SettingsDialog(controller)
    qtbot.addWidget(again)
    assert again.minimized_check.isChecked() and again.grace_spin.value() == 3
    assert not again.notify_checks["published"].isChecked()


def test_cancel_changes_nothing(qtbot: Any, dialog: SettingsDialog, _isolated_preferences: Path) -> None:
    dialog.minimized_check.setChecked(True)
    dialog.autostart_check.setChecked(True)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not Preferences().start_minimized
    assert not _entry(_isolated_preferences).exists()


def test_start_at_login_writes_and_removes_the_xdg_entry(
    qtbot: Any, dialog: SettingsDialog, controller: AppController, _isolated_preferences: Path
) -> None:
    entry = _entry(_isolated_preferences)
    dialog.autostart_check.setChecked(True)
    dialog.accept()
    assert entry.exists()
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read(entry)
    assert parsed["Desktop Entry"]["Exec"].endswith("--minimized")
    assert parsed["Desktop Entry"]["Icon"] == APP_ID
    again = SettingsDialog(controller)
    qtbot.addWidget(again)
    assert again.autostart_check.isChecked()  # read back from the entry itself
    again.autostart_check.setChecked(False)
    again.accept()
    assert not entry.exists()


def test_autostart_failure_is_shown_and_the_dialog_stays(qtbot: Any, controller: AppController) -> None:
    class Broken:
        def is_enabled(self) -> bool:
            return False

        def enable(self, command: Any) -> None:
            raise PermissionError(13, "Permission denied")

        def disable(self) -> None:
            pass

    settings = SettingsDialog(controller, autostart=Broken())
    qtbot.addWidget(settings)
    settings.show()
    settings.minimized_check.setChecked(True)
    settings.autostart_check.setChecked(True)
    settings.accept()
    assert settings.isVisible()
    assert settings.error.text() == "Could not change start at login: Permission denied"
    assert not Preferences().start_minimized  # nothing half-applied


def test_grace_window_applies_to_the_running_scheduler(dialog: SettingsDialog, controller: AppController) -> None:
    scheduler = PublishScheduler(Runner(controller.ctx), catchup=CatchUpPolicy(controller.ctx))  # not started
    controller.set_scheduler(scheduler)
    dialog.grace_spin.setValue(0)
    assert dialog.grace_spin.text() == "Always ask"
    dialog.accept()
    assert scheduler.catchup is not None and scheduler.catchup.grace == timedelta(0)


def test_log_level_applies_at_once(dialog: SettingsDialog, ctx: Context) -> None:
    index = dialog.log_level_combo.findData("DEBUG")
    dialog.log_level_combo.setCurrentIndex(index)
    dialog.accept()
    root = logging.getLogger()
    assert root.level == logging.DEBUG and Preferences().log_level == "DEBUG"
    logging.getLogger("autoposter_gui.test").debug("a debug line, token EAAB0123456789abcdef")
    for handler in root.handlers:
        handler.flush()
    text = (ctx.config.log_dir / LOG_FILE).read_text()
    assert "a debug line" in text and "EAAB0123456789abcdef" not in text  # the redaction filter is on


def test_notification_choices_silence_the_tray(controller: AppController) -> None:
    tray = TrayController(controller, available=False)
    prefs = controller.preferences
    prefs.set_notify("published", False)
    assert not tray.notify("Posted to Sandbox Bakery", "Fresh bread", kind="published")
    assert tray.notify("Couldn't publish", "Token revoked", warning=True, kind="failed")
    prefs.set_notify("warnings", False)
    controller.bridge.notice.emit("token_attention", {"message": "Reconnect Sandbox Bakery", "scheduled_posts": 2})
    assert [n.title for n in tray.notifications] == ["Couldn't publish"]
    prefs.set_notify("warnings", True)
    controller.bridge.notice.emit("token_attention", {"message": "Reconnect Sandbox Bakery", "scheduled_posts": 2})
    assert tray.notifications[-1].title == "2 posts are waiting"
    assert tray.notifications[-1].body == "Reconnect Sandbox Bakery"


def test_open_folder_buttons(qtbot: Any, dialog: SettingsDialog, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    qtbot.mouseClick(dialog.open_data_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.open_logs_button, Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in opened] == [str(ctx.config.data_dir), str(ctx.config.log_dir)]


def test_settings_menu_opens_the_dialog(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[SettingsDialog] = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: shown.append(self) or 0)
    action = next(a for a in window.menuBar().actions() if a.text() == "&File").menu().actions()  # type: ignore[union-attr]
    settings = next(a for a in action if a.text() == "&Settings…")
    settings.trigger()
    assert len(shown) == 1 and shown[0].parent() is window


# ----- restore from backup ----------------------------------------------------------------------------


@pytest.fixture
def running_app(
    qtbot: Any, tmp_path: Path, sandbox: Any, clock: FixedClock, keyring_backend: MemoryKeyring
) -> Iterator[Application]:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    config = AppConfig(tmp_path / "appdata", graph_origin=sandbox.url)
    tokens = TokenStore(config.keyring_service, keyring_backend)
    app = Application(qapp, config, tokens=tokens, clock=clock, tray_available=False)
    quits: list[bool] = []
    app.quit = lambda: quits.append(True)  # type: ignore[method-assign]
    app.quits = quits  # type: ignore[attr-defined]
    assert app.start()
    qtbot.waitUntil(lambda: app.scheduler is not None)
    yield app
    shut_down(qapp, app)


def test_restore_from_backup_closes_restores_and_restarts(
    qtbot: Any,
    running_app: Application,
    clock: FixedClock,
    sandbox: Any,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from autoposter_gui.engine.accounts import AccountService

    app = running_app
    assert app.ctx is not None and app.window is not None and app.controller is not None
    creds = sandbox.credentials
    AccountService(app.ctx).connect(creds.app_id, creds.app_secret, creds.user_token)
    kept = make_post(app.ctx, "In the backup", minutes=2).id
    backup = backup_now(app.ctx.store, clock.now())
    make_post(app.ctx, "Written after the backup", minutes=120)
    clock.advance(timedelta(minutes=10))  # "In the backup" is now due (it may have gone out after the backup)

    def pick_first(picker: RestoreBackupDialog) -> int:
        assert picker.list.count() >= 1 and picker.chosen() == backup
        picker.accept()
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(RestoreBackupDialog, "exec", pick_first)
    old_window, old_controller = app.window, app.controller
    settings = SettingsDialog(app.controller, parent=app.window)
    settings.show()
    qtbot.mouseClick(settings.restore_button, Qt.MouseButton.LeftButton)
    assert dialogs.calls[-1][:2] == ("question", "Restore this backup?")
    assert "kept aside" in dialogs.calls[-1][2]
    assert not settings.isVisible()
    qtbot.waitUntil(lambda: app.controller is not None and app.controller is not old_controller, timeout=10_000)
    assert app.window is not None and app.window is not old_window and app.window.isVisible()
    assert app.ctx is not None
    assert [i.text for i in app.ctx.repo.items()] == ["In the backup"]
    aside = list(app.config.data_dir.glob("autoposter.db.before-restore-*"))
    assert len(aside) == 1
    assert "Restored the backup" in app.window.status.currentMessage()
    # A post already due in the restored database is held for the owner, not published a second time.
    qtbot.waitUntil(lambda: app.missed is not None and app.missed.dialog is not None, timeout=15_000)
    assert app.missed is not None and app.missed.dialog is not None and app.missed.dialog.ids() == [kept]
    assert app.scheduler is not None and app.scheduler.catchup is not None
    qtbot.waitUntil(lambda: app.scheduler is not None and app.scheduler.catchup.grace == timedelta(hours=6))
    assert app.quits == []  # type: ignore[attr-defined]


def test_restore_can_be_called_off(
    qtbot: Any, running_app: Application, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert running_app.ctx is not None and running_app.controller is not None
    backup_now(running_app.ctx.store, running_app.ctx.clock.now())
    monkeypatch.setattr(RestoreBackupDialog, "exec", lambda self: int(QDialog.DialogCode.Accepted))
    dialogs.answer = dialogs.answer.Cancel
    requested: list[object] = []
    running_app.controller.restore_requested.connect(requested.append)
    settings = SettingsDialog(running_app.controller)
    qtbot.addWidget(settings)
    settings.restore_from_backup()
    assert requested == []
    assert not list(running_app.config.data_dir.glob("autoposter.db.before-restore-*"))


def test_no_backups_yet(qtbot: Any, clock: FixedClock) -> None:
    picker = RestoreBackupDialog([], clock.now())
    qtbot.addWidget(picker)
    assert not picker.restore_button.isEnabled() and picker.chosen() is None
    assert "no backups yet" in picker.empty.text()
