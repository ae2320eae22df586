"""Screenshots of the quit question, the missed-posts dialog, the Accounts tab and the sandbox tray icon beside a
normal one, under Xvfb with a trayer panel (not part of the test suite).

Usage: python tests/screenshots/quit_missed_tray.py [OUTPUT_DIR]   (default: /tmp/autoposter-quit-shots)
Starts its own Xvfb and trayer when DISPLAY is unset. Also prints the X11 window title of the sandbox window.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402


def run(out: Path) -> int:
    data = Path(tempfile.mkdtemp(prefix="autoposter-quit-shots-"))
    os.environ.setdefault("TZ", "Europe/Paris")
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from autoposter_gui.app import Application, _identify, make_config
    from autoposter_gui.domain.models import ItemStatus, Platform
    from autoposter_gui.engine.catchup import missed_note
    from autoposter_gui.engine.events import Events
    from autoposter_gui.storage.repo import NewItem
    from autoposter_gui.ui import icons

    qapp = QApplication([sys.argv[0]])
    _identify(qapp)

    def spin(seconds: float, until: Callable[[], object] | None = None) -> None:
        common.spin(qapp, seconds, until)

    def shot(name: str) -> None:
        common.grab_screen(out / f"{name}.png")

    spin(5, QSystemTrayIcon.isSystemTrayAvailable)
    out.mkdir(parents=True, exist_ok=True)
    app = Application(qapp, make_config(True, str(data)), sandbox_port=0)
    assert app.start()
    window, ctx = app.window, app.ctx
    assert window is not None and ctx is not None and app.tray is not None
    window.resize(1000, 640)
    window.move(20, 60)
    window.show_tab("accounts")
    spin(0.8)
    window.grab().save(str(out / "accounts-checking.png"))
    print(out / "accounts-checking.png")
    spin(20, lambda: app.demo_ready)
    spin(2)
    window.grab().save(str(out / "accounts-checked.png"))
    print(out / "accounts-checked.png")
    found = subprocess.run(["xdotool", "search", "--name", "Sandbox"], capture_output=True, text=True, check=False)
    for wid in found.stdout.split():
        title = subprocess.run(["xprop", "-id", wid, "_NET_WM_NAME"], capture_output=True, text=True, check=False)
        print("X11 title:", title.stdout.strip())

    # A normal-mode tray icon beside the sandbox one, as two instances side by side would show.
    normal = QSystemTrayIcon(icons.tray_icon("idle"))
    normal.setToolTip("Autoposter: nothing scheduled")
    normal.show()
    spin(1.5)
    shot("tray-normal-and-sandbox")
    print("sandbox tray tooltip:", app.tray.icon.toolTip())

    repo, now = ctx.repo, ctx.clock.now()
    accounts = {a.external_id: a for a in repo.accounts()}
    bakery, insta = accounts["100000000000001"], accounts["17841400000000001"]
    texts = [
        (bakery, "Fresh croissants are out of the oven! Come by before 10.", 2),
        (insta, "Sourdough Saturday is back #sourdough #bakery", 14),
        (bakery, "Lunch special: soup and a baguette for €6", 25),
        (bakery, "We are hiring a weekend baker", 33),
        (insta, "Behind the scenes at 4 am", 41),
        (bakery, "Last call for Christmas orders", 48),
        (bakery, "Thank you for a wonderful year!", 57),
    ]
    repo.add_items(
        [
            NewItem(a.id, Platform(a.platform), text, None, ItemStatus.SCHEDULED, now + timedelta(minutes=m))
            for a, text, m in texts
        ],
        now,
    )
    for item in repo.items([ItemStatus.SCHEDULED]):
        ctx.events.emit(Events.ITEM_CHANGED, item.id)
    window.show_tab("queue")
    spin(1.0)
    window.request_quit()
    spin(1.0)
    shot("quit-prompt")
    prompt = window.quit_prompt
    assert prompt is not None
    prompt.grab().save(str(out / "quit-prompt-dialog.png"))
    prompt.keep_button.click()
    spin(0.5)

    # One post missed while the app was closed.
    window.show_and_raise()
    late = repo.add_items(
        [
            NewItem(
                bakery.id, Platform.FACEBOOK, "Morning croissants", None, ItemStatus.SCHEDULED, now - timedelta(hours=8)
            )
        ],
        now,
    )[0].id
    ids = repo.mark_missed(now - timedelta(hours=6), now, missed_note("not_running"))
    assert app.missed is not None and late in ids
    dialog = app.missed.show_missed(ids, reason="not_running")
    assert dialog is not None
    spin(1.0)
    shot("missed-dialog")
    dialog.grab().save(str(out / "missed-dialog-only.png"))
    dialog.reject()
    normal.hide()
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-quit-shots", screen="1280x800x24", tray=True)
