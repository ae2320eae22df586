"""The planner's time math: slots and recurring series keep local wall-clock time across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.recurrence import MAX_OCCURRENCES, Recurrence, Repeat, occurrences, parse_until
from autoposter_gui.domain.slots import Slot, next_free_slot, parse_slots, slot_times
from autoposter_gui.domain.times import next_valid_wall, wall_time

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %z")


# ----- wall_time: a planned local time on the days the clocks change ------------------------------------------


@pytest.mark.parametrize(
    ("zone", "wall", "expected"),
    [
        (BERLIN, datetime(2027, 3, 28, 2, 30), "2027-03-28 03:00 +0200"),  # spring-forward gap → 03:00
        (BERLIN, datetime(2027, 3, 28, 2, 0), "2027-03-28 03:00 +0200"),
        (BERLIN, datetime(2027, 3, 28, 1, 59), "2027-03-28 01:59 +0100"),  # just before the gap: as is
        (BERLIN, datetime(2027, 10, 31, 2, 30), "2027-10-31 02:30 +0200"),  # happens twice: the first time
        (NEW_YORK, datetime(2027, 3, 14, 2, 30), "2027-03-14 03:00 -0400"),
        (NEW_YORK, datetime(2027, 11, 7, 1, 30), "2027-11-07 01:30 -0400"),
        (NEW_YORK, datetime(2027, 7, 1, 9, 30), "2027-07-01 09:30 -0400"),
    ],
)
def test_wall_time_moves_gap_times_forward_and_takes_the_first_of_a_repeated_hour(
    zone: ZoneInfo, wall: datetime, expected: str
) -> None:
    moment = wall_time(wall, zone)
    assert moment.tzinfo is UTC
    assert _local(moment, zone) == expected


def test_next_valid_wall_is_the_moment_the_clocks_jumped_to() -> None:
    assert next_valid_wall(datetime(2027, 3, 28, 2, 30, 15), BERLIN) == datetime(2027, 3, 28, 3, 0)


# ----- slots ---------------------------------------------------------------------------------------------------


def test_slots_are_read_as_one_argument_or_two_sorted_and_once() -> None:
    assert parse_slots(["wed 12:00", "mon 09:30", "Mon", "9:30", "sunday 23:59"]) == [
        Slot(0, 570),
        Slot(2, 720),
        Slot(6, 23 * 60 + 59),
    ]
    assert [s.label for s in parse_slots(["fri 7:05"])] == ["fri 07:05"]
    assert parse_slots([]) == []


@pytest.mark.parametrize("bad", ["mon", "mon 24:00", "funday 09:30", "mon 9:30pm", "mon 09:60", "09:30 mon"])
def test_a_slot_that_cannot_be_read_is_named(bad: str) -> None:
    with pytest.raises(ValidationError, match="Cannot read the slot") as caught:
        parse_slots([bad])
    assert "mon 09:30" in str(caught.value)


def test_slot_times_walk_the_week_in_order_from_now() -> None:
    now = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)  # Wednesday 11:00 in Berlin
    slots = [Slot(0, 570), Slot(2, 720), Slot(2, 600)]
    got = [_local(t, BERLIN) for t in list(slot_times(slots, now, BERLIN, days=8))]
    # Wednesday 10:00 is already past; 12:00 is next; then Monday; then the next Wednesday.
    assert got == [
        "2027-01-06 12:00 +0100",
        "2027-01-11 09:30 +0100",
        "2027-01-13 10:00 +0100",
        "2027-01-13 12:00 +0100",
    ]


def test_next_free_slot_skips_taken_minutes_and_crosses_the_march_change_in_berlin() -> None:
    slots = [Slot(6, 9 * 60 + 30)]  # Sundays 09:30
    now = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)  # Saturday before the change (last Sunday of March: the 28th)
    before = next_free_slot(slots, now, BERLIN, [])
    assert before is not None and _local(before, BERLIN) == "2027-03-21 09:30 +0100"
    after = next_free_slot(slots, now, BERLIN, [before + timedelta(seconds=20)])  # same minute: taken
    assert after is not None and _local(after, BERLIN) == "2027-03-28 09:30 +0200"  # still 09:30 local
    assert after - before == timedelta(days=7) - timedelta(hours=1)


def test_a_slot_in_the_spring_forward_gap_goes_at_the_first_valid_time() -> None:
    slots = [Slot(6, 2 * 60 + 30), Slot(6, 3 * 60)]  # Sundays 02:30 and 03:00
    now = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    first = next_free_slot(slots, now, BERLIN, [])
    assert first is not None and _local(first, BERLIN) == "2027-03-28 03:00 +0200"
    # The 03:00 slot that day is the same minute: taken too, so the next is a week later, at 02:30 again.
    second = next_free_slot(slots, now, BERLIN, [first])
    assert second is not None and _local(second, BERLIN) == "2027-04-04 02:30 +0200"


def test_next_free_slot_in_new_york_over_the_november_change() -> None:
    slots = [Slot(5, 18 * 60), Slot(6, 1 * 60 + 30)]  # Saturdays 18:00, Sundays 01:30
    now = datetime(2027, 11, 6, 12, 0, tzinfo=UTC)  # Saturday before the change (first Sunday of November: the 7th)
    taken: list[datetime] = []
    got = []
    for _ in range(3):
        slot = next_free_slot(slots, now, NEW_YORK, taken)
        assert slot is not None
        taken.append(slot)
        got.append(_local(slot, NEW_YORK))
    # 01:30 happens twice on the 7th: the slot is the first of the two (still EDT).
    assert got == ["2027-11-06 18:00 -0400", "2027-11-07 01:30 -0400", "2027-11-13 18:00 -0500"]


def test_no_slots_or_every_slot_taken_gives_none() -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    assert next_free_slot([], now, BERLIN, []) is None
    week = list(slot_times([Slot(0, 600)], now, BERLIN, days=14))
    assert next_free_slot([Slot(0, 600)], now, BERLIN, week, days=14) is None


# ----- recurring series ----------------------------------------------------------------------------------------


def test_a_weekly_series_of_6_keeps_0930_across_the_march_change_in_berlin() -> None:
    start = wall_time(datetime(2027, 3, 14, 9, 30), BERLIN)
    got = occurrences(start, Recurrence(Repeat.WEEKLY, count=6), BERLIN)
    assert [_local(t, BERLIN) for t in got] == [
        "2027-03-14 09:30 +0100",
        "2027-03-21 09:30 +0100",
        "2027-03-28 09:30 +0200",
        "2027-04-04 09:30 +0200",
        "2027-04-11 09:30 +0200",
        "2027-04-18 09:30 +0200",
    ]
    assert got[2] - got[1] == timedelta(days=7) - timedelta(hours=1)  # a fixed interval would drift to 10:30


def test_a_daily_series_keeps_its_time_across_the_october_change_in_berlin_and_november_in_new_york() -> None:
    berlin = occurrences(wall_time(datetime(2027, 10, 30, 8, 0), BERLIN), Recurrence(Repeat.DAILY, count=3), BERLIN)
    assert [_local(t, BERLIN) for t in berlin] == [
        "2027-10-30 08:00 +0200",
        "2027-10-31 08:00 +0100",
        "2027-11-01 08:00 +0100",
    ]
    ny = occurrences(wall_time(datetime(2027, 11, 6, 20, 15), NEW_YORK), Recurrence(Repeat.DAILY, count=2), NEW_YORK)
    assert [_local(t, NEW_YORK) for t in ny] == ["2027-11-06 20:15 -0400", "2027-11-07 20:15 -0500"]


def test_a_daily_series_at_0230_goes_at_0300_on_the_spring_forward_day_only() -> None:
    start = wall_time(datetime(2027, 3, 13, 2, 30), NEW_YORK)
    got = occurrences(start, Recurrence(Repeat.DAILY, count=3), NEW_YORK)
    assert [_local(t, NEW_YORK) for t in got] == [
        "2027-03-13 02:30 -0500",
        "2027-03-14 03:00 -0400",
        "2027-03-15 02:30 -0400",
    ]


def test_a_monthly_series_on_the_31st_takes_the_last_day_of_shorter_months_and_comes_back() -> None:
    start = wall_time(datetime(2027, 1, 31, 12, 0), BERLIN)
    got = occurrences(start, Recurrence(Repeat.MONTHLY, count=5), BERLIN)
    assert [t.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") for t in got] == [
        "2027-01-31 12:00",
        "2027-02-28 12:00",
        "2027-03-31 12:00",  # back on the 31st (and still 12:00 after the March change)
        "2027-04-30 12:00",
        "2027-05-31 12:00",
    ]
    leap = occurrences(wall_time(datetime(2027, 12, 31, 9, 0), BERLIN), Recurrence(Repeat.MONTHLY, count=3), BERLIN)
    assert [t.astimezone(BERLIN).date() for t in leap] == [date(2027, 12, 31), date(2028, 1, 31), date(2028, 2, 29)]


def test_until_is_inclusive_and_counts_local_dates() -> None:
    start = wall_time(datetime(2027, 5, 3, 23, 30), NEW_YORK)  # 03:30 UTC the next day: local dates count
    got = occurrences(start, Recurrence(Repeat.WEEKLY, until=date(2027, 5, 17)), NEW_YORK)
    assert [t.astimezone(NEW_YORK).date() for t in got] == [date(2027, 5, 3), date(2027, 5, 10), date(2027, 5, 17)]
    only = occurrences(start, Recurrence(Repeat.DAILY, until=date(2027, 5, 3)), NEW_YORK)
    assert only == [start]


def test_at_most_100_occurrences() -> None:
    start = wall_time(datetime(2027, 1, 1, 9, 0), BERLIN)
    assert len(occurrences(start, Recurrence(Repeat.DAILY, count=MAX_OCCURRENCES), BERLIN)) == 100
    assert len(occurrences(start, Recurrence(Repeat.DAILY, until=date(2027, 4, 10)), BERLIN)) == 100
    with pytest.raises(ValidationError, match="at most 100"):
        occurrences(start, Recurrence(Repeat.DAILY, count=101), BERLIN)
    with pytest.raises(ValidationError, match="at most 100"):
        occurrences(start, Recurrence(Repeat.DAILY, until=date(2027, 4, 11)), BERLIN)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Recurrence(Repeat.DAILY), "--count N"),
        (Recurrence(Repeat.DAILY, count=3, until=date(2027, 2, 1)), "--count N"),
        (Recurrence(Repeat.DAILY, count=0), "at least 1"),
        (Recurrence(Repeat.WEEKLY, until=date(2026, 12, 31)), "before the first post"),
    ],
)
def test_impossible_rules_are_refused(rule: Recurrence, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        occurrences(wall_time(datetime(2027, 1, 1, 9, 0), BERLIN), rule, BERLIN)


def test_parse_until() -> None:
    assert parse_until("2027-03-31") == date(2027, 3, 31)
    assert parse_until(" 2027-03-31T10:00 ") == date(2027, 3, 31)
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse_until("next friday")


# ----- the caption counts an import runs 5,000 times (their regexes were rewritten for speed) ---------------------


@pytest.mark.parametrize(
    ("text", "tags", "mentions"),
    [
        ("#bread #rolls", 2, 0),
        ("a#b c##d ##e #", 0, 0),  # after a word character or another "#": not a hashtag
        ("(#tag) x,#two\n#three #é1", 4, 0),
        ("@anna @@bob x@y @a.b_c", 0, 2),
        ("mail me: me@example.com or @shop.owner", 0, 1),
        ("", 0, 0),
    ],
)
def test_hashtags_and_mentions_are_counted_as_instagram_sees_them(text: str, tags: int, mentions: int) -> None:
    from autoposter_gui.domain.validation import count_hashtags, count_mentions

    assert count_hashtags(text) == tags
    assert count_mentions(text) == mentions
