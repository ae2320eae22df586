"""Screenshots of the Calendar (week and month), the Composer's planning buttons, Repeat… and the CSV import
preview under Xvfb, in sandbox mode (not part of the test suite).

Usage: python tests/screenshots/calendar_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-calendar-shots)
Starts its own Xvfb when DISPLAY is unset.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402

TEXTS = (
    "Sourdough Saturday is back! Warm loaves from 7 am #sourdough",
    "New: pistachio croissants, only this week",
    "Behind the scenes: our bakers at 4 am",
    "Tuesday special: two baguettes for €3",
    "Thank you for 1,000 followers!",
    "Rye and seeds: the bread of the month",
)


def run(out: Path) -> int:
    data = common.fresh_data_dir("autoposter-calendar-", "Europe/Berlin")
    from PIL import Image

    from autoposter_gui.domain.recurrence import Recurrence, Repeat
    from autoposter_gui.engine.planner import PlannerService
    from autoposter_gui.engine.posts import PostRequest, PostService
    from autoposter_gui.engine.runner import Runner
    from autoposter_gui.engine.snippets import Snippet, SnippetKind, SnippetService
    from autoposter_gui.ui.composer_planning import RepeatDialog
    from autoposter_gui.ui.import_dialog import ImportDialog

    qapp, app = common.start_demo_app((1240, 780), (10, 10))

    def spin(seconds: float, until: Callable[[], object] | None = None) -> None:
        common.spin(qapp, seconds, until)

    def screen(name: str) -> None:
        spin(0.8)
        common.grab_screen(out / f"{name}.png")

    window = app.window
    assert window is not None and app.ctx is not None
    ctx = app.ctx
    out.mkdir(parents=True, exist_ok=True)
    pages = ["100000000000001"]  # the sandbox's Bakery Page (its Cafe Page can't post)
    insta = "17841400000000001"
    photo = data / "loaf.jpg"
    Image.new("RGB", (1080, 1080), (200, 140, 70)).save(photo, "JPEG")

    posts, planner = PostService(ctx), PlannerService(ctx)
    planner.set_slots(pages[0], ["mon 09:30", "wed 12:00", "fri 17:00"])
    planner.set_slots(insta, ["tue 08:00", "sat 10:00"])
    now = ctx.clock.now()
    # One post published a moment ago (a posted chip), then a busy week ahead.
    posts.create(PostRequest([pages[0]], "Good morning! The ovens are on", when=now))
    Runner(ctx).run_due()
    today = now.astimezone().date()
    for n in range(24):
        day = today + timedelta(days=n % 9)
        when = datetime.combine(day, time(8 + (n * 5) % 11, (n * 15) % 60)).astimezone(UTC)
        if when <= now + timedelta(minutes=5):
            when += timedelta(days=7)
        account = insta if n % 3 == 0 else pages[0]
        image = str(photo) if account == insta or n % 4 == 1 else None
        posts.create(PostRequest([account], TEXTS[n % len(TEXTS)], image, when))
    first = datetime.combine(today + timedelta(days=1), time(18, 0)).astimezone(UTC)
    planner.create_series(PostRequest([pages[0]], "Weekly bread box", when=first), Recurrence(Repeat.WEEKLY, 6))
    for text in ("Idea: a video of the croissant lamination", "Christmas stollen pre-orders"):
        posts.create(PostRequest([pages[0]], text, draft=True))
    SnippetService(ctx).save(
        [
            Snippet(SnippetKind.HASHTAGS, "Bakery tags", "#bakery #freshbread #sourdough"),
            Snippet(SnippetKind.TEXT, "Opening hours", "Open Tuesday to Sunday, 7 am to 6 pm."),
        ]
    )

    calendar = window.calendar
    window.show_tab("calendar")
    calendar.go_today()
    calendar.view.scroll_to_hour(7)
    spin(1.0)
    screen("calendar-week")
    calendar.set_mode("month")
    screen("calendar-month")
    calendar.set_mode("week")

    window.show_tab("composer")
    composer = window.composer
    composer.set_selected_accounts([a.id for a in ctx.repo.accounts() if a.external_id == pages[0]])
    composer.text_edit.setPlainText("Fresh cinnamon rolls every Sunday")
    screen("composer-planning-buttons")
    dialog = RepeatDialog(first, window)
    dialog.show()
    dialog.move(400, 250)
    screen("composer-repeat-dialog")
    dialog.reject()

    csv = data / "plan.csv"
    day = (today + timedelta(days=4)).isoformat()
    rows = ["account,text,at,image"]
    for n in range(8):
        account = insta if n in (2, 5) else pages[0]
        image = "" if n == 5 else "loaf.jpg" if account == insta else ""
        rows.append(f"{account},Planned post {n + 1},{day}T{9 + n:02d}:00,{image}")
    rows.append(f"{pages[0]},A post in the past,2020-01-01T10:00,")
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    preview = ImportDialog(app.controller, csv, window)
    preview.show()
    preview.move(150, 120)
    screen("import-preview")
    preview.reject()
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-calendar-shots", screen="1280x820x24")
