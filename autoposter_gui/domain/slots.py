"""Weekly posting slots ("mon 09:30", local time): reading them, and finding an account's next free one (DST-safe)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.times import wall_time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
SLOT_EXAMPLE = '"mon 09:30"'
SEARCH_DAYS = 366  # a post can be planned at most a year ahead (validation.MAX_AHEAD)


@dataclass(frozen=True, order=True)
class Slot:
    """One weekly slot: a weekday (0 = Monday .. 6 = Sunday) and a local time of day, in minutes after midnight."""

    weekday: int
    minute: int

    @property
    def label(self) -> str:
        """As the owner writes it: ``mon 09:30``."""
        return f"{WEEKDAYS[self.weekday]} {self.minute // 60:02d}:{self.minute % 60:02d}"

    @property
    def clock(self) -> time:
        return time(self.minute // 60, self.minute % 60)


def _weekday(word: str) -> int | None:
    word = word.lower()
    if word in WEEKDAYS:
        return WEEKDAYS.index(word)
    if word in _LONG_NAMES:
        return _LONG_NAMES.index(word)
    return None


def parse_slots(args: Sequence[str]) -> list[Slot]:
    """Slots as given on a command line: each ``"mon 09:30"`` (one argument, or a weekday and a time as two), in
    local 24-hour time; sorted, each once. ValidationError names the first one that can't be read."""
    words = [w for arg in args for w in arg.split()]
    found: set[Slot] = set()
    for n in range(0, len(words), 2):
        pair = words[n : n + 2]
        shown = " ".join(pair)
        day = _weekday(pair[0])
        match = _TIME_RE.match(pair[1]) if len(pair) == 2 else None
        if day is None or match is None:
            raise ValidationError(
                f"Cannot read the slot {shown!r}; give a weekday (mon to sun) and a 24-hour time, e.g. {SLOT_EXAMPLE}",
                field="slots",
            )
        found.add(Slot(day, int(match.group(1)) * 60 + int(match.group(2))))
    return sorted(found)


def slot_times(slots: Collection[Slot], start: datetime, zone: tzinfo, days: int = SEARCH_DAYS) -> Iterator[datetime]:
    """The moments (UTC) the weekly ``slots`` fall on in ``zone``, from ``start`` on, in order, over ``days`` days. A
    slot in a spring-forward gap falls at the first valid time after it (02:30 → 03:00); one in the repeated hour
    when the clocks go back, the first time round."""
    if not slots:
        return
    by_day: dict[int, list[Slot]] = {}
    for slot in sorted(slots):
        by_day.setdefault(slot.weekday, []).append(slot)
    first: date = start.astimezone(zone).date()
    for offset in range(days + 1):
        day = first + timedelta(days=offset)
        for slot in by_day.get(day.weekday(), ()):
            moment = wall_time(datetime.combine(day, slot.clock), zone)
            if moment >= start:
                yield moment


def minute_of(moment: datetime) -> datetime:
    """``moment`` cut to its minute: two times in the same minute use the same slot."""
    return moment.replace(second=0, microsecond=0)


def next_free_slot(
    slots: Collection[Slot], now: datetime, zone: tzinfo, taken: Collection[datetime], days: int = SEARCH_DAYS
) -> datetime | None:
    """The first slot moment (UTC) from ``now`` on whose minute holds none of the ``taken`` times (UTC: the
    account's scheduled and posted items), within ``days``; None when there is none."""
    used = {minute_of(t) for t in taken}
    for moment in slot_times(slots, now, zone, days):
        if minute_of(moment) not in used:
            return moment
    return None
