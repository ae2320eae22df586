"""Keep the computer awake while a post only this app can publish is due within 10 minutes or is publishing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from autoposter_gui.domain.models import Platform
from autoposter_gui.domain.times import ensure_utc, local_zone
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.posts import DuePost, PostService

log = logging.getLogger(__name__)
WINDOW = timedelta(minutes=10)  # how long before a post is due the computer is kept awake
# A post this overdue that is still not out is held for some reason (a reconnect, a check with Meta): keeping the
# computer awake for it would be for nothing, maybe for days.
STALE = timedelta(minutes=30)
NOTICE_KIND = "keep_awake"  # Events.NOTICE payload: {"active": bool, "message": str}
PLATFORM_NAMES = {Platform.FACEBOOK.value: "Facebook", Platform.INSTAGRAM.value: "Instagram"}


class SleepInhibitor(Protocol):
    """What desktop/keep_awake.py provides for this OS."""

    @property
    def held(self) -> bool: ...

    def hold(self, why: str) -> None: ...

    def release(self) -> None: ...


def needs_this_computer(_post: DuePost) -> bool:
    """Every post in the due list: posts held by Meta's scheduler are not in it (Repo.due_until leaves them out,
    as they go out with this computer off)."""
    return True


def reason(post: DuePost) -> str:
    """``Keeping this computer awake for the 09:30 Instagram post``."""
    platform = PLATFORM_NAMES.get(post.platform, post.platform.title())
    if post.publishing or post.due_at is None:
        return f"Keeping this computer awake while the {platform} post is published"
    zone, _ = local_zone()
    return f"Keeping this computer awake for the {ensure_utc(post.due_at).astimezone(zone):%H:%M} {platform} post"


class KeepAwake:
    """Checked at the start and end of every scheduler tick (and on :meth:`update`): holds the inhibitor while a
    post that needs this computer is due within 10 minutes or publishing, releases it after; reports changes as a
    ``keep_awake`` notice, which the status bar and the tray show."""

    def __init__(
        self,
        ctx: Context,
        inhibitor: SleepInhibitor,
        *,
        enabled: Callable[[], bool] | None = None,
        needs_app: Callable[[DuePost], bool] = needs_this_computer,
    ) -> None:
        self.ctx = ctx
        self.inhibitor = inhibitor
        self._enabled = enabled or self._setting
        self._needs_app = needs_app
        self._lock = threading.Lock()
        self.message: str | None = None  # what is shown while the computer is kept awake
        self._subscriptions: list[tuple[str, Callable[..., None]]] = [
            (Events.TICK_STARTED, self._on_tick),
            (Events.TICK_FINISHED, self._on_tick),
        ]

    def _setting(self) -> bool:
        from autoposter_gui.engine.settings import SettingsService

        return SettingsService(self.ctx).keep_awake

    def attach(self) -> KeepAwake:
        for name, callback in self._subscriptions:
            self.ctx.events.subscribe(name, callback)
        return self

    def detach(self) -> None:
        for name, callback in self._subscriptions:
            self.ctx.events.unsubscribe(name, callback)
        self.release()

    def _on_tick(self, *_args: Any) -> None:
        self.update()

    def post_needing_awake(self, now: datetime | None = None) -> DuePost | None:
        """The first post that needs this computer awake now, if any."""
        now = now or self.ctx.clock.now()
        soon = PostService(self.ctx).due_within(WINDOW, limit=20)
        for post in soon.posts:
            fresh = post.publishing or post.due_at is None or ensure_utc(post.due_at) >= now - STALE
            if fresh and self._needs_app(post):
                return post
        return None

    def update(self, now: datetime | None = None) -> str | None:
        """Hold or release the inhibitor for what is due now; returns what is shown (None: not kept awake)."""
        try:
            post = self.post_needing_awake(now) if self._enabled() else None
        except Exception as exc:  # a busy or damaged database must not break the tick: try again at the next one
            log.warning("keep-awake check skipped: %s", type(exc).__name__)
            return self.message
        message = reason(post) if post is not None else None
        with self._lock:
            if message == self.message:
                return message
            if message is not None:
                self.inhibitor.hold(message)
                if not self.inhibitor.held:  # no inhibitor on this system (logged once): say nothing
                    message = None
            else:
                self.inhibitor.release()
            if message == self.message:
                return message
            self.message = message
        self.ctx.events.emit(Events.NOTICE, NOTICE_KIND, {"active": message is not None, "message": message or ""})
        return message

    def release(self) -> None:
        with self._lock:
            was, self.message = self.message, None
            self.inhibitor.release()
        if was is not None:
            self.ctx.events.emit(Events.NOTICE, NOTICE_KIND, {"active": False, "message": ""})
