"""The insights queries: posted items with their publish time, and metric snapshots (written, latest, history)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from autoposter_gui.domain.insights import STATE_METRIC
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.lean import db_time as _db_time
from autoposter_gui.storage.lean import stored_utc

# A posted item: its publish time is the succeeded publish attempt's end (else the item's last change).
_POSTED = (
    "SELECT q.id, q.account_id, q.platform, q.provider_post_id, q.permalink, q.text, q.image_path,"
    " COALESCE((SELECT MAX(a.finished_at) FROM delivery_attempts a WHERE a.queue_item_id = q.id"
    "   AND a.outcome = 'succeeded' AND a.step = 'publish'), q.updated_at)"
    " FROM queue_items q WHERE q.status = 'posted' AND q.provider_post_id IS NOT NULL"
)


@dataclass(frozen=True)
class PostedItem:
    """A published queue item, as the insights need it."""

    id: int
    account_id: int
    platform: str
    provider_post_id: str
    permalink: str | None
    text: str
    image_path: str | None
    published_at: datetime


@dataclass
class Snapshot:
    """One fetch of one item: its state and metric values (empty unless the state is ok)."""

    item_id: int
    fetched_at: datetime
    state: str
    metrics: dict[str, int] = field(default_factory=dict)


class InsightsRepo:
    """Typed access to ``insight_snapshots`` (plain SQL on the store's raw paths)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def posted_items(self, account_id: int | None = None) -> list[PostedItem]:
        sql, args = _POSTED, [] if account_id is None else [account_id]
        if account_id is not None:
            sql += " AND q.account_id = ?"
        with self.store.read_raw() as conn:
            rows = conn.execute(sql + " ORDER BY q.id", args).fetchall()
        items = []
        for item_id, account, platform, post_id, permalink, text, image, published_raw in rows:
            published = stored_utc(published_raw)
            assert published is not None
            items.append(PostedItem(item_id, account, platform, post_id, permalink, text, image, published))
        return items

    def add(self, snapshots: Iterable[Snapshot]) -> int:
        """Store fetched snapshots (one row per metric; a state without numbers: one ``*`` row). Rows written."""
        rows: list[tuple[int, str, int | None, str, str]] = []
        for snap in snapshots:
            when = _db_time(snap.fetched_at)
            if snap.metrics:
                rows += [(snap.item_id, name, value, snap.state, when) for name, value in snap.metrics.items()]
            else:
                rows.append((snap.item_id, STATE_METRIC, None, snap.state, when))
        if rows:
            with self.store.write_raw() as conn:
                conn.executemany(
                    "INSERT INTO insight_snapshots (queue_item_id, metric, value, state, fetched_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
        return len(rows)

    def history(self, item_ids: Sequence[int] | None = None, *, since: datetime | None = None) -> list[Snapshot]:
        """Every snapshot (oldest first), grouped per item and fetch time; of some items, or since a time."""
        sql = "SELECT queue_item_id, fetched_at, state, metric, value FROM insight_snapshots"
        where: list[str] = []
        args: list[object] = []
        if item_ids is not None:
            where.append(f"queue_item_id IN ({','.join('?' * len(item_ids))})")
            args += list(item_ids)
        if since is not None:
            where.append("fetched_at >= ?")
            args.append(_db_time(since))
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self.store.read_raw() as conn:
            rows = conn.execute(sql + " ORDER BY fetched_at, queue_item_id, id", args).fetchall()
        out: list[Snapshot] = []
        index: dict[tuple[int, str], Snapshot] = {}
        for item_id, fetched_raw, state, metric, value in rows:
            key = (item_id, fetched_raw)
            snap = index.get(key)
            if snap is None:
                fetched = stored_utc(fetched_raw)
                assert fetched is not None
                snap = index[key] = Snapshot(item_id, fetched, state)
                out.append(snap)
            if metric != STATE_METRIC and value is not None:
                snap.metrics[metric] = int(value)
        return out

    def fetch_times(self) -> Mapping[int, tuple[list[datetime], datetime | None]]:
        """Per item: the times of its good fetches (any state but "failed"), and its last try of any kind."""
        sql = "SELECT queue_item_id, fetched_at, MIN(state = 'failed') FROM insight_snapshots GROUP BY 1, 2"
        with self.store.read_raw() as conn:
            rows = conn.execute(sql + " ORDER BY 2").fetchall()
        out: dict[int, tuple[list[datetime], datetime | None]] = {}
        for item_id, fetched_raw, failed in rows:
            when = stored_utc(fetched_raw)
            assert when is not None
            good, _last = out.get(item_id, ([], None))
            if not failed:
                good.append(when)
            out[item_id] = (good, when)
        return out

    def latest(self, item_ids: Sequence[int] | None = None) -> dict[int, Snapshot]:
        """Each item's latest snapshot that is not a failed try (one indexed query: only those rows are read)."""
        sql = (
            "SELECT s.queue_item_id, s.fetched_at, s.state, s.metric, s.value FROM insight_snapshots s JOIN"
            " (SELECT queue_item_id, MAX(fetched_at) AS at FROM insight_snapshots WHERE state != 'failed'"
            "  GROUP BY queue_item_id) l ON s.queue_item_id = l.queue_item_id AND s.fetched_at = l.at"
        )
        with self.store.read_raw() as conn:
            rows = conn.execute(sql + " ORDER BY s.id").fetchall()
        wanted = None if item_ids is None else set(item_ids)
        latest: dict[int, Snapshot] = {}
        for item_id, fetched_raw, state, metric, value in rows:
            if wanted is not None and item_id not in wanted:
                continue
            snap = latest.get(item_id)
            if snap is None:
                fetched = stored_utc(fetched_raw)
                assert fetched is not None
                snap = latest[item_id] = Snapshot(item_id, fetched, state)
            if metric != STATE_METRIC and value is not None:
                snap.metrics[metric] = int(value)
        return latest
