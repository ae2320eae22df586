"""The window's reads (accounts, Queue pages, Activity rows, one post) as read models, on the store's lean path.

Nothing here imports SQLAlchemy: the first window can be filled from a database opened on its own
(:func:`startup_reads`) before the full store, its migrations and the scheduler are up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from autoposter_gui.domain.models import ItemStatus, media_from_json
from autoposter_gui.engine.views import AccountView, AttemptView, ItemView, QueueRow, SeriesMark
from autoposter_gui.storage.lean import UPCOMING_SORT, LeanReader, StartupReader, open_current, utc_time
from autoposter_gui.storage.lean import upcoming_before as _upcoming_before

if TYPE_CHECKING:
    from autoposter_gui.storage.lean import AccountRecord

__all__ = ["UPCOMING_SORT", "Reads", "account_view", "startup_reads", "upcoming_before"]

_SERIES_KINDS = ((timedelta(days=1), "daily"), (timedelta(days=7), "weekly"))


def account_view(a: AccountRecord | Any) -> AccountView:
    """The read model of an account row (a lean record, or an ORM ``Account`` a service handed back)."""
    return AccountView(
        a.id,
        a.platform,
        a.external_id,
        a.name,
        a.username,
        a.page_id,
        a.connected_at,
        a.token_expires_at,
        a.status,
        a.status_message,
        a.token_checked_at,
        tuple(a.tasks) if a.tasks is not None else None,
    )


def upcoming_before(a: QueueRow, b: QueueRow) -> bool:
    """Whether ``a`` comes before ``b`` in the Queue's default "upcoming first" order (as the pages are sorted)."""
    return _upcoming_before(a, b)


class Reads:
    """Read models for the UI and the CLI, each read in one lean query (no ORM objects are loaded)."""

    def __init__(self, reader: LeanReader) -> None:
        self._reader = reader

    # ----- accounts --------------------------------------------------------------------------------
    def accounts(self) -> list[AccountView]:
        """Every account, by platform, name and id."""
        return [account_view(a) for a in self._reader.accounts()]

    def account(self, account_id: int) -> AccountView | None:
        found = self._reader.account(account_id)
        return account_view(found) if found is not None else None

    def external_ids(self) -> dict[int, str]:
        """Account id → its Page id or Instagram user id."""
        return {a.id: a.external_id for a in self._reader.accounts()}

    # ----- posts -----------------------------------------------------------------------------------
    def item(self, item_id: int) -> ItemView | None:
        r = self._reader.item(item_id)
        if r is None:
            return None
        return ItemView(
            r.id,
            r.account_id,
            r.platform,
            r.text,
            r.image_path,
            r.status,
            r.scheduled_at,
            r.scheduled_tz,
            r.next_attempt_at,
            r.attempt_count,
            r.error_message,
            r.last_error_code,
            r.provider_post_id,
            r.permalink,
            MappingProxyType(dict(r.meta)),
            r.unconfirmed_attempt_id,
            r.created_at,
            r.updated_at,
            media_from_json(r.media),
            r.first_comment,
            r.link,
            r.comment_status,
            r.comment_permalink,
            r.series_id,
        )

    def queue_rows(
        self,
        statuses: Iterable[ItemStatus] | None = None,
        *,
        limit: int,
        offset: int = 0,
        sort: str | None = None,
        descending: bool = True,
    ) -> list[QueueRow]:
        """A page of the Queue: by id (``sort=None``), a sort key (a queue column, or "account"), or
        UPCOMING_SORT (what is still to go out first; ``descending`` is ignored)."""
        rows = self._reader.item_rows(
            statuses, limit=limit, offset=offset, sort=sort, descending=descending, row=QueueRow
        )
        return cast(list[QueueRow], rows)

    def queue_rows_by_ids(self, ids: Iterable[int]) -> list[QueueRow]:
        """The rows of those of ``ids`` that still exist (one query; any order)."""
        return cast(list[QueueRow], self._reader.item_rows_by_ids(ids, QueueRow))

    def count_items(self, statuses: Iterable[ItemStatus] | None = None) -> int:
        """Posts in those statuses (all when None)."""
        return self._reader.count_items(statuses)

    def next_due_at(self) -> datetime | None:
        """When the next scheduled post becomes due (its retry time if later)."""
        return self._reader.next_due_at()

    def series_mark(self, item_id: int, series_id: str | None) -> SeriesMark | None:
        """ "3 of 6 in a weekly series", read when asked (a tooltip); None for a post of its own."""
        if series_id is None:
            return None
        rows = self._reader.series_times(series_id)
        ids = [i for i, _ in rows]
        if item_id not in ids:
            return None
        kind = "repeating"
        times = [utc_time(t) for _, t in rows[:2] if t]
        if len(times) == 2:
            gap = times[1] - times[0]
            near = [name for step, name in _SERIES_KINDS if abs(gap - step) <= timedelta(hours=1)]
            kind = near[0] if near else "monthly" if timedelta(days=27) <= gap <= timedelta(days=32) else kind
        return SeriesMark(ids.index(item_id) + 1, len(ids), kind)

    # ----- delivery attempts -----------------------------------------------------------------------
    def attempts(self, *, limit: int | None, offset: int = 0) -> list[AttemptView]:
        """A page of attempts (``limit`` None: all), newest first."""
        return cast(list[AttemptView], self._reader.attempt_rows(limit=limit, offset=offset, row=AttemptView))

    def attempts_by_ids(self, ids: Iterable[int]) -> list[AttemptView]:
        """The attempts of those of ``ids`` that still exist (one query; any order)."""
        return cast(list[AttemptView], self._reader.attempt_rows_by_ids(ids, AttemptView))


class StartupReads(Reads):
    """Reads on a database opened on its own, for the first window; closed once the full store is open."""

    def __init__(self, reader: StartupReader) -> None:
        super().__init__(reader)
        self._startup = reader

    def close(self) -> None:
        self._startup.close()


def startup_reads(db_path: Path) -> StartupReads | None:
    """Reads for the first window straight from ``db_path``, without opening the store; None when the database is
    missing, empty, damaged or not at the current schema (then the store must open first: it migrates, and
    explains what is wrong)."""
    reader = open_current(db_path)
    return StartupReads(reader) if reader is not None else None
