"""The status bar's passing messages: "Publishing now…" gives way to the outcome of the tick it asked for."""

from __future__ import annotations

from typing import Any

from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.status_bar import outcome_text
from tests.gui.helpers import FakeScheduler

FAILED = {"processed": 1, "succeeded": 0, "failed": 1, "retried": 0, "error": None}
NOTHING = {"processed": 0, "succeeded": 0, "failed": 0, "retried": 0, "error": None}


def test_publishing_now_is_replaced_by_the_failure_when_the_tick_ends(
    window: MainWindow, fake_scheduler: FakeScheduler
) -> None:
    controller, bridge, status = window.controller, window.controller.bridge, window.status
    controller.run_now()
    controller.notice.emit("Publishing now…")
    assert status.currentMessage() == "Publishing now…"
    bridge.tick_started.emit()
    bridge.tick_finished.emit(FAILED)
    assert status.currentMessage() == "Couldn't publish 1 post: see the Queue for why"


def test_a_tick_already_running_when_asked_does_not_speak_for_the_request(
    window: MainWindow, fake_scheduler: FakeScheduler
) -> None:
    controller, bridge, status = window.controller, window.controller.bridge, window.status
    bridge.tick_started.emit()  # the minute's tick is running ...
    controller.run_now()  # ... when the owner clicks Publish now: the scheduler ticks again right after it
    controller.notice.emit("Publishing now…")
    bridge.tick_finished.emit(NOTHING)
    assert status.currentMessage() == "Publishing now…"
    bridge.tick_started.emit()
    bridge.tick_finished.emit({**NOTHING, "processed": 1, "succeeded": 1})
    assert status.currentMessage() == "Published 1 post"
    bridge.tick_started.emit()  # a later regular tick: its outcome is not announced
    bridge.tick_finished.emit(FAILED)
    assert status.currentMessage() == "Published 1 post"


def test_a_tick_that_published_nothing_clears_the_progress_message(
    window: MainWindow, fake_scheduler: FakeScheduler
) -> None:
    controller, bridge, status = window.controller, window.controller.bridge, window.status
    controller.run_now()
    controller.notice.emit("Trying again now…")
    bridge.tick_started.emit()
    bridge.tick_finished.emit(NOTHING)  # the post was held (its account needs reconnecting): the Queue says why
    assert status.currentMessage() == ""


def test_paused_publishing_says_so_instead_of_publishing_now(
    qtbot: Any, window: MainWindow, fake_scheduler: FakeScheduler
) -> None:
    controller, status = window.controller, window.status
    controller.pause()
    controller.run_now()
    controller.notice.emit("Publishing now…")
    qtbot.waitUntil(lambda: status.currentMessage() == "Publishing is paused; resume the scheduler to publish")


def test_outcome_text() -> None:
    assert outcome_text(NOTHING) == ""
    assert outcome_text({**NOTHING, "succeeded": 2, "failed": 1, "retried": 1}) == (
        "Published 2 posts; couldn't publish 1 post; 1 post will be tried again: see the Queue for why"
    )
    busy = "Another Autoposter runner is already publishing from this data folder; it will handle the due posts"
    assert outcome_text({**NOTHING, "error": busy}) == busy
    assert outcome_text({**NOTHING, "error": "OperationalError"}).endswith("see the log")
