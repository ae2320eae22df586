"""Screenshots of each page of the Meta-app guide (Help → Getting Started) under Xvfb (not part of the test suite).

Usage: python tests/screenshots/guide_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-guide-shots)
Starts its own Xvfb when DISPLAY is unset. Walks the guide in sandbox mode, against the sandbox's fake developer flow:
the steps, a wrong App Secret, the app in development mode then Live, the login page, the checklist, and the paste
page without an app and with a malformed token.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402


def run(out: Path) -> int:
    data = Path(tempfile.mkdtemp(prefix="autoposter-guide-"))
    os.environ["AUTOPOSTER_DATA_DIR"] = str(data)
    sys.path.insert(0, str(ROOT))
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QApplication

    from autoposter_gui.app import Application, _identify, make_config
    from autoposter_gui.ui.connect_dialog import ConnectDialog, Step

    qapp = QApplication([sys.argv[0]])
    _identify(qapp)
    opened: list[str] = []
    QDesktopServices.openUrl = staticmethod(lambda url: opened.append(url.toString()) or True)  # type: ignore[method-assign]

    def spin(seconds: float, until: Callable[[], object] | None = None) -> None:
        common.spin(qapp, seconds, until)

    def shot(dialog: ConnectDialog, name: str) -> None:
        spin(0.5)
        dialog.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    app = Application(qapp, make_config(True, None), sandbox_port=0)
    assert app.start()
    spin(20, lambda: app.demo_ready)
    window, server = app.window, app.sandbox_server
    assert window is not None and server is not None
    out.mkdir(parents=True, exist_ok=True)
    creds = server.credentials

    dialog = window.accounts.open_connect_dialog(guided=True)
    spin(1.0, lambda: not dialog.busy)
    shot(dialog, "1-create-app")
    for button in dialog.create_page.link_buttons.values():
        button.click()
    dialog.next()
    shot(dialog, "2-use-case-permissions")
    dialog.next()
    dialog.app_id_edit.setText(creds.app_id)
    dialog.app_secret_edit.setText("not-the-secret")
    dialog.next()
    spin(5, lambda: not dialog.busy)
    shot(dialog, "3a-app-wrong-secret")
    dialog.app_secret_edit.setText(creds.app_secret)
    server.configure(app_live=False)
    dialog.next()
    spin(5, lambda: not dialog.busy and dialog.step is Step.LIVE)
    shot(dialog, "4a-live-in-development")
    server.configure(app_live=True)
    dialog.check_live()
    spin(5, lambda: not dialog.busy)
    shot(dialog, "4b-live-ok")
    dialog.live_page.link_buttons["settings"].click()
    dialog.next()  # Test connection: the sandbox's Facebook Login page in the webview
    spin(8)
    shot(dialog, "5-test-connection-login")
    if dialog.step is Step.LOGIN:
        dialog.choose_paste()
    dialog.token_edit.setText(creds.user_token)
    dialog.next()
    spin(15, lambda: dialog.step is Step.CHOOSE and not dialog.busy)
    shot(dialog, "6-checklist")
    dialog.reject()

    bare = ConnectDialog(app.controller, window)  # a fresh wizard: paste before the app is filled in
    bare.show()
    spin(1.0)
    bare._stored = (None, None)  # as on a first run: nothing in the keyring yet
    bare.stored_label.hide()
    bare.app_id_edit.setPlaceholderText("e.g. 123456789012345")
    bare.app_secret_edit.setPlaceholderText("A 32-character code from App settings → Basic")
    shot(bare, "0-connect-first-page")
    bare.choose_paste()
    bare.token_edit.setText("EAAB copied with spaces")
    shot(bare, "7a-paste-without-app")
    bare.app_id_edit.setText(creds.app_id)
    bare.app_secret_edit.setText(creds.app_secret)
    bare.choose_paste()
    bare.next()
    shot(bare, "7b-paste-malformed-token")
    bare.token_edit.setText("EAABnotarealtokenbutlongenough123")
    bare.next()
    spin(10, lambda: bare.step is Step.PASTE and not bare.busy)
    shot(bare, "7c-paste-unknown-token")
    bare.reject()

    print("opened:", *opened, sep="\n  ")
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-guide-shots", screen="1280x900x24")
