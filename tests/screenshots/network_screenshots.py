"""Screenshots of connecting X and Google Business Profile from the Connect wizard, in sandbox mode under Xvfb (not
part of the test suite): the choice of network, X's page, X connected, Google's page and its checklist, and the
Accounts tab and the Composer's account list with the X account.

Usage: python tests/screenshots/network_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-network-shots)
The browser step is the sign-in URL followed with urllib (the sandbox's fakes approve at once).
"""

from __future__ import annotations

import shutil
import sys
import threading
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402


def follow(url: str) -> None:
    def run() -> None:
        with urllib.request.urlopen(url, timeout=30) as answer:
            answer.read()

    threading.Thread(target=run, daemon=True).start()


def run(out: Path) -> int:
    data = common.fresh_data_dir("autoposter-netshots-", "Europe/Paris")
    qapp, app = common.start_demo_app((1120, 720), (40, 50))
    window = app.window
    assert window is not None and app.ctx is not None
    out.mkdir(parents=True, exist_ok=True)

    def spin(seconds: float, until: object = None) -> None:
        common.spin(qapp, seconds, until)  # type: ignore[arg-type]

    def shot(widget: object, name: str) -> None:
        spin(0.6)
        widget.grab().save(str(out / f"{name}.png"))  # type: ignore[attr-defined]
        print(out / f"{name}.png")

    window.show_tab("accounts")
    dialog = window.accounts.choose_and_connect()
    dialog.move(140, 120)
    shot(dialog, "connect-networks")
    common.grab_screen(out / "connect-networks-screen.png")

    dialog.network_page.select("x")
    dialog.next()
    shot(dialog, "connect-x")
    page = dialog.x_page
    page.port = 0  # the fixed 8719 may be busy on a shared machine
    opened: list[str] = []
    page.open_url = opened.append  # hold the browser back: the waiting state first
    dialog.next()
    spin(5, lambda: page.state == "waiting")
    shot(dialog, "connect-x-waiting")
    follow(opened[-1])
    spin(20, lambda: page.state in ("done", "failed"))
    shot(dialog, "connect-x-done")
    dialog.accept()

    dialog = window.accounts.choose_and_connect()
    dialog.move(140, 120)
    dialog.network_page.select("google")
    dialog.next()
    shot(dialog, "connect-google")
    gpage = dialog.google_page
    gpage.open_url = follow
    dialog.next()
    spin(20, lambda: gpage.state in ("choose", "failed"))
    if gpage.boxes:
        gpage.boxes[-1].setChecked(False)
    shot(dialog, "connect-google-locations")
    dialog.reject()

    spin(1.0)
    shot(window, "accounts-with-x")
    window.show_tab("composer")
    shot(window, "composer-with-x")
    common.grab_screen(out / "desktop.png")
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-network-shots", screen="1280x800x24")
