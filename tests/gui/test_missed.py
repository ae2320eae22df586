"""Missed while Autoposter wasn't running: the tray notification, the dialog's three choices, and the app's wiring."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from autoposter_gui.app import Application
from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.catchup import CatchUpPolicy
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.runner import Runner
from autoposter_gui.storage.models import Account
from autoposter_gui.tokens import TokenStore
from autoposter_gui.ui import fmt
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.missed_dialog import MissedPosts, MissedPostsDialog
from autoposter_gui.ui.preferences import Preferences
from autoposter_gui.ui.tray import TrayController
from tests.gui.helpers import BAKERY_PAGE, FakeScheduler, make_post, shut_down
from tests.support.helpers import published
from tests.support.memory_keyring import MemoryKeyring


def _status(ctx: Context, item_id: int) -> str:
    item = ctx.repo.item(item_id)
    assert item is not None
    return item.status


@pytest.fixture
def missed(
    qtbot: Any, controller: AppController, connected: list[Account], fake_scheduler: FakeScheduler
) -> MissedPosts:
    tray = TrayController(controller, available=False)  # records notifications without a system tray
    return MissedPosts(controller, tray)


def _miss(ctx: Context, clock: FixedClock, *texts: str, account: str = BAKERY_PAGE) -> list[int]:
    """Posts due in a few minutes, then Autoposter is closed for 7 hours: the catch-up policy holds them."""
    ids = [make_post(ctx, text, minutes=5 + n, accounts=[account]).id for n, text in enumerate(texts)]
    clock.advance(timedelta(hours=7))
    assert sorted(CatchUpPolicy(ctx).before_tick()) == sorted(ids)
    return ids


def _dialog(missed: MissedPosts) -> MissedPostsDialog:
    assert missed.dialog is not None and missed.dialog.isVisible()
    return missed.dialog


def test_notice_shows_a_notification_and_the_dialog(missed: MissedPosts, ctx: Context, clock: FixedClock) -> None:
    ids = _miss(ctx, clock, "Morning croissants", "Lunch menu")
    assert missed.tray is not None
    assert [n.title for n in missed.tray.notifications] == ["2 posts were missed while Autoposter wasn't running"]
    assert missed.tray.notifications[0].body == "Choose whether to publish them now, reschedule them or skip them."
    dialog = _dialog(missed)
    assert dialog.title.text() == "2 posts were missed while Autoposter wasn't running"
    assert dialog.intro.text().startswith("They came due more than 6 hours ago, so Autoposter held them ")
    assert sorted(dialog.ids()) == sorted(ids) and sorted(dialog.checked_ids()) == sorted(ids)
    assert "Morning croissants" in dialog.list.item(0).text() and "Sandbox Bakery" in dialog.list.item(0).text()
    assert "more than 6 hours ago" in dialog.intro.text()
    # Keyboard: Enter publishes (the default button), Escape decides later; every choice has a mnemonic.
    assert dialog.publish_button.isDefault() and not dialog.skip_button.isDefault()
    assert [b.text() for b in (dialog.publish_button, dialog.reschedule_button, dialog.skip_button)] == [
        "&Publish now",
        "&Reschedule",
        "&Skip",
    ]


def test_publish_now_publishes_exactly_once(
    qtbot: Any, missed: MissedPosts, ctx: Context, clock: FixedClock, sandbox: Any, fake_scheduler: FakeScheduler
) -> None:
    (item_id,) = _miss(ctx, clock, "Publish me once")
    dialog = _dialog(missed)
    qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    assert fake_scheduler.run_now_calls == 1  # the runner thread publishes, not the GUI thread
    assert not dialog.isVisible() and missed.dialog is None  # nothing left to decide
    assert Runner(ctx).run_due().succeeded == 1
    assert _status(ctx, item_id) == "posted"
    # A second notice (another wake-up) and another tick: nothing is published again.
    clock.advance(timedelta(hours=7))
    assert CatchUpPolicy(ctx).before_tick() == []
    assert missed.show_missed([item_id]) is None
    assert Runner(ctx).run_due().processed == 0
    assert len(published(sandbox, "Publish me once")) == 1


def test_reschedule_uses_the_picked_time(qtbot: Any, missed: MissedPosts, ctx: Context, clock: FixedClock) -> None:
    first, second = _miss(ctx, clock, "Later today", "Also later")
    dialog = _dialog(missed)
    past = fmt.naive_local(clock.now() - timedelta(hours=1))
    dialog.when_edit.setDateTime(fmt.qdatetime_from_naive(past))
    qtbot.mouseClick(dialog.reschedule_button, Qt.MouseButton.LeftButton)
    assert "in the past" in dialog.error.text()  # refused inline, nothing changed
    assert _status(ctx, first) == _status(ctx, second) == "missed"
    target = clock.now() + timedelta(hours=2)
    dialog.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(target)))
    qtbot.mouseClick(dialog.reschedule_button, Qt.MouseButton.LeftButton)
    for item_id in (first, second):
        item = ctx.repo.item(item_id)
        assert item is not None and item.status == "scheduled" and item.scheduled_at == target
    assert not dialog.isVisible()
    assert Runner(ctx).run_due().processed == 0  # not before the new time


def test_skip_only_the_ticked_posts_and_decide_later(
    qtbot: Any, missed: MissedPosts, ctx: Context, clock: FixedClock
) -> None:
    keep, drop = _miss(ctx, clock, "Keep me", "Skip me")
    dialog = _dialog(missed)
    dialog.set_checked([drop])
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert _status(ctx, drop) == "canceled" and _status(ctx, keep) == "missed"
    assert dialog.ids() == [keep] and dialog.title.text() == "1 post was missed while Autoposter wasn't running"
    assert dialog.intro.text() == (  # the singular all through, not "They … them"
        "It came due more than 6 hours ago, so Autoposter held it instead of posting it late without asking. "
        "Choose what to do with it."
    )
    dialog.set_checked([])
    assert not dialog.publish_button.isEnabled() and not dialog.skip_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # decide later: still missed, never dropped silently
    assert not dialog.isVisible() and missed.dialog is None
    assert _status(ctx, keep) == "missed"
    assert Runner(ctx).run_due().processed == 0


def test_a_post_handled_in_the_queue_leaves_the_dialog(missed: MissedPosts, ctx: Context, clock: FixedClock) -> None:
    first, second = _miss(ctx, clock, "One", "Two")
    dialog = _dialog(missed)
    missed.controller.posts.skip([first])  # e.g. from the Queue tab
    assert dialog.ids() == [second]
    missed.controller.posts.publish_missed([second])
    assert not dialog.isVisible()


@pytest.fixture
def app_with_missed_post(
    qtbot: Any, tmp_path: Any, sandbox: Any, clock: FixedClock, keyring_backend: MemoryKeyring
) -> Iterator[tuple[Application, list[int]]]:
    """A data folder whose posts came due while the app was off; Settings says 1 hour of grace; the app starts."""
    Preferences().grace_hours = 1
    config = AppConfig(tmp_path / "appdata", graph_origin=sandbox.url)
    tokens = TokenStore(config.keyring_service, keyring_backend)
    ctx = Context.open(config, tokens=tokens, clock=clock)
    from autoposter_gui.engine.accounts import AccountService

    creds = sandbox.credentials
    AccountService(ctx).connect(creds.app_id, creds.app_secret, creds.user_token)
    very_late = make_post(ctx, "Three hours late", minutes=1).id
    slightly = make_post(ctx, "Half an hour late", minutes=150).id
    ctx.close()
    clock.advance(timedelta(hours=3))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app = Application(qapp, config, tokens=tokens, clock=clock, tray_available=False)
    assert app.start()
    yield app, [very_late, slightly]
    shut_down(qapp, app)


def test_the_app_holds_posts_later_than_the_grace_window_from_settings(
    qtbot: Any, app_with_missed_post: tuple[Application, list[int]], sandbox: Any
) -> None:
    app, (very_late, _slightly) = app_with_missed_post
    qtbot.waitUntil(lambda: app.scheduler is not None)
    assert app.scheduler is not None and app.scheduler.catchup is not None
    assert app.scheduler.catchup.grace == timedelta(hours=1)
    qtbot.waitUntil(lambda: app.missed is not None and app.missed.dialog is not None, timeout=15_000)
    assert app.missed is not None and app.missed.dialog is not None
    assert app.missed.dialog.ids() == [very_late]
    assert app.tray is not None and app.tray.notifications[-1].title.startswith("1 post was missed")
    assert app.ctx is not None
    qtbot.waitUntil(lambda: len(published(sandbox, "Half an hour late")) == 1, timeout=15_000)
    assert published(sandbox, "Three hours late") == []


def test_skip_after_a_restore_checks_with_meta_first(
    qtbot: Any, missed: MissedPosts, ctx: Context, clock: FixedClock, sandbox: Any
) -> None:
    """After a restore every unfinished post may have gone out since the backup: skipping one that did says so
    (it becomes posted), and one that did not is skipped; the check runs off the GUI thread."""
    from autoposter_gui.meta.client import GraphClient

    backup_time = clock.now()
    went_out, never = _miss(ctx, clock, "Went out after the backup", "Never went out")
    token = ctx.tokens.account_token("facebook", BAKERY_PAGE)
    GraphClient(origin=sandbox.url).post(f"/{BAKERY_PAGE}/feed", token, data={"message": "Went out after the backup"})
    ctx.repo.mark_unconfirmed_after_restore(backup_time, clock.now())
    dialog = _dialog(missed)
    dialog.set_checked([went_out, never])
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already gone out" in dialog.error.text(), timeout=10_000)
    assert _status(ctx, went_out) == "posted" and _status(ctx, never) == "missed"
    assert dialog.ids() == [never]
    dialog.set_checked([never])
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _status(ctx, never) == "canceled", timeout=10_000)
    assert len(published(sandbox, "Went out after the backup")) == 1 and published(sandbox, "Never went out") == []
