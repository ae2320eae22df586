"""Screenshots of the Composer with X and Google accounts ticked, under Xvfb (not part of the test suite).

Usage: python tests/screenshots/networks_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-network-shots)
Starts its own Xvfb when DISPLAY is unset. Saves, at the default size and at 700×480: the top of the Composer (the
per-network counter, the media limits), the "Google post" group of an event with a button, the X and Google
preview cards, an offer, and an event without its title refused inline.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402

DEFAULT, SMALL = (1120, 720), (700, 480)


def run(out: Path) -> int:
    data = common.fresh_data_dir("autoposter-networks-", "Europe/Paris")
    from PIL import Image, ImageDraw
    from PySide6.QtCore import QCoreApplication, QEvent

    from autoposter_gui.domain.models import DiscoveredAccount, MediaRef, Platform

    qapp, app = common.start_demo_app(DEFAULT, (20, 20))

    def spin(seconds: float, until: Callable[[], object] | None = None) -> None:
        common.spin(qapp, seconds, until)

    window = app.window
    assert window is not None and app.ctx is not None
    ctx, composer = app.ctx, window.composer
    out.mkdir(parents=True, exist_ok=True)

    def screen(name: str, size: tuple[int, int], scroll_to: object = None) -> None:
        window.resize(*size)
        spin(0.6)
        if scroll_to is not None:
            composer.body_scroll.ensureWidgetVisible(scroll_to, 0, 0)
            spin(0.3)
        else:
            composer.body_scroll.verticalScrollBar().setValue(0)
            spin(0.3)
        common.grab_screen(out / f"{name}-{size[0]}x{size[1]}.png")

    now = ctx.clock.now()
    for found in (
        DiscoveredAccount(Platform.X, "1460000000000000001", "Sandbox Bakery", "tok", username="sandboxbakery"),
        DiscoveredAccount(Platform.GOOGLE, "4455667788990011", "Sandbox Bakery, Main St", "tok", "accounts/77"),
    ):
        if ctx.repo.account_by_external(found.external_id) is None:
            ctx.repo.upsert_account(found, None, now)
    composer.reload_accounts()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # no exec() here: the old boxes go now
    accounts = {a.external_id: a.id for a in ctx.repo.accounts()}
    x, google = accounts["1460000000000000001"], accounts["4455667788990011"]
    photos = []
    for n, colour in enumerate([(214, 160, 90), (120, 170, 200)]):
        path = data / f"loaf-{n + 1}.jpg"
        img = Image.new("RGB", (1200, 900), colour)
        ImageDraw.Draw(img).ellipse((300, 225, 900, 675), fill=(250, 240, 220))
        img.save(path, "JPEG", quality=88)
        photos.append(str(path))

    window.show_tab("composer")
    composer.clear()
    composer.set_selected_accounts([x, google])
    composer.text_edit.setPlainText(
        "Spring tasting night on Friday: six new breads, local butter and cider. "
        "Menu and tickets: https://www.sandbox-bakery.com/events/spring-tasting-2027"
    )
    composer.image_box.set_media([MediaRef(photos[0])])
    fields = composer.google
    fields.type_combo.setCurrentIndex(fields.type_combo.findData("event"))
    fields.event_title.setText("Spring tasting night")
    fields.button_combo.setCurrentIndex(fields.button_combo.findData("BOOK"))
    fields.button_url.setText("https://www.sandbox-bakery.com/book")
    for size in (DEFAULT, SMALL):
        screen("x-google-top", size)
        screen("x-google-fields", size, fields)
        screen("x-google-preview", size, composer.preview.google_card)

    fields.type_combo.setCurrentIndex(fields.type_combo.findData("offer"))
    fields.offer_code.setText("SPRING10")
    fields.offer_terms.setText("One per customer, while stocks last")
    fields.offer_url.setText("https://www.sandbox-bakery.com/offer")
    composer.image_box.set_media([MediaRef(p) for p in photos])  # 2 photos: X takes them, Google takes one
    for size in (DEFAULT, SMALL):
        screen("offer-fields", size, fields)
        screen("offer-preview", size, composer.preview.google_card)

    fields.type_combo.setCurrentIndex(fields.type_combo.findData("event"))
    fields.event_title.clear()
    composer.image_box.set_media([MediaRef(photos[0])])
    window.resize(*SMALL)
    spin(0.5)
    composer.schedule()
    spin(0.5)
    common.grab_screen(out / "event-without-title-700x480.png")
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-network-shots", screen="1280x800x24")
