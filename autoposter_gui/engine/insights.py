"""Insights: which posted items need a snapshot, the batched refresh, and the read models the CLI and GUI show."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.insights import (
    MIN_INTERVAL,
    InsightsState,
    contract_state,
    due,
    next_due,
    summary,
)
from autoposter_gui.domain.models import Platform
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import INSIGHTS_NOTICE as INSIGHTS_NOTICE
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.health import INSIGHTS_SCOPES
from autoposter_gui.engine.labels import account_ref
from autoposter_gui.storage.insights import InsightsRepo, PostedItem, Snapshot
from autoposter_gui.tokens import APP_ID, APP_SECRET

if TYPE_CHECKING:
    from autoposter_gui.networks.protocol import Session

log = logging.getLogger(__name__)
TICK_LIMIT = 250  # posts refreshed at most per scheduler tick (5 batch calls): the tick stays short


@dataclass(frozen=True)
class RefreshStats:
    """What one refresh did: posts asked about, HTTP calls made, and how many came back in each state."""

    asked: int = 0
    calls: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"asked": self.asked, "calls": self.calls, "states": dict(self.states)}


@dataclass(frozen=True)
class InsightsRow:
    """One posted item with its latest numbers (the CLI's row; the GUI's top-posts table)."""

    id: int
    account: int  # the local account id
    account_id: str | None  # the Page / IG user id (the CLI contract's account_id)
    platform: str
    permalink: str | None
    published_at: datetime
    text: str
    image_path: str | None
    state: InsightsState
    metrics: dict[str, int]
    fetched_at: datetime | None

    @property
    def summary(self) -> str:
        return summary(self.state, self.metrics)

    def as_json(self) -> dict[str, object]:
        from autoposter_gui.domain.times import iso

        out: dict[str, object] = {
            "id": self.id,
            "account_id": self.account_id,
            "platform": self.platform,
            "permalink": self.permalink,
            "published_at": iso(self.published_at),
            "metrics": dict(self.metrics),
            "state": contract_state(self.state),
            "fetched_at": iso(self.fetched_at),
        }
        if self.state is InsightsState.TOO_FEW_FOLLOWERS:
            out["reason"] = "too_few_followers"
        return out


class InsightsService:
    """Refreshes and reads insights; the same service for the CLI, the scheduler's tick and the GUI."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.repo = InsightsRepo(ctx.store)
        self._next_check: datetime | None = None  # the scheduler's hook reads nothing before then

    # ----- reading (no network) -----

    def rows(self, account: int | None = None, since: datetime | None = None) -> list[InsightsRow]:
        """Posted items (newest first) with their latest snapshot; of one account, published since a time."""
        items = [i for i in self.repo.posted_items(account) if since is None or i.published_at >= since]
        latest = self.repo.latest([i.id for i in items]) if items else {}
        external = self._external_ids()
        rows = [self._row(item, latest.get(item.id), external) for item in items]
        rows.sort(key=lambda r: (r.published_at, r.id), reverse=True)
        return rows

    def history(self, item_ids: Sequence[int]) -> list[Snapshot]:
        return self.repo.history(item_ids) if item_ids else []

    @staticmethod
    def _row(item: PostedItem, snap: Snapshot | None, external: dict[int, str]) -> InsightsRow:
        state = InsightsState(snap.state) if snap is not None else InsightsState.PENDING
        return InsightsRow(
            id=item.id,
            account=item.account_id,
            account_id=external.get(item.account_id),
            platform=item.platform,
            permalink=item.permalink,
            published_at=item.published_at,
            text=item.text,
            image_path=item.image_path,
            state=state,
            metrics=dict(snap.metrics) if snap is not None else {},
            fetched_at=snap.fetched_at if snap is not None else None,
        )

    def _external_ids(self) -> dict[int, str]:
        from autoposter_gui.storage.listing import external_ids

        return external_ids(self.ctx.store)

    # ----- choosing -----

    def due_items(self, now: datetime, *, everything: bool = False) -> list[PostedItem]:
        """Items whose snapshot is due at ``now`` (``everything``: every posted item), never within an hour of
        their last try."""
        times = self.repo.fetch_times()
        chosen = []
        for item in self.repo.posted_items():
            good, last = times.get(item.id, ([], None))
            if everything:
                if last is None or now - last >= MIN_INTERVAL:
                    chosen.append(item)
            elif due(item.published_at, good, last, now):
                chosen.append(item)
        return chosen

    # ----- fetching -----

    def refresh(
        self,
        *,
        everything: bool = False,
        as_of: datetime | None = None,
        limit: int | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> RefreshStats:
        """Fetch the due snapshots (``everything``: every posted item now) and store them; ``as_of`` is now."""
        now = as_of or self.ctx.clock.now()
        items = self.due_items(now, everything=everything)
        if limit is not None:
            items = items[:limit]
        if not items:
            return RefreshStats()
        total = len(items)
        events = self.ctx.events
        events.emit(Events.NOTICE, INSIGHTS_NOTICE, {"running": True, "done": 0, "total": total})
        calls = 0
        done = 0
        states: dict[str, int] = {}

        def count(_method: str, _path: str) -> None:
            nonlocal calls
            calls += 1

        from autoposter_gui.engine.runner import _short_gil_turns
        from autoposter_gui.networks import registry
        from autoposter_gui.networks.capabilities import Insights

        network = registry.for_platform(Platform.FACEBOOK.value)  # Meta: the one network with insights today
        session = network.session(self.ctx.network_env(network.key))
        try:
            if isinstance(session, Insights):
                session.watch_requests(count)
                with _short_gil_turns():  # the GUI thread shares the interpreter: hand the GIL back within 1 ms
                    self._fetch_all(session, items, now, states, total, on_progress)
                    done = total
        finally:
            session.close()
            events.emit(Events.NOTICE, INSIGHTS_NOTICE, {"running": False, "done": done, "total": total})
        log.info("insights: %d post(s) refreshed in %d call(s)", done, calls)
        return RefreshStats(asked=total, calls=calls, states=states)

    def _fetch_all(
        self,
        session: Session,
        items: Sequence[PostedItem],
        now: datetime,
        states: dict[str, int],
        total: int,
        on_progress: Callable[[int, int], None] | None,
    ) -> None:
        done = 0
        events = self.ctx.events
        for token, group in self._by_token(session, items).items():
            snapshots = self._token_snapshots(session, token, group, now)
            self.repo.add(snapshots)
            for snap in snapshots:
                states[snap.state] = states.get(snap.state, 0) + 1
            done += len(group)
            if on_progress is not None:
                on_progress(done, total)
            events.emit(Events.NOTICE, INSIGHTS_NOTICE, {"running": True, "done": done, "total": total})

    def _by_token(self, session: Session, items: Sequence[PostedItem]) -> dict[str, list[PostedItem]]:
        """The items to fetch, by access token (a Page and its Instagram account may share one: one batch)."""
        tokens: dict[int, str | None] = {}
        groups: dict[str, list[PostedItem]] = {}
        for item in items:
            if item.account_id not in tokens:
                account = self.ctx.repo.account(item.account_id)
                token = session.access_token(account_ref(account)) if account else None
                if not token:
                    log.info("insights: account %s has no token; skipped", item.account_id)
                tokens[item.account_id] = token
            token = tokens[item.account_id]
            if token:
                groups.setdefault(token, []).append(item)
        return groups

    def _token_snapshots(self, session: Session, token: str, items: list[PostedItem], now: datetime) -> list[Snapshot]:
        from autoposter_gui.networks.capabilities import Insights, InsightTarget

        assert isinstance(session, Insights)
        lacking = self._lacking_platforms(session, token)
        refused = [i for i in items if i.platform in lacking]
        targets = [InsightTarget(i.id, i.platform, i.provider_post_id) for i in items if i not in refused]
        results = session.fetch_insights(token, targets) if targets else []
        snapshots = [Snapshot(i.id, now, InsightsState.PERMISSION_MISSING.value) for i in refused]
        return snapshots + [Snapshot(r.key, now, r.state.value, r.metrics) for r in results]

    def _lacking_platforms(self, session: Session, token: str) -> set[str]:
        """One debug_token call per token: the platforms whose insights permission it lacks (unknown: none, and
        the insights answers themselves say so)."""
        from autoposter_gui.networks.capabilities import TokenCheck

        app_id, app_secret = self.ctx.tokens.get(APP_ID), self.ctx.tokens.get(APP_SECRET)
        if not app_id or not app_secret or not isinstance(session, TokenCheck):
            return set()
        try:
            info = session.debug_token(app_id, app_secret, token)
        except PublishError as exc:
            log.info("insights permission check skipped: %s", exc.error_code)
            return set()
        if not info.scopes:
            return set()
        return {p for p, needed in INSIGHTS_SCOPES.items() if any(s not in info.scopes for s in needed)}

    def tick(self) -> None:
        """The scheduler's hook, after a tick's publishing: the due snapshots, bounded, never raising. Between two
        moments a snapshot can fall due, a tick reads nothing (the check reads every posted item and its fetches)."""
        now = self.ctx.clock.now()
        if self._next_check is not None and now < self._next_check:
            return
        try:
            with self.ctx.tokens.cached():
                self.refresh(limit=TICK_LIMIT)
        except Exception:  # the scheduler thread must survive anything
            log.exception("insights refresh failed")
        self._next_check = self.next_check(now)

    def next_check(self, now: datetime) -> datetime:
        """When a tick must look again: the first moment a posted item's snapshot falls due, and within the hour in
        any case (a post published from now on has its first snapshot an hour after it went out)."""
        times = self.repo.fetch_times()
        moments = [now + MIN_INTERVAL]
        for item in self.repo.posted_items():
            good, last = times.get(item.id, ([], None))
            moment = next_due(item.published_at, good, last, now)
            if moment is not None:
                moments.append(moment)
        return min(moments)
