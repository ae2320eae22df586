"""Settings shared with the CLI in the GUI: the grace window moved to the engine, keep-awake, and email alerts
(with "Send test email" against a real local SMTP server); the keep-awake message in the status bar and tray."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.settings import SettingsService
from autoposter_gui.ui.bridge import EngineBridge
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.preferences import GRACE_HOURS, Preferences
from autoposter_gui.ui.settings_dialog import SettingsDialog
from autoposter_gui.ui.status_bar import AppStatusBar
from autoposter_gui.ui.tasks import TaskRunner
from autoposter_gui.ui.tray import TrayController
from tests.support.memory_keyring import MemoryKeyring
from tests.support.smtp import mail_server


def _controller(ctx: Context) -> AppController:
    settings = QSettings(str(ctx.config.data_dir / "gui.ini"), QSettings.Format.IniFormat)
    return AppController(ctx, bridge=EngineBridge(ctx.events), tasks=TaskRunner(), settings=settings)


def test_the_grace_window_moves_from_qsettings_to_the_engine_once(qtbot: Any, ctx: Context) -> None:
    Preferences().grace_hours = 2  # what an earlier version kept in QSettings
    controller = _controller(ctx)
    assert SettingsService(ctx).grace_hours == 2 and controller.preferences.grace_hours == 2
    assert not Preferences().settings.contains(GRACE_HOURS)  # moved, not copied
    SettingsService(ctx).set("grace_hours", "9")  # `autoposter settings set grace_hours 9`
    assert controller.preferences.grace_hours == 9  # the GUI reads the same value
    Preferences().grace_hours = 4  # a stale QSettings value never overwrites the engine's
    _controller(ctx)
    assert SettingsService(ctx).grace_hours == 9


def test_keep_awake_and_email_settings_save_through_the_engine(
    qtbot: Any, controller: AppController, keyring_backend: MemoryKeyring
) -> None:
    dialog = SettingsDialog(controller)
    qtbot.addWidget(dialog)
    assert dialog.keep_awake_check.isChecked() and dialog.email.port_spin.value() == 587
    dialog.keep_awake_check.setChecked(False)
    email = dialog.email
    email.host_edit.setText("smtp.bakery.example")
    email.security_combo.setCurrentIndex(email.security_combo.findData("ssl"))
    assert email.port_spin.value() == 465  # follows the security
    email.username_edit.setText("owner")
    email.password_edit.setText("gui-typed-pass-77")
    email.from_edit.setText("shop@bakery.example")
    email.to_edit.setText("owner@bakery.example")
    dialog.accept()
    values = SettingsService(controller.ctx).all()
    assert values["keep_awake"] == "off" and values["smtp.host"] == "smtp.bakery.example"
    assert values["smtp.security"] == "ssl" and values["smtp.port"] == 465 and values["smtp.password"] is True
    assert "gui-typed-pass-77" in keyring_backend.data.values()
    assert b"gui-typed-pass-77" not in controller.ctx.config.db_path.read_bytes()
    again = SettingsDialog(controller)
    qtbot.addWidget(again)
    assert not again.keep_awake_check.isChecked() and again.email.password_edit.text() == ""
    assert "keyring" in again.email.password_edit.placeholderText()


def test_a_bad_address_saves_nothing(qtbot: Any, controller: AppController) -> None:
    dialog = SettingsDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grace_spin.setValue(1)
    dialog.email.to_edit.setText("not an address")
    dialog.accept()
    assert dialog.isVisible() and "smtp.to must be" in dialog.error.text()
    assert SettingsService(controller.ctx).all()["smtp.to"] is None
    assert SettingsService(controller.ctx).grace_hours == 6


def test_send_test_email_runs_off_the_gui_thread_and_says_how_it_went(
    qtbot: Any, controller: AppController, tmp_path: Path
) -> None:
    dialog = SettingsDialog(controller)
    qtbot.addWidget(dialog)
    email = dialog.email
    with mail_server(tmp_path) as server:
        email.host_edit.setText(server.host)
        email.security_combo.setCurrentIndex(email.security_combo.findData("none"))
        email.port_spin.setValue(server.port)
        email.to_edit.setText("owner@bakery.example")
        email.test_button.click()
        assert not email.test_button.isEnabled()  # sending in the background
        qtbot.waitUntil(lambda: email.test_button.isEnabled(), timeout=20_000)
    assert "Test email sent to owner@bakery.example" in email.result.text()
    assert len(server.messages) == 1
    assert SettingsService(controller.ctx).all()["smtp.host"] is None  # tried, not saved (Cancel keeps it so)
    email.port_spin.setValue(9)  # nothing listens there now
    email.test_button.click()
    qtbot.waitUntil(lambda: email.test_button.isEnabled(), timeout=20_000)
    assert "Could not reach the mail server" in email.result.text()


def test_status_bar_and_tray_say_when_the_computer_is_kept_awake(qtbot: Any, controller: AppController) -> None:
    bar = AppStatusBar(controller)
    qtbot.addWidget(bar)
    tray = TrayController(controller, available=False)
    message = "Keeping this computer awake for the 09:30 Instagram post"
    controller.ctx.events.emit(Events.NOTICE, "keep_awake", {"active": True, "message": message})
    qtbot.waitUntil(lambda: bar.awake_label.text() == message)
    assert not bar.awake_label.isHidden()
    assert message in tray.icon.toolTip()
    controller.ctx.events.emit(Events.NOTICE, "keep_awake", {"active": False, "message": ""})
    qtbot.waitUntil(lambda: bar.awake_label.isHidden())
    assert message not in tray.icon.toolTip()
