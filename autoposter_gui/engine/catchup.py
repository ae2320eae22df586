"""Posts that came due while the computer was off or asleep: publish if slightly late, else hold as missed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events

log = logging.getLogger(__name__)
DEFAULT_GRACE = timedelta(hours=6)
# Ticks come every minute; a longer gap in wall-clock time means the app was suspended or not running.
WAKE_JUMP = timedelta(minutes=3)


class CatchUpPolicy:
    """Run before each scheduler tick. On start or wake, too-late posts become ``missed`` and a notice is raised."""

    def __init__(self, ctx: Context, grace: timedelta = DEFAULT_GRACE) -> None:
        self.ctx = ctx
        self.grace = grace
        self.last_tick: datetime | None = None

    def woke_up(self, now: datetime) -> bool:
        return self.last_tick is None or now - self.last_tick > WAKE_JUMP or now < self.last_tick

    def before_tick(self) -> list[int]:
        now = self.ctx.clock.now()
        woke = self.woke_up(now)
        self.last_tick = now
        if not woke:
            return []
        missed = self.ctx.repo.mark_missed(now - self.grace, now)
        if missed:
            log.warning("%d post(s) were missed while the computer was off or asleep", len(missed))
            for item_id in missed:
                self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
            self.ctx.events.emit(Events.NOTICE, "missed", {"ids": missed, "count": len(missed)})
        return missed
