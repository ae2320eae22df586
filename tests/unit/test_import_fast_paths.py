"""The import's fast paths give what the general ones give: times (gaps, repeated hours), blank and UTF-8 checks,
and each distinct CSV time read once."""

from __future__ import annotations

import gc
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from autoposter_gui.domain import times, validation
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.times import AmbiguousTimeError, day_offset, localize, localize_utc
from autoposter_gui.domain.validation import has_invalid_characters, is_blank
from autoposter_gui.engine.batch import BatchPostService
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.csv_io import CsvRow, CsvService
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.storage.media import MediaStore
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "naive",
    [
        datetime(2027, 1, 15, 9, 30),
        datetime(2027, 1, 15, 9, 30, fold=1),  # a fold on a plain time changes nothing
        datetime(2027, 7, 1, 23, 59, tzinfo=UTC),  # an aware time: its wall clock is taken
    ],
)
def test_localize_attaches_the_zone_to_the_wall_time(naive: datetime) -> None:
    found = localize(naive, BERLIN, "Europe/Berlin")
    assert found.tzinfo is BERLIN and found.fold == 0
    assert found.replace(tzinfo=None) == naive.replace(tzinfo=None, fold=0)
    offset = timedelta(hours=1 if naive.month == 1 else 2)
    assert found.astimezone(UTC) == naive.replace(tzinfo=UTC) - offset


def test_localize_still_refuses_gaps_and_repeated_hours_and_takes_fixed_offsets() -> None:
    with pytest.raises(ValidationError, match=r"does not exist.*use 2027-03-28T03:00"):
        localize(datetime(2027, 3, 28, 2, 30), BERLIN, "Europe/Berlin")
    with pytest.raises(AmbiguousTimeError) as caught:
        localize(datetime(2027, 10, 31, 2, 30, fold=1), BERLIN, "Europe/Berlin")
    assert [c.utcoffset() for c in caught.value.choices] == [timedelta(hours=2), timedelta(hours=1)]
    fixed = timezone(timedelta(hours=-5))
    assert localize(datetime(2027, 3, 28, 2, 30), fixed, "-0500").astimezone(UTC) == datetime(
        2027, 3, 28, 7, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "blank"),
    [("Fresh bread", False), ("9 rolls", False), ("", True), ("  \u200b", True), ("\u3164", True), ("é", False)],
)
def test_is_blank_with_and_without_the_ascii_fast_path(text: str, blank: bool) -> None:
    assert is_blank(text) is blank


def test_the_ascii_fast_path_of_is_blank_agrees_with_the_categories_for_every_first_character() -> None:
    for code in range(0x3000):
        text = chr(code) + "\u200b"
        slow = all(ch in validation._BLANK_CHARS or unicodedata.category(ch) in validation._INVISIBLE for ch in text)
        assert is_blank(text) is slow, hex(code)


def test_invalid_characters_are_found_past_the_ascii_fast_path() -> None:
    assert not has_invalid_characters("plain ascii")
    assert not has_invalid_characters("café ☕")
    assert has_invalid_characters("caf\udce9")


def _row(line: int, at: str) -> CsvRow:
    return CsvRow(line, ("1",), "text", at, ())


def test_a_time_read_once_for_many_rows_gives_each_row_the_same_result() -> None:
    local = (BERLIN, "Europe/Berlin")
    times: dict[str, tuple[datetime, str] | ValidationError] = {}
    first, _ = CsvService._request(_row(2, "2027-01-15T09:30"), local, times)
    second, _ = CsvService._request(_row(3, "2027-01-15T09:30"), local, times)
    assert first is not None and second is not None
    assert first.when == second.when == datetime(2027, 1, 15, 8, 30, tzinfo=UTC)
    assert first.zone == second.zone == "Europe/Berlin"
    for line in (4, 5):  # a bad time is refused on every row that has it, not only the first
        request, problems = CsvService._request(_row(line, "2027-03-28T02:30"), local, times)
        assert request is None and len(problems) == 1 and "does not exist" in problems[0]
    assert len(times) == 2
    unmemoized, _ = CsvService._request(_row(6, "2027-01-15T09:30"), local)
    assert unmemoized is not None and unmemoized.when == first.when


