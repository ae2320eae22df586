"""The real system tray: under Xvfb with the trayer panel, the app's tray icon is embedded and visible."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.xvfb import start_xvfb

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("trayer") is None, reason="needs the Xvfb and trayer binaries"
)

SCRIPT = """
import json, sys, time
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

qapp = QApplication([])
deadline = time.monotonic() + 15
while not QSystemTrayIcon.isSystemTrayAvailable() and time.monotonic() < deadline:
    qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    time.sleep(0.05)
available = QSystemTrayIcon.isSystemTrayAvailable()

from autoposter_gui.app import Application, make_config

app = Application(qapp, make_config(False, None))
assert app.start(show=False)  # minimized: only the tray icon
icon = app.tray.icon
deadline = time.monotonic() + 15
while time.monotonic() < deadline and not (icon.geometry().isValid() and icon.geometry().width() > 0):
    qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    time.sleep(0.05)
result = {
    "available": available,
    "visible": icon.isVisible(),
    "tray_visible": app.tray.visible,
    "geometry": [icon.geometry().width(), icon.geometry().height()],
    "quit_on_last_window_closed": qapp.quitOnLastWindowClosed(),
    "window_visible": app.window.isVisible(),
    "menu": [a.text() for a in icon.contextMenu().actions() if not a.isSeparator()],
}
app.shutdown()
print(json.dumps(result))
"""


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    started = start_xvfb("1024x768x24")
    if started is None:
        pytest.fail("Xvfb did not report a display number")
    return started


def test_tray_icon_is_shown_in_a_real_panel(tmp_path: Path) -> None:
    xvfb, display = _start_xvfb()
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "AUTOPOSTER_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("WAYLAND_DISPLAY", None)
    trayer = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "160", "--height", "32"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
        )
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        trayer.terminate()
        xvfb.terminate()
        trayer.wait(10)
        xvfb.wait(10)
    assert result["available"] is True
    assert result["visible"] is True and result["tray_visible"] is True
    assert result["geometry"][0] > 0 and result["geometry"][1] > 0  # embedded in the panel
    assert result["quit_on_last_window_closed"] is False  # closing the window keeps the app in the tray
    assert result["window_visible"] is False
    assert result["menu"] == ["Show Autoposter", "Run now", "Pause publishing", "Quit Autoposter"]
