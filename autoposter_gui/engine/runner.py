"""The due-runner: one per data folder (file lock), recovers orphans, then publishes due items."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime

from filelock import FileLock, Timeout

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import Clock, FixedClock
from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.models import Platform, RunStats
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.processor import ItemProcessor, Outcome
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.repo import DUE_BATCH

log = logging.getLogger(__name__)
MAX_WORKERS = 8  # accounts published at once: each chain mostly waits on Meta
MEDIA_WORKERS = 1
GIL_SWITCH_INTERVAL = 0.001  # seconds; Python's default is 0.005
CALLS_PER_POST = {Platform.INSTAGRAM.value: 5, Platform.FACEBOOK.value: 1}


class RunnerBusyError(AutoposterError):
    """Another runner holds the lock for this data folder."""


def runner_lock(config: AppConfig) -> FileLock:
    """The one lock per data folder that a runner (and a restore) holds; the file is 0600."""
    return FileLock(str(config.lock_path), mode=0o600)


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
        self._lock = runner_lock(ctx.config)
        self._stop = threading.Event()

    def request_stop(self) -> None:
        """Finish the posts being published now, start no more (quitting): the rest stay due for the next start."""
        self._stop.set()

    def clear_stop(self) -> None:
        """Publish again after a stop request (the scheduler started once more)."""
        self._stop.clear()

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
            # One keyring read per secret per tick (the processor asks for the account's token on every post,
            # and each chain's Graph client for the app secret); forgotten when the tick ends.
            with ctx.tokens.cached():
                stats = self._run_locked(ctx)
            # What was recorded must be in the database the owner will look at: fail loudly if the file went away.
            ctx.store.check_file("publishing")
            return stats
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
        _hand_offs(ctx)
        due = repo.due_items(ctx.clock.now(), DUE_BATCH)
        if not due:
            self._run_comments(ctx)
            return RunStats()
        chains: OrderedDict[int, list[QueueItem]] = OrderedDict()
        for item in due:
            chains.setdefault(item.account_id, []).append(item)
        # Longest chains first: with fewer workers than accounts, a long Instagram chain must not wait behind
        # short Facebook ones (the run lasts as long as its longest chain). Stable, and each chain keeps its order.
        ordered = sorted(chains.values(), key=_chain_cost, reverse=True)
        if self.max_workers == 1:
            total = sum((self._run_chain(ctx, items, None) for items in ordered), RunStats())
            self._run_comments(ctx)
            return total
        workers = min(self.max_workers, len(ordered))
        # Image conversion (CPU) runs on a thread of its own, one post ahead of each chain, so that it is done
        # by the post's turn; the chain threads mostly wait on the network.
        with (
            _short_gil_turns(),
            ThreadPoolExecutor(MEDIA_WORKERS, thread_name_prefix="media") as media,
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="publish") as pool,
        ):
            stats = list(pool.map(lambda items: self._run_chain(ctx, items, media), ordered))
        self._run_comments(ctx)
        return sum(stats, RunStats())

    def _run_comments(self, ctx: Context) -> None:
        """First comments whose retry is due (a post's first try goes right after the post, on its chain)."""
        due = ctx.repo.due_comments(ctx.clock.now(), DUE_BATCH)
        if not due:
            return
        processor = self._processor_factory(ctx)
        try:
            for item_id in due:
                processor.process_comment(item_id)
        finally:
            processor.close()

    def _run_chain(self, ctx: Context, items: list[QueueItem], media: Executor | None) -> RunStats:
        """One account's due items, in order, over one keep-alive session."""
        processor = self._processor_factory(ctx)
        processor.media = media
        processed = succeeded = failed = retried = 0
        try:
            for index, item in enumerate(items):
                if self._stop.is_set():
                    log.info(
                        "stopping: %d due post(s) of account %s left for the next run",
                        len(items) - index,
                        item.account_id,
                    )
                    break
                if index + 1 < len(items):
                    processor.prefetch(items[index + 1])
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


@contextlib.contextmanager
def _short_gil_turns() -> Iterator[None]:
    """While the publishing threads run, hand the GIL over within 1 ms instead of Python's 5 ms.

    In the app the GUI thread shares the interpreter with these threads: each of its small database reads gives
    the GIL up and must wait for it back, up to one switch interval a time while a publishing thread runs Python
    code. The threads mostly wait on the network, so shorter turns cost them nothing measurable.
    """
    previous = sys.getswitchinterval()
    if previous <= GIL_SWITCH_INTERVAL:
        yield
        return
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    try:
        yield
    finally:
        if sys.getswitchinterval() == GIL_SWITCH_INTERVAL:  # unless someone else changed it meanwhile
            sys.setswitchinterval(previous)


def _hand_offs(ctx: Context) -> None:
    """Meta's scheduler first: posts it gave back (a new time too soon, a failed verification) are due now."""
    from autoposter_gui.engine.handoff import HandoffService

    try:
        HandoffService(ctx).tick()
    except Exception:  # never let the hand-off step stop local publishing
        log.exception("the hand-off step failed; local publishing goes on")


def _chain_cost(items: list[QueueItem]) -> int:
    """Graph calls one account's due items need: an Instagram post takes 5 (upload, container, status, publish,
    permalink), a Facebook post 1."""
    return sum(CALLS_PER_POST.get(item.platform, 1) for item in items)


def _with_clock(ctx: Context, clock: Clock) -> Context:
    return Context(
        config=ctx.config,
        store=ctx.store,
        tokens=ctx.tokens,
        clock=clock,
        events=ctx.events,
        client_factory=ctx.client_factory,
    )
