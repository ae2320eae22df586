"""The Accounts tab: the list, the Connect Meta form on a worker thread, disconnecting, and the sandbox switch."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.accounts_model import AccountColumn
from autoposter_gui.ui.accounts_tab import AccountsTab
from autoposter_gui.ui.connect_dialog import Step
from autoposter_gui.ui.controller import AppController
from tests.gui.helpers import Dialogs, make_post


@pytest.fixture
def accounts_tab(qtbot: Any, controller: AppController) -> AccountsTab:
    tab = AccountsTab(controller)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def _names(tab: AccountsTab) -> list[str]:
    return [str(tab.model.index(r, AccountColumn.ACCOUNT).data()) for r in range(tab.model.rowCount())]


def test_empty_then_connect_through_the_dialog(
    qtbot: Any, accounts_tab: AccountsTab, controller: AppController, sandbox: Any
) -> None:
    """The sandbox's demo buttons, a pasted token, the checklist: the ready accounts are connected."""
    assert accounts_tab.stack.currentWidget() is accounts_tab.empty
    creds = sandbox.credentials
    controller.sandbox_credentials = (creds.app_id, creds.app_secret, creds.user_token)
    dialog = accounts_tab.open_connect_dialog()
    assert dialog.isVisible() and dialog.demo_button is not None and dialog.demo_token_button is not None
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.paste_link, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.demo_token_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.busy  # the exchange runs on a worker thread; the dialog shows progress meanwhile
    qtbot.waitUntil(lambda: dialog.step is Step.CHOOSE and not dialog.busy, timeout=15_000)
    with qtbot.waitSignal(dialog.connected, timeout=15_000):
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: accounts_tab.model.rowCount() == 2)
    assert sorted(_names(accounts_tab)) == ["@sandbox.bakery", "Sandbox Bakery"]
    assert accounts_tab.stack.currentWidget() is accounts_tab.view
    assert str(accounts_tab.model.index(0, AccountColumn.STATUS).data()) == "Connected"
    assert not dialog.isVisible()


def test_disconnect_keeps_posts_and_flags_them(
    qtbot: Any, accounts_tab: AccountsTab, ctx: Context, connected: list[Account], dialogs: Dialogs
) -> None:
    accounts_tab.model.reload()
    item = make_post(ctx)
    row = _names(accounts_tab).index("Sandbox Bakery")
    accounts_tab.view.selectRow(row)
    qtbot.mouseClick(accounts_tab.disconnect_button, Qt.MouseButton.LeftButton)
    assert dialogs.titles() == ["Disconnect account"]
    qtbot.waitUntil(lambda: str(accounts_tab.model.index(row, AccountColumn.STATUS).data()) == "Disconnected")
    kept = ctx.repo.item(item.id)
    assert kept is not None and kept.status == "scheduled" and "reconnect" in (kept.error_message or "")
    assert not accounts_tab.disconnect_button.isEnabled()


def test_sandbox_switch_asks_then_requests_a_restart(
    qtbot: Any, accounts_tab: AccountsTab, controller: AppController, dialogs: Dialogs
) -> None:
    assert accounts_tab.sandbox_button.text() == "Restart in sandbox mode"
    with qtbot.waitSignal(controller.sandbox_switch_requested) as blocker:
        qtbot.mouseClick(accounts_tab.sandbox_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True]
    assert dialogs.titles() == ["Switch mode"]
