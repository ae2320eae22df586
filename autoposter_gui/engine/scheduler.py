"""The background scheduler: runs the due-runner every minute on its own thread and reports by callbacks."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.engine.catchup import CatchUpPolicy
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.runner import Runner, RunnerBusyError

log = logging.getLogger(__name__)
JOB_ID = "publish-due"


@dataclass
class SchedulerState:
    running: bool = False
    paused: bool = False
    last_tick_at: datetime | None = None
    last_result: dict[str, Any] | None = None
    last_error: str | None = None


class PublishScheduler:
    """APScheduler BackgroundScheduler: every minute, coalesced, one instance at a time."""

    def __init__(
        self,
        runner: Runner,
        *,
        interval_seconds: int = 60,
        daily_jobs: Sequence[tuple[str, Callable[[], object]]] = (),
        catchup: CatchUpPolicy | None = None,
        after_tick: Callable[[], object] | None = None,
    ) -> None:
        self.catchup = catchup
        # Runs after each tick's publishing (the insights snapshots): bounded, and never holds up a post.
        self.after_tick = after_tick
        self.runner = runner
        self.daily_jobs = list(daily_jobs)
        self.events: Events = runner.ctx.events
        self.interval_seconds = interval_seconds
        self.state = SchedulerState()
        self._scheduler: Any = None
        self._rerun = threading.Event()
        self._wake = threading.Event()
        self._stopping = False
        self._now_thread: threading.Thread | None = None
        self._tick_lock = threading.Lock()

    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        if self._scheduler is not None:
            return
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            # Two threads: a daily job (a backup, the token check) never holds up a tick; ticks take turns anyway.
            executors={"default": {"type": "threadpool", "max_workers": 2}},
        )
        self._scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self.interval_seconds, timezone=UTC),
            id=JOB_ID,
            next_run_time=datetime.now(UTC),
        )
        for name, job in self.daily_jobs:  # token health, backups: at start, then once a day
            self._scheduler.add_job(
                self._run_maintenance,
                IntervalTrigger(hours=24, timezone=UTC),
                args=(name, job),
                id=f"daily-{name}",
                next_run_time=datetime.now(UTC),
            )
        self._scheduler.start()
        self._stopping = False
        self.runner.clear_stop()
        self._now_thread = threading.Thread(target=self._now_loop, name="publish-now", daemon=True)
        self._now_thread.start()
        self.state.running = True
        self.state.paused = False
        log.info("scheduler started (every %ss)", self.interval_seconds)

    def run_now(self) -> None:
        """Tick as soon as possible (right after the current tick, if one is running).

        A thread of its own wakes for it: moving the minute job's next run would be dropped while that job is still
        running (max_instances=1), and the post would wait for the next minute.
        """
        if self._scheduler is None:
            return
        self._rerun.set()  # a tick that is running picks it up when it ends ...
        self._wake.set()  # ... otherwise the "now" thread ticks at once

    def _now_loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            if self._rerun.is_set():  # not yet picked up by a tick that was running
                self._tick()

    def pause(self) -> None:
        if self._scheduler is not None:
            self._scheduler.pause_job(JOB_ID)
        self.state.paused = True
        if self.catchup is not None:
            self.catchup.paused()

    def resume(self) -> None:
        if self._scheduler is not None:
            self._scheduler.resume_job(JOB_ID)
            self._scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))
        self.state.paused = False

    def next_run_time(self) -> datetime | None:
        if self._scheduler is None or self.state.paused:
            return None
        job = self._scheduler.get_job(JOB_ID)
        return job.next_run_time if job is not None else None

    def shutdown(self, wait: bool = True) -> None:
        self._stopping = True
        self.runner.request_stop()  # a tick in progress ends after the posts it is publishing now
        self._wake.set()
        if self._now_thread is not None:
            if wait:
                self._now_thread.join()
            self._now_thread = None
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=wait)
            self._scheduler = None
        self.state.running = False

    def _run_maintenance(self, name: str, job: Callable[[], object]) -> None:
        try:
            job()
        except AutoposterError as exc:
            log.warning("daily %s failed: %s", name, exc)
        except Exception:
            log.exception("daily %s crashed", name)

    def _tick(self) -> None:
        with self._tick_lock:
            self._rerun.clear()  # this tick sees every post made due before it started
            self._run_once()
        while self._rerun.is_set():
            self._rerun.clear()
            with self._tick_lock:
                self._run_once()

    def _run_once(self) -> None:
        self.events.emit(Events.TICK_STARTED)
        summary: dict[str, Any]
        try:
            if self.catchup is not None:
                self.catchup.before_tick()
            stats = self.runner.run_due(lock_timeout=5.0)
            summary = {**stats.as_dict(), "error": None}
            self.state.last_error = None
        except RunnerBusyError as exc:
            summary = {"processed": 0, "succeeded": 0, "failed": 0, "retried": 0, "error": str(exc)}
        except AutoposterError as exc:
            summary = {"processed": 0, "succeeded": 0, "failed": 0, "retried": 0, "error": str(exc)}
            self.state.last_error = str(exc)
            log.warning("tick failed: %s", exc)
        except Exception as exc:  # the scheduler thread must survive anything
            log.exception("tick crashed")
            summary = {"processed": 0, "succeeded": 0, "failed": 0, "retried": 0, "error": type(exc).__name__}
            self.state.last_error = f"Unexpected error ({type(exc).__name__}); see the log"
        self.state.last_tick_at = datetime.now(UTC)
        self.state.last_result = summary
        self.events.emit(Events.TICK_FINISHED, dict(summary))
        if self.after_tick is not None and not self._stopping and not self._rerun.is_set():
            self._run_maintenance("after-tick", self.after_tick)
