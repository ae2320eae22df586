"""Screenshots of the Composer's When field and fit preview under Xvfb (not part of the test suite).

Usage: python tests/screenshots/when_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-when-shots)
Starts its own Xvfb when DISPLAY is unset. Saves the Composer at its normal size and at 700×480, with the time list
and the quick picks open (whole-screen grabs: popups are windows of their own), after Pad, with every problem shown,
and the Reschedule dialog.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402


def run(out: Path) -> int:
    data = common.fresh_data_dir("autoposter-when-", "Europe/Paris")
    sys.path.insert(0, str(ROOT))
    from PIL import Image, ImageDraw
    from PySide6.QtCore import QPoint

    from autoposter_gui.ui import fmt
    from autoposter_gui.ui.dialogs import RescheduleDialog

    qapp, app = common.start_demo_app((1120, 720), (20, 20))

    def spin(seconds: float, until: Callable[[], object] | None = None) -> None:
        common.spin(qapp, seconds, until)

    def screen(name: str) -> None:
        spin(0.6)
        common.grab_screen(out / f"{name}.png")

    window = app.window
    assert window is not None and app.ctx is not None
    ctx, composer = app.ctx, window.composer
    accounts = {a.external_id: a.id for a in ctx.repo.accounts()}
    bakery, insta = accounts["100000000000001"], accounts["17841400000000001"]
    out.mkdir(parents=True, exist_ok=True)

    panorama = data / "shop-front.jpg"
    img = Image.new("RGB", (2400, 900), (236, 196, 140))
    draw = ImageDraw.Draw(img)
    for n in range(7):
        draw.ellipse((80 + n * 330, 300, 320 + n * 330, 560), fill=(196, 120, 50), outline=(150, 80, 30), width=10)
    img.save(panorama, "JPEG", quality=90)

    window.show_tab("composer")
    composer.set_selected_accounts([bakery, insta])
    composer.text_edit.setPlainText(
        "Sourdough Saturday is back! Our bakers start at 4 am so the loaves are still warm when we open.\n\n"
        "#sourdough #bakery #fresh"
    )
    composer.set_image(str(panorama))
    spin(0.5)
    screen("composer-normal")
    composer.fit_panel.pad_button.click()
    screen("composer-after-pad")
    composer.when_edit.time_combo.setFocus()
    composer.when_edit.time_combo.showPopup()
    screen("composer-time-list")
    composer.when_edit.time_combo.hidePopup()
    button = composer.when_edit.quick_button
    composer.when_edit.quick_menu.popup(button.mapToGlobal(QPoint(0, button.height())))
    screen("composer-quick-picks")
    composer.when_edit.quick_menu.hide()

    window.resize(700, 480)
    spin(0.5)
    screen("composer-700x480")
    composer.fit_panel.pad_button.click()  # undo the fit: the panel asks again
    composer.text_edit.setPlainText("x" * 2201 + " #tag" * 31)
    composer.when_edit.set_naive(fmt.naive_local(ctx.clock.now() - timedelta(days=1)))
    composer.set_image(None)
    composer.schedule()
    screen("composer-700x480-all-problems")
    window.resize(1120, 720)
    spin(0.3)
    screen("composer-all-problems")
    composer.clear()

    dialog = RescheduleDialog(
        title="Weekend special: two baguettes for €3",
        initial=fmt.default_post_time(ctx.clock.now()),
        submit=lambda _w, _z: None,
        parent=window,
        now=ctx.clock.now,
    )
    dialog.show()
    dialog.move(300, 250)
    screen("reschedule-dialog")
    dialog.reject()
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-when-shots", screen="1280x800x24")
