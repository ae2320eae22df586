"""What the screenshot scripts share: the entry point (re-run on a private Xvfb when there is no display), an
event-loop spin with an optional condition, and a whole-screen capture."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn


def screenshot_main(
    script: str, run: Callable[[Path], int], default_out: str, *, screen: str = "1280x800x24", tray: bool = False
) -> NoReturn:
    """``run`` the script's shots into the folder given on the command line (default ``default_out``), on a fresh
    private Xvfb (with a trayer panel when ``tray``) when no display is set."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else default_out)
    if not os.environ.get("DISPLAY"):
        from tests.support.xvfb import rerun_on_display

        if not shutil.which("Xvfb"):
            sys.exit("Xvfb is not installed (and no DISPLAY is set)")

        sys.exit(rerun_on_display(script, [str(out)], screen=screen, tray=tray))
    sys.exit(run(out))


def spin(qapp: Any, seconds: float, until: Callable[[], object] | None = None) -> None:
    """Process Qt events for ``seconds``, or until ``until()`` is true."""
    from PySide6.QtCore import QEventLoop

    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until is not None and until()):
        qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


def grab_screen(path: Path) -> None:
    """The whole X screen (window decorations, the tray panel) as a PNG, with ImageMagick's ``import``."""
    subprocess.run(["import", "-window", "root", str(path)], check=False)
    print(path)


def fresh_data_dir(prefix: str, tz: str) -> Path:
    """A new empty data folder for the app (AUTOPOSTER_DATA_DIR), and TZ unless the caller set one."""
    data = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["AUTOPOSTER_DATA_DIR"] = str(data)
    os.environ.setdefault("TZ", tz)
    return data


def start_demo_app(size: tuple[int, int], pos: tuple[int, int]) -> tuple[Any, Any]:
    """(qapp, app): the app in sandbox mode, its window at ``pos`` and ``size``, once the demo accounts connected
    (or 20 s passed: check ``app.demo_ready``)."""
    from PySide6.QtWidgets import QApplication

    from autoposter_gui.app import Application, _identify, make_config
    from autoposter_gui.logsetup import configure_logging

    qapp = QApplication([sys.argv[0]])
    _identify(qapp)
    config = make_config(True, None)
    configure_logging(config.log_dir)
    app = Application(qapp, config, sandbox_port=0)
    assert app.start()
    window = app.window
    assert window is not None and app.ctx is not None
    window.resize(*size)
    window.move(*pos)
    spin(qapp, 20, lambda: app.demo_ready)
    return qapp, app
