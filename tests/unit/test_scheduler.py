"""The scheduler wrapper: ticks on its own thread, reports through events, runs daily jobs, pauses."""

from __future__ import annotations

import threading
from typing import Any

from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.health import daily_jobs
from autoposter_gui.engine.runner import Runner
from autoposter_gui.engine.scheduler import PublishScheduler
from autoposter_gui.storage.backup import list_backups


def test_ticks_report_and_daily_jobs_run(ctx: Context) -> None:
    ticked = threading.Event()
    results: list[dict[str, Any]] = []
    threads: list[str] = []

    def on_tick(summary: dict[str, Any]) -> None:
        results.append(summary)
        threads.append(threading.current_thread().name)
        ticked.set()

    ctx.events.subscribe(Events.TICK_FINISHED, on_tick)
    scheduler = PublishScheduler(Runner(ctx), daily_jobs=daily_jobs(ctx))
    scheduler.start()
    try:
        assert ticked.wait(10)
        assert results[0] == {"processed": 0, "succeeded": 0, "failed": 0, "retried": 0, "error": None}
        assert threads[0] != threading.main_thread().name
        assert scheduler.next_run_time() is not None
        scheduler.pause()
        assert scheduler.state.paused and scheduler.next_run_time() is None
        ticked.clear()
        scheduler.resume()
        assert ticked.wait(10)  # resuming ticks at once
        scheduler.run_now()
    finally:
        scheduler.shutdown()
    assert list_backups(ctx.config.db_path)  # the daily backup ran at start
    assert not scheduler.state.running
