"""Quit with posts about to go out: the owner's Quit asks first (keep running in the tray, or quit anyway)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.quit_prompt import QuitPrompt
from autoposter_gui.ui.tray import TrayController
from tests.gui.helpers import Dialogs, make_post


@pytest.fixture
def tray(qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> TrayController:
    monkeypatch.setattr(TrayController, "visible", property(lambda self: True))
    tray = TrayController(window.controller, available=True)
    window.set_tray(tray)
    return tray


def _prompt(window: MainWindow) -> QuitPrompt:
    prompt = window.quit_prompt
    assert prompt is not None and prompt.isVisible()
    return prompt


def test_tray_quit_with_a_post_due_in_two_minutes_asks_and_esc_keeps_running(
    qtbot: Any, tray: TrayController, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    make_post(ctx, "Fresh bread at 7!", minutes=2)
    tray.quit_action.trigger()
    prompt = _prompt(window)
    assert window.quits == []  # type: ignore[attr-defined]
    assert prompt.text() == "1 post is due in the next hour"
    info = prompt.informativeText()
    assert "(in 2 min) · Facebook Page Sandbox Bakery · “Fresh bread at 7!”" in info
    assert "If you quit, they wait until you start it again" in info
    assert prompt.keep_button.text() == "Keep running in the tray"
    assert prompt.quit_button.text() == "Quit anyway"
    assert prompt.defaultButton() is prompt.keep_button  # Enter keeps running too

    qtbot.keyClick(prompt, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.quit_prompt is None)
    assert window.quits == []  # type: ignore[attr-defined]
    assert not window.isVisible()  # "keep running in the tray": the window goes to the tray


def test_quit_anyway_quits(
    qtbot: Any, tray: TrayController, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    make_post(ctx, minutes=30)
    window.request_quit()  # File → Quit
    prompt = _prompt(window)
    window.request_quit()  # a second Quit while asking: the same question, not a second one
    assert window.quit_prompt is prompt
    qtbot.mouseClick(prompt.quit_button, Qt.MouseButton.LeftButton)
    assert window.quits == [True]  # type: ignore[attr-defined]
    assert window.quit_prompt is None


def test_quit_without_posts_due_within_the_hour_quits_at_once(
    tray: TrayController, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    make_post(ctx, minutes=61)  # the scheduler would not publish it before then anyway
    tray.quit_action.trigger()
    assert window.quit_prompt is None
    assert window.quits == [True]  # type: ignore[attr-defined]


def test_the_list_names_five_posts_then_counts_the_rest(
    tray: TrayController, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    for n in range(8):
        make_post(ctx, f"Post number {n}", minutes=10 + n)
    window.request_quit()
    prompt = _prompt(window)
    assert prompt.text() == "8 posts are due in the next hour"
    lines = prompt.informativeText().splitlines()
    assert [line.startswith("• ") for line in lines[:6]] == [True] * 5 + [False]
    assert "Post number 4" in lines[4] and "Post number 5" not in prompt.informativeText()
    assert lines[5] == "and 3 more"
    prompt.close()


def test_a_post_being_published_says_so(
    tray: TrayController, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    item = make_post(ctx, "Going out", minutes=0)
    assert ctx.repo.claim(item.id, ctx.clock.now())  # the runner holds it
    window.request_quit()
    prompt = _prompt(window)
    assert prompt.text() == "Autoposter is publishing now"
    assert "• publishing now · Facebook Page Sandbox Bakery · “Going out”" in prompt.informativeText()
    assert "first finishes the posts it has started" in prompt.informativeText()
    prompt.close()


def test_log_out_never_waits_on_the_question(
    tray: TrayController, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    make_post(ctx, minutes=2)
    window.session_ending()  # QGuiApplication.commitDataRequest
    window.request_quit()
    assert window.quit_prompt is None
    assert window.quits == [True]  # type: ignore[attr-defined]


def test_without_tray_closing_asks_about_any_waiting_post(
    qtbot: Any,
    window: MainWindow,
    ctx: Context,
    connected: list[Account],
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(TrayController, "visible", property(lambda self: False))
    window.set_tray(TrayController(window.controller, available=False))
    make_post(ctx, "Tomorrow's special", minutes=24 * 60)
    window.close()
    prompt = _prompt(window)
    assert window.isVisible()
    assert prompt.text() == "1 post is waiting to be published"
    assert "no system tray is available" in prompt.informativeText()
    assert prompt.keep_button.text() == "Keep Autoposter open"
    qtbot.mouseClick(prompt.keep_button, Qt.MouseButton.LeftButton)
    assert window.isVisible() and window.quits == []  # type: ignore[attr-defined]
    window.close()
    qtbot.mouseClick(_prompt(window).quit_button, Qt.MouseButton.LeftButton)
    assert window.quits == [True]  # type: ignore[attr-defined]
    assert dialogs.calls == []
