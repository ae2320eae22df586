"""The lean read path: plain sqlite3 reads of what the window lists (accounts, Queue pages, Activity rows), importing
no SQLAlchemy, so the first window can come from them before the full store is open."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from autoposter_gui.domain.models import AttemptStep, ItemStatus

# The newest migration; a test checks it matches the migrations folder. Lets start-up skip Alembic when current,
# and the lean start-up read trust the schema.
SCHEMA_HEAD = "0008"
BUSY_TIMEOUT_S = 10.0


def stored_utc(value: str | None) -> datetime | None:
    """A stored naive-UTC datetime (SQLAlchemy's SQLite text format) as an aware UTC datetime."""
    return None if value is None else utc_time(value)


def utc_time(value: str) -> datetime:
    """A stored naive-UTC datetime as an aware one. Parsed with its offset appended: ``replace(tzinfo=UTC)`` after
    the parse costs ten times the parse itself (~0.7 µs), and a Queue page parses a hundred of them."""
    try:
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # not the stored naive format (an offset already): as before
        return datetime.fromisoformat(value).replace(tzinfo=UTC)


def db_time(value: datetime) -> str:
    """An aware datetime as the ORM stores it (``UTCDateTime`` on SQLite: naive UTC, always with microseconds)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def status_clause(statuses: Sequence[str] | None) -> str:
    return "" if statuses is None else f" WHERE q.status IN ({', '.join('?' * len(statuses))})"


# Sort keys Repo.items accepts (queue item columns, or "account": platform then name).
ITEM_SORT_KEYS = frozenset(
    {"status", "account", "text", "scheduled_at", "attempt_count", "next_attempt_at", "error_message", "created_at"}
    | {"comment_status"}
)
# The Queue's default order ("upcoming first"): what is still to go out, soonest first; then drafts, newest first;
# then everything else (posted, failed, canceled, missed) by its time, latest first. Each part is one index range of
# (status, scheduled_at), so a page costs a few index seeks at any size.
UPCOMING_SORT = "upcoming"
_UPCOMING_PARTS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({ItemStatus.SCHEDULED.value, ItemStatus.PROCESSING.value}), "q.scheduled_at ASC, q.id ASC"),
    (frozenset({ItemStatus.DRAFT.value}), "q.id DESC"),
    (
        frozenset(s.value for s in ItemStatus)
        - {ItemStatus.SCHEDULED.value, ItemStatus.PROCESSING.value, ItemStatus.DRAFT.value},
        "q.scheduled_at DESC, q.id DESC",
    ),
)


class ItemRow(NamedTuple):
    """A queue item as the Queue table shows it: the columns it needs, read without the ORM (a plain tuple;
    the two times are parsed when read)."""

    id: int
    account_id: int
    platform: str
    text: str
    image_path: str | None
    status: str
    scheduled_raw: str | None
    next_attempt_raw: str | None
    attempt_count: int
    error_message: str | None
    permalink: str | None
    media_raw: str | None = None  # rich posts: the ``media`` JSON, the first comment's status and link
    comment_status: str | None = None
    comment_permalink: str | None = None
    handoff: str | None = None  # Meta's scheduler: "pending" or "meta"; and the change still to send there
    handoff_change_raw: str | None = None
    series_id: str | None = None  # the posts of one repeated post share it

    @property
    def scheduled_at(self) -> datetime | None:
        return stored_utc(self.scheduled_raw)

    @property
    def next_attempt_at(self) -> datetime | None:
        return stored_utc(self.next_attempt_raw)

    @property
    def handoff_change(self) -> str | None:
        """The op of the change still to send to Meta ("update", "withdraw", "cancel", "publish"), if any."""
        value = json.loads(self.handoff_change_raw) if self.handoff_change_raw else None
        return str(value.get("op")) if isinstance(value, dict) and value.get("op") else None


_ROW_COLUMNS = (
    "q.id, q.account_id, q.platform, q.text, q.image_path, q.status, q.scheduled_at, q.next_attempt_at, "
    "coalesce(q.attempt_count, 0), q.error_message, q.permalink, q.media, q.comment_status, q.comment_permalink, "
    "q.handoff, q.handoff_change, q.series_id"
)


_Statement = tuple[str, list[str]]
_ALL_STATUSES = frozenset(st.value for st in ItemStatus)


@functools.cache
def _upcoming_plan(wanted: frozenset[str]) -> tuple[_Statement | None, list[_Statement]]:
    """The statements of an "upcoming first" page over the ``wanted`` statuses (built once per filter): the count
    of the first two parts (None when both are filtered out), and each part's page query (no statuses: skip it)."""
    parts = [(sorted(part & wanted), order) for part, order in _UPCOMING_PARTS]
    # The page's ids come from the index alone (covering, in order), then only those rows are read by id: ~20%
    # less than reading every candidate row of each status before sorting. CROSS JOIN keeps the ids' loop outside
    # (SQLite's documented join order), so the rows come out in the page's order with no second sort.
    pages = [
        (
            f"SELECT {_ROW_COLUMNS} FROM (SELECT q.id AS page_id FROM queue_items q{status_clause(values)}"
            f" ORDER BY {order} LIMIT ? OFFSET ?) AS page CROSS JOIN queue_items q ON q.id = page.page_id",
            values,
        )
        for values, order in parts
    ]
    early = parts[0][0] + parts[1][0]
    if not early:
        return None, pages
    marks = ", ".join("?" * len(parts[0][0])) or "NULL"
    sql = f"SELECT coalesce(sum(q.status IN ({marks})), 0), count(*) FROM queue_items q{status_clause(early)}"
    return (sql, [*parts[0][0], *early]), pages


class Placed(Protocol):
    """A queue row as far as its place in the "upcoming first" order goes (an ``ItemRow``, or a read model)."""

    @property
    def id(self) -> int: ...

    @property
    def status(self) -> str: ...

    @property
    def scheduled_at(self) -> datetime | None: ...


def _upcoming_part(row: Placed) -> int:
    return next((n for n, (statuses, _) in enumerate(_UPCOMING_PARTS) if row.status in statuses), 2)


def upcoming_before(a: Placed, b: Placed) -> bool:
    """Whether ``a`` comes before ``b`` in the "upcoming first" order (as ``item_rows`` sorts in SQL)."""
    part_a, part_b = _upcoming_part(a), _upcoming_part(b)
    if part_a != part_b:
        return part_a < part_b
    at_a, at_b = a.scheduled_at, b.scheduled_at
    if part_a == 0:  # soonest first (SQLite puts NULLs first when ascending)
        if (at_a is None) != (at_b is None):
            return at_a is None
        if at_a is not None and at_b is not None and at_a != at_b:
            return at_a < at_b
        return a.id < b.id
    if part_a == 2 and at_a != at_b:  # latest first, NULLs last
        if at_a is None or at_b is None:
            return at_b is None
        return at_a > at_b
    return a.id > b.id


class AttemptRow(NamedTuple):
    """A delivery attempt as the Activity table and the tray show it, with its post's account, platform and
    text (None when the post was deleted), read without the ORM (the two times are parsed when read)."""

    id: int
    queue_item_id: int
    attempt_number: int
    started_raw: str
    finished_raw: str | None
    outcome: str
    permalink: str | None
    error_code: str | None
    error_message: str | None
    item_account_id: int | None
    item_platform: str | None
    item_text: str | None
    step: str = AttemptStep.PUBLISH.value  # "publish", or "comment" (a first comment's attempt)
    item_media_raw: str | None = None  # the post's ``media`` JSON ("3 photos", "Reel" in the Activity)
    provider_post_id: str | None = None

    @property
    def started_at(self) -> datetime:
        return utc_time(self.started_raw)

    @property
    def finished_at(self) -> datetime | None:
        return stored_utc(self.finished_raw)


_ATTEMPT_SELECT = (
    "SELECT d.id, d.queue_item_id, d.attempt_number, d.started_at, d.finished_at, d.outcome, d.permalink,"
    " d.error_code, d.error_message, q.account_id, q.platform, q.text, d.step, q.media, d.provider_post_id"
    " FROM delivery_attempts d LEFT JOIN queue_items q ON q.id = d.queue_item_id"
)


class AccountRecord(NamedTuple):
    """An account row (the ORM's attribute names; times parsed, tasks decoded, by the reader)."""

    id: int
    platform: str
    external_id: str
    name: str
    username: str | None
    page_id: str | None
    connected_at: datetime
    token_expires_at: datetime | None
    status: str
    status_message: str | None
    token_checked_at: datetime | None
    tasks: list[str] | None


_ACCOUNT_SELECT = (
    "SELECT id, platform, external_id, name, username, page_id, connected_at, token_expires_at, status,"
    " status_message, token_checked_at, tasks FROM accounts"
)


def _account(row: tuple[Any, ...]) -> AccountRecord:
    tasks = json.loads(row[11]) if row[11] is not None else None
    return AccountRecord(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        utc_time(row[6]),
        stored_utc(row[7]),
        row[8],
        row[9],
        stored_utc(row[10]),
        tasks if isinstance(tasks, list) else None,
    )


class ItemRecord(NamedTuple):
    """One queue item in full, as an owner's action on it needs it (times parsed, metadata decoded)."""

    id: int
    account_id: int
    platform: str
    text: str
    image_path: str | None
    status: str
    scheduled_at: datetime | None
    scheduled_tz: str | None
    next_attempt_at: datetime | None
    attempt_count: int
    error_message: str | None
    last_error_code: str | None
    provider_post_id: str | None
    permalink: str | None
    meta: dict[str, Any]
    unconfirmed_attempt_id: int | None
    created_at: datetime
    updated_at: datetime
    media: list[Any]  # the stored ``media`` JSON list (rich posts; empty for a plain one)
    first_comment: str | None
    link: str | None
    comment_status: str | None
    comment_permalink: str | None
    series_id: str | None


_ITEM_SELECT = (
    "SELECT id, account_id, platform, text, image_path, status, scheduled_at, scheduled_tz, next_attempt_at,"
    " coalesce(attempt_count, 0), error_message, last_error_code, provider_post_id, permalink, metadata,"
    " unconfirmed_attempt_id, created_at, updated_at, media, first_comment, link, comment_status, comment_permalink,"
    " series_id FROM queue_items WHERE id = ?"
)


def _item(row: tuple[Any, ...]) -> ItemRecord:
    meta = json.loads(row[14]) if row[14] else {}
    media = json.loads(row[18]) if row[18] else []
    return ItemRecord(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        stored_utc(row[6]),
        row[7],
        stored_utc(row[8]),
        row[9],
        row[10],
        row[11],
        row[12],
        row[13],
        meta if isinstance(meta, dict) else {},
        row[15],
        utc_time(row[16]),
        utc_time(row[17]),
        media if isinstance(media, list) else [],
        *row[19:24],
    )


Connect = Callable[[], AbstractContextManager[sqlite3.Connection]]


class LeanReader:
    """The window's reads as plain SQL on a read connection (the store's per-thread raw one, or, at start-up, one
    opened on its own by :func:`open_current`). Rows come back as tuples; nothing imports the ORM."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect

    # ----- accounts --------------------------------------------------------------------------------
    def accounts(self) -> list[AccountRecord]:
        """Every account, by platform, name and id (as ``Repo.accounts()``)."""
        with self._connect() as conn:
            rows = conn.execute(f"{_ACCOUNT_SELECT} ORDER BY platform, name, id").fetchall()
        return [_account(r) for r in rows]

    def account(self, account_id: int) -> AccountRecord | None:
        with self._connect() as conn:
            row = conn.execute(f"{_ACCOUNT_SELECT} WHERE id = ?", (account_id,)).fetchone()
        return _account(row) if row else None

    # ----- queue items -----------------------------------------------------------------------------
    def item(self, item_id: int) -> ItemRecord | None:
        with self._connect() as conn:
            row = conn.execute(_ITEM_SELECT, (item_id,)).fetchone()
        return _item(row) if row else None

    def item_rows(
        self,
        statuses: Iterable[ItemStatus] | None = None,
        *,
        limit: int,
        offset: int = 0,
        sort: str | None = None,
        descending: bool = True,
        row: type[ItemRow] = ItemRow,
    ) -> list[ItemRow]:
        """A page of ``ItemRow`` (or of ``row``, a subclass) in the order of ``Repo.items()``: by id
        (``sort=None``), a key of ITEM_SORT_KEYS, or UPCOMING_SORT (``descending`` is ignored)."""
        if sort == UPCOMING_SORT:
            return self._upcoming_rows(statuses, limit, offset, row)
        values = None if statuses is None else [st.value for st in statuses]
        direction = "DESC" if descending else "ASC"
        join = ""
        if sort is None:
            order = f"q.id {direction}"
        else:
            if sort not in ITEM_SORT_KEYS:
                raise ValueError(f"unknown sort key {sort!r}")
            if sort == "account":
                join = " JOIN accounts a ON a.id = q.account_id"
                keys = ["a.platform", "a.name"]
            else:
                keys = [f"q.{sort}"]
                if values is None:
                    # "status IN (every status)" lets SQLite walk the (status, <key>) indexes one status at a time
                    # and stop after a page: 0.05 ms at 100k rows, where a bare ORDER BY sorts them all (~40 ms).
                    values = [st.value for st in ItemStatus]
            order = ", ".join(f"{k} {direction} NULLS LAST" for k in keys) + f", q.id {direction}"
        sql = f"SELECT {_ROW_COLUMNS} FROM queue_items q{join}{status_clause(values)} ORDER BY {order} LIMIT ? OFFSET ?"
        with self._connect() as conn:
            rows = conn.execute(sql, [*(values or ()), limit, offset]).fetchall()
        return list(map(row._make, rows))

    def _upcoming_rows(
        self, statuses: Iterable[ItemStatus] | None, limit: int, offset: int, row: type[ItemRow]
    ) -> list[ItemRow]:
        """A page in the "upcoming first" order: its parts in turn, each one indexed query (see _UPCOMING_PARTS)."""
        wanted = _ALL_STATUSES if statuses is None else frozenset(st.value for st in statuses)
        count, parts = _upcoming_plan(wanted)
        rows: list[tuple[Any, ...]] = []
        with self._connect() as conn:
            sizes = (0, 0)
            if count is not None:  # the first two parts are small (what is still to come, drafts): one count
                sql, params = count
                found = conn.execute(sql, params).fetchone()
                sizes = (int(found[0]), int(found[1]) - int(found[0]))
            for n, (sql, params) in enumerate(parts):
                if not params or limit <= 0:
                    continue
                if n < 2 and offset >= sizes[n]:
                    offset -= sizes[n]
                    continue
                page = conn.execute(sql, [*params, limit, offset]).fetchall()
                rows.extend(page)
                limit -= len(page)
                offset = 0
        return list(map(row._make, rows))

    def item_rows_by_ids(self, ids: Iterable[int], row: type[ItemRow] = ItemRow) -> list[ItemRow]:
        """The ``ItemRow`` (or ``row``) of those of ``ids`` that still exist (one query; any order)."""
        return list(map(row._make, self.by_ids(f"SELECT {_ROW_COLUMNS} FROM queue_items q", "q.id", ids)))

    def by_ids(self, select_sql: str, id_column: str, ids: Iterable[int]) -> list[tuple[Any, ...]]:
        """``select_sql WHERE id_column IN ids``, in chunks under SQLite's parameter limit."""
        wanted = list(dict.fromkeys(ids))
        rows: list[tuple[Any, ...]] = []
        with self._connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                sql = f"{select_sql} WHERE {id_column} IN ({', '.join('?' * len(chunk))})"
                rows.extend(conn.execute(sql, chunk).fetchall())
        return rows

    def count_items(self, statuses: Iterable[ItemStatus] | None = None) -> int:
        """Items in those statuses (all when None): SQLite's b-tree count, ~0.02 ms at 100k rows."""
        values = None if statuses is None else [st.value for st in statuses]
        with self._connect() as conn:
            row = conn.execute(f"SELECT count(*) FROM queue_items q{status_clause(values)}", values or ()).fetchone()
        return int(row[0]) if row else 0

    def next_due_at(self) -> datetime | None:
        """When the next scheduled item becomes due (its retry time if later), or a posted one's first comment."""
        sql = (
            "SELECT min(t) FROM ("
            " SELECT min(scheduled_at) AS t FROM queue_items WHERE status = ? AND next_attempt_at IS NULL"
            " UNION ALL SELECT min(next_attempt_at) FROM queue_items WHERE status = ?"
            " UNION ALL SELECT min(next_attempt_at) FROM queue_items WHERE status = ?)"  # a first comment's turn
        )
        scheduled = ItemStatus.SCHEDULED.value
        with self._connect() as conn:
            row = conn.execute(sql, (scheduled, scheduled, ItemStatus.POSTED.value)).fetchone()
        return stored_utc(row[0]) if row else None

    def series_times(self, series_id: str) -> list[tuple[int, str | None]]:
        """(id, stored time) of every item of a series, by time then id."""
        sql = "SELECT id, scheduled_at FROM queue_items WHERE series_id = ? ORDER BY scheduled_at, id"
        with self._connect() as conn:
            rows = conn.execute(sql, (series_id,)).fetchall()
        return [(int(i), t) for i, t in rows]

    # ----- delivery attempts -----------------------------------------------------------------------
    def attempt_rows(
        self, *, limit: int | None, offset: int = 0, row: type[AttemptRow] = AttemptRow
    ) -> list[AttemptRow]:
        """A page of ``AttemptRow`` (``limit`` None: all of them), newest first (as ``Repo.attempts()``)."""
        sql = f"{_ATTEMPT_SELECT} ORDER BY d.started_at DESC, d.id DESC LIMIT ? OFFSET ?"
        with self._connect() as conn:
            rows = conn.execute(sql, (-1 if limit is None else limit, offset)).fetchall()
        return list(map(row._make, rows))

    def attempt_rows_by_ids(self, ids: Iterable[int], row: type[AttemptRow] = AttemptRow) -> list[AttemptRow]:
        """The ``AttemptRow`` (or ``row``) of those of ``ids`` that still exist (one query; any order)."""
        return list(map(row._make, self.by_ids(_ATTEMPT_SELECT, "d.id", ids)))


class StartupReader(LeanReader):
    """A lean reader on one read-only connection of its own, for the first window before the store opens."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(self._borrow)
        self._conn: sqlite3.Connection | None = conn

    @contextmanager
    def _borrow(self) -> Iterator[sqlite3.Connection]:
        if self._conn is None:
            raise RuntimeError("the start-up reader was closed")
        yield self._conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def open_current(db_path: Path) -> StartupReader | None:
    """A reader on ``db_path`` when it exists and its schema is current (``SCHEMA_HEAD``); None otherwise (missing,
    empty, older or newer, damaged, locked): then the caller takes the full path (the store, its migrations, and
    its messages). Never creates or writes the file."""
    try:
        if db_path.stat().st_size == 0:
            return None
        conn = sqlite3.connect(
            f"{db_path.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,
            check_same_thread=False,
        )
    except (OSError, sqlite3.Error):
        return None
    try:
        conn.execute("PRAGMA query_only = ON")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        conn.close()
        return None
    if row is None or row[0] != SCHEMA_HEAD:
        conn.close()
        return None
    return StartupReader(conn)
