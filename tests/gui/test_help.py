"""Help menu, About, app identity, start minimized, and no secret on screen or in the copied diagnostics."""

from __future__ import annotations

import platform
from collections.abc import Iterator
from typing import Any

import PySide6
import pytest
from PySide6.QtCore import QModelIndex, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from autoposter_gui import APP_NAME, APP_ORG, __version__
from autoposter_gui.app import Application, main, make_config
from autoposter_gui.desktop.autostart import APP_ID
from autoposter_gui.meta.client import GRAPH_VERSION
from autoposter_gui.ui import icons
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.preferences import Preferences
from autoposter_gui.ui.settings_dialog import SettingsDialog
from tests.gui.helpers import Dialogs, shut_down
from tests.support.memory_keyring import MemoryKeyring


def _menu(window: MainWindow, title: str) -> list[str]:
    menu = next(a for a in window.menuBar().actions() if a.text() == title).menu()
    return [a.text() for a in menu.actions() if not a.isSeparator()]  # type: ignore[union-attr]


def test_help_menu(window: MainWindow) -> None:
    assert _menu(window, "&Help") == ["&Getting Started", "Open &Log Folder", "Copy &Diagnostics", f"&About {APP_NAME}"]
    assert "&Settings…" in _menu(window, "&File")


def test_open_log_folder(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    window.open_log_folder()
    assert [u.toLocalFile() for u in opened] == [str(window.controller.ctx.config.log_dir)]


def test_about_shows_version_license_and_graph_version(window: MainWindow, dialogs: Dialogs) -> None:
    window.about()
    kind, title, text = dialogs.calls[-1]
    assert (kind, title) == ("about", f"About {APP_NAME}")
    assert __version__ in text and "MIT License" in text and f"Graph API {GRAPH_VERSION}" in text


def test_application_identity_and_start_minimized(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, _isolated_preferences: Any
) -> None:
    """``main`` names the app for the desktop (the .desktop id is the autostart APP_ID) and honours the setting."""
    import autoposter_gui.logsetup

    monkeypatch.setattr(autoposter_gui.logsetup, "configure_logging", lambda *a, **k: None)
    Preferences().start_minimized = True
    calls: list[bool] = []

    def fake_start(self: Application, *, show: bool = True) -> bool:
        calls.append(show)
        return False  # stop here: main() returns 1 without running the event loop

    monkeypatch.setattr(Application, "start", fake_start)
    assert main([]) == 1
    assert calls == [False]  # hidden in the tray, as chosen in Settings
    assert QGuiApplication.desktopFileName() == APP_ID == "io.github.autoposter.Autoposter"
    assert QApplication.applicationName() == APP_NAME and QApplication.organizationName() == APP_ORG
    assert QApplication.applicationVersion() == __version__
    Preferences().start_minimized = False
    assert main(["--minimized"]) == 1 and calls == [False, False]
    assert main([]) == 1 and calls == [False, False, True]


def test_icons_come_from_the_shipped_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from autoposter_gui import resources

    for cached in (icons.app_icon, icons.tray_icon, icons.status_icon):
        cached.cache_clear()

    def no_painting(*_args: Any) -> Any:
        raise AssertionError("painted instead of loaded from autoposter_gui/resources")

    monkeypatch.setattr(icons, "_icon", no_painting)
    try:
        sizes = {s.width() for s in icons.app_icon().availableSizes()}
        assert sizes == set(resources.APP_ICON_SIZES)
        for state in resources.TRAY_STATES:
            assert {s.width() for s in icons.tray_icon(state).availableSizes()} == set(resources.TRAY_ICON_SIZES)
        for status in resources.STATUS_ICONS:
            assert not icons.status_icon(status).pixmap(16, 16).isNull()
    finally:
        for cached in (icons.app_icon, icons.tray_icon, icons.status_icon):
            cached.cache_clear()


# ----- diagnostics and secrets ----------------------------------------------------------------------------


@pytest.fixture
def sandbox_app(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Application]:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app = Application(qapp, make_config(True, None), tray_available=False, sandbox_port=0)
    monkeypatch.setattr(app, "quit", lambda: None)
    assert app.start()
    qtbot.waitUntil(lambda: app.demo_ready, timeout=20_000)
    yield app
    shut_down(qapp, app)


def _strings(widget: QWidget) -> list[str]:
    """Every string a person could see or hover on ``widget`` and its visible children (tables included)."""
    found: list[str] = [widget.windowTitle(), widget.toolTip()]
    for child in [widget, *widget.findChildren(QWidget)]:
        if not child.isVisible():
            continue
        found += [child.toolTip(), child.accessibleName(), child.statusTip()]
        if isinstance(child, QLabel | QAbstractButton | QLineEdit):
            found.append(child.text())
        if isinstance(child, QLineEdit):
            found.append(child.placeholderText())
        if isinstance(child, QPlainTextEdit | QTextEdit):
            found.append(child.toPlainText())
        if isinstance(child, QGroupBox):
            found.append(child.title())
        if isinstance(child, QComboBox):
            found += [child.itemText(i) for i in range(child.count())]
        if isinstance(child, QTabWidget):
            found += [child.tabText(i) for i in range(child.count())]
        if isinstance(child, QAbstractItemView) and child.model() is not None:
            model = child.model()
            for row in range(model.rowCount(QModelIndex())):
                for column in range(model.columnCount(QModelIndex())):
                    index = model.index(row, column)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.data(index, role)
                        if value is not None:
                            found.append(str(value))
    return [s for s in found if s]


def test_diagnostics_have_versions_and_no_secret(
    qtbot: Any, sandbox_app: Application, keyring_backend: MemoryKeyring, dialogs: Dialogs
) -> None:
    app = sandbox_app
    window = app.window
    assert window is not None and app.sandbox_server is not None and app.ctx is not None
    creds = app.sandbox_server.credentials
    secrets = {creds.app_secret, creds.user_token, *keyring_backend.data.values()}
    secrets = {s for s in secrets if s and len(s) >= 8 and s != creds.app_id}
    assert len(secrets) >= 4  # the app secret, the user token, the Page and Instagram tokens

    text = window.copy_diagnostics()
    assert QGuiApplication.clipboard().text() == text
    for expected in (
        f"{APP_NAME} {__version__} (sandbox mode)",
        f"Python {platform.python_version()}",
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}",
        f"Graph API {GRAPH_VERSION}",
        f"Data folder: {app.config.data_dir}",
        f"Logs: {app.config.log_dir}",
        "Scheduler: running",
        "Accounts: 3",
    ):
        assert expected in text, expected
    assert "Diagnostics copied" in window.status.currentMessage()

    settings = SettingsDialog(window.controller, parent=window)
    settings.show()
    window.about()
    seen = [text, *(call[2] for call in dialogs.calls)]
    for tab in ("composer", "queue", "activity", "accounts"):
        window.show_tab(tab)
        seen += _strings(window)
    seen += _strings(settings)
    assert any("Sandbox Bakery" in s for s in seen)  # the scan does see the connected accounts
    leaks = [(secret[:6], s[:60]) for s in seen for secret in secrets if secret in s]
    assert leaks == []
    settings.close()
