"""Every query the app runs: accounts, queue items and delivery attempts, each in a short transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from autoposter_gui.domain.decide import ACCOUNT_HOLD_CODES, AttemptFacts
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import (
    CANNOT_POST_MESSAGE,
    AccountStatus,
    AttemptOutcome,
    AttemptStep,
    Checkpoint,
    CommentStatus,
    DiscoveredAccount,
    ItemStatus,
    MediaKind,
    MediaRef,
    Platform,
    PublishResult,
    can_post,
    first_image,
    media_from_json,
    media_to_json,
)
from autoposter_gui.storage.comments import CommentQueries
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.handoffs import HandoffQueries
from autoposter_gui.storage.lean import ITEM_SORT_KEYS as ITEM_SORT_KEYS
from autoposter_gui.storage.lean import UPCOMING_SORT as UPCOMING_SORT
from autoposter_gui.storage.lean import AttemptRow as AttemptRow
from autoposter_gui.storage.lean import ItemRow as ItemRow
from autoposter_gui.storage.lean import LeanReader
from autoposter_gui.storage.lean import db_time as _db_time
from autoposter_gui.storage.lean import stored_utc as _utc
from autoposter_gui.storage.lean import upcoming_before as upcoming_before
from autoposter_gui.storage.models import Account, DeliveryAttempt, QueueItem

DUE_BATCH = 50
# queue_items.metadata: attempts that don't use up one of the item's tries (waits for Instagram's daily limit,
# a token Meta revoked mid-batch).
LIMIT_WAITS = "limitWaits"
CHECK_FROM = "checkFrom"  # queue_items.metadata: the status an item had before it was taken for a check with Meta
UNCONFIRMED_CHECK = "The last try of this post may have gone out"
RECONCILED_NOTE = "The answer was lost, but Meta had published it (found when checking)"


class HasTries(Protocol):
    """A queue item as far as its retry budget goes (a ``QueueItem`` or a ``WorkItem``)."""

    @property
    def attempt_count(self) -> int: ...

    @property
    def meta(self) -> dict[str, Any] | None: ...


def _limit_waits(meta: dict[str, Any] | None) -> int:
    value = (meta or {}).get(LIMIT_WAITS, 0)
    return value if isinstance(value, int) else 0


def limit_waits(item: HasTries) -> int:
    """How many of the item's attempts don't count against its tries (limit waits, revoked tokens)."""
    return _limit_waits(item.meta)


def tries_used(item: HasTries) -> int:
    """The item's attempts that count against its retry budget."""
    return max(0, item.attempt_count - limit_waits(item))


@dataclass(frozen=True, slots=True)  # slots: quicker to build (an import builds thousands)
class NewItem:
    account_id: int
    platform: Platform
    text: str
    image_path: str | None
    status: ItemStatus
    scheduled_at: datetime | None
    scheduled_tz: str | None = None
    series_id: str | None = None  # shared by the posts of one recurring series
    # The images (or video) in order; empty: just ``image_path`` (if any). ``image_path`` is then the first image.
    media: tuple[MediaRef, ...] = ()
    first_comment: str | None = None
    link: str | None = None
    options: Mapping[str, Any] | None = None  # a Google post's options (None: the post has none)

    def metadata(self) -> dict[str, Any]:
        """The new item's ``queue_items.metadata``: its options, if any."""
        return {"options": dict(self.options)} if self.options else {}

    def media_list(self) -> tuple[MediaRef, ...]:
        """The post's media: ``media``, or the one image of ``image_path``."""
        if self.media:
            return self.media
        return (MediaRef(self.image_path, MediaKind.IMAGE),) if self.image_path else ()


@dataclass(frozen=True)
class Failure:
    """What the store keeps of a failed attempt: safe text only."""

    code: str
    message: str
    needs_reconcile: bool = False
    counts: bool = True  # False: a wait (Instagram's daily limit, a revoked token) that doesn't use up a try
    item_code: str | None = None  # the item's note code when it differs from the attempt's (e.g. "token" for 190)


class DueRow(NamedTuple):
    """A post about to go out (``publishing``: it is going out right now), with its account's names."""

    id: int
    platform: str
    text: str
    due_raw: str | None
    publishing: bool
    account_name: str
    account_username: str | None

    @property
    def due_at(self) -> datetime | None:
        return _utc(self.due_raw)


class WorkItem(NamedTuple):
    """A queue item as the processor needs it, read without the ORM (the attribute names of ``QueueItem``)."""

    id: int
    account_id: int
    platform: str
    text: str
    image_path: str | None
    attempt_count: int
    meta: dict[str, Any] | None
    unconfirmed_attempt_id: int | None
    media: tuple[MediaRef, ...] = ()
    first_comment: str | None = None
    link: str | None = None
    status: str = ItemStatus.PROCESSING.value
    comment_status: str | None = None
    comment_id: str | None = None
    provider_post_id: str | None = None
    permalink: str | None = None


class WorkAccount(NamedTuple):
    """An account as the processor needs it, read without the ORM (the attribute names of ``Account``)."""

    id: int
    platform: str
    external_id: str
    name: str
    username: str | None
    page_id: str | None
    status: str


class Work(NamedTuple):
    """Everything one decision about an item needs: the item, its account (None when gone), its history."""

    item: WorkItem
    account: WorkAccount | None
    history: list[AttemptFacts]


