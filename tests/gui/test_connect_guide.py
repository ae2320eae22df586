"""The Connect wizard's guide to a Meta app (Help → Getting Started), each step's check against the sandbox's fake
developer flow, and the wizard's messages about pasted tokens."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices

from autoposter_gui.engine.accounts import token_shape_problem
from autoposter_gui.engine.context import Context
from autoposter_gui.meta.login import SCOPES
from autoposter_gui.sandbox import world
from autoposter_gui.tokens import APP_ID, APP_SECRET
from autoposter_gui.ui.connect_dialog import ConnectDialog, Step
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.setup_guide import APPS_URL, CREATE_APP_DOCS_URL, USE_CASE, app_settings_url
from tests.gui.connect_helpers import click, fill_app, use_fake_browser, wait_for_step


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return urls


@pytest.fixture
def guide(qtbot: Any, controller: AppController) -> ConnectDialog:
    dlg = ConnectDialog(controller, guided=True)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: not controller.tasks.busy)
    return dlg


def _to_app_page(qtbot: Any, dialog: ConnectDialog) -> None:
    click(qtbot, dialog.next_button)
    click(qtbot, dialog.next_button)
    assert dialog.step is Step.APP


def test_the_guide_walks_through_creating_the_app_with_the_keyboard(
    qtbot: Any, guide: ConnectDialog, opened: list[str]
) -> None:
    assert guide.step is Step.CREATE and not guide.back_button.isVisible()
    checklist = guide.create_page.checklist.text()
    assert "Create App" in checklist and USE_CASE in checklist and "<ol" in checklist  # numbered
    for button in guide.create_page.link_buttons.values():
        click(qtbot, button)
    assert opened == [APPS_URL, CREATE_APP_DOCS_URL]

    qtbot.keyClick(guide, Qt.Key.Key_Return)  # Enter is Next
    assert guide.step is Step.USE_CASE
    permissions = guide.use_case_page.checklist.text()
    assert all(scope in permissions for scope in SCOPES) and "business_management" in permissions
    assert "App settings → Basic" in permissions and "Show" in permissions
    click(qtbot, guide.back_button)
    assert guide.step is Step.CREATE
    qtbot.keyClick(guide, Qt.Key.Key_Return)
    qtbot.keyClick(guide, Qt.Key.Key_Return)
    assert guide.step is Step.APP and guide.app_heading.text().startswith("Step 3 of 4")
    assert guide.back_button.isVisible() and not guide.guide_link.isVisible()
    assert not guide.settings_button.isEnabled()  # no App ID yet: nothing to open
    qtbot.keyClicks(guide.app_id_edit, "123456789012345")
    click(qtbot, guide.settings_button)
    assert opened[-1] == app_settings_url("123456789012345")
    assert opened[-1] == "https://developers.facebook.com/apps/123456789012345/settings/basic/"


def test_the_app_step_checks_the_id_and_secret_pair_with_meta(
    qtbot: Any, guide: ConnectDialog, ctx: Context, sandbox: Any
) -> None:
    _to_app_page(qtbot, guide)
    click(qtbot, guide.next_button)  # nothing typed
    assert guide.step is Step.APP and "App ID and App Secret first" in guide.error.text()

    fill_app(qtbot, guide, sandbox.credentials.app_id, "not-the-secret")
    click(qtbot, guide.next_button)
    qtbot.waitUntil(lambda: not guide.busy and bool(guide.app_result.text()))
    assert guide.step is Step.APP
    message = guide.app_result.text()
    assert "didn't accept this App ID and App Secret" in message and "App settings → Basic" in message
    assert "not-the-secret" not in message and "retry" not in message
    assert ctx.tokens.get(APP_SECRET) is None  # a check stores nothing

    guide.app_secret_edit.clear()
    assert guide.app_result.text() == ""  # the old verdict was about other values
    qtbot.keyClicks(guide.app_secret_edit, sandbox.credentials.app_secret)
    click(qtbot, guide.app_check_button)
    qtbot.waitUntil(lambda: not guide.busy and bool(guide.app_result.text()))
    assert f"Meta knows your app “{world.APP_NAME}”" in guide.app_result.text()
    assert guide.step is Step.APP  # Check checks; Next goes on
    click(qtbot, guide.next_button)
    wait_for_step(qtbot, guide, Step.LIVE)
    assert "is Live" in guide.live_page.result.text()
    assert guide.next_button.text() == "&Test connection"
    assert ctx.tokens.get(APP_ID) is None


def test_the_live_step_says_when_the_app_is_still_in_development(
    qtbot: Any, guide: ConnectDialog, sandbox: Any, opened: list[str]
) -> None:
    sandbox.configure(app_live=False)
    _to_app_page(qtbot, guide)
    fill_app(qtbot, guide, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, guide.next_button)
    wait_for_step(qtbot, guide, Step.LIVE)
    result = guide.live_page.result
    assert result.kind == "warning" and "development mode" in result.text()
    assert "seen only by the app's admins" in result.text() and "App Mode" in result.text()
    click(qtbot, guide.live_page.link_buttons["settings"])
    assert opened == [app_settings_url(sandbox.credentials.app_id)]

    sandbox.configure(app_live=True)  # the owner flipped the switch
    assert guide.live_page.check_button is not None
    click(qtbot, guide.live_page.check_button)
    qtbot.waitUntil(lambda: not guide.busy and "is Live" in result.text())
    assert result.kind == "hint"
    click(qtbot, guide.back_button)
    assert guide.step is Step.APP


def test_test_connection_logs_in_and_names_the_missing_permissions(
    qtbot: Any, guide: ConnectDialog, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    browsers = use_fake_browser(monkeypatch)
    monkeypatch.setattr(world, "USER_SCOPES", ("pages_show_list", "pages_read_engagement", "instagram_basic"))
    _to_app_page(qtbot, guide)
    fill_app(qtbot, guide, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, guide.next_button)
    wait_for_step(qtbot, guide, Step.LIVE)
    click(qtbot, guide.next_button)  # Test connection
    assert guide.step is Step.LOGIN
    from tests.gui.connect_helpers import redirect

    browsers[0].redirect_reached.emit(redirect(sandbox.credentials.user_token, browsers[0].state))
    wait_for_step(qtbot, guide, Step.CHOOSE)
    assert guide.scope_check is not None
    assert guide.scope_check.missing == ("pages_manage_posts", "instagram_content_publish")
    message = guide.error.text()
    assert "pages_manage_posts, instagram_content_publish" in message and "log in again" in message
    click(qtbot, guide.back_button)
    assert guide.step is Step.LIVE  # back into the guide, not to its start


def test_help_getting_started_opens_the_guide(qtbot: Any, window: MainWindow) -> None:
    menu = next(a for a in window.menuBar().actions() if a.text() == "&Help").menu()
    action = next(a for a in menu.actions() if a.text() == "&Getting Started")  # type: ignore[union-attr]
    action.trigger()
    dialog = window.accounts.dialog
    assert isinstance(dialog, ConnectDialog) and dialog.guided and dialog.step is Step.CREATE
    qtbot.waitUntil(lambda: not window.controller.tasks.busy)
    dialog.reject()


def test_the_app_page_offers_the_guide(qtbot: Any, controller: AppController) -> None:
    dialog = ConnectDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.step is Step.APP and dialog.guide_link.isVisible()
    click(qtbot, dialog.guide_link)
    assert dialog.guided and dialog.step is Step.CREATE
    qtbot.waitUntil(lambda: not controller.tasks.busy)


# ----- the wizard's messages ------------------------------------------------------------------------------


def test_the_paste_page_waits_for_the_app_id_and_secret(qtbot: Any, controller: AppController, sandbox: Any) -> None:
    dialog = ConnectDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not controller.tasks.busy)
    click(qtbot, dialog.paste_link)
    qtbot.keyClicks(dialog.token_edit, sandbox.credentials.user_token)
    assert not dialog.next_button.isEnabled()
    assert "First enter your Meta app's App ID and App Secret" in dialog.paste_needs_app.text()
    click(qtbot, dialog.back_button)
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.paste_link)
    assert dialog.paste_needs_app.text() == "" and dialog.next_button.isEnabled()


@pytest.mark.parametrize("pasted", ["EAAB copied with spaces in it", "“EAABquotedtokenfromanemail”", "EAAB12"])
def test_a_malformed_token_says_so_and_where_to_copy_it(
    qtbot: Any, controller: AppController, sandbox: Any, pasted: str
) -> None:
    dialog = ConnectDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.paste_link)
    dialog.token_edit.setText(pasted)  # pasted (typing curly quotes through QTest is not possible)
    click(qtbot, dialog.next_button)
    message = dialog.error.text()
    assert dialog.step is Step.PASTE and "doesn't look like a valid access token" in message
    assert "Graph API Explorer" in message and "Generate Access Token" in message
    assert "revoked" not in message and "Reconnect" not in message
    assert sandbox.state()["calls"] == []  # refused before asking Meta
    qtbot.waitUntil(lambda: not controller.tasks.busy)


def test_a_token_meta_refuses_says_where_to_copy_it_from(qtbot: Any, controller: AppController, sandbox: Any) -> None:
    dialog = ConnectDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.paste_link)
    qtbot.keyClicks(dialog.token_edit, "EAABnotarealtokenbutlongenough123")
    click(qtbot, dialog.next_button)
    wait_for_step(qtbot, dialog, Step.PASTE)
    message = dialog.error.text()
    assert "didn't accept this user token" in message and "Graph API Explorer" in message
    assert "revoked or expired" not in message and "Reconnect your account" not in message


def test_a_temporary_problem_while_connecting_never_promises_a_retry(
    qtbot: Any, controller: AppController, ctx: Context, sandbox: Any
) -> None:
    sandbox.inject_fault(kind="error", match="oauth", code=2, is_transient=True, http_status=500)
    dialog = ConnectDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.paste_link)
    qtbot.keyClicks(dialog.token_edit, sandbox.credentials.user_token)
    click(qtbot, dialog.next_button)
    wait_for_step(qtbot, dialog, Step.PASTE)
    message = dialog.error.text()
    assert "temporary" in message and "try again in a minute" in message and "Nothing was saved" in message
    assert "retry automatically" not in message
    assert ctx.repo.accounts() == []


def test_token_shape() -> None:
    assert token_shape_problem("") == "Paste a user access token first"
    assert token_shape_problem("  " + world.short_user_token() + "\n") is None
    assert token_shape_problem("EAAB" + "x" * 30 + " tail") is not None
    assert token_shape_problem("short") is not None


def test_a_live_check_that_meets_a_temporary_problem_stays_on_its_step(
    qtbot: Any, guide: ConnectDialog, sandbox: Any
) -> None:
    _to_app_page(qtbot, guide)
    fill_app(qtbot, guide, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, guide.next_button)
    wait_for_step(qtbot, guide, Step.LIVE)
    sandbox.inject_fault(kind="error", match="node", code=2, is_transient=True, http_status=500)
    guide.check_live()
    qtbot.waitUntil(lambda: not guide.busy and guide.live_page.result.kind == "error")
    assert guide.step is Step.LIVE
    message = guide.live_page.result.text()
    assert "temporary" in message and "try again" in message and "retry automatically" not in message
