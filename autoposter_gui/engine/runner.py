"""The due-runner: one per data folder (file lock), recovers orphans, then publishes due items."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from filelock import FileLock, Timeout

from autoposter_gui.domain.clock import Clock, FixedClock
from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.models import RunStats
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.processor import ItemProcessor, Outcome
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.repo import DUE_BATCH

log = logging.getLogger(__name__)
MAX_WORKERS = 4


class RunnerBusyError(AutoposterError):
    """Another runner holds the lock for this data folder."""


class Runner:
    """Processes due items: parallel across accounts, serial and in order within one account."""

    def __init__(
        self,
        ctx: Context,
        *,
        max_workers: int = MAX_WORKERS,
        processor_factory: Callable[[Context], ItemProcessor] | None = None,
    ) -> None:
        self.ctx = ctx
        self.max_workers = max_workers
        self._processor_factory = processor_factory or ItemProcessor
        self._lock = FileLock(str(ctx.config.lock_path))

    def run_due(self, as_of: datetime | None = None, *, lock_timeout: float = 30.0) -> RunStats:
        """Recover orphans, then process up to 50 due items. ``as_of`` makes this run treat that time as now."""
        try:
            self._lock.acquire(timeout=lock_timeout)
        except Timeout:
            raise RunnerBusyError(
                "Another Autoposter runner is already publishing from this data folder; it will handle the due posts"
            ) from None
        try:
            ctx = self.ctx
            if as_of is not None:
                ctx = _with_clock(ctx, FixedClock(as_of))
            return self._run_locked(ctx)
        finally:
            self._lock.release()

    def _run_locked(self, ctx: Context) -> RunStats:
        repo = ctx.repo
        for orphan in repo.orphans():
            attempt_id = repo.release_orphan(orphan.id, ctx.clock.now())
            log.warning("item %s was left processing by a stopped runner; will reconcile first", orphan.id)
            if attempt_id is not None:
                ctx.events.emit(Events.ATTEMPT_RECORDED, attempt_id)
            ctx.events.emit(Events.ITEM_CHANGED, orphan.id)
        due = repo.due_items(ctx.clock.now(), DUE_BATCH)
        if not due:
            return RunStats()
        chains: OrderedDict[int, list[QueueItem]] = OrderedDict()
        for item in due:
            chains.setdefault(item.account_id, []).append(item)
        if len(chains) == 1 or self.max_workers == 1:
            stats = [self._run_chain(ctx, items) for items in chains.values()]
        else:
            workers = min(self.max_workers, len(chains))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="publish") as pool:
                stats = list(pool.map(lambda items: self._run_chain(ctx, items), chains.values()))
        return sum(stats, RunStats())

    def _run_chain(self, ctx: Context, items: list[QueueItem]) -> RunStats:
        """One account's due items, in order, over one keep-alive session."""
        processor = self._processor_factory(ctx)
        processed = succeeded = failed = retried = 0
        try:
            for item in items:
                outcome = processor.process(item.id)
                if outcome in (Outcome.SKIPPED, Outcome.HELD):
                    continue
                processed += 1
                succeeded += outcome is Outcome.SUCCEEDED
                failed += outcome is Outcome.FAILED
                retried += outcome is Outcome.RETRIED
        finally:
            processor.close()
        return RunStats(processed, succeeded, failed, retried)


def _with_clock(ctx: Context, clock: Clock) -> Context:
    return Context(
        config=ctx.config,
        store=ctx.store,
        tokens=ctx.tokens,
        clock=clock,
        events=ctx.events,
        client_factory=ctx.client_factory,
    )
