"""Start-up: a loading state (never "No accounts…") until the accounts are known, the shell, the ready mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from autoposter_gui.app import DEMO_LOADING, READY_MARK_ENV, Application, _make_shell, make_config
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from tests.gui.helpers import shut_down


def _composer_state(window: MainWindow) -> tuple[bool, bool]:
    """(the loading line shows, "No accounts are connected yet" shows) in the Composer's "Post to" box."""
    composer = window.composer
    return composer.accounts_loading.isVisibleTo(window), composer.no_accounts.isVisibleTo(window)


def test_sandbox_start_shows_a_loading_state_until_the_demo_accounts_are_connected(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app = Application(qapp, make_config(True, None), tray_available=False, sandbox_port=0)
    monkeypatch.setattr(app, "quit", lambda: None)
    try:
        assert app.start()
        window = app.window
        assert window is not None and app.controller is not None
        assert app.ctx is not None and app.ctx.repo.accounts() == []  # nothing connected yet
        # Right after start: "Connecting the sandbox's demo accounts…", never "No accounts…"
        assert _composer_state(window) == (True, False)
        assert window.composer.accounts_loading.text() == DEMO_LOADING
        accounts = window.accounts
        assert accounts.stack.currentWidget() is accounts.loading
        assert accounts.loading.text.text() == DEMO_LOADING
        assert not app.ready  # not usable before the accounts show

        qtbot.waitUntil(lambda: app.demo_ready, timeout=20_000)
        assert app.controller.accounts_loading is None
        qtbot.waitUntil(lambda: len(window.composer._checks) == 3)
        assert _composer_state(window) == (False, False)
        qtbot.waitUntil(lambda: accounts.stack.currentWidget() is accounts.view)
        assert accounts.model.rowCount() == 3
        qtbot.waitUntil(lambda: app.ready, timeout=5_000)
    finally:
        shut_down(qapp, app)


def test_the_empty_state_shows_once_the_accounts_are_known_to_be_none(
    controller: AppController, window: MainWindow
) -> None:
    assert _composer_state(window) == (False, True)  # known from the start: none
    controller.set_accounts_loading("Loading your accounts…")
    assert _composer_state(window) == (True, False)
    assert window.accounts.stack.currentWidget() is window.accounts.loading

    controller.set_accounts_loading(None)  # known: there are none
    assert _composer_state(window) == (False, True)
    assert window.accounts.stack.currentWidget() is window.accounts.empty


def test_normal_start_is_usable_at_once_and_prints_the_ready_mark(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    monkeypatch.setenv(READY_MARK_ENV, "READY-42")
    app = Application(qapp, make_config(False, str(tmp_path / "data")), tray_available=False)
    monkeypatch.setattr(app, "quit", lambda: None)
    try:
        assert app.start()
        window = app.window
        assert window is not None and app.controller is not None
        assert app.controller.accounts_loading is None  # the accounts are in the database: known
        assert _composer_state(window) == (False, True)
        qtbot.waitUntil(lambda: app.ready, timeout=5_000)
        assert "READY-42" in capsys.readouterr().out.splitlines()
    finally:
        shut_down(qapp, app)


def test_the_first_window_says_it_is_loading(tmp_path: Path) -> None:
    config = make_config(True, str(tmp_path / "data"))
    config.ensure_dir()
    shell = _make_shell(config)
    try:
        text = " ".join(label.text() for label in shell.findChildren(QLabel))
        assert "Loading your accounts and posts" in text and "sandbox" in text
    finally:
        shell.deleteLater()
