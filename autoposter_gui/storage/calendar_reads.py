"""The calendar's lean reads: the posts of a time range and the drafts, as plain sqlite3 rows (no ORM)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.storage.lean import Connect, db_time, stored_utc


class CalendarRow(NamedTuple):
    """One post as the calendar shows it (a plain tuple: a month holds thousands); its time parsed when read."""

    id: int
    account_id: int
    platform: str
    status: str
    text: str
    image_path: str | None
    scheduled_raw: str | None
    permalink: str | None
    series_id: str | None
    unconfirmed: bool
    handoff: str | None = None  # "meta" while Meta's scheduler holds the post

    @property
    def scheduled_at(self) -> datetime | None:
        return stored_utc(self.scheduled_raw)


_CALENDAR_COLUMNS = (
    "id, account_id, platform, status, text, image_path, scheduled_at, permalink, series_id,"
    " unconfirmed_attempt_id IS NOT NULL, handoff"
)
# Every status that has a time on the calendar (drafts have none; canceled posts are off it).
ON_CALENDAR = tuple(s.value for s in ItemStatus if s not in (ItemStatus.DRAFT, ItemStatus.CANCELED))


def calendar_rows(connect: Connect, since: datetime, until: datetime) -> list[CalendarRow]:
    """The posts with a time in [since, until), by time then id: one indexed range read per status
    (``ix_queue_status_scheduled``), reading only the columns a chip shows."""
    marks = ", ".join("?" * len(ON_CALENDAR))
    sql = (
        f"SELECT {_CALENDAR_COLUMNS} FROM queue_items WHERE status IN ({marks})"
        " AND scheduled_at >= ? AND scheduled_at < ? ORDER BY scheduled_at, id"
    )
    with connect() as conn:
        rows = conn.execute(sql, (*ON_CALENDAR, db_time(since), db_time(until))).fetchall()
    return list(map(CalendarRow._make, rows))


def draft_rows(connect: Connect) -> list[CalendarRow]:
    """Every draft, newest first."""
    sql = f"SELECT {_CALENDAR_COLUMNS} FROM queue_items WHERE status = ? ORDER BY id DESC"
    with connect() as conn:
        rows = conn.execute(sql, (ItemStatus.DRAFT.value,)).fetchall()
    return list(map(CalendarRow._make, rows))