class StartedAttempt(NamedTuple):
    """An attempt just recorded as in flight."""

    id: int
    attempt_number: int
    started_at: datetime


_WORK_SELECT = (
    "SELECT q.id, q.account_id, q.platform, q.text, q.image_path, q.attempt_count, q.metadata,"
    " q.unconfirmed_attempt_id, a.id, a.platform, a.external_id, a.name, a.username, a.page_id, a.status,"
    " q.media, q.first_comment, q.link, q.status, q.comment_status, q.comment_id, q.provider_post_id, q.permalink"
    " FROM queue_items q LEFT JOIN accounts a ON a.id = q.account_id WHERE q.id = ?"
)
_HISTORY_SELECT = (
    "SELECT id, attempt_number, started_at, outcome, needs_reconcile, container_id, error_message, step, checkpoint"
    " FROM delivery_attempts WHERE queue_item_id = ? ORDER BY attempt_number"
)


def _checkpoint(raw: str | None) -> dict[str, Any]:
    value = json.loads(raw) if raw else None
    return value if isinstance(value, dict) else {}


def _history(rows: Iterable[tuple[Any, ...]]) -> list[AttemptFacts]:
    return [
        AttemptFacts(
            id=row[0],
            number=row[1],
            started_at=datetime.fromisoformat(row[2]).replace(tzinfo=UTC),
            outcome=AttemptOutcome(row[3]),
            needs_reconcile=bool(row[4]),
            container_id=row[5],
            error_message=row[6],
            step=AttemptStep(row[7] or AttemptStep.PUBLISH.value),
            checkpoint=_checkpoint(row[8]),
        )
        for row in rows
    ]


def _read_work(conn: sqlite3.Connection, item_id: int) -> Work | None:
    """The item (with its account) and its history: two statements on ``conn``."""
    rows = conn.execute(_WORK_SELECT, (item_id,)).fetchall()
    if not rows:
        return None
    row = rows[0]
    history = conn.execute(_HISTORY_SELECT, (item_id,)).fetchall()
    meta = None if row[6] is None else json.loads(row[6])
    media = media_from_json(json.loads(row[15]) if row[15] else None)
    item = WorkItem(row[0], row[1], row[2], row[3], row[4], row[5], meta, row[7], media, *row[16:23])
    account = None if row[8] is None else WorkAccount(*row[8:15])
    return Work(item, account, _history(history))


def _db_json(value: dict[str, Any] | list[Any]) -> str:
    """A JSON column's value as the ORM stores it (SQLAlchemy's JSON type: ``json.dumps``)."""
    return json.dumps(value)


def _read_meta(conn: sqlite3.Connection, item_id: int) -> dict[str, Any]:
    """A copy of the item's metadata (``dict(item.meta or {})``); LookupError when the item is gone."""
    rows = conn.execute("SELECT metadata FROM queue_items WHERE id = ?", (item_id,)).fetchall()
    if not rows:
        raise LookupError(f"no queue item with id {item_id}")
    return dict((json.loads(rows[0][0]) if rows[0][0] is not None else None) or {})


def _one_row(cursor: sqlite3.Cursor, what: str, key: int) -> None:
    """Like the ORM's ``get_one``: the row must have existed (the transaction is rolled back otherwise)."""
    if cursor.rowcount != 1:
        raise LookupError(f"no {what} with id {key}")


class Repo(CommentQueries, HandoffQueries):
    """Typed access to the store. Returned ORM objects are detached snapshots."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lean = LeanReader(store.read_raw)  # the window's plain-SQL reads

    # ----- accounts -------------------------------------------------------------------------------
    def upsert_account(self, found: DiscoveredAccount, expires_at: datetime | None, now: datetime) -> Account:
        with self.store.transaction() as s:
            row = s.scalar(
                select(Account).where(
                    Account.platform == found.platform.value, Account.external_id == found.external_id
                )
            )
            if row is None:
                row = Account(platform=found.platform.value, external_id=found.external_id)
                s.add(row)
            row.name = found.name
            row.username = found.username
            row.page_id = found.page_id
            row.connected_at = now
            row.token_expires_at = expires_at
            row.tasks = list(found.tasks) if found.tasks else None
            if can_post(found.tasks):
                row.status, row.status_message = AccountStatus.CONNECTED.value, None
            else:
                row.status, row.status_message = AccountStatus.CANNOT_POST.value, CANNOT_POST_MESSAGE
            s.flush()
            return row

    def accounts(self) -> list[Account]:
        with self.store.read() as s:
            return list(s.scalars(select(Account).order_by(Account.platform, Account.name, Account.id)))

    def account(self, account_id: int) -> Account | None:
        with self.store.read() as s:
            return s.get(Account, account_id)

    def account_by_external(self, external_id: str) -> Account | None:
        with self.store.read() as s:
            return s.scalar(select(Account).where(Account.external_id == external_id).order_by(Account.id))

    def set_account_status(
        self, account_id: int, status: AccountStatus, message: str | None, now: datetime | None = None
    ) -> None:
        with self.store.transaction() as s:
            values: dict[str, object] = {"status": status.value, "status_message": message}
            if now is not None:
                values["token_checked_at"] = now
            s.execute(update(Account).where(Account.id == account_id).values(**values))

    def set_account_tasks(self, account_id: int, tasks: Sequence[str]) -> None:
        """What Meta now lists as the owner's tasks on the account's Page."""
        with self.store.transaction() as s:
            s.execute(update(Account).where(Account.id == account_id).values(tasks=list(tasks)))

    def set_account_expiry(self, account_id: int, expires_at: datetime | None) -> None:
        with self.store.transaction() as s:
            s.execute(update(Account).where(Account.id == account_id).values(token_expires_at=expires_at))

    # ----- queue ----------------------------------------------------------------------------------
    def add_items(self, items: Sequence[NewItem], now: datetime) -> list[QueueItem]:
        with self.store.transaction() as s:
            rows = [
                QueueItem(
                    account_id=i.account_id,
                    platform=i.platform.value,
                    text=i.text,
                    image_path=first_image(i.media_list()) if i.media else i.image_path,
                    media=media_to_json(i.media_list()),
                    first_comment=i.first_comment or None,
                    link=i.link or None,
                    comment_status=CommentStatus.PENDING.value if i.first_comment else None,
                    status=i.status.value,
                    scheduled_at=i.scheduled_at,
                    scheduled_tz=i.scheduled_tz,
                    series_id=i.series_id,
                    attempt_count=0,
                    meta=i.metadata(),
                    created_at=now,
                    updated_at=now,
                )
                for i in items
            ]
            s.add_all(rows)
            s.flush()
            return rows

    def item(self, item_id: int) -> QueueItem | None:
        with self.store.read() as s:
            return s.get(QueueItem, item_id)

    def items(
        self,
        statuses: Iterable[ItemStatus] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
        sort: str | None = None,
        descending: bool = False,
    ) -> list[QueueItem]:
        """Items in id order (``newest_first`` reverses it), or by a ``sort`` key from ITEM_SORT_KEYS (ties by id)."""
        with self.store.read() as s:
            q = select(QueueItem)
            if statuses is not None:
                q = q.where(QueueItem.status.in_([st.value for st in statuses]))
            if sort is None:
                q = q.order_by(QueueItem.id.desc() if newest_first else QueueItem.id.asc())
            else:
                if sort not in ITEM_SORT_KEYS:
                    raise ValueError(f"unknown sort key {sort!r}")
                if sort == "account":
                    q = q.join(Account, Account.id == QueueItem.account_id)
                    columns: list[Any] = [Account.platform, Account.name]
                else:
                    columns = [getattr(QueueItem, sort)]
                direction = [c.desc().nulls_last() if descending else c.asc().nulls_last() for c in columns]
                q = q.order_by(*direction, QueueItem.id.desc() if descending else QueueItem.id.asc())
            if limit is not None:
                q = q.limit(limit).offset(offset)
            return list(s.scalars(q))

    # Lean reads for the Queue table (plain SQL on the store's raw read path: a first screen in well under a ms).
    def item_rows(
        self,
        statuses: Iterable[ItemStatus] | None = None,
        *,
        limit: int,
        offset: int = 0,
        sort: str | None = None,
        descending: bool = True,
    ) -> list[ItemRow]:
        """A page of ``ItemRow`` (see ``LeanReader.item_rows``)."""
        return self.lean.item_rows(statuses, limit=limit, offset=offset, sort=sort, descending=descending)

    def item_rows_by_ids(self, ids: Iterable[int]) -> list[ItemRow]:
        """The ``ItemRow`` of those of ``ids`` that still exist (one query; any order)."""
        return self.lean.item_rows_by_ids(ids)

    def count_items(self, statuses: Iterable[ItemStatus] | None = None) -> int:
        """Items in those statuses (all when None), on the lean read path."""
        return self.lean.count_items(statuses)

    def media_in_use(self, finished_since: datetime | None = None) -> set[str]:
        """The image paths of every unfinished item: all but posted and canceled ones (a failed item can be
        retried, a draft or missed one published later, and a status added later is kept to be safe). With
        ``finished_since``, also those of items posted or canceled since then (their grace period)."""
        in_use: ColumnElement[bool] = QueueItem.status.not_in([ItemStatus.POSTED.value, ItemStatus.CANCELED.value])
        if finished_since is not None:
            in_use = or_(in_use, QueueItem.updated_at >= finished_since)
        with self.store.read() as s:
            q = select(QueueItem.image_path).where(QueueItem.image_path.is_not(None), in_use).distinct()
            paths = {str(path) for path in s.scalars(q)}
            # Every image (or video) of a rich post, not only its first.
            count = func.json_array_length(QueueItem.media)
            many = select(QueueItem.media).where(or_(count > 1, QueueItem.image_path.is_(None) & (count > 0)), in_use)
            for media in s.scalars(many):
                paths.update(ref.path for ref in media_from_json(media))
            return paths

    def due_items(self, now: datetime, limit: int = DUE_BATCH) -> list[QueueItem]:
        """Scheduled items whose time has come and whose retry wait is over, oldest first. None of an invalid or
        disconnected account; of an account that can't post, only those not yet held for it (each is taken once:
        an unconfirmed try is still checked with Meta, then the post is held with the reason)."""
        with self.store.read() as s:
            q = (
                select(QueueItem)
                .join(Account, Account.id == QueueItem.account_id)
                .where(
                    Account.status.not_in([AccountStatus.INVALID.value, AccountStatus.DISCONNECTED.value]),
                    or_(
                        Account.status != AccountStatus.CANNOT_POST.value,
                        func.coalesce(QueueItem.last_error_code, "") != "cannot_post",
                    ),
                    QueueItem.status == ItemStatus.SCHEDULED.value,
                    QueueItem.handoff.is_(None),  # Meta's scheduler holds it (engine/handoff.py checks it)
                    QueueItem.scheduled_at <= now,
                    or_(QueueItem.next_attempt_at.is_(None), QueueItem.next_attempt_at <= now),
                )
                .order_by(QueueItem.scheduled_at, QueueItem.id)
                .limit(limit)
            )
            return list(s.scalars(q))

    def next_due_at(self) -> datetime | None:
        """When the next scheduled item becomes due (its retry time if later); one lean query, two index seeks."""
        return self.lean.next_due_at()

    def due_until(self, until: datetime, limit: int) -> tuple[list[DueRow], int]:
        """Posts being published now, then scheduled ones due (their retry time if later) by ``until`` whose
        account can publish (as ``due_items``), by time: the first ``limit``, and how many there are in all."""
        due = "max(q.scheduled_at, coalesce(q.next_attempt_at, q.scheduled_at))"
        where = (
            " FROM queue_items q JOIN accounts a ON a.id = q.account_id"
            " WHERE q.status = ? OR (q.status = ? AND a.status NOT IN (?, ?) AND " + due + " <= ?"
            " AND coalesce(q.handoff, '') != 'meta')"  # Meta's scheduler publishes it: it needs no computer
        )
        args = [
            ItemStatus.PROCESSING.value,
            ItemStatus.SCHEDULED.value,
            AccountStatus.INVALID.value,
            AccountStatus.DISCONNECTED.value,
            _db_time(until),
        ]
        columns = f"q.id, q.platform, q.text, {due}, q.status = ?, a.name, a.username"
        order = " ORDER BY q.status = ? DESC, 4, q.id LIMIT ?"
        with self.store.read_raw() as conn:
            total = int(conn.execute("SELECT count(*)" + where, args).fetchone()[0])
            rows = conn.execute(
                f"SELECT {columns}{where}{order}",
                [ItemStatus.PROCESSING.value, *args, ItemStatus.PROCESSING.value, limit],
            ).fetchall()
        return [DueRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6]) for r in rows], total

    # The runner's per-post statements (claim, intent, result, hold/defer, the reads between) are plain SQL on the
    # store's lean paths: the ORM's per-statement and flush cost holds the GIL, which the GUI thread shares.
    _CLAIM = "UPDATE queue_items SET status = ?, updated_at = ? WHERE id = ? AND status = ?"

    def claim(self, item_id: int, now: datetime) -> bool:
        """Atomically move one scheduled item to processing; True only for the caller that won."""
        with self.store.write_raw() as conn:
            cursor = conn.execute(
                self._CLAIM, (ItemStatus.PROCESSING.value, _db_time(now), item_id, ItemStatus.SCHEDULED.value)
            )
            return cursor.rowcount == 1

    def claim_work(self, item_id: int, now: datetime) -> Work | None:
        """:meth:`claim`, and for the caller that won, the item, its account and its history, read in the same
        transaction (one commit, no separate reads); None when someone else has it."""
        with self.store.write_raw() as conn:
            cursor = conn.execute(
                self._CLAIM, (ItemStatus.PROCESSING.value, _db_time(now), item_id, ItemStatus.SCHEDULED.value)
            )
            if cursor.rowcount != 1:
                return None
            return _read_work(conn, item_id)

    def work(self, item_id: int) -> Work | None:
        """The item, its account and its history as :meth:`claim_work` gives them (lean read; None when gone)."""
        with self.store.read_raw() as conn:
            return _read_work(conn, item_id)

    def orphans(self) -> list[QueueItem]:
        with self.store.read() as s:
            return list(s.scalars(select(QueueItem).where(QueueItem.status == ItemStatus.PROCESSING.value)))

    # ----- attempts -------------------------------------------------------------------------------
    def start_attempt(
        self,
        item_id: int,
        now: datetime,
        step: AttemptStep = AttemptStep.PUBLISH,
        checkpoint: Checkpoint | None = None,
    ) -> StartedAttempt:
        """Record the intent (an in-flight attempt) and commit before any provider call. ``checkpoint`` seeds the
        attempt with ids an earlier attempt of the same post committed (safe to reuse: nothing public)."""
        started = _db_time(now)
        with self.store.write_raw() as conn:
            # The retry budget (a manual Retry resets it) ...
            # (a first comment's attempts have a budget of their own: its attempts in the history)
            bump = 1 if step is AttemptStep.PUBLISH else 0
            cursor = conn.execute(
                "UPDATE queue_items SET attempt_count = attempt_count + ?, updated_at = ? WHERE id = ?",
                (bump, started, item_id),
            )
            _one_row(cursor, "queue item", item_id)
            # ... while numbers are never reused.
            row = conn.execute(
                "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, finished_at, outcome,"
                " provider_post_id, permalink, container_id, error_code, error_message, needs_reconcile, step,"
                " checkpoint)"
                " SELECT ?, coalesce(max(attempt_number), 0) + 1, ?, NULL, ?, NULL, NULL, NULL, NULL, NULL, 0, ?, ?"
                " FROM delivery_attempts WHERE queue_item_id = ? RETURNING id, attempt_number",
                (
                    item_id,
                    started,
                    AttemptOutcome.IN_FLIGHT.value,
                    step.value,
                    _db_json(dict(checkpoint or {})),
                    item_id,
                ),
            ).fetchall()[0]  # all: a statement still stepping would keep the commit from finishing
        return StartedAttempt(row[0], row[1], now)

    def history(self, item_id: int) -> list[AttemptFacts]:
        """Every attempt of the item, oldest first, as the decision function sees them."""
        with self.store.read_raw() as conn:
            return _history(conn.execute(_HISTORY_SELECT, (item_id,)).fetchall())

    def last_attempt(self, item_id: int) -> DeliveryAttempt | None:
        with self.store.read() as s:
            return s.scalar(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.queue_item_id == item_id)
                .order_by(DeliveryAttempt.attempt_number.desc(), DeliveryAttempt.id.desc())
                .limit(1)
            )

    def save_checkpoint(self, attempt_id: int, key: str, value: Any) -> None:
        """Durably commit one provider id (or offset) of an attempt before the next call to Meta."""
        with self.store.write_raw() as conn:
            row = conn.execute("SELECT checkpoint FROM delivery_attempts WHERE id = ?", (attempt_id,)).fetchone()
            if row is None:
                raise LookupError(f"no delivery attempt with id {attempt_id}")
            checkpoint = _checkpoint(row[0])
            checkpoint[key] = value
            conn.execute("UPDATE delivery_attempts SET checkpoint = ? WHERE id = ?", (_db_json(checkpoint), attempt_id))

    def set_container(self, attempt_id: int, container_id: str) -> None:
        with self.store.write_raw() as conn:
            conn.execute("UPDATE delivery_attempts SET container_id = ? WHERE id = ?", (container_id, attempt_id))

    def finish_success(
        self,
        item_id: int,
        attempt_id: int,
        result: PublishResult,
        now: datetime,
        outcome: AttemptOutcome = AttemptOutcome.SUCCEEDED,
    ) -> None:
        finished = _db_time(now)
        container = result.extra.get("container_id")
        with self.store.write_raw() as conn:
            meta = _read_meta(conn, item_id)
            meta["lastProviderPostIds"] = {
                "provider_post_id": result.provider_post_id,
                "permalink": result.permalink,
                **result.extra,
            }
            cursor = conn.execute(
                "UPDATE delivery_attempts SET outcome = ?, finished_at = ?, provider_post_id = ?, permalink = ?,"
                " needs_reconcile = 0"
                + (", container_id = ?" if container else "")
                + (", error_message = ?" if outcome is AttemptOutcome.RECONCILED else "")
                + " WHERE id = ?",
                (outcome.value, finished, result.provider_post_id, result.permalink)
                + ((container,) if container else ())
                + ((RECONCILED_NOTE,) if outcome is AttemptOutcome.RECONCILED else ())
                + (attempt_id,),
            )
            _one_row(cursor, "delivery attempt", attempt_id)
            # A pending first comment is due right away (next_attempt_at: see storage/comments.py).
            conn.execute(
                "UPDATE queue_items SET status = ?, unconfirmed_attempt_id = NULL, provider_post_id = ?, permalink = ?,"
                " next_attempt_at = CASE WHEN comment_status = ? THEN ? END, error_message = NULL,"
                " last_error_code = NULL, metadata = ?, updated_at = ? WHERE id = ?",
                (
                    ItemStatus.POSTED.value,
                    result.provider_post_id,
                    result.permalink,
                    CommentStatus.PENDING.value,
                    finished,
                    _db_json(meta),
                    finished,
                    item_id,
                ),
            )

    def finish_unsuccessful(
        self,
        item_id: int,
        attempt_id: int,
        failure: Failure,
        now: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        """A failed attempt: scheduled again at ``next_attempt_at``, or failed for good when None."""
        retry = next_attempt_at is not None
        finished = _db_time(now)
        with self.store.write_raw() as conn:
            cursor = conn.execute(
                "UPDATE delivery_attempts SET outcome = ?, finished_at = ?, error_code = ?, error_message = ?,"
                " needs_reconcile = ? WHERE id = ?",
                (
                    (AttemptOutcome.RETRY_SCHEDULED if retry else AttemptOutcome.FAILED).value,
                    finished,
                    failure.code,
                    failure.message,
                    int(failure.needs_reconcile),
                    attempt_id,
                ),
            )
            _one_row(cursor, "delivery attempt", attempt_id)
            sets = "status = ?, next_attempt_at = ?, error_message = ?, last_error_code = ?, updated_at = ?"
            values: list[Any] = [
                (ItemStatus.SCHEDULED if retry else ItemStatus.FAILED).value,
                None if next_attempt_at is None else _db_time(next_attempt_at),
                failure.message,
                failure.item_code or failure.code,
                finished,
            ]
            if failure.needs_reconcile:
                sets += ", unconfirmed_attempt_id = ?"  # nothing else happens before Meta is asked about it
                values.append(attempt_id)
            if not failure.counts:
                meta = _read_meta(conn, item_id)
                sets += ", metadata = ?"
                values.append(_db_json({**meta, LIMIT_WAITS: _limit_waits(meta) + 1}))
            cursor = conn.execute(f"UPDATE queue_items SET {sets} WHERE id = ?", (*values, item_id))
            _one_row(cursor, "queue item", item_id)

    def resolve_reconcile(self, attempt_id: int) -> None:
        """The provider confirmed the post did not go out: a fresh attempt may publish."""
        with self.store.transaction() as s:
            s.execute(update(DeliveryAttempt).where(DeliveryAttempt.id == attempt_id).values(needs_reconcile=False))
            s.execute(
                update(QueueItem)
                .where(QueueItem.unconfirmed_attempt_id == attempt_id)
                .values(unconfirmed_attempt_id=None)
            )

    def hold(self, item_id: int, message: str, code: str, now: datetime) -> None:
        """Put a claimed item back to scheduled without spending an attempt (e.g. its token is known dead)."""
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE queue_items SET status = ?, error_message = ?, last_error_code = ?, updated_at = ?"
                " WHERE id = ?",
                (ItemStatus.SCHEDULED.value, message, code, _db_time(now), item_id),
            )

    def defer(self, item_id: int, next_attempt_at: datetime, message: str, code: str, now: datetime) -> None:
        """Back to scheduled at ``next_attempt_at`` without spending an attempt (e.g. the check with Meta failed)."""
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE queue_items SET status = ?, next_attempt_at = ?, error_message = ?, last_error_code = ?,"
                " updated_at = ? WHERE id = ?",
                (ItemStatus.SCHEDULED.value, _db_time(next_attempt_at), message, code, _db_time(now), item_id),
            )

    def release_orphan(self, item_id: int, now: datetime) -> int | None:
        """A processing item left by a dead runner: flag its last attempt for reconciliation, make it due now."""
        with self.store.transaction() as s:
            item = s.get_one(QueueItem, item_id)
            if item.status != ItemStatus.PROCESSING.value:
                return None
            attempt = s.scalar(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.queue_item_id == item_id)
                .order_by(DeliveryAttempt.attempt_number.desc(), DeliveryAttempt.id.desc())
                .limit(1)
            )
            if attempt is not None and attempt.outcome == AttemptOutcome.IN_FLIGHT.value:
                attempt.outcome = AttemptOutcome.RETRY_SCHEDULED.value
                attempt.finished_at = now
                attempt.error_code = "interrupted"
                attempt.error_message = "Autoposter stopped before the result was recorded; checking with Meta first"
                attempt.needs_reconcile = True
                item.unconfirmed_attempt_id = attempt.id
            previous = (item.meta or {}).get(CHECK_FROM)
            if previous is not None:  # taken for a check by an owner action (cancel, edit): put it back as it was
                item.meta = {k: v for k, v in (item.meta or {}).items() if k != CHECK_FROM}
                item.status = str(previous)
                item.updated_at = now
                return attempt.id if attempt is not None else None
            item.status = ItemStatus.SCHEDULED.value
            item.next_attempt_at = None
            item.updated_at = now
            return attempt.id if attempt is not None else None

    def flag(self, item_id: int, message: str, code: str) -> None:
        """Attach a note for the owner to an item without changing its status; ``code`` says what it is about (one
        of ACCOUNT_HOLD_CODES for a note about the account, which a reconnect clears)."""
        with self.store.transaction() as s:
            s.execute(
                update(QueueItem).where(QueueItem.id == item_id).values(error_message=message, last_error_code=code)
            )

    def posted_since(self, account_id: int, since: datetime) -> int:
        """How many items this account published since ``since`` (a local estimate of quota use)."""
        with self.store.read_raw() as conn:
            row = conn.execute(
                "SELECT count(*) FROM queue_items WHERE account_id = ? AND status = ? AND updated_at >= ?",
                (account_id, ItemStatus.POSTED.value, _db_time(since)),
            ).fetchone()
        return int(row[0]) if row else 0

    def mark_missed(self, due_before: datetime, now: datetime, note: str) -> list[int]:
        """Scheduled, never-attempted items due before ``due_before`` become missed (atomically), with ``note``
        (why, and what to do); their ids. Not those held for their account (a reconnect, or the Page permission,
        releases them): they keep that note."""
        with self.store.transaction() as s:
            ids = list(
                s.scalars(
                    select(QueueItem.id).where(
                        QueueItem.status == ItemStatus.SCHEDULED.value,
                        QueueItem.attempt_count == 0,
                        QueueItem.handoff.is_(None),  # Meta publishes it with this computer off
                        QueueItem.scheduled_at < due_before,
                        func.coalesce(QueueItem.last_error_code, "").not_in(sorted(ACCOUNT_HOLD_CODES)),
                    )
                )
            )
            if ids:
                s.execute(
                    update(QueueItem)
                    .where(QueueItem.id.in_(ids), QueueItem.status == ItemStatus.SCHEDULED.value)
                    .values(
                        status=ItemStatus.MISSED.value,
                        error_message=note,
                        updated_at=now,
                    )
                )
            return ids

    def clear_account_notes(self, account_id: int) -> list[int]:
        """After a reconnect (or the Page permission granted again): drop the notes about the account (their codes
        are ACCOUNT_HOLD_CODES) on its waiting posts, which makes them due again. Only the note goes: an item held
        with an unconfirmed try keeps its mark, and is checked with Meta first."""
        with self.store.transaction() as s:
            ids = list(
                s.scalars(
                    select(QueueItem.id).where(
                        QueueItem.account_id == account_id,
                        QueueItem.status.in_([ItemStatus.SCHEDULED.value, ItemStatus.DRAFT.value]),
                        QueueItem.last_error_code.in_(sorted(ACCOUNT_HOLD_CODES)),
                    )
                )
            )
            if ids:
                s.execute(
                    update(QueueItem).where(QueueItem.id.in_(ids)).values(error_message=None, last_error_code=None)
                )
            return ids

    def used_provider_ids(self, account_id: int) -> set[str]:
        """Provider ids already recorded for this account (so reconciliation never claims one twice)."""
        with self.store.read() as s:
            ids = s.scalars(
                select(QueueItem.provider_post_id).where(
                    QueueItem.account_id == account_id, QueueItem.provider_post_id.is_not(None)
                )
            )
            return {i for i in ids if i}

    def attempts(self, *, limit: int | None = None, offset: int = 0) -> list[DeliveryAttempt]:
        with self.store.read() as s:
            q = select(DeliveryAttempt).order_by(DeliveryAttempt.started_at.desc(), DeliveryAttempt.id.desc())
            if limit is not None:
                q = q.limit(limit).offset(offset)
            return list(s.scalars(q))

    def attempt_rows(self, *, limit: int, offset: int = 0) -> list[AttemptRow]:
        """A page of ``AttemptRow`` in the order of ``attempts()`` (newest first), on the lean read path."""
        return self.lean.attempt_rows(limit=limit, offset=offset)

    def attempt_rows_by_ids(self, ids: Iterable[int]) -> list[AttemptRow]:
        """The ``AttemptRow`` of those of ``ids`` that still exist (one query; any order)."""
        return self.lean.attempt_rows_by_ids(ids)

    def attempt(self, attempt_id: int) -> DeliveryAttempt | None:
        with self.store.read() as s:
            return s.get(DeliveryAttempt, attempt_id)

    # ----- user actions ---------------------------------------------------------------------------
    def _get_for_action(self, s: Session, item_id: int) -> QueueItem:
        item = s.get(QueueItem, item_id)
        if item is None:
            raise ValidationError(f"No queue item with id {item_id}")
        return item

    def retry(self, item_id: int, now: datetime) -> QueueItem:
        with self.store.transaction() as s:
            item = self._get_for_action(s, item_id)
            if item.status not in (
                ItemStatus.FAILED.value,
                ItemStatus.SCHEDULED.value,
                ItemStatus.MISSED.value,
            ):
                raise ValidationError(f"Item {item_id} is {item.status}; only failed or waiting items can be retried")
            item.status = ItemStatus.SCHEDULED.value
            item.next_attempt_at = None
            if item.attempt_count >= 5:
                item.attempt_count = 0  # a manual retry grants a fresh set of attempts
                item.meta = {k: v for k, v in (item.meta or {}).items() if k != LIMIT_WAITS}
            if item.scheduled_at is None or item.scheduled_at > now:
                item.scheduled_at = now
            item.updated_at = now
            return item

    def cancel(self, item_id: int, now: datetime) -> QueueItem:
        with self.store.transaction() as s:
            item = self._get_for_action(s, item_id)
            if item.status not in (
                ItemStatus.SCHEDULED.value,
                ItemStatus.DRAFT.value,
                ItemStatus.FAILED.value,
                ItemStatus.MISSED.value,
            ):
                raise ValidationError(f"Item {item_id} is {item.status} and cannot be canceled")
            if item.unconfirmed_attempt_id is not None:
                raise ValidationError(
                    f"{UNCONFIRMED_CHECK}; Autoposter must check with Meta before it can be canceled. Try again "
                    "in a minute"
                )
            item.status = ItemStatus.CANCELED.value
            item.next_attempt_at = None
            item.updated_at = now
            return item

    def reschedule(self, item_id: int, when: datetime, zone: str | None, now: datetime) -> QueueItem:
        with self.store.transaction() as s:
            item = self._get_for_action(s, item_id)
            if item.status in (ItemStatus.PROCESSING.value, ItemStatus.POSTED.value):
                raise ValidationError(f"Item {item_id} is {item.status} and cannot be rescheduled")
            if item.status == ItemStatus.MISSED.value:
                item.error_message = None
            item.status = ItemStatus.SCHEDULED.value
            item.scheduled_at = when
            item.scheduled_tz = zone
            item.next_attempt_at = None
            item.updated_at = now
            return item

    def update_content(
        self,
        item_id: int,
        text: str,
        image_path: str | None,
        when: datetime | None,
        status: ItemStatus,
        now: datetime,
    ) -> QueueItem:
        with self.store.transaction() as s:
            item = self._get_for_action(s, item_id)
            if item.status in (ItemStatus.PROCESSING.value, ItemStatus.POSTED.value):
                raise ValidationError(f"Item {item_id} is {item.status} and can no longer be edited")
            changed = text != item.text or image_path != item.image_path
            if item.unconfirmed_attempt_id is not None and changed:
                # Reconciliation matches on the text: changing the post now could publish it twice.
                raise ValidationError(
                    f"{UNCONFIRMED_CHECK}; Autoposter checks with Meta before the next try. Change it after that "
                    "check, or cancel it and write a new post"
                )
            item.text = text
            if image_path != item.image_path:  # a new picture: the post now shows just that one
                item.media = media_to_json([MediaRef(image_path)]) if image_path else []
            item.image_path = image_path
            item.scheduled_at = when
            item.status = status.value
            item.next_attempt_at = None
            item.updated_at = now
            return item

    def take_for_check(self, item_id: int, now: datetime) -> bool:
        """Atomically take a waiting item with an unconfirmed attempt out of the runner's reach (processing), to
        check it with Meta for an owner action; False when it has no such attempt or someone else has it."""
        with self.store.transaction() as s:
            item = s.get(QueueItem, item_id)
            waiting = (ItemStatus.SCHEDULED.value, ItemStatus.FAILED.value, ItemStatus.MISSED.value)
            if item is None or item.unconfirmed_attempt_id is None or item.status not in waiting:
                return False
            item.meta = {**(item.meta or {}), CHECK_FROM: item.status}
            item.status = ItemStatus.PROCESSING.value
            item.updated_at = now
            return True

    def put_back_after_check(self, item_id: int, now: datetime) -> None:
        """Undo :meth:`take_for_check`: the item is as it was, unless the check marked it posted."""
        with self.store.transaction() as s:
            item = s.get_one(QueueItem, item_id)
            meta = dict(item.meta or {})
            previous = meta.pop(CHECK_FROM, ItemStatus.SCHEDULED.value)
            item.meta = meta
            if item.status == ItemStatus.PROCESSING.value:
                item.status = str(previous)
            item.updated_at = now

    def mark_unconfirmed_after_restore(self, backup_taken_at: datetime, now: datetime) -> list[int]:
        """After restoring a backup: every unfinished post may have gone out after the backup was taken. Give each
        an unconfirmed attempt starting at the backup's time, so that it is checked with Meta (from then on) before
        anything else happens to it. Returns their ids."""
        unfinished = (
            ItemStatus.SCHEDULED.value,
            ItemStatus.PROCESSING.value,
            ItemStatus.FAILED.value,
            ItemStatus.MISSED.value,
        )
        with self.store.transaction() as s:
            # Even a post due later may have gone out since ("Publish now" after the backup).
            items = list(s.scalars(select(QueueItem).where(QueueItem.status.in_(unfinished))))
            ids: list[int] = []
            for item in items:
                attempt = _restored_attempt(
                    s, item.id, backup_taken_at, now, "this post may have gone out", AttemptStep.PUBLISH
                )
                item.unconfirmed_attempt_id = attempt.id
                if item.status == ItemStatus.PROCESSING.value:
                    item.status = ItemStatus.SCHEDULED.value
                    item.next_attempt_at = None
                item.meta = {k: v for k, v in (item.meta or {}).items() if k != CHECK_FROM}
                item.updated_at = now
                ids.append(item.id)
            # A first comment may have gone out after the backup too: its post's comments are read before it is
            # posted (again).
            pending = s.scalars(
                select(QueueItem).where(
                    QueueItem.comment_status == CommentStatus.PENDING.value,
                    QueueItem.status != ItemStatus.CANCELED.value,
                )
            )
            for item in list(pending):
                _restored_attempt(
                    s, item.id, backup_taken_at, now, "the first comment may have gone out", AttemptStep.COMMENT
                )
                if item.status == ItemStatus.POSTED.value:
                    item.next_attempt_at = now
                if item.id not in ids:
                    ids.append(item.id)
            return ids

    def delete_draft(self, item_id: int) -> None:
        with self.store.transaction() as s:
            item = self._get_for_action(s, item_id)
            if item.status not in (ItemStatus.DRAFT.value, ItemStatus.CANCELED.value):
                raise ValidationError(f"Item {item_id} is {item.status}; only drafts and canceled items can be deleted")
            s.delete(item)

    def failed_ids(self) -> list[int]:
        with self.store.read() as s:
            return list(s.scalars(select(QueueItem.id).where(QueueItem.status == ItemStatus.FAILED.value)))


def _restored_attempt(
    s: Session, item_id: int, backup_taken_at: datetime, now: datetime, what: str, step: AttemptStep
) -> DeliveryAttempt:
    """An unconfirmed attempt dated at the backup's time (numbered after the item's last one), so that Meta is asked
    whether ``what`` happened after the backup before anything else is done; flushed, so it has its id."""
    last = s.scalar(select(func.max(DeliveryAttempt.attempt_number)).where(DeliveryAttempt.queue_item_id == item_id))
    attempt = DeliveryAttempt(
        queue_item_id=item_id,
        attempt_number=(last or 0) + 1,
        started_at=min(backup_taken_at, now),
        finished_at=now,
        outcome=AttemptOutcome.RETRY_SCHEDULED.value,
        error_code="restored",
        error_message=f"Restored from a backup: {what} after the backup was taken; checking with Meta first",
        needs_reconcile=True,
        step=step.value,
    )
    s.add(attempt)
    s.flush()
    return attempt
