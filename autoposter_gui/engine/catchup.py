"""Posts that came due while Autoposter wasn't running, the computer slept or publishing was paused: publish them
if slightly late, else hold them as missed for the owner to decide."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from autoposter_gui.engine.events import Events

if TYPE_CHECKING:
    from autoposter_gui.engine.context import Context

log = logging.getLogger(__name__)
DEFAULT_GRACE = timedelta(hours=6)
# Ticks come every minute; a longer gap in wall-clock time means the app was suspended or not running.
WAKE_JUMP = timedelta(minutes=3)
# Why posts were missed (the "missed" notice's "reason"), as the end of a sentence. At start the app can't tell
# whether the computer was off or only Autoposter was closed, so it says what it knows.
NOT_RUNNING, ASLEEP, PAUSED = "not_running", "asleep", "paused"
MISSED_WHILE = {
    NOT_RUNNING: "while Autoposter wasn't running",
    ASLEEP: "while the computer was asleep",
    PAUSED: "while publishing was paused",
}


def missed_note(reason: str) -> str:
    """What a missed post's note says (the Queue shows it)."""
    return f"Missed {MISSED_WHILE.get(reason, MISSED_WHILE[NOT_RUNNING])}: publish it now, reschedule it or skip it"


class CatchUpPolicy:
    """Run before each scheduler tick. On start or wake, too-late posts become ``missed`` and a notice is raised."""

    def __init__(self, ctx: Context, grace: timedelta = DEFAULT_GRACE) -> None:
        self.ctx = ctx
        self.grace = grace
        self.last_tick: datetime | None = None
        self._paused = False

    def paused(self) -> None:
        """Publishing was paused: a gap before the next tick is the pause, not sleep."""
        self._paused = True

    def woke_up(self, now: datetime) -> bool:
        return self.last_tick is None or now - self.last_tick > WAKE_JUMP or now < self.last_tick

    def before_tick(self) -> list[int]:
        now = self.ctx.clock.now()
        woke = self.woke_up(now)
        reason = NOT_RUNNING if self.last_tick is None else PAUSED if self._paused else ASLEEP
        self.last_tick = now
        self._paused = False
        if not woke:
            return []
        missed = self.ctx.repo.mark_missed(now - self.grace, now, missed_note(reason))
        if missed:
            log.warning("%d post(s) were missed %s", len(missed), MISSED_WHILE[reason])
            for item_id in missed:
                self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
            self.ctx.events.emit(Events.NOTICE, "missed", {"ids": missed, "count": len(missed), "reason": reason})
        return missed
