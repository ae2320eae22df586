"""Parsing and showing times: UTC inside, local time at the edges, DST gaps and overlaps refused."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autoposter_gui.domain.errors import ValidationError


class AmbiguousTimeError(ValidationError):
    """A wall time that happens twice (the clocks go back): ``choices`` holds both moments, earlier first."""

    def __init__(self, message: str, choices: tuple[datetime, datetime]) -> None:
        super().__init__(message, field="when")
        self.choices = choices


def local_zone() -> tuple[tzinfo, str]:
    """The system's zone as (tzinfo, IANA name), honouring ``TZ``; falls back to a fixed offset."""
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if tz_env:
        try:
            return ZoneInfo(tz_env), tz_env
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "zoneinfo/"
        if marker in target:
            name = target.split(marker, 1)[1]
            return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    tz_file = Path("/etc/timezone")
    try:
        name = tz_file.read_text().strip()
        if name:
            return ZoneInfo(name), name
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    fixed = datetime.now().astimezone().tzinfo or UTC
    return fixed, str(fixed)


def ensure_utc(value: datetime) -> datetime:
    """Aware datetime in UTC; naive values are taken as UTC (as stored in SQLite)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with an offset, in the local zone, or None."""
    return None if value is None else iso_local()(value)


def iso_local() -> Callable[[datetime | None], str | None]:
    """``iso`` with the local zone looked up once: for formatting many times (finding the zone reads the file
    system each time when ``TZ`` is not set)."""
    zone, _ = local_zone()

    def iso_in_zone(value: datetime | None) -> str | None:
        return None if value is None else ensure_utc(value).astimezone(zone).isoformat(timespec="seconds")

    return iso_in_zone


def localize(naive: datetime, zone: tzinfo, zone_name: str) -> datetime:
    """Attach ``zone`` to a wall-clock time, refusing times that don't exist or are ambiguous there."""
    # The usual case first, asked of the zone directly (no aware datetime built twice: a CSV import localizes
    # thousands): one offset for both folds, so neither in a gap nor in a repeated hour.
    wall = naive if naive.tzinfo is None and not naive.fold else naive.replace(tzinfo=None, fold=0)
    if zone.utcoffset(wall) == zone.utcoffset(wall.replace(fold=1)):
        return wall.replace(tzinfo=zone)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive.replace(tzinfo=None):
        # A spring-forward gap: propose the first valid wall time after it.
        candidate = next_valid_wall(naive, zone)
        raise ValidationError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name} (the clocks jump forward then); "
            f"use {candidate:%Y-%m-%dT%H:%M} instead",
            field="when",
        )
    if first.utcoffset() != second.utcoffset():
        a = first.isoformat(timespec="minutes")
        b = second.isoformat(timespec="minutes")
        raise AmbiguousTimeError(
            f"{naive:%Y-%m-%d %H:%M} happens twice in {zone_name} (the clocks go back then); "
            f"give the offset: {a} or {b}",
            (first, second),
        )
    return first


# (zone, a local date's ordinal) -> the zone's UTC offset all that day, or None for a day whose offset changes.
_DAY_OFFSETS: dict[tuple[tzinfo, int], timedelta | None] = {}
_DAY_OFFSETS_MAX = 8192  # days remembered (cleared when full): a year of posts is ~365
_LAST_MICROSECOND = timedelta(days=1, microseconds=-1)


def day_offset(zone: tzinfo, day: int) -> timedelta | None:
    """``zone``'s one UTC offset on the local date whose ordinal is ``day`` (``date.toordinal()``), or None when
    the clocks change that day (a gap or a repeated hour somewhere in it). Remembered per zone and day.

    Asked of the day's first and last microsecond, each with both folds: a change within the day makes them
    differ, unless a second change undid it the same day, which no zone of the time zone database does from 1970
    on (the earliest year ``parse_when`` takes; its changes are weeks apart)."""
    key = (zone, day)
    if key in _DAY_OFFSETS:
        return _DAY_OFFSETS[key]
    start = datetime.fromordinal(day)
    end = start + _LAST_MICROSECOND
    offset = zone.utcoffset(start)
    same = offset is not None and all(
        zone.utcoffset(t) == offset for t in (start.replace(fold=1), end, end.replace(fold=1))
    )
    if len(_DAY_OFFSETS) >= _DAY_OFFSETS_MAX:
        _DAY_OFFSETS.clear()
    _DAY_OFFSETS[key] = offset if same else None
    return offset if same else None


