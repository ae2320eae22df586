"""Screenshots of every tab in sandbox mode under Xvfb (not part of the test suite).

Usage: python tests/screenshots/take_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-screenshots)
Starts its own Xvfb and trayer panel when DISPLAY is unset, creates a few posts through the widgets, and saves
one PNG per tab (plus the connect dialog and the whole screen with the tray).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402


def _image(folder: Path) -> str:
    from PIL import Image, ImageDraw

    path = folder / "croissants.jpg"
    img = Image.new("RGB", (1080, 1080), (236, 196, 140))
    draw = ImageDraw.Draw(img)
    for n in range(6):
        x, y = 140 + (n % 3) * 300, 300 + (n // 3) * 300
        draw.ellipse((x, y, x + 220, y + 150), fill=(196, 120, 50), outline=(150, 80, 30), width=8)
    img.save(path, "JPEG", quality=90)
    return str(path)


def run(out: Path) -> int:
    data = common.fresh_data_dir("autoposter-shots-", "Europe/Paris")
    sys.path.insert(0, str(ROOT))

    from autoposter_gui.domain.models import ItemStatus
    from autoposter_gui.ui import fmt

    qapp, app = common.start_demo_app((1120, 720), (40, 50))

    def spin(seconds: float, until: Callable[[], object] | None = None) -> None:
        common.spin(qapp, seconds, until)

    window = app.window
    assert window is not None and app.ctx is not None
    if not app.demo_ready:
        print("demo accounts did not connect", file=sys.stderr)
        return 1
    ctx, composer = app.ctx, window.composer
    accounts = {a.external_id: a.id for a in ctx.repo.accounts()}
    picture = _image(data)

    def compose(text: str, ids: list[int], *, image: str | None = None, hours: float | None = None) -> None:
        window.show_tab("composer")
        composer.set_selected_accounts(ids)
        composer.text_edit.setPlainText(text)
        composer.set_image(image)
        if hours is None:
            composer.publish_now()
            return
        when = fmt.naive_local(ctx.clock.now() + timedelta(hours=hours))
        composer.when_edit.setDateTime(fmt.qdatetime_from_naive(when.replace(minute=0)))
        composer.schedule()

    bakery, insta = accounts["100000000000001"], accounts["17841400000000001"]
    compose("Fresh croissants are out of the oven! Come by before 10.", [bakery, insta], image=picture)
    # The Cafe's role can't create posts: the Composer shows it disabled with the reason, so nothing goes to it.
    compose("Weekend special: two baguettes for €3", [bakery], hours=20)
    compose("Christmas opening hours: 8:00 to 14:00 on the 24th", [bakery, insta], image=picture, hours=50)
    window.show_tab("composer")
    composer.set_selected_accounts([bakery])
    composer.text_edit.setPlainText("Idea for next week")
    composer.save_draft()
    spin(30, lambda: ctx.repo.count_items([ItemStatus.PROCESSING]) == 0 and len(ctx.repo.attempts()) >= 3)
    spin(1.5)

    # A post being written, for the Composer shot.
    window.show_tab("composer")
    composer.set_selected_accounts([bakery, insta])
    composer.text_edit.setPlainText(
        "Sourdough Saturday is back! Our bakers start at 4 am so the loaves are still warm when we open.\n\n"
        "#sourdough #bakery #fresh"
    )
    composer.set_image(picture)
    spin(0.5)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("composer", "queue", "activity", "accounts"):
        window.show_tab(name)
        spin(0.6)
        window.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")
    # Inline validation: Instagram without an image, at a time in the past.
    window.show_tab("composer")
    composer.clear()
    composer.set_selected_accounts([bakery, insta])
    composer.text_edit.setPlainText("Forgot the picture, and the time is wrong")
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now() - timedelta(days=1))))
    composer.schedule()
    spin(0.5)
    window.grab().save(str(out / "composer-errors.png"))
    print(out / "composer-errors.png")
    # Editing a scheduled post from the Queue.
    scheduled = ctx.repo.items([ItemStatus.SCHEDULED])[0]
    composer.clear()
    window.edit_item(scheduled.id)
    spin(0.5)
    window.grab().save(str(out / "composer-editing.png"))
    print(out / "composer-editing.png")
    composer.clear()
    window.show_tab("accounts")
    dialog = window.accounts.open_connect_dialog()
    dialog.fill_demo()
    spin(0.6)
    dialog.grab().save(str(out / "connect-dialog.png"))
    print(out / "connect-dialog.png")
    dialog.reject()
    if os.environ.get("DISPLAY") and shutil.which("import"):
        spin(0.5)
        common.grab_screen(out / "desktop.png")
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-screenshots", screen="1280x800x24", tray=True)
