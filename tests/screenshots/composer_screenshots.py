"""Screenshots of the Composer's rich posts and small-window layout under Xvfb (not part of the test suite).

Usage: python tests/screenshots/composer_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-composer-shots)
Starts its own Xvfb when DISPLAY is unset. Saves the Composer with every problem shown and a status message at
700×480, and (when the Composer has a media strip) a 3-image carousel, a video and a link post, each at the default
size and at 700×480.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402

DEFAULT, SMALL = (1120, 720), (700, 480)


def run(out: Path) -> int:
    data = Path(tempfile.mkdtemp(prefix="autoposter-composer-"))
    os.environ["AUTOPOSTER_DATA_DIR"] = str(data)
    os.environ.setdefault("TZ", "Europe/Paris")
    from PySide6.QtWidgets import QApplication

    from autoposter_gui.app import Application, _identify, make_config
    from autoposter_gui.logsetup import configure_logging
    from autoposter_gui.ui import fmt

    qapp = QApplication([sys.argv[0]])
    _identify(qapp)

    def spin(seconds: float, until: Callable[[], object] | None = None) -> None:
        common.spin(qapp, seconds, until)

    config = make_config(True, None)
    configure_logging(config.log_dir)
    app = Application(qapp, config, sandbox_port=0)
    assert app.start()
    window = app.window
    assert window is not None and app.ctx is not None
    window.move(20, 20)

    def screen(name: str, size: tuple[int, int]) -> None:
        window.resize(*size)
        spin(0.8)
        common.grab_screen(out / f"{name}-{size[0]}x{size[1]}.png")

    window.resize(*DEFAULT)
    spin(20, lambda: app.demo_ready)
    ctx, composer = app.ctx, window.composer
    accounts = {a.external_id: a.id for a in ctx.repo.accounts()}
    bakery, insta = accounts["100000000000001"], accounts["17841400000000001"]
    out.mkdir(parents=True, exist_ok=True)
    window.show_tab("composer")

    composer.set_selected_accounts([bakery, insta])
    composer.text_edit.setPlainText("x" * 2201 + " #tag" * 31)
    composer.when_edit.set_naive(fmt.naive_local(ctx.clock.now() - timedelta(days=1)))
    window.resize(*SMALL)
    spin(0.5)
    composer.schedule()
    screen("all-problems", SMALL)
    composer.clear()
    window.controller.notice.emit("Scheduled 2 posts for tomorrow at 09:00")
    screen("status-message", SMALL)

    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-composer-shots", screen="1280x800x24")
