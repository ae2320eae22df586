"""Screenshots of the Composer's rich posts and small-window layout under Xvfb (not part of the test suite).

Usage: python tests/screenshots/composer_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-composer-shots)
Starts its own Xvfb when DISPLAY is unset. Saves the Composer with every problem shown and a status message at
700×480, and (when the Composer has a media strip) a 3-image carousel, a video and a link post, each at the default
size and at 700×480.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402

DEFAULT, SMALL = (1120, 720), (700, 480)


def run(out: Path) -> int:
    data = common.fresh_data_dir("autoposter-composer-", "Europe/Paris")

    from autoposter_gui.ui import fmt

    qapp, app = common.start_demo_app(DEFAULT, (20, 20))

    def spin(seconds: float, until: Callable[[], object] | None = None) -> None:
        common.spin(qapp, seconds, until)

    window = app.window
    assert window is not None and app.ctx is not None

    def screen(name: str, size: tuple[int, int]) -> None:
        window.resize(*size)
        spin(0.8)
        common.grab_screen(out / f"{name}-{size[0]}x{size[1]}.png")

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

    rich_shots(data, window, composer, bakery, insta, screen)
    table_shots(data, window, composer, bakery, insta, screen, spin)
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


def show_preview(composer: Any, screen: Any, name: str) -> None:
    """The window scrolled to the preview cards, at both sizes."""
    for size in (DEFAULT, SMALL):
        composer.window().resize(*size)
        composer.body_scroll.ensureWidgetVisible(composer.preview.instagram, 0, 0)
        screen(f"{name}-preview", size)
    composer.body_scroll.verticalScrollBar().setValue(0)


def rich_shots(data: Path, window: Any, composer: Any, bakery: int, insta: int, screen: Any) -> None:
    """A 3-image carousel with alt text, a video (Reel), and a Facebook link post, each at both sizes."""
    from PIL import Image, ImageDraw

    from autoposter_gui.domain.models import MediaKind, MediaRef
    from tests.support.videos import make_video

    photos = []
    for n, (colour, size) in enumerate(
        [((214, 160, 90), (1080, 1350)), ((120, 170, 200), (1080, 1080)), ((190, 90, 110), (1600, 1000))]
    ):
        path = data / f"photo-{n + 1}.jpg"
        img = Image.new("RGB", size, colour)
        draw = ImageDraw.Draw(img)
        draw.ellipse((size[0] // 4, size[1] // 4, 3 * size[0] // 4, 3 * size[1] // 4), fill=(250, 240, 220))
        img.save(path, "JPEG", quality=88)
        photos.append(str(path))
    caption = (
        "Three new breads this week: a rye with caraway, a honey spelt and a seeded sourdough. Come early on "
        "Saturday, they go fast! Tag a friend who would love them. #bakery #sourdough #freshbread"
    )
    composer.clear()
    composer.set_selected_accounts([bakery, insta])
    composer.text_edit.setPlainText(caption)
    composer.comment_edit.setPlainText("#rye #spelt #localbakery #saturdaymorning")
    composer.image_box.set_media([MediaRef(p, MediaKind.IMAGE, f"Loaf number {i + 1}") for i, p in enumerate(photos)])
    for size in (DEFAULT, SMALL):
        screen("carousel", size)
    show_preview(composer, screen, "carousel")

    video = make_video(data / "reel.mp4", width=360, height=640, seconds=6.0, color=(40, 120, 200))
    composer.clear()
    composer.set_selected_accounts([bakery, insta])
    composer.text_edit.setPlainText("Behind the scenes: shaping 200 baguettes before sunrise.")
    composer.image_box.set_media([MediaRef(str(video), MediaKind.VIDEO)])
    for size in (DEFAULT, SMALL):
        screen("video", size)
    show_preview(composer, screen, "video")

    composer.clear()
    composer.set_selected_accounts([bakery])
    composer.text_edit.setPlainText("Our spring menu is online: pastries, breads and the new lunch boxes.")
    composer.link_edit.setText("https://www.sandbox-bakery.example/menu/spring")
    for size in (DEFAULT, SMALL):
        screen("link", size)
    show_preview(composer, screen, "link")
    composer.clear()


def table_shots(data: Path, window: Any, composer: Any, bakery: int, insta: int, screen: Any, spin: Any) -> None:
    """The Queue and Activity with rich posts: a scheduled carousel with a first comment, a published Reel."""
    from autoposter_gui.domain.models import MediaKind, MediaRef

    photos = sorted(str(p) for p in data.glob("photo-*.jpg"))
    composer.set_selected_accounts([bakery, insta])
    composer.text_edit.setPlainText("Three new breads this week")
    composer.comment_edit.setPlainText("#rye #spelt")
    composer.image_box.set_media([MediaRef(p) for p in photos])
    composer.schedule()
    composer.set_selected_accounts([bakery, insta])
    composer.text_edit.setPlainText("Behind the scenes: shaping baguettes")
    composer.image_box.set_media([MediaRef(str(data / "reel.mp4"), MediaKind.VIDEO)])
    ids = composer.publish_now()
    ctx = window.controller.ctx
    spin(40, lambda: all((ctx.repo.item(i).status == "posted") for i in ids))
    window.show_tab("queue")
    screen("queue", DEFAULT)
    window.show_tab("activity")
    screen("activity", DEFAULT)
    window.show_tab("composer")


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-composer-shots", screen="1280x800x24")
