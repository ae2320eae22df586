"""The calendar's read model and moves: posts in a time range, drafts, slot markers, series marks, drag-and-drop."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.domain.slots import Slot, slot_times
from autoposter_gui.domain.times import local_zone, wall_time
from autoposter_gui.engine.views import SeriesMark
from autoposter_gui.storage.calendar_reads import CalendarRow, calendar_rows, draft_rows

if TYPE_CHECKING:  # the ORM's services: loaded when the service is made (the engine is open), not with the tab
    from autoposter_gui.engine.context import Context
    from autoposter_gui.engine.posts import PostService

__all__ = ["MOVABLE", "CalendarRow", "CalendarService", "SeriesMark"]

MOVABLE = (ItemStatus.SCHEDULED.value, ItemStatus.FAILED.value, ItemStatus.MISSED.value)


class CalendarService:
    """What the calendar shows and does, over the same services as the Queue and the CLI (no rule of its own)."""

    def __init__(self, ctx: Context, posts: PostService | None = None) -> None:
        from autoposter_gui.engine.planner import PlannerService
        from autoposter_gui.engine.posts import PostService

        self.ctx = ctx
        self.posts = posts or PostService(ctx)
        self.planner = PlannerService(ctx, self.posts)

    @staticmethod
    def zone() -> tzinfo:
        return local_zone()[0]  # the planner's zone

    # ----- reads -----------------------------------------------------------------------------------
    def entries(self, since: datetime, until: datetime) -> list[CalendarRow]:
        """The posts with a time in [since, until) (UTC), by time: only the visible range is read."""
        return calendar_rows(self.ctx.store.read_raw, since, until)

    def drafts(self) -> list[CalendarRow]:
        return draft_rows(self.ctx.store.read_raw)

    def slot_markers(self, since: datetime, until: datetime) -> list[tuple[int, datetime]]:
        """(account id, moment UTC) of every account's posting slot in [since, until), DST-safe."""
        by_account: dict[int, list[Slot]] = {}
        for account_id, weekday, minute in self.planner.planning.slots():
            by_account.setdefault(account_id, []).append(Slot(weekday, minute))
        days = max(1, (until - since).days + 1)
        zone = self.zone()
        return [
            (account_id, moment)
            for account_id, slots in by_account.items()
            for moment in slot_times(slots, since, zone, days)
            if moment < until
        ]

    def series_mark(self, item_id: int, series_id: str | None) -> SeriesMark | None:
        return self.ctx.reads.series_mark(item_id, series_id)

    # ----- moves -----------------------------------------------------------------------------------
    def moment(self, local: datetime) -> datetime:
        """A local wall-clock time (naive) as the moment it means (UTC): a time in a DST gap snaps to the next
        valid one (02:30 on the spring-forward day gives 03:00)."""
        return wall_time(local.replace(tzinfo=None), self.zone())

    def move(self, item_id: int, local: datetime, status: str | None = None) -> datetime:
        """Put a post (or a draft) at the local wall-clock time ``local``: a draft through the planner's schedule,
        any other post through the same reschedule as the Queue's (past times refused). The moment it got (UTC).
        ``status``: the one the calendar shows, saving a read (the reschedule checks the stored one again).
        Call ``posts.check_first`` before when its last try may be in flight (network: off the GUI thread)."""
        when = self.moment(local)
        if status is None:
            item = self.ctx.repo.item(item_id)
            if item is None:
                raise ValidationError(f"No queue item with id {item_id}; it may have been deleted")
            status = item.status
        if status == ItemStatus.DRAFT.value:
            self.planner.schedule(item_id, when)
            return when
        if status not in MOVABLE:
            raise ValidationError(f"This post is {status}; only posts still to go out can be moved")
        self.posts.reschedule(item_id, when, local_zone()[1])
        return when
