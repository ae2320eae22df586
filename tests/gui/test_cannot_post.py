"""An account whose Page role can't create posts, as the owner sees it: the Accounts tab names it and says what to
do, the Composer shows it but won't tick it (the reason in plain sight), and "Check tokens" doesn't call it well."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from autoposter_gui.domain.models import AccountStatus
from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.accounts_model import AccountColumn
from autoposter_gui.ui.accounts_tab import AccountsTab
from autoposter_gui.ui.composer_tab import ComposerTab
from autoposter_gui.ui.controller import AppController
from tests.gui.helpers import BAKERY_PAGE, CAFE_PAGE, account_id

MESSAGE = "Can't post: ask a Page admin for the Create content permission"


@pytest.fixture
def accounts_tab(qtbot: Any, controller: AppController, connected: list[Account]) -> AccountsTab:
    tab = AccountsTab(controller)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def _row(tab: AccountsTab, name: str) -> int:
    names = [str(tab.model.index(r, AccountColumn.ACCOUNT).data()) for r in range(tab.model.rowCount())]
    return names.index(name)


def test_the_accounts_tab_says_the_cafe_cant_post_and_why(
    qtbot: Any, accounts_tab: AccountsTab, controller: AppController
) -> None:
    cafe = _row(accounts_tab, "Sandbox Cafe")
    status = accounts_tab.model.index(cafe, AccountColumn.STATUS)
    assert status.data() == "Can't post"
    assert status.data(Qt.ItemDataRole.ToolTipRole) == MESSAGE
    assert accounts_tab.model.index(_row(accounts_tab, "Sandbox Bakery"), AccountColumn.STATUS).data() == "Connected"
    # The banner names the account and the permission, without hovering.
    assert accounts_tab.attention.isVisible()
    assert accounts_tab.attention_title.text() == "1 account needs attention"
    lines = accounts_tab.attention_text.text().splitlines()
    assert lines[0] == f"Sandbox Cafe (Facebook Page): {MESSAGE}"
    assert "Check tokens" in lines[1]

    # "Check tokens" doesn't say all is well.
    notices: list[str] = []
    controller.notice.connect(notices.append)
    qtbot.mouseClick(accounts_tab.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(notices), timeout=15_000)
    assert notices == ["Tokens checked: 1 account needs attention"]
    assert accounts_tab.model.index(cafe, AccountColumn.STATUS).data() == "Can't post"


def test_granted_later_the_check_shows_it_connected(
    qtbot: Any, accounts_tab: AccountsTab, controller: AppController, sandbox: Any
) -> None:
    sandbox.set_page_tasks(CAFE_PAGE, ["ANALYZE", "CREATE_CONTENT"])
    qtbot.mouseClick(accounts_tab.check_button, Qt.MouseButton.LeftButton)
    cafe = _row(accounts_tab, "Sandbox Cafe")
    qtbot.waitUntil(lambda: accounts_tab.model.index(cafe, AccountColumn.STATUS).data() == "Connected", timeout=15_000)
    assert not accounts_tab.attention.isVisible()


def test_the_composer_shows_the_cafe_disabled_with_the_reason(
    qtbot: Any, composer: ComposerTab, ctx: Context, controller: AppController
) -> None:
    cafe_id = account_id(ctx, CAFE_PAGE)
    box = composer._checks[cafe_id]
    assert box.text() == "Sandbox Cafe (can't post)" and not box.isEnabled() and not box.isChecked()
    assert MESSAGE in box.toolTip()
    [reason] = composer._reasons
    assert reason.text() == MESSAGE and reason.isVisible()  # in plain sight, not only in a tooltip
    composer.set_selected_accounts([cafe_id, account_id(ctx, BAKERY_PAGE)])
    assert composer.selected_account_ids() == [account_id(ctx, BAKERY_PAGE)]  # a disabled box is never posted to
    composer.clear()
    assert not composer._checks[cafe_id].isEnabled()  # clearing the form does not enable it again

    # Granted: the box comes back, and the reason goes.
    ctx.repo.set_account_status(cafe_id, AccountStatus.CONNECTED, None)
    controller.bridge.account_changed.emit(cafe_id)
    qtbot.waitUntil(lambda: composer._checks[cafe_id].isEnabled())
    assert composer._checks[cafe_id].text() == "Sandbox Cafe" and composer._reasons == []


def test_sandbox_mode_keeps_the_cafe_visible_as_cant_post(qtbot: Any) -> None:
    """Only the demo Pages that can post are ready; the Cafe is listed with the reason, and the Composer won't tick
    it."""
    from PySide6.QtWidgets import QApplication

    from autoposter_gui.app import Application, make_config
    from tests.gui.helpers import shut_down

    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app = Application(qapp, make_config(True, None), tray_available=False, sandbox_port=0)
    assert app.start()
    try:
        assert app.controller is not None and app.window is not None and app.ctx is not None
        notices: list[str] = []
        app.controller.notice.connect(notices.append)
        qtbot.waitUntil(lambda: app.demo_ready, timeout=20_000)
        assert "Sandbox ready: 2 demo accounts connected; Sandbox Cafe can't post (see Accounts)" in notices
        cafe = app.ctx.repo.account_by_external(CAFE_PAGE)
        assert cafe is not None and (cafe.status, cafe.status_message) == ("cannot_post", MESSAGE)
        composer = app.window.composer
        qtbot.waitUntil(lambda: cafe.id in composer._checks)
        assert not composer._checks[cafe.id].isEnabled()
    finally:
        shut_down(qapp, app)