def test_emit_each_calls_every_listener_once_per_value_in_order() -> None:
    events = Events()
    seen: list[tuple[str, int]] = []

    def broken(value: int) -> None:
        raise RuntimeError("a broken listener")

    events.subscribe(Events.ITEM_CHANGED, lambda value: seen.append(("a", value)))
    events.subscribe(Events.ITEM_CHANGED, broken)
    events.subscribe(Events.ITEM_CHANGED, lambda value: seen.append(("b", value)))
    events.emit_each(Events.ITEM_CHANGED, [3, 1, 2])
    events.emit_each(Events.ACCOUNT_CHANGED, [9])  # no listener: nothing
    assert seen == [("a", 3), ("b", 3), ("a", 1), ("b", 1), ("a", 2), ("b", 2)]


@pytest.mark.parametrize(
    "naive",
    [
        datetime(2027, 1, 15, 9, 30),
        datetime(2027, 7, 1, 23, 59, 30, 5, fold=1),
        datetime(2027, 10, 31, 3, 0),  # just after the repeated hour
        datetime(2027, 3, 28, 3, 0),  # just after the gap
    ],
)
def test_localize_utc_is_localize_in_utc(naive: datetime) -> None:
    expected = localize(naive, BERLIN, "Europe/Berlin").astimezone(UTC)
    found = localize_utc(naive, BERLIN, "Europe/Berlin")
    assert found == expected and found.tzinfo is UTC
    with pytest.raises(ValidationError, match="does not exist"):
        localize_utc(datetime(2027, 3, 28, 2, 30), BERLIN, "Europe/Berlin")
    with pytest.raises(AmbiguousTimeError):
        localize_utc(datetime(2027, 10, 31, 2, 30), BERLIN, "Europe/Berlin")


def _plan_file(folder: Path, start: datetime) -> Path:
    make_image(folder / "p.jpg")
    lines = ["account,text,at,image"]
    for n in range(6):
        image = "p.jpg" if n % 2 else ""
        lines.append(f"{BAKERY},post {n},{(start + timedelta(days=1, hours=n)):%Y-%m-%dT%H:%M},{image}")
    path = folder / "plan.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_items_keep_the_files_order_with_photo_and_text_posts_mixed(ctx: Context, sandbox: Any, tmp_path: Path) -> None:
    connect(ctx, sandbox)
    service = CsvService(ctx)
    ids = service.write(service.check(_plan_file(tmp_path, ctx.clock.now())))
    items = sorted(ctx.repo.items(), key=lambda i: i.id)
    assert [i.id for i in items] == ids == sorted(ids)
    assert [i.text for i in items] == [f"post {n}" for n in range(6)]
    stored = {i.image_path for i in items if i.image_path}
    assert len(stored) == 1 and ctx.media.owns(stored.pop())  # the stored copy, not the owner's file
    assert [bool(i.image_path) for i in items] == [False, True] * 3


def test_a_failed_photo_copy_writes_nothing(
    ctx: Context, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(ctx, sandbox)
    service = CsvService(ctx)
    plan = service.check(_plan_file(tmp_path, ctx.clock.now()))

    def full_disk(store: MediaStore, path: object, suffix: str | None = None) -> Path:
        raise ValidationError("Cannot store the image: the disk is full", field="image")

    monkeypatch.setattr(MediaStore, "put", full_disk)
    with pytest.raises(ValidationError, match="disk is full"):
        service.write(plan)
    assert ctx.repo.count_items() == 0


def _both_ways(naive: datetime, zone: ZoneInfo, zone_name: str) -> tuple[object, object]:
    """(localize's UTC moment, localize_utc's), each the type of the refusal instead when the time is refused."""
    answers: list[object] = []
    for way in (lambda: localize(naive, zone, zone_name).astimezone(UTC), lambda: localize_utc(naive, zone, zone_name)):
        try:
            answers.append(way())
        except ValidationError as exc:
            answers.append(type(exc))
    return answers[0], answers[1]


@pytest.mark.parametrize("zone_name", ["Europe/Berlin", "Australia/Lord_Howe", "America/Sao_Paulo", "UTC"])
def test_localize_utc_agrees_with_localize_around_the_changes(zone_name: str) -> None:
    """Every 10 minutes (and a second and microsecond past) over a year's clock changes: the same moment, or the
    same refusal."""
    zone = ZoneInfo(zone_name)
    for day in (datetime(2027, 3, 28), datetime(2027, 4, 4), datetime(2027, 10, 3), datetime(2027, 10, 31)):
        for minutes in range(0, 24 * 60, 10):
            naive = day + timedelta(minutes=minutes, seconds=1, microseconds=7)
            expected, found = _both_ways(naive, zone, zone_name)
            assert found == expected, naive
            assert not isinstance(found, datetime) or found.tzinfo is UTC


def test_the_collector_pause_ends_without_a_young_pass_and_leaves_frozen_objects_frozen() -> None:
    from autoposter_gui.engine import csv_io

    assert gc.isenabled() and gc.get_freeze_count() == 0
    kept: list[tuple[int, list[int]]] = []
    with csv_io._collector_paused():
        assert not gc.isenabled()
        kept += [(n, [n]) for n in range(5_000)]  # tracked objects the pause leaves alive
        assert gc.get_count()[0] > 5_000  # what the first young pass after the pause would scan
        passes: list[int] = []
        gc.callbacks.append(lambda phase, info: passes.append(info["generation"]) if phase == "start" else None)
    try:
        after = [(n, [n]) for n in range(100)]  # the first allocations after the pause start no pass over the rows
    finally:
        gc.callbacks.pop()
    assert gc.isenabled() and passes == [] and len(after) == 100
    assert gc.get_freeze_count() == 0
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(pair) in oldest for pair in kept[:10])  # moved to the oldest generation: a full pass sees them
    gc.freeze()  # someone else's frozen objects stay frozen
    try:
        frozen = gc.get_freeze_count()
        with csv_io._collector_paused():
            kept += [(n, [n]) for n in range(100)]
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()
    gc.disable()  # a caller that paused it already: it stays paused
    try:
        with csv_io._collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_photo_for_pages_and_instagram_accounts_is_copied_once(
    ctx: Context, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(ctx, sandbox)
    make_image(tmp_path / "p.jpg")  # square: Instagram takes it as it is, no fitted copy
    when = ctx.clock.now() + timedelta(days=1)
    lines = ["account,text,at,image"]
    lines += [
        f"{acct},post {n},{when + timedelta(hours=n):%Y-%m-%dT%H:%M},p.jpg"
        for n, acct in enumerate([BAKERY, BAKERY_IG] * 2)
    ]
    path = tmp_path / "plan.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    copied: list[str] = []
    put = MediaStore.put

    def counted(store: MediaStore, source: Any, suffix: str | None = None) -> Path:
        copied.append(str(source))
        return put(store, source, suffix)

    monkeypatch.setattr(MediaStore, "put", counted)
    service = CsvService(ctx)
    service.write(service.check(path))
    items = ctx.repo.items()
    assert len(copied) == 1 and len(items) == 4
    assert {i.platform for i in items} == {"facebook", "instagram"}
    assert len({i.image_path for i in items}) == 1 and ctx.media.owns(items[0].image_path or "")


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\u2028", "\x0c"])
def test_the_delimiter_is_read_from_the_first_line_alone(brk: str) -> None:
    from autoposter_gui.engine.csv_io import _delimiter

    assert _delimiter(f"account;text;at{brk}1,2,3,4,5,6{brk}") == ";"  # the second line has more commas
    assert _delimiter(f"account,text,at{brk}a;b;c;d;e{brk}") == ","
    assert _delimiter("account;text") == ";" and _delimiter("") == ","


@pytest.mark.parametrize(
    ("zone_name", "gap_day", "repeat_day"),
    [
        ("Europe/Berlin", date(2027, 3, 28), date(2027, 10, 31)),
        ("America/New_York", date(2027, 3, 14), date(2027, 11, 7)),
        ("Australia/Lord_Howe", date(2027, 10, 3), date(2027, 4, 4)),  # half an hour forward, half an hour back
    ],
)
def test_the_day_offset_is_one_offset_or_none_on_the_days_the_clocks_change(
    zone_name: str, gap_day: date, repeat_day: date
) -> None:
    zone = ZoneInfo(zone_name)
    times._DAY_OFFSETS.clear()
    assert day_offset(zone, gap_day.toordinal()) is None
    assert day_offset(zone, repeat_day.toordinal()) is None
    for day in (gap_day - timedelta(days=1), gap_day + timedelta(days=1), repeat_day + timedelta(days=1)):
        noon = datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
        assert day_offset(zone, day.toordinal()) == zone.utcoffset(noon)
    # Remembered: the days already asked answer again the same, and the gap and the repeated hour are still refused.
    assert day_offset(zone, gap_day.toordinal()) is None
    assert (zone, gap_day.toordinal()) in times._DAY_OFFSETS
    with pytest.raises(ValidationError, match="does not exist"):
        localize_utc(datetime.combine(gap_day, datetime.min.time()) + _in_the_gap(zone_name), zone, zone_name)


def _in_the_gap(zone_name: str) -> timedelta:
    return {"Australia/Lord_Howe": timedelta(hours=2, minutes=15)}.get(zone_name, timedelta(hours=2, minutes=30))


@pytest.mark.parametrize("zone_name", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_localize_utc_with_the_day_memo_agrees_with_localize_every_day_of_a_year(zone_name: str) -> None:
    """Each day of 2027 at four times, asked twice (the second time from the memo): localize's moment or refusal."""
    zone = ZoneInfo(zone_name)
    times._DAY_OFFSETS.clear()
    start = datetime(2027, 1, 1)
    for _ in range(2):
        for days in range(365):
            for minutes in (0, 150, 12 * 60, 24 * 60 - 1):
                naive = start + timedelta(days=days, minutes=minutes)
                expected, found = _both_ways(naive, zone, zone_name)
                assert found == expected, naive


def test_the_day_memo_is_per_zone_and_starts_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    times._DAY_OFFSETS.clear()
    monkeypatch.setattr(times, "_DAY_OFFSETS_MAX", 3)
    winter = datetime(2027, 1, 15, 9, 30)
    fixed = timezone(timedelta(hours=5, minutes=30))
    assert localize_utc(winter, BERLIN, "Europe/Berlin") == datetime(2027, 1, 15, 8, 30, tzinfo=UTC)
    assert localize_utc(winter, fixed, "+05:30") == datetime(2027, 1, 15, 4, 0, tzinfo=UTC)
    assert localize_utc(winter, ZoneInfo("UTC"), "UTC") == datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
    assert len(times._DAY_OFFSETS) == 3
    summer = datetime(2027, 7, 15, 9, 30)
    assert localize_utc(summer, BERLIN, "Europe/Berlin") == datetime(2027, 7, 15, 7, 30, tzinfo=UTC)
    assert list(times._DAY_OFFSETS) == [(BERLIN, summer.toordinal())]


def test_a_batch_checks_its_posts_against_the_clock_read_when_it_starts(
    ctx: Context, sandbox: Any, clock: FixedClock
) -> None:
    connect(ctx, sandbox)
    start = clock.now()
    batch = BatchPostService(ctx)
    clock.advance(timedelta(minutes=10))
    request = PostRequest([BAKERY], "Fresh bread", when=start + timedelta(minutes=5))
    assert batch.problems(request) == []  # five minutes ahead of the batch's start
    past = [("when", "That time is in the past; pick a time in the future, or publish now")]
    assert PostService(ctx).problems(request) == past  # a single post reads the clock when checked
    assert BatchPostService(ctx).problems(request) == past  # and so does the next batch
