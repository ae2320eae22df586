"""Screenshots of the Insights tab in sandbox mode under Xvfb (not part of the test suite).

Usage: python tests/screenshots/insights_screenshots.py [OUTPUT_DIR]   (default: /tmp/autoposter-insights-shots)
Seeds six weeks of published posts in the sandbox (Meta's side) and the queue (ours), refreshes their insights
through the Refresh button, and saves the tab for all accounts, for the Instagram account, and the Activity tab.
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screenshots import common  # noqa: E402

TEXTS = (
    "Fresh croissants are out of the oven! Come by before 10.",
    "Sourdough Saturday is back: the loaves are still warm when we open.",
    "Our new rye with caraway, baked every Tuesday.",
    "Christmas opening hours: 8:00 to 14:00 on the 24th",
    "Two baguettes for €3 this weekend",
    "Meet Anna, our new pastry chef",
)


def run(out: Path) -> int:
    data = common.fresh_data_dir("autoposter-shots-", "Europe/Paris")
    from PIL import Image

    from autoposter_gui.domain.models import PublishResult
    from autoposter_gui.engine.posts import PostRequest, PostService

    qapp, app = common.start_demo_app((1120, 720), (40, 50))
    window, ctx = app.window, app.ctx
    assert window is not None and ctx is not None
    sandbox = app.sandbox_server
    assert sandbox is not None
    accounts = {a.external_id: a for a in ctx.repo.accounts()}
    picture = data / "bread.jpg"
    Image.new("RGB", (1080, 1080), (214, 160, 96)).save(picture, "JPEG")
    rng = random.Random(7)
    now = ctx.clock.now()
    posts = PostService(ctx)
    for n in range(36):
        external = "17841400000000001" if n % 3 else "100000000000001"
        platform = "instagram" if n % 3 else "facebook"
        hour = rng.choice((8, 9, 12, 13, 18, 19, 20))
        when = (now - timedelta(days=1 + n * 1.2)).replace(hour=hour, minute=0, second=0, microsecond=0)
        text = TEXTS[n % len(TEXTS)]
        with sandbox._store.lock:
            remote = sandbox._store.add_post(platform, external, text, created_ts=when.timestamp())
        [item] = posts.create(PostRequest([external], text, image_path=str(picture), when=None))
        attempt = ctx.repo.start_attempt(item.id, when)
        permalink = f"{sandbox.url}/sandbox/post/{remote.id}"
        ctx.repo.finish_success(item.id, attempt.id, PublishResult(remote.id, permalink), when)
        ctx.events.emit("attempt_recorded", attempt.id)
        if n == 4:
            sandbox.set_insights_state(remote.id, "not_enough_viewers")
        if n == 0:
            sandbox.set_insights_state(remote.id, "empty")
    window.show_tab("insights")
    tab = window.insights
    tab.period.setCurrentText("Last 90 days")
    common.spin(qapp, 0.5)
    tab.refresh()
    common.spin(qapp, 30, lambda: not tab.refreshing)
    common.spin(qapp, 0.8)
    out.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out / "insights.png"))
    print(out / "insights.png")
    tab.account.setCurrentIndex(tab.account.findData(accounts["17841400000000001"].id))
    common.spin(qapp, 0.6)
    window.grab().save(str(out / "insights-instagram.png"))
    print(out / "insights-instagram.png")
    window.show_tab("activity")
    common.spin(qapp, 0.6)
    window.grab().save(str(out / "activity-insights.png"))
    print(out / "activity-insights.png")
    app.shutdown()
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    common.screenshot_main(__file__, run, "/tmp/autoposter-insights-shots", screen="1280x800x24")
