"""The calendar's engine: the ranged read, slot markers, series marks and moves (DST gap, past, drafts, posted)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.domain.recurrence import Recurrence, Repeat
from autoposter_gui.engine.calendar import CalendarService
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.planner import PlannerService
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.engine.snippets import Snippet, SnippetKind, SnippetService

PAGE = "100000000000001"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def page(ctx: Context) -> str:
    found = DiscoveredAccount(Platform.FACEBOOK, PAGE, "Bakery", "t")
    ctx.repo.upsert_account(found, None, ctx.clock.now())
    return PAGE


def _post(ctx: Context, when: datetime | None, text: str = "Bread") -> int:
    return PostService(ctx).create(PostRequest([PAGE], text, when=when, draft=when is None))[0].id


def test_entries_read_only_the_range_asked_and_leave_out_drafts_and_canceled(ctx: Context, page: str) -> None:
    now = ctx.clock.now()
    inside = [_post(ctx, now + timedelta(days=2, hours=h)) for h in range(3)]
    _post(ctx, now + timedelta(days=9))
    _post(ctx, None)
    canceled = _post(ctx, now + timedelta(days=2, hours=5))
    PostService(ctx).cancel(canceled)
    service = CalendarService(ctx)
    rows = service.entries(now + timedelta(days=1), now + timedelta(days=3))
    assert [r.id for r in rows] == inside
    assert [r.status for r in service.drafts()] == [ItemStatus.DRAFT.value]


def test_slot_markers_keep_their_local_time_across_dst(
    ctx: Context, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    PlannerService(ctx).set_slots(PAGE, ["sun 09:30", "sun 02:30"])
    service = CalendarService(ctx)
    start = ctx.clock.now()
    marks = service.slot_markers(start, start + timedelta(days=360))
    local = {m.astimezone(BERLIN).strftime("%H:%M") for _a, m in marks}
    assert "09:30" in local and local <= {"09:30", "02:30", "03:00"}  # 02:30 on the spring-forward day: 03:00


def test_move_snaps_a_dst_gap_refuses_the_past_and_schedules_drafts(
    ctx: Context, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    service = CalendarService(ctx)
    now = ctx.clock.now()
    spring = next(
        d
        for d in (now.date() + timedelta(days=n) for n in range(2, 366))
        if d.month == 3 and d.weekday() == 6 and d.day > 24
    )
    item = _post(ctx, now + timedelta(days=1))
    moment = service.move(item, datetime.combine(spring, time(2, 30)))
    assert moment.astimezone(BERLIN).replace(tzinfo=None) == datetime.combine(spring, time(3, 0))
    with pytest.raises(ValidationError, match="past"):
        service.move(item, (now - timedelta(days=1)).astimezone(BERLIN).replace(tzinfo=None))
    stored = ctx.repo.item(item)
    assert stored is not None and stored.scheduled_at == moment
    draft = _post(ctx, None)
    when = service.move(draft, datetime.combine(now.date() + timedelta(days=3), time(11)))
    scheduled = ctx.repo.item(draft)
    assert scheduled is not None and scheduled.status == ItemStatus.SCHEDULED.value and scheduled.scheduled_at == when


def test_a_posted_post_cannot_be_moved(ctx: Context, page: str) -> None:
    item = _post(ctx, ctx.clock.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match="only posts still to go out"):
        CalendarService(ctx).move(item, datetime(2030, 1, 1, 9), ItemStatus.POSTED.value)


@pytest.mark.parametrize(
    ("repeat", "kind"), [(Repeat.DAILY, "daily"), (Repeat.WEEKLY, "weekly"), (Repeat.MONTHLY, "monthly")]
)
def test_series_marks_say_where_a_post_stands(ctx: Context, page: str, repeat: Repeat, kind: str) -> None:
    start = datetime.combine(ctx.clock.now().date() + timedelta(days=1), time(9, 30), tzinfo=UTC)
    items = PlannerService(ctx).create_series(PostRequest([PAGE], "Again", when=start), Recurrence(repeat, 4))
    service = CalendarService(ctx)
    mark = service.series_mark(items[2].id, items[2].series_id)
    assert mark is not None and mark.text == f"3 of 4 in a {kind} series"
    assert service.series_mark(items[0].id, None) is None


def test_snippets_round_trip_and_refuse_bad_ones_writing_nothing(ctx: Context) -> None:
    service = SnippetService(ctx)
    saved = service.save(
        [
            Snippet(SnippetKind.HASHTAGS, "  Bakery  tags ", " #bread #rolls "),
            Snippet(SnippetKind.TEXT, "Sign", "See you!"),
        ]
    )
    assert saved[0] == Snippet(SnippetKind.HASHTAGS, "Bakery tags", "#bread #rolls")
    assert service.all() == saved
    for bad, message in (
        ([Snippet(SnippetKind.TEXT, "Sign", "")], "no text"),
        ([Snippet(SnippetKind.TEXT, "A", "x"), Snippet(SnippetKind.TEXT, "a", "y")], "named"),
        ([Snippet(SnippetKind.TEXT, "x" * 41, "y")], "too long"),
    ):
        with pytest.raises(ValidationError, match=message):
            service.save(bad)
    assert service.all() == saved