def localize_utc(naive: datetime, zone: tzinfo, zone_name: str) -> datetime:
    """``localize(naive, zone, zone_name)`` as a UTC moment; the usual case (a day with one offset all day:
    ``day_offset``, asked of the zone once per day) without building the aware local time first."""
    wall = naive if naive.tzinfo is None and not naive.fold else naive.replace(tzinfo=None, fold=0)
    offset = _DAY_OFFSETS.get((zone, wall.toordinal()))  # None: not asked yet, or a day the clocks change
    if offset is None:
        offset = day_offset(zone, wall.toordinal())
    if offset is not None:
        moment = wall - offset
        # Built with the constructor, not ``replace`` (whose keywords cost ~4× as much): an import reads thousands.
        return datetime.combine(moment.date(), moment.time(), UTC)
    return localize(naive, zone, zone_name).astimezone(UTC)


def _exists(naive: datetime, zone: tzinfo) -> bool:
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def next_valid_wall(naive: datetime, zone: tzinfo) -> datetime:
    """The first whole minute after ``naive`` (a wall time in a spring-forward gap) that exists in ``zone``: the
    moment the clocks jumped to (02:30 in Berlin on the last Sunday of March gives 03:00)."""
    candidate = naive.replace(second=0, microsecond=0, tzinfo=None)
    for _ in range(24 * 60):
        candidate += timedelta(minutes=1)
        if _exists(candidate, zone):
            break
    return candidate


def wall_time(naive: datetime, zone: tzinfo) -> datetime:
    """A wall-clock time in ``zone`` as a moment (UTC), never refused: a time in a spring-forward gap moves to the
    first valid time after it (``next_valid_wall``), and one that happens twice (the clocks go back) is the first
    of the two. What a planned time (a slot, a repeat) means on a day the clocks change."""
    naive = naive.replace(tzinfo=None)
    if not _exists(naive, zone):
        naive = next_valid_wall(naive, zone)
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


MIN_YEAR, MAX_YEAR = 1970, 9000  # times outside this range are typos, and would overflow in a time zone


def parse_when(text: str, local: tuple[tzinfo, str] | None = None) -> tuple[datetime, str]:
    """Parse an ISO 8601 time; without an offset it is local time (``local``: the zone as ``local_zone()`` gives
    it, looked up once by a caller parsing many). Returns (UTC datetime, zone name)."""
    try:
        parsed = _parse_when(text, local)
        in_range = MIN_YEAR <= parsed[0].year <= MAX_YEAR
    except (OverflowError, ValueError):  # e.g. 9999-12-31T23:59 in New York is past year 9999 in UTC
        in_range = False
    if not in_range:
        raise ValidationError(
            f"The time {text.strip()!r} is out of range; give a time between the years {MIN_YEAR} and {MAX_YEAR}",
            field="when",
        )
    return parsed


def _parse_when(text: str, local: tuple[tzinfo, str] | None = None) -> tuple[datetime, str]:
    raw = text.strip()
    if not raw:
        raise ValidationError("The time is empty; give it as ISO 8601, e.g. 2027-01-31T09:30", field="when")
    candidate = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        raise ValidationError(
            f"Cannot read the time {raw!r}; give it as ISO 8601, e.g. 2027-01-31T09:30 or 2027-01-31T09:30+01:00",
            field="when",
        ) from None
    if parsed.tzinfo is not None:
        zone_name = "UTC" if parsed.utcoffset() == timedelta(0) else parsed.strftime("%z")
        return parsed.astimezone(UTC), zone_name
    zone, zone_name = local or local_zone()
    return localize_utc(parsed, zone, zone_name), zone_name


_CLOCK_RE = re.compile(r"^(\d{1,2})(?:[:.h ]?(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?$")


def parse_clock(text: str) -> tuple[int, int] | None:
    """A typed time of day as (hour, minute), or None when it can't be read.

    Accepts what people type: ``9:30``, ``09.30``, ``930``, ``0930``, ``14:05``, ``1405``, ``9``, ``14h05``,
    ``2:30 pm``, ``2pm``, ``12 am`` (midnight).
    """
    raw = text.strip().lower().replace("\u202f", " ").replace("\u00a0", " ")
    match = _CLOCK_RE.match(raw)
    if match is None:
        return None
    hours, minutes, half = match.group(1), match.group(2), match.group(3)
    hour, minute = int(hours), int(minutes or 0)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute
