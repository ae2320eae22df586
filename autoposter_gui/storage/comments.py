"""The first comment's queries: due comments, their claim (a lease), and each attempt's result."""

from __future__ import annotations

from datetime import datetime

from autoposter_gui.domain.models import AccountStatus, AttemptOutcome, CommentStatus, ItemStatus
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.lean import stored_utc

# A posted item's next_attempt_at is set only while its first comment is pending (when it is due next): the
# scheduler's "next due" and the runner's due query find comments by it.
COMMENT_NOTE = "comment"


def _db_time(value: datetime) -> str:
    from autoposter_gui.storage.lean import db_time

    return db_time(value)


class CommentQueries:
    """Mixed into :class:`~autoposter_gui.storage.repo.Repo`."""

    store: Store

    def due_comments(self, now: datetime, limit: int = 50) -> list[int]:
        """Posted items whose first comment is due (pending, its wait over), of accounts that can publish."""
        sql = (
            "SELECT q.id FROM queue_items q JOIN accounts a ON a.id = q.account_id"
            " WHERE q.status = ? AND q.next_attempt_at <= ? AND q.comment_status = ? AND a.status NOT IN (?, ?)"
            " ORDER BY q.next_attempt_at, q.id LIMIT ?"
        )
        args = (
            ItemStatus.POSTED.value,
            _db_time(now),
            CommentStatus.PENDING.value,
            AccountStatus.INVALID.value,
            AccountStatus.DISCONNECTED.value,
            limit,
        )
        with self.store.read_raw() as conn:
            return [row[0] for row in conn.execute(sql, args).fetchall()]

    def claim_comment(self, item_id: int, now: datetime, lease_until: datetime) -> bool:
        """Atomically take a due comment until ``lease_until`` (a run that dies mid-call leaves it so long; the
        next one reads the post's comments first). True only for the caller that won."""
        with self.store.write_raw() as conn:
            cursor = conn.execute(
                "UPDATE queue_items SET next_attempt_at = ? WHERE id = ? AND status = ? AND comment_status = ?"
                " AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?",
                (
                    _db_time(lease_until),
                    item_id,
                    ItemStatus.POSTED.value,
                    CommentStatus.PENDING.value,
                    _db_time(now),
                ),
            )
            return cursor.rowcount == 1

    def finish_comment(
        self,
        item_id: int,
        attempt_id: int,
        comment_id: str,
        permalink: str | None,
        now: datetime,
        outcome: AttemptOutcome = AttemptOutcome.SUCCEEDED,
    ) -> None:
        """The comment is out: on the attempt and on the item (which stays posted)."""
        finished = _db_time(now)
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE delivery_attempts SET outcome = ?, finished_at = ?, provider_post_id = ?, permalink = ?,"
                " needs_reconcile = 0 WHERE id = ?",
                (outcome.value, finished, comment_id, permalink, attempt_id),
            )
            conn.execute(
                "UPDATE queue_items SET comment_status = ?, comment_id = ?, comment_permalink = ?,"
                " next_attempt_at = NULL, error_message = NULL, last_error_code = NULL, updated_at = ? WHERE id = ?",
                (CommentStatus.POSTED.value, comment_id, permalink, finished, item_id),
            )

    def comment_unsuccessful(
        self,
        item_id: int,
        attempt_id: int,
        code: str,
        message: str,
        now: datetime,
        next_attempt_at: datetime | None,
        *,
        needs_reconcile: bool = False,
    ) -> None:
        """A comment attempt that failed: tried again at ``next_attempt_at``, or failed for good when None (the
        post stays posted; the reason shows on the item)."""
        finished = _db_time(now)
        retry = next_attempt_at is not None
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE delivery_attempts SET outcome = ?, finished_at = ?, error_code = ?, error_message = ?,"
                " needs_reconcile = ? WHERE id = ?",
                (
                    (AttemptOutcome.RETRY_SCHEDULED if retry else AttemptOutcome.FAILED).value,
                    finished,
                    code,
                    message,
                    int(needs_reconcile),
                    attempt_id,
                ),
            )
            note = f"First comment: {message}"
            conn.execute(
                "UPDATE queue_items SET comment_status = ?, next_attempt_at = ?, error_message = ?,"
                " last_error_code = ?, updated_at = ? WHERE id = ?",
                (
                    (CommentStatus.PENDING if retry else CommentStatus.FAILED).value,
                    None if next_attempt_at is None else _db_time(next_attempt_at),
                    note,
                    COMMENT_NOTE,
                    finished,
                    item_id,
                ),
            )

    def comment_give_up(self, item_id: int, message: str, now: datetime) -> None:
        """The comment fails for good without a call (its tries are used up, the account is gone)."""
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE queue_items SET comment_status = ?, next_attempt_at = NULL, error_message = ?,"
                " last_error_code = ?, updated_at = ? WHERE id = ? AND comment_status = ?",
                (
                    CommentStatus.FAILED.value,
                    f"First comment: {message}",
                    COMMENT_NOTE,
                    _db_time(now),
                    item_id,
                    CommentStatus.PENDING.value,
                ),
            )

    def comment_wait(self, item_id: int, until: datetime, message: str) -> None:
        """Leave the comment pending, due again at ``until``."""
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE queue_items SET next_attempt_at = ?, error_message = ?, last_error_code = ? WHERE id = ?",
                (_db_time(until), f"First comment: {message}", COMMENT_NOTE, item_id),
            )

    def close_comment_attempt(self, attempt_id: int, now: datetime) -> None:
        """A comment attempt that may have landed did not (its post's comments were read): it no longer can."""
        with self.store.write_raw() as conn:
            conn.execute(
                "UPDATE delivery_attempts SET outcome = CASE WHEN outcome = ? THEN ? ELSE outcome END,"
                " finished_at = coalesce(finished_at, ?), error_code = coalesce(error_code, 'interrupted'),"
                " error_message = coalesce(error_message, ?), needs_reconcile = 0 WHERE id = ?",
                (
                    AttemptOutcome.IN_FLIGHT.value,
                    AttemptOutcome.RETRY_SCHEDULED.value,
                    _db_time(now),
                    "Autoposter stopped before the result was recorded; the comment was not there",
                    attempt_id,
                ),
            )

    def comment_due_at(self, item_id: int) -> datetime | None:
        with self.store.read_raw() as conn:
            row = conn.execute("SELECT next_attempt_at FROM queue_items WHERE id = ?", (item_id,)).fetchone()
        return stored_utc(row[0]) if row else None
