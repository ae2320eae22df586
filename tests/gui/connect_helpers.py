"""Helpers for the Connect Meta tests: a stand-in for the webview, and driving the wizard through its steps."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from autoposter_gui.meta.login import REDIRECT_URI
from autoposter_gui.ui import connect_dialog
from autoposter_gui.ui.connect_dialog import ConnectDialog, Step


class FakeBrowser(QWidget):
    """Has the LoginBrowser's signals; records the URLs it was asked to open instead of loading them."""

    redirect_reached = Signal(str)
    load_failed = Signal(str)
    loaded = Signal(str)
    crashed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QWidget(self)
        self.urls: list[str] = []
        self.stopped = 0
        self.notices: list[str] = []

    def start(self, url: str) -> None:
        self.urls.append(url)

    def stop(self) -> None:
        self.stopped += 1

    def show_notice(self, text: str) -> None:
        self.notices.append(text)

    @property
    def state(self) -> str:
        """The ``state`` of the last login URL opened."""
        return parse_qs(urlsplit(self.urls[-1]).query)["state"][0]


def use_fake_browser(monkeypatch: pytest.MonkeyPatch) -> list[FakeBrowser]:
    made: list[FakeBrowser] = []

    def create(parent: QWidget | None = None) -> FakeBrowser:
        browser = FakeBrowser(parent)
        made.append(browser)
        return browser

    monkeypatch.setattr(connect_dialog, "create_login_browser", create)
    return made


def redirect(token: str, state: str, **extra: str) -> str:
    """What Facebook redirects to after a successful login."""
    return f"{REDIRECT_URI}#{urlencode({'access_token': token, 'expires_in': '7200', 'state': state, **extra})}"


def fill_app(qtbot: Any, dialog: ConnectDialog, app_id: str, secret: str) -> None:
    qtbot.keyClicks(dialog.app_id_edit, app_id)
    qtbot.keyClicks(dialog.app_secret_edit, secret)


def click(qtbot: Any, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wait_for_step(qtbot: Any, dialog: ConnectDialog, step: Step, timeout: int = 15_000) -> None:
    qtbot.waitUntil(lambda: dialog.step is step and not dialog.busy, timeout=timeout)


def rows_by_name(dialog: ConnectDialog) -> dict[str, Any]:
    return {
        row.check.account.name
        if row.check.account.platform.value == "facebook"
        else "@" + str(row.check.account.username): row
        for row in dialog.rows
    }


def paste_connect(qtbot: Any, dialog: ConnectDialog, app_id: str, secret: str, token: str) -> None:
    """The paste-a-token path up to the checklist."""
    if app_id:
        fill_app(qtbot, dialog, app_id, secret)
    click(qtbot, dialog.paste_link)
    assert dialog.step is Step.PASTE
    qtbot.keyClicks(dialog.token_edit, token)
    click(qtbot, dialog.next_button)
    wait_for_step(qtbot, dialog, Step.CHOOSE)
