"""The composition root: command line, start-up without heavy imports, sandbox mode end to end, mode switch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QProcess, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from autoposter_gui import APP_NAME, __version__
from autoposter_gui.app import Application, main, make_config, restart_command
from autoposter_gui.ui.activity_model import ActivityColumn
from autoposter_gui.ui.errors import ExceptionHook
from autoposter_gui.ui.queue_model import QueueColumn
from autoposter_gui.ui.single_instance import SingleInstance, server_name_for
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, Dialogs, shut_down

ROOT = Path(__file__).resolve().parents[2]


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"autoposter-gui {__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--sandbox" in out and "--data-dir" in out


def test_sandbox_has_its_own_data_folder(tmp_path: Path) -> None:
    real, demo = make_config(False, None), make_config(True, None)
    assert demo.sandbox and not real.sandbox
    assert demo.data_dir == real.data_dir / "sandbox"
    assert demo.keyring_service != real.keyring_service
    assert make_config(True, str(tmp_path)).data_dir == tmp_path / "sandbox"


def test_restart_command() -> None:
    program, args = restart_command(True, "/data")
    assert program == sys.executable
    assert args == ["-m", "autoposter_gui.app", "--sandbox", "--data-dir", "/data"]


def test_second_launch_shows_the_first_and_exits(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import autoposter_gui.logsetup

    monkeypatch.setattr(autoposter_gui.logsetup, "configure_logging", lambda *a, **k: None)  # keep logging as is
    config = make_config(False, None)
    config.ensure_dir()
    first = SingleInstance(config.data_dir / "gui.lock", server_name_for(config.data_dir))
    assert first.acquire()
    try:
        with qtbot.waitSignal(first.activation_requested, timeout=5_000):
            assert main([]) == 0
    finally:
        first.release()


def test_exception_hook_shows_a_short_message_and_logs(dialogs: Dialogs, caplog: pytest.LogCaptureFixture) -> None:
    hook = ExceptionHook(Path("/tmp/logs"))
    try:
        raise KeyError("secret internals")
    except KeyError as exc:
        hook(type(exc), exc, exc.__traceback__)
    kind, _title, text = dialogs.calls[0]
    assert kind == "warning"
    assert "unexpected problem (KeyError)" in text and "/tmp/logs" in text
    assert "secret internals" not in text and "Traceback" not in text
    assert "secret internals" in caplog.text  # the details go to the log


def test_window_shows_before_requests_or_pillow_are_imported(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "qapp = QApplication([])\n"
        "from autoposter_gui.app import Application, make_config\n"
        "app = Application(qapp, make_config(False, None), tray_available=False)\n"
        "assert app.start()\n"
        "assert app.window.isVisible()\n"
        "heavy = [m for m in ('requests', 'PIL', 'PySide6.QtWebEngineCore', 'apscheduler') if m in sys.modules]\n"
        "app.shutdown()\n"
        "print(heavy)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AUTOPOSTER_DATA_DIR": str(tmp_path / "d")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture
def started(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app = Application(qapp, make_config(True, None), tray_available=False, sandbox_port=0)
    quits: list[bool] = []
    monkeypatch.setattr(app, "quit", lambda: quits.append(True))
    app.quits = quits  # type: ignore[attr-defined]
    assert app.start()
    yield app
    shut_down(qapp, app)


def test_end_to_end_in_sandbox_mode(
    qtbot: Any, started: Application, image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connect to the sandbox, compose, Publish now, see "posted" in the Queue and a working link in Activity."""
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    app = started
    window = app.window
    assert window is not None and window.status.badge.isVisible()
    # Qt appends " — <display name>" (_identify sets it to APP_NAME) to a title that doesn't end with it.
    assert window.windowTitle() == "Sandbox — Autoposter" and window.windowTitle().endswith(APP_NAME)
    qtbot.waitUntil(lambda: app.demo_ready, timeout=20_000)
    assert app.scheduler is not None and app.scheduler.state.running
    composer = window.composer
    qtbot.waitUntil(lambda: len(composer._checks) == 3)
    assert app.ctx is not None
    ids = [a.id for a in app.ctx.repo.accounts() if a.external_id in (BAKERY_PAGE, BAKERY_IG)]
    composer.set_selected_accounts(ids)
    qtbot.keyClicks(composer.text_edit, "Pain au chocolat, warm from the oven #bakery")
    composer.set_image(image)
    qtbot.mouseClick(composer.now_button, Qt.MouseButton.LeftButton)
    assert composer.errors() == {}
    assert window.current_tab() == "queue"
    model = window.queue.model
    assert model.rowCount() == 2
    qtbot.waitUntil(
        lambda: [model.index(r, QueueColumn.STATUS).data() for r in range(2)] == ["Posted", "Posted"], timeout=30_000
    )
    activity = window.activity
    window.show_tab("activity")
    qtbot.waitUntil(lambda: activity.model.index(0, ActivityColumn.LINK).data() == "View Post →")
    rect = activity.view.visualRect(activity.model.index(0, ActivityColumn.LINK))
    qtbot.mouseClick(activity.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(opened) == 1
    url = opened[0].toString()
    assert url.startswith(app.sandbox_server.url if app.sandbox_server else "?")
    with urllib.request.urlopen(url, timeout=5) as page:  # the sandbox serves the post at its permalink
        assert "Pain au chocolat" in page.read().decode()


def test_switching_mode_restarts_the_app(
    qtbot: Any, started: Application, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(QProcess, "startDetached", staticmethod(lambda p, a: launched.append((p, a)) or (True, 42)))
    window = started.window
    assert window is not None
    assert window.accounts.sandbox_button.text() == "Restart in normal mode"
    qtbot.mouseClick(window.accounts.sandbox_button, Qt.MouseButton.LeftButton)
    assert launched == [(sys.executable, ["-m", "autoposter_gui.app"])]
    assert started.quits == [True]  # type: ignore[attr-defined]


def test_sandbox_server_state_lives_in_the_sandbox_folder(qtbot: Any, started: Application) -> None:
    qtbot.waitUntil(lambda: started.demo_ready, timeout=20_000)
    assert started.sandbox_server is not None
    assert started.ctx is not None and started.ctx.config.graph_origin == started.sandbox_server.url
    state = started.config.data_dir / "sandbox-server.json"
    started.shutdown()
    assert state.exists() and json.loads(state.read_text())


def test_quit_request_leaves_even_when_the_window_hides_to_the_tray(
    started: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (log-out) and a mode switch go through request_quit: the window's close-to-tray must not veto it,
    and nothing asks, even with a post due in two minutes (only the owner's own Quit asks)."""
    from datetime import timedelta

    from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
    from autoposter_gui.storage.repo import NewItem
    from autoposter_gui.ui.tray import TrayController

    monkeypatch.setattr(TrayController, "visible", property(lambda self: True))
    assert started.ctx is not None
    repo, now = started.ctx.repo, started.ctx.clock.now()
    page = repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, "1", "Bakery", "t"), None, now)
    soon = NewItem(page.id, Platform.FACEBOOK, "Soon", None, ItemStatus.SCHEDULED, now + timedelta(minutes=2))
    repo.add_items([soon], now)
    assert started.controller is not None and started.controller.posts.due_within(timedelta(hours=1)).total == 1
    started.request_quit()
    assert started.quits == [True]  # type: ignore[attr-defined]
    assert started.window is not None and not started.window.isVisible()
    assert started.window.quit_prompt is None
