"""Screenshots of X and Google Business Profile posts published by the app, in sandbox mode under Xvfb (not part of
the test suite): the Queue and the Activity tab with their rows (icons, links) next to the Meta ones.

Usage: python tests/screenshots/networks_publish_screenshots.py [OUTPUT_DIR]
(default: /tmp/autoposter-networks-publish-shots). The X account and a Google location are connected through the
engine's browser sign-in (the sandbox's fakes approve at once); the posts go out through the Composer's Publish now.
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


def run(out: Path) -> int:
    data = common.fresh_data_dir("autoposter-netpub-", "Europe/Paris")
    from PIL import Image

    from autoposter_gui.domain.models import ItemStatus, MediaKind, MediaRef
    from autoposter_gui.engine.browser_connect import BrowserConnect
    from autoposter_gui.sandbox.google_api import CLIENT_ID, CLIENT_SECRET
    from autoposter_gui.sandbox.x_state import X_CLIENT_ID

    qapp, app = common.start_demo_app((1180, 720), (40, 50))
    window, ctx = app.window, app.ctx
    assert window is not None and ctx is not None
    out.mkdir(parents=True, exist_ok=True)

    def spin(seconds: float, until: object = None) -> None:
        common.spin(qapp, seconds, until)  # type: ignore[arg-type]

    def shot(name: str) -> None:
        spin(0.8)
        window.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    def sign_in(key: str, **creds: str) -> list[int]:
        connect = BrowserConnect(ctx, key, port=0, **creds)
        threading.Thread(target=lambda: urllib.request.urlopen(connect.url, timeout=30).read(), daemon=True).start()
        try:
            return [a.id for a in connect.wait(timeout=30)]
        finally:
            connect.close()

    (x,) = sign_in("x", client_id=X_CLIENT_ID)
    google = sorted(sign_in("google", client_id=CLIENT_ID, client_secret=CLIENT_SECRET))[0]
    picture = data / "stollen.jpg"
    Image.new("RGB", (1200, 900), (210, 170, 110)).save(picture, "JPEG")

    composer = window.composer
    window.show_tab("composer")
    composer.reload_accounts()
    composer.set_selected_accounts([x])
    composer.text_edit.setPlainText("Cinnamon buns are out of the oven! Until 10:00 only.")
    ids = composer.publish_now()
    window.show_tab("composer")  # Publish now showed the Queue
    composer.set_selected_accounts([google])
    composer.text_edit.setPlainText("Order your Christmas stollen for pick-up on the 24th.")
    composer.image_box.set_media([MediaRef(str(picture), MediaKind.IMAGE)])
    fields = composer.google
    fields.button_combo.setCurrentIndex(fields.button_combo.findData("ORDER"))
    fields.button_url.setText("https://bakery.example/stollen")
    shot("composer-google-button")
    ids += composer.publish_now()
    if len(ids) != 2:
        print(f"not scheduled: {composer.errors()}", file=sys.stderr)
        return 1
    spin(30, lambda: all((ctx.repo.item(i) or object()).status == ItemStatus.POSTED.value for i in ids))  # type: ignore[attr-defined]
    for item_id in ids:
        item = ctx.repo.item(item_id)
        print(item_id, item.platform if item else None, item.status if item else None, item.permalink if item else None)
    window.show_tab("queue")
    shot("queue-x-google")
    window.show_tab("activity")
    shot("activity-x-google")
    window.show_tab("accounts")
    shot("accounts-x-google")
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-networks-publish-shots", screen="1280x800x24")
