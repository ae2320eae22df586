"""Helpers for the GUI tests: a fake scheduler, a dialog recorder and quick ways to make posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtWidgets import QMessageBox

from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.storage.models import QueueItem

BAKERY_PAGE = "100000000000001"
CAFE_PAGE = "100000000000002"
BAKERY_IG = "17841400000000001"


@dataclass
class Dialogs:
    """Records every patched QMessageBox call; ``answer`` is what question()/warning() return."""

    answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    buttons: list[list[str]] = field(default_factory=list)  # the button labels of each dialogs.confirm box

    def titles(self) -> list[str]:
        return [c[1] for c in self.calls]


@dataclass
class FakeState:
    running: bool = True
    paused: bool = False
    last_tick_at: datetime | None = None
    last_result: dict[str, Any] | None = None
    last_error: str | None = None


class FakeScheduler:
    """Stands in for PublishScheduler where a test only needs to see what the GUI asked for."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.run_now_calls = 0

    def run_now(self) -> None:
        self.run_now_calls += 1

    def pause(self) -> None:
        self.state.paused = True

    def resume(self) -> None:
        self.state.paused = False

    def next_run_time(self) -> datetime | None:
        return None

    def shutdown(self, wait: bool = True) -> None:
        self.state.running = False


def account_id(ctx: Context, external_id: str) -> int:
    account = ctx.repo.account_by_external(external_id)
    assert account is not None
    return account.id


def make_post(ctx: Context, text: str = "Hello from the bakery", *, minutes: int = 60, **kwargs: Any) -> QueueItem:
    refs = kwargs.pop("accounts", [BAKERY_PAGE])
    when = ctx.clock.now() + timedelta(minutes=minutes)
    return PostService(ctx).create(PostRequest(refs, text, when=when, **kwargs))[0]


def statuses(ctx: Context) -> list[str]:
    return [i.status for i in ctx.repo.items()]


def shut_down(qapp: Any, *apps: Any) -> None:
    """Tear down started ``Application``s: stop each, drop its window, and let the QApplication quit again."""
    for app in apps:
        window = app.window
        app.shutdown()
        if window is not None:
            window.hide()
            window.deleteLater()
    qapp.setQuitOnLastWindowClosed(True)
