"""B11: refresh the insights of 500 posted items on one token (HTTP calls, GUI stall), and open the Insights tab.

Runs in a process of its own (``python -m tests.benchmarks.bench_insights``), offscreen, against the sandbox in a
process of its own.
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.benchmarks.common import Result, connect_all, median, open_context, sandbox_process

POSTS = 500
STALL_TARGET_MS = 16.0
OPEN_TARGET = 2.0
ROUNDS = 9
TITLE = "Insights: refresh 500 posts on one token; open the tab over 500 × 4 snapshots"  # as __main__.TITLES
TARGET = f"calls ≤ ⌈500/50⌉ + 1 per account, stall ≤ {STALL_TARGET_MS:.0f} ms, open ≤ {OPEN_TARGET:.0f}× bare"


def _db_time(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _seed(ctx: Any, sandbox: Any, account: Any, now: datetime) -> None:
    """500 Instagram posts published over the last 60 days: in the sandbox (Meta's side) and in our queue."""
    ids = []
    for n in range(POSTS):
        when = now - timedelta(hours=3 + n * 2.9)
        post = {"account_id": account.external_id, "text": f"Post {n}", "created_time": when.isoformat()}
        answer = sandbox._call("POST", "manual_post", post)
        ids.append((answer["post"]["id"], when))
    with ctx.store.write_raw() as conn:
        for n, (media_id, when) in enumerate(ids):
            stamp = _db_time(when)
            cur = conn.execute(
                "INSERT INTO queue_items (account_id, platform, text, status, scheduled_at, attempt_count, metadata,"
                " created_at, updated_at, provider_post_id, permalink, media) VALUES"
                " (?, 'instagram', ?, 'posted', ?, 1, '{}', ?, ?, ?, ?, '[]')",
                (account.id, f"Post {n}", stamp, stamp, stamp, media_id, f"https://instagram.example/p/{media_id}"),
            )
            conn.execute(
                "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, finished_at, outcome,"
                " needs_reconcile, provider_post_id, step, checkpoint) VALUES (?, 1, ?, ?, 'succeeded', 0, ?,"
                " 'publish', '{}')",
                (cur.lastrowid, stamp, stamp, media_id),
            )


def run() -> Result:
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication

    from autoposter_gui.engine.insights_view import InsightsView
    from autoposter_gui.storage.insights import InsightsRepo
    from autoposter_gui.ui.bridge import EngineBridge
    from autoposter_gui.ui.controller import AppController
    from autoposter_gui.ui.insights_tab import InsightsTab
    from autoposter_gui.ui.tasks import TaskRunner
    from tests.benchmarks.bench_gui import Heartbeat

    qapp = QApplication.instance() or QApplication([sys.argv[0]])
    with tempfile.TemporaryDirectory(prefix="bench-b11-") as tmp, sandbox_process(nice=10) as sandbox:
        ctx = open_context(Path(tmp) / "data", sandbox.url, real_keyring=True)
        accounts = connect_all(ctx, sandbox)
        ig = next(a for a in accounts if a.platform == "instagram")
        now = datetime.now(UTC)
        _seed(ctx, sandbox, ig, now)
        bridge = EngineBridge(ctx.events)
        settings = QSettings(str(Path(tmp) / "gui.ini"), QSettings.Format.IniFormat)
        controller = AppController(ctx, bridge=bridge, tasks=TaskRunner(), settings=settings)
        tab = InsightsTab(controller)
        tab.resize(1120, 640)
        tab.show()
        qapp.processEvents()
        applied: list[float] = []
        original_apply = tab.apply

        def timed_apply(data: Any) -> None:
            start = time.perf_counter()
            original_apply(data)
            applied.append(time.perf_counter() - start)

        tab.apply = timed_apply  # type: ignore[method-assign]
        calls_before = len(sandbox.state()["calls"])
        beat = Heartbeat()
        beat.start()
        started = time.perf_counter()
        tab.refresh()
        deadline = time.monotonic() + 120
        while tab.refreshing and time.monotonic() < deadline:
            qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        wall = time.perf_counter() - started
        gaps, net = beat.stop()
        beat.close()
        tab.apply = original_apply  # type: ignore[method-assign]
        worst_at = max(range(len(net)), key=net.__getitem__)
        when_worst = beat.stamps[worst_at + 1] - started
        calls = len(sandbox.state()["calls"]) - calls_before
        repo = InsightsRepo(ctx.store)
        fetched = len(repo.latest())
        # Three older snapshots per post (a week, a day and an hour after publishing): 500 × 4 in all.
        from autoposter_gui.storage.insights import Snapshot

        latest = repo.latest()
        for hours in (168, 24, 1):
            repo.add(
                Snapshot(i, now - timedelta(hours=hours) - timedelta(days=60), "ok", dict(s.metrics))
                for i, s in latest.items()
            )
        with sqlite3.connect(ctx.config.db_path) as conn:
            snapshot_rows = conn.execute("SELECT COUNT(*) FROM insight_snapshots").fetchone()[0]
        view = InsightsView(ctx)
        tab.period.setCurrentText("All time")
        loads, bares = [], []
        bare_sql = "SELECT queue_item_id, fetched_at, state, metric, value FROM insight_snapshots"
        for _ in range(ROUNDS):
            start = time.perf_counter()
            tab.reload()
            qapp.processEvents()
            loads.append(time.perf_counter() - start)
            conn = sqlite3.connect(ctx.config.db_path)
            start = time.perf_counter()
            conn.execute(bare_sql).fetchall()
            bares.append(time.perf_counter() - start)
            conn.close()
        rows_shown = tab.model.rowCount()
        view_rows = len(view.load(None, None).rows)
        bridge.detach()
        controller.tasks.wait(10_000)
        ctx.close()
    allowed = math.ceil(POSTS / 50) + 1
    worst_net, worst = max(net) * 1000, max(gaps) * 1000
    load, bare = median(loads), median(bares)
    ratio = load / bare
    ok = calls <= allowed and worst_net <= STALL_TARGET_MS and ratio <= OPEN_TARGET and fetched == POSTS
    notes = [
        f"{POSTS} Instagram posts on one account (one token), published over ~60 days; the sandbox in its own "
        f"process; refresh through the tab's Refresh button (background thread), {wall:.2f} s",
        f"HTTP calls seen by the sandbox: {calls} (allowed {allowed}: ⌈{POSTS}/50⌉ batches + 1 debug_token "
        f"permission check); {fetched}/{POSTS} posts got a snapshot",
        f"GUI heartbeat 5 ms: max gap {worst:.1f} ms raw, {worst_net:.1f} ms less run-queue wait (judged), ending "
        f"{when_worst:.2f} s into the refresh; showing the refreshed data on the GUI thread (models, charts, heatmap) "
        f"took {applied[0] * 1000 if applied else 0:.1f} ms",
        f"open = tab.reload() (read the latest snapshot of every post, fill the table, both charts and the heatmap) "
        f"with {POSTS} posts and {snapshot_rows} snapshot rows ({POSTS} × 4 fetches × 7 metrics); bare = "
        f"`{bare_sql}` fetched whole; medians of {ROUNDS} interleaved rounds: {load * 1000:.1f} ms vs "
        f"{bare * 1000:.1f} ms; table rows {rows_shown}, view rows {view_rows}",
    ]
    measured = (
        f"calls {calls} (≤ {allowed}); stall {worst_net:.1f} ms; open {load * 1000:.1f} ms ÷ bare "
        f"{bare * 1000:.1f} ms = {ratio:.2f}"
    )
    return Result("B11", TITLE, ratio, TARGET, ok, measured, notes)


if __name__ == "__main__":
    from tests.benchmarks.common import run_in_secret_service

    code = run_in_secret_service(["-m", "tests.benchmarks.bench_insights"])
    if code is not None:
        sys.exit(code)
    run().emit()
