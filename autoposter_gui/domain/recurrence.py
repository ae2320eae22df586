"""Recurring posts: the occurrences of a daily, weekly or monthly series, keeping the local wall-clock time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.times import wall_time

MAX_OCCURRENCES = 100


class Repeat(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Recurrence:
    """How a post repeats: ``count`` times in all, or until the local date ``until`` (inclusive); one of the two."""

    repeat: Repeat
    count: int | None = None
    until: date | None = None


def _shift_months(day: date, months: int, day_of_month: int) -> date:
    """The date ``months`` after ``day``'s month, on ``day_of_month`` or the month's last day when it is shorter."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day_of_month, last))


def _local_date(n: int, first: date, repeat: Repeat) -> date:
    if repeat is Repeat.DAILY:
        return first + timedelta(days=n)
    if repeat is Repeat.WEEKLY:
        return first + timedelta(weeks=n)
    return _shift_months(first, n, first.day)  # always from the first: the 31st comes back after a short month


def occurrences(start: datetime, rule: Recurrence, zone: tzinfo) -> list[datetime]:
    """Every moment (UTC) of the series starting at ``start`` (aware; its own moment is the first). Each later one is
    at the same local wall-clock time in ``zone`` as the first, whatever the DST changes in between (a time that
    does not exist that day moves to the first valid time after it; a repeated one is the first time round). A
    monthly series on the 29th-31st falls on the last day of shorter months. ValidationError when the rule is
    impossible or gives more than MAX_OCCURRENCES posts."""
    if (rule.count is None) == (rule.until is None):
        raise ValidationError("Give either a number of posts (--count N) or a last date (--until DATE)", field="repeat")
    if rule.count is not None and rule.count < 1:
        raise ValidationError(f"--count must be at least 1 (it is {rule.count})", field="repeat")
    if rule.count is not None and rule.count > MAX_OCCURRENCES:
        raise ValidationError(
            f"A series can have at most {MAX_OCCURRENCES} posts; --count {rule.count} asks for more", field="repeat"
        )
    local = start.astimezone(zone)
    first_day, clock = local.date(), local.replace(tzinfo=None).time()
    if rule.until is not None and rule.until < first_day:
        raise ValidationError(
            f"--until {rule.until.isoformat()} is before the first post ({first_day.isoformat()}); give a later date",
            field="repeat",
        )
    found: list[datetime] = [start.astimezone(UTC)]
    for n in range(1, MAX_OCCURRENCES + 1):
        if rule.count is not None and len(found) == rule.count:
            return found
        day = _local_date(n, first_day, rule.repeat)
        if rule.until is not None and day > rule.until:
            return found
        if len(found) == MAX_OCCURRENCES:
            raise ValidationError(
                f"A series can have at most {MAX_OCCURRENCES} posts; {rule.repeat.value} until "
                f"{rule.until.isoformat() if rule.until else ''} gives more. Give an earlier --until, or --count",
                field="repeat",
            )
        found.append(wall_time(datetime.combine(day, clock), zone))
    return found


def parse_until(text: str) -> date:
    """A ``--until`` date: ``YYYY-MM-DD`` (a full ISO 8601 time is taken by its date)."""
    raw = text.strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(raw).date()
    except ValueError:
        raise ValidationError(
            f"Cannot read the date {raw!r}; give it as YYYY-MM-DD, e.g. 2027-03-31", field="repeat"
        ) from None
