"""The tray: menu actions, notifications for published and failed posts, close-to-tray and the no-tray fallback."""

from __future__ import annotations

from typing import Any

import pytest

from autoposter_gui.domain.models import PublishResult
from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.storage.repo import Failure
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.tray import TrayController
from tests.gui.helpers import Dialogs, FakeScheduler, make_post


@pytest.fixture
def tray(qtbot: Any, window: MainWindow, controller: AppController) -> TrayController:
    tray = TrayController(controller, available=True)
    window.set_tray(tray)
    return tray


def test_menu_has_the_four_actions(tray: TrayController, fake_scheduler: FakeScheduler) -> None:
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Show Autoposter", "Run now", "Pause publishing", "Quit Autoposter"]


def test_show_window_action(qtbot: Any, tray: TrayController, window: MainWindow) -> None:
    window.hide()
    tray.show_action.trigger()
    assert window.isVisible()


def test_run_now_and_pause_resume(tray: TrayController, fake_scheduler: FakeScheduler, window: MainWindow) -> None:
    tray.run_now_action.trigger()
    assert fake_scheduler.run_now_calls == 1
    tray.pause_action.trigger()
    assert fake_scheduler.state.paused
    assert tray.pause_action.text() == "Resume publishing"
    assert not tray.run_now_action.isEnabled()
    assert window.status.scheduler_label.text.text() == "Publishing paused"
    assert window.pause_action.text() == "&Resume Publishing"
    tray.pause_action.trigger()
    assert not fake_scheduler.state.paused
    assert tray.pause_action.text() == "Pause publishing"


def test_quit_action(tray: TrayController, window: MainWindow) -> None:
    tray.quit_action.trigger()
    assert window.quits == [True]  # type: ignore[attr-defined]


def test_actions_wait_for_the_scheduler(tray: TrayController) -> None:
    assert not tray.run_now_action.isEnabled()
    assert not tray.pause_action.isEnabled()


def test_notifications_for_published_and_failed(
    qtbot: Any, tray: TrayController, ctx: Context, connected: list[Account], window: MainWindow
) -> None:
    item = make_post(ctx, "Fresh baguettes", minutes=0)
    attempt = ctx.repo.start_attempt(item.id, ctx.clock.now())
    ctx.events.emit("attempt_recorded", attempt.id)  # in flight: no notification
    ctx.repo.finish_success(item.id, attempt.id, PublishResult("1_2", "https://example.org/p"), ctx.clock.now())
    ctx.events.emit("attempt_recorded", attempt.id)
    qtbot.waitUntil(lambda: len(tray.notifications) == 1)
    assert tray.notifications[0].title == "Posted to Sandbox Bakery"
    assert tray.notifications[0].body == "Fresh baguettes"

    failing = make_post(ctx, "Bad one", minutes=0)
    failed = ctx.repo.start_attempt(failing.id, ctx.clock.now())
    ctx.repo.finish_unsuccessful(failing.id, failed.id, Failure("200", "Missing permission"), ctx.clock.now(), None)
    ctx.events.emit("attempt_recorded", failed.id)
    qtbot.waitUntil(lambda: len(tray.notifications) == 2)
    assert tray.notifications[1].title == "Couldn't publish to Sandbox Bakery"
    assert tray.notifications[1].warning

    window.show_tab("composer")
    window.hide()
    tray.icon.messageClicked.emit()  # clicking the notification opens Activity
    assert window.isVisible()
    assert window.current_tab() == "activity"


def test_close_goes_to_tray_with_a_one_time_hint(
    qtbot: Any, tray: TrayController, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TrayController, "visible", property(lambda self: True))
    window.close()
    assert not window.isVisible()
    assert window.quits == []  # type: ignore[attr-defined]
    assert [n.title for n in tray.notifications] == ["Autoposter is still running"]
    window.show()
    window.close()
    assert len(tray.notifications) == 1  # only the first time


def test_without_tray_and_nothing_pending_closing_just_quits(
    tray: TrayController, window: MainWindow, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TrayController, "visible", property(lambda self: False))
    window.close()
    assert dialogs.calls == []
    assert window.quits == [True]  # type: ignore[attr-defined]


def test_a_sandbox_instance_has_a_tagged_icon_and_its_own_tooltip(
    qtbot: Any, controller: AppController, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from PySide6.QtGui import QColor

    from autoposter_gui.ui import icons

    normal = TrayController(controller, available=True)
    assert normal.icon.toolTip() == "Autoposter: nothing scheduled"
    monkeypatch.setattr(ctx, "config", dataclasses.replace(ctx.config, sandbox=True))
    demo = TrayController(controller, available=True)
    assert demo.icon.toolTip() == "Autoposter (sandbox demo): nothing scheduled"
    for size in (16, 22, 32):
        plain = icons.tray_icon("idle").pixmap(size, size).toImage()
        tagged = demo.icon.icon().pixmap(size, size).toImage()
        assert tagged.size() == plain.size()
        corner = QColor(tagged.pixel(size // 8, size // 8))  # the orange tag, top left
        assert corner.red() > 180 and 80 < corner.green() < 150 and corner.blue() < 60, corner.name()
        # The state's badge corner (bottom right) is left as it was.
        assert tagged.pixel(size - 2, size - 2) == plain.pixel(size - 2, size - 2)
    demo.icon.setIcon(icons.tray_icon("attention", True))
    demo.refresh()  # a state change keeps the tag
    assert demo.icon.icon().cacheKey() == icons.tray_icon("idle", True).cacheKey()
