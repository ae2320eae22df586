"""GUI test fixtures: the controller, window and scheduler around the shared ctx; modal dialogs patched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.bridge import EngineBridge
from autoposter_gui.ui.composer_tab import ComposerTab
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.tasks import TaskRunner
from tests.gui.helpers import Dialogs, FakeScheduler

# The login webview (QtWebEngine) wants this before pytest-qt creates the QApplication.
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


@pytest.fixture(autouse=True)
def _isolated_preferences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """App-wide QSettings (the Settings dialog) and XDG autostart entries go to a temporary folder."""
    config_home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(config_home))
    return config_home


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """No test may block on a modal message box."""
    record = Dialogs()

    def fake(kind: str) -> Any:
        def show(parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
            record.calls.append((kind, title, text))
            return record.answer

        return staticmethod(show)

    for kind in ("question", "warning", "information", "critical", "about"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind))

    def exec_box(box: QMessageBox) -> int:
        """A message box built by hand (dialogs.confirm): ``answer`` Yes/Ok clicks its accepting button, anything
        else the one that keeps things as they are (its escape button)."""
        record.calls.append(("confirm", box.windowTitle(), f"{box.text()}\n{box.informativeText()}".strip()))
        record.buttons.append([b.text() for b in box.buttons()])
        Role = QMessageBox.ButtonRole
        accept = record.answer in (QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Ok)
        roles = (Role.AcceptRole, Role.YesRole, Role.DestructiveRole) if accept else (Role.RejectRole, Role.NoRole)
        chosen = next((b for b in box.buttons() if box.buttonRole(b) in roles), None)
        chosen = chosen or (None if accept else box.escapeButton()) or box.defaultButton() or box.buttons()[0]
        chosen.click()
        return int(box.standardButton(chosen).value)

    monkeypatch.setattr(QMessageBox, "exec", exec_box)
    return record


@pytest.fixture
def controller(qtbot: Any, ctx: Context) -> Iterator[AppController]:
    bridge = EngineBridge(ctx.events)
    settings = QSettings(str(ctx.config.data_dir / "gui.ini"), QSettings.Format.IniFormat)
    ctrl = AppController(ctx, bridge=bridge, tasks=TaskRunner(), settings=settings)
    yield ctrl
    ctrl.tasks.wait(10_000)
    bridge.detach()


@pytest.fixture
def fake_scheduler(controller: AppController) -> FakeScheduler:
    scheduler = FakeScheduler()
    controller.set_scheduler(scheduler)  # type: ignore[arg-type]
    return scheduler


@pytest.fixture
def real_scheduler(ctx: Context, controller: AppController) -> Iterator[Any]:
    """The core's PublishScheduler on its own thread (interval long: ticks happen through run_now)."""
    from autoposter_gui.engine.runner import Runner
    from autoposter_gui.engine.scheduler import PublishScheduler

    scheduler = PublishScheduler(Runner(ctx), interval_seconds=3600)
    scheduler.start()
    controller.set_scheduler(scheduler)
    yield scheduler
    scheduler.shutdown(wait=True)


@pytest.fixture
def connected(ctx: Context, sandbox: Any) -> list[Account]:
    """The sandbox's demo Pages and Instagram account, connected through the core."""
    from autoposter_gui.engine.accounts import AccountService

    creds = sandbox.credentials
    return AccountService(ctx).connect(creds.app_id, creds.app_secret, creds.user_token)


@pytest.fixture
def composer(qtbot: Any, controller: AppController, connected: list[Account]) -> ComposerTab:
    """The Composer tab, shown, with the sandbox accounts connected."""
    tab = ComposerTab(controller)
    qtbot.addWidget(tab)
    tab.show()
    return tab


@pytest.fixture
def window(qtbot: Any, controller: AppController) -> MainWindow:
    win = MainWindow(controller)
    qtbot.addWidget(win)
    quits: list[bool] = []
    win.set_quit_handler(lambda: quits.append(True))
    win.quits = quits  # type: ignore[attr-defined]
    win.show()
    return win


@pytest.fixture
def image(tmp_path: Path) -> str:
    from PIL import Image

    path = tmp_path / "croissant.jpg"
    Image.new("RGB", (1080, 1080), (220, 160, 90)).save(path, "JPEG")
    return str(path)
