"""Token health in the GUI: a revoked token is noticed at start (⚠ in Accounts and the status bar, a tray warning),
its post is held rather than failed, and it goes out once the owner reconnects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.health import daily_jobs
from autoposter_gui.engine.runner import Runner
from autoposter_gui.engine.scheduler import PublishScheduler
from autoposter_gui.storage.models import Account
from autoposter_gui.ui import fmt
from autoposter_gui.ui.accounts_model import AccountColumn
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.queue_model import QueueColumn
from autoposter_gui.ui.tray import TrayController
from tests.gui.connect_helpers import click, paste_connect
from tests.gui.helpers import BAKERY_PAGE, make_post
from tests.support.helpers import published


@pytest.fixture
def health_scheduler(ctx: Context, controller: AppController) -> Iterator[PublishScheduler]:
    """The scheduler as app.py builds it: the token check runs at start (and daily), ticks through run_now."""
    scheduler = PublishScheduler(Runner(ctx), interval_seconds=3600, daily_jobs=daily_jobs(ctx))
    yield scheduler
    scheduler.shutdown(wait=True)


def _row(window: MainWindow, external_id: str) -> int:
    model = window.accounts.model
    return next(r for r in range(model.rowCount()) if model.account_at(r).external_id == external_id)  # type: ignore[union-attr]


def test_revoked_token_warns_holds_the_post_and_it_goes_out_after_reconnecting(
    qtbot: Any,
    ctx: Context,
    controller: AppController,
    connected: list[Account],
    sandbox: Any,
    clock: FixedClock,
    health_scheduler: PublishScheduler,
    window: MainWindow,
) -> None:
    item = make_post(ctx, "Croissants at noon", minutes=30)
    tray = TrayController(controller, available=False)
    window.set_tray(tray)
    window.show_tab("accounts")
    # Only the Cafe needs the owner before (its role can't create posts): the Bakery's tokens are fine.
    assert window.accounts.attention_title.text() == "1 account needs attention"

    sandbox.revoke(BAKERY_PAGE)  # like a password change or a lost Page role
    health_scheduler.start()  # the token check runs at start, on the scheduler thread
    controller.set_scheduler(health_scheduler)

    # ⚠ in the Accounts tab, with the reason in plain words
    title = window.accounts.attention_title
    qtbot.waitUntil(lambda: title.text() == "3 accounts need attention", timeout=15_000)  # the Page, its IG, the Cafe
    assert window.accounts.attention.isVisible()
    assert "Reconnect Facebook Page Sandbox Bakery" in window.accounts.attention_text.text()
    status = window.accounts.model.index(_row(window, BAKERY_PAGE), AccountColumn.STATUS)
    assert status.data() == "Reconnect needed"
    # ... in the status bar
    qtbot.waitUntil(lambda: window.status.attention_label.text.text() == "3 accounts need attention")
    assert window.status.attention_label.isVisible()
    # ... and a tray warning, because a post is scheduled for that account
    qtbot.waitUntil(lambda: any(n.warning for n in tray.notifications))
    warning = next(n for n in tray.notifications if n.warning)
    assert "Reconnect Facebook Page Sandbox Bakery" in warning.body
    # The queued post says why it waits.
    queue = window.queue.model
    qtbot.waitUntil(lambda: "Reconnect" in str(queue.index(0, QueueColumn.ERROR).data()))

    # Its time comes: held, not failed, no attempt spent.
    clock.advance(timedelta(hours=1))
    with qtbot.waitSignal(controller.bridge.tick_finished, timeout=15_000):
        health_scheduler.run_now()
    held = ctx.repo.item(item.id)
    assert held is not None and held.status == "scheduled" and held.attempt_count == 0
    assert "Reconnect Facebook Page Sandbox Bakery" in (held.error_message or "")
    assert published(sandbox, "Croissants at noon") == []

    # Reconnect from the banner: the stored app is reused, a fresh token is pasted.
    click(qtbot, window.accounts.reconnect_button)
    dialog = window.accounts.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.has_stored_credentials)
    paste_connect(qtbot, dialog, "", "", sandbox.credentials.user_token)
    with qtbot.waitSignal(dialog.connected, timeout=15_000):
        click(qtbot, dialog.next_button)

    # The held post goes out on the next tick, without waiting for the minute.
    qtbot.waitUntil(lambda: (ctx.repo.item(item.id) or item).status == "posted", timeout=15_000)
    assert len(published(sandbox, "Croissants at noon")) == 1
    qtbot.waitUntil(lambda: window.accounts.attention_title.text() == "1 account needs attention")  # the Cafe
    qtbot.waitUntil(lambda: window.status.attention_label.text.text() == "1 account needs attention")


def test_a_token_that_expires_soon_needs_attention(
    qtbot: Any, ctx: Context, connected: list[Account], clock: FixedClock, window: MainWindow
) -> None:
    """The sandbox's user token expires in 60 days; 55 days later the daily check warns (status bar too)."""
    from autoposter_gui.engine.health import TokenHealthService
    from autoposter_gui.tokens import USER_TOKEN

    # Connect the user token itself as if it were the account's token, to see a dated expiry.
    account = connected[0]
    user_token = ctx.tokens.get(USER_TOKEN)
    assert user_token is not None
    ctx.tokens.set_account_token(account.platform, account.external_id, user_token)
    clock.advance(timedelta(days=55))
    TokenHealthService(ctx).check_all()
    qtbot.waitUntil(lambda: window.status.attention_label.isVisible())
    fresh = ctx.repo.account(account.id)
    assert fresh is not None and fresh.status == "needs_attention" and fresh.token_expires_at is not None
    assert "expires on" in (fresh.status_message or "")
    qtbot.waitUntil(lambda: "expires on" in window.accounts.attention_text.text())
    row = _row(window, account.external_id)
    assert window.accounts.model.index(row, AccountColumn.STATUS).data() == "Needs attention"


def test_token_expiry_shows_checking_until_the_start_up_check_ends_then_the_result(
    qtbot: Any,
    ctx: Context,
    controller: AppController,
    connected: list[Account],
    clock: FixedClock,
    health_scheduler: PublishScheduler,
    window: MainWindow,
) -> None:
    window.show_tab("accounts")
    model = window.accounts.model
    expiry = model.index(_row(window, BAKERY_PAGE), AccountColumn.EXPIRES)
    assert expiry.data() == "Checking…"  # the check runs as soon as the scheduler starts
    health_scheduler.start()
    controller.set_scheduler(health_scheduler)
    # The check changes no account's status (every token is fine), and the tab still shows its result at once.
    qtbot.waitUntil(lambda: model.index(_row(window, BAKERY_PAGE), AccountColumn.EXPIRES).data() != "Checking…")
    # (an account event can reload the tab before the check's end notice arrives: wait for that too)
    qtbot.waitUntil(lambda: not model.checking)
    account = ctx.repo.account_by_external(BAKERY_PAGE)
    assert account is not None and account.token_checked_at is not None
    shown = "Never" if account.token_expires_at is None else fmt.when_text(account.token_expires_at, clock.now())
    assert model.index(_row(window, BAKERY_PAGE), AccountColumn.EXPIRES).data() == shown
    assert not model.checking
