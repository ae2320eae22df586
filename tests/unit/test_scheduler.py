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


class _GatedRunner:
    """A runner stand-in whose runs are counted and can be held at a gate."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.runs = 0
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()
        self.counted = threading.Condition()

    def request_stop(self) -> None:
        pass

    def clear_stop(self) -> None:
        pass

    def run_due(self, *_args: Any, **_kwargs: Any) -> Any:
        from autoposter_gui.domain.models import RunStats

        self.started.set()
        assert self.gate.wait(10)
        with self.counted:
            self.runs += 1
            self.counted.notify_all()
        return RunStats()

    def wait_for(self, runs: int) -> bool:
        with self.counted:
            return self.counted.wait_for(lambda: self.runs >= runs, timeout=10)


def test_publish_now_during_a_tick_runs_right_after_it(ctx: Context) -> None:
    """ "Publish now" while a tick is running (the minute job can't start again until it ends): a tick follows
    at once, not at the next minute."""
    runner = _GatedRunner(ctx)
    runner.gate.clear()
    scheduler = PublishScheduler(runner, interval_seconds=3600)  # type: ignore[arg-type]
    scheduler.start()
    try:
        assert runner.started.wait(10)  # the first tick is running, held at the gate
        scheduler.run_now()
        runner.gate.set()
        assert runner.wait_for(2)
        scheduler.run_now()  # and again, with nothing running
        assert runner.wait_for(3)
    finally:
        scheduler.shutdown()


def test_publish_now_is_not_held_up_by_a_daily_job(ctx: Context) -> None:
    runner = _GatedRunner(ctx)
    release = threading.Event()
    running = threading.Event()

    finished = threading.Event()

    def slow_backup() -> None:
        running.set()
        release.wait(120)
        finished.set()

    scheduler = PublishScheduler(runner, interval_seconds=3600, daily_jobs=[("backup", slow_backup)])  # type: ignore[arg-type]
    scheduler.start()
    try:
        assert runner.wait_for(1) and running.wait(10)
        scheduler.run_now()
        assert runner.wait_for(2)  # while the daily job still runs
        assert not finished.is_set()
    finally:
        release.set()
        scheduler.shutdown()


def test_the_after_tick_hook_runs_after_publishing_and_never_kills_the_tick() -> None:
    order: list[str] = []

    class _Runner:
        ctx = type("Ctx", (), {"events": Events()})()

        def run_due(self, lock_timeout: float = 0) -> Any:
            from autoposter_gui.domain.models import RunStats

            order.append("publish")
            return RunStats()

    def hook() -> None:
        order.append("insights")
        raise RuntimeError("boom")

    scheduler = PublishScheduler(_Runner(), after_tick=hook)  # type: ignore[arg-type]
    scheduler.events.subscribe(Events.TICK_FINISHED, lambda summary: order.append("finished"))
    scheduler._tick()
    scheduler._tick()
    assert order == ["publish", "finished", "insights"] * 2
