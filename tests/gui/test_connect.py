"""The Connect Meta wizard: app credentials, the login redirect (fed to the handler), a pasted token, the checklist."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QLineEdit

from autoposter_gui.engine.context import Context
from autoposter_gui.meta.login import REDIRECT_URI, SCOPES
from autoposter_gui.tokens import APP_ID, APP_SECRET, USER_TOKEN
from autoposter_gui.ui import connect_dialog
from autoposter_gui.ui.accounts_model import AccountColumn
from autoposter_gui.ui.accounts_tab import AccountsTab
from autoposter_gui.ui.connect_dialog import CREATE_APP_URL, EXPLORER_URL, ConnectDialog, Step, masked
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.webengine import DISABLE_ENV, WebViewUnavailable, create_login_browser
from tests.gui.connect_helpers import (
    FakeBrowser,
    click,
    fill_app,
    paste_connect,
    redirect,
    rows_by_name,
    use_fake_browser,
    wait_for_step,
)
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, CAFE_PAGE, FakeScheduler


@pytest.fixture
def browsers(monkeypatch: pytest.MonkeyPatch) -> list[FakeBrowser]:
    return use_fake_browser(monkeypatch)


@pytest.fixture
def dialog(qtbot: Any, controller: AppController) -> ConnectDialog:
    dlg = ConnectDialog(controller)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: not controller.tasks.busy)  # the stored credentials were read
    return dlg


def _texts(dialog: ConnectDialog) -> str:
    """Everything the dialog shows: labels, fields and their placeholders."""
    parts = [label.text() for label in dialog.findChildren(QLabel)]
    for edit in dialog.findChildren(QLineEdit):
        parts += [edit.text(), edit.placeholderText()]
    return "\n".join(parts)


def _keyring(ctx: Context) -> dict[str, str | None]:
    return {key: ctx.tokens.get(key) for key in (APP_ID, APP_SECRET, USER_TOKEN)}


# ----- the app's credentials ------------------------------------------------------------------------------


def test_app_page_explains_and_links_to_metas_steps(dialog: ConnectDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    assert dialog.step is Step.APP
    help_text = dialog.help_label.text()
    assert CREATE_APP_URL in help_text and all(scope in help_text for scope in SCOPES)
    assert dialog.app_secret_edit.echoMode() == QLineEdit.EchoMode.Password
    dialog.help_label.linkActivated.emit(CREATE_APP_URL)
    assert [u.toString() for u in opened] == [CREATE_APP_URL]
    assert EXPLORER_URL in dialog.paste_help.text()
    assert dialog.demo_button is None  # only in sandbox mode


def test_stored_credentials_are_never_echoed_in_full(
    qtbot: Any, controller: AppController, ctx: Context, sandbox: Any, browsers: list[FakeBrowser]
) -> None:
    ctx.tokens.set(APP_ID, "987654321012345")
    ctx.tokens.set(APP_SECRET, "0123456789abcdef0123456789abcdef")
    dlg = ConnectDialog(controller)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.has_stored_credentials)
    shown = _texts(dlg)
    assert "••••••2345" in shown and "••••••cdef" in shown
    assert "987654321012345" not in shown and "0123456789abcdef0123456789abcdef" not in shown
    assert masked("short") == "••••••"
    # Left empty, the stored app is used for the login.
    click(qtbot, dlg.next_button)
    assert dlg.step is Step.LOGIN
    assert parse_qs(urlsplit(browsers[0].urls[0]).query)["client_id"] == ["987654321012345"]


def test_login_needs_the_app_first(qtbot: Any, dialog: ConnectDialog, browsers: list[FakeBrowser]) -> None:
    click(qtbot, dialog.next_button)
    assert dialog.step is Step.APP
    assert "App ID and App Secret" in dialog.error.text()
    assert browsers == []


# ----- Facebook Login: the redirect handler ---------------------------------------------------------------


def test_login_opens_the_dialog_url_with_scopes_and_a_random_state(
    qtbot: Any, dialog: ConnectDialog, sandbox: Any, browsers: list[FakeBrowser]
) -> None:
    creds = sandbox.credentials
    fill_app(qtbot, dialog, creds.app_id, creds.app_secret)
    click(qtbot, dialog.next_button)
    assert dialog.step is Step.LOGIN
    url = urlsplit(browsers[0].urls[0])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (url.scheme, url.netloc) == ("https", "www.facebook.com") and url.path.endswith("/dialog/oauth")
    assert query["redirect_uri"] == REDIRECT_URI and query["response_type"] == "token"
    assert query["scope"].split(",") == list(SCOPES)
    assert len(query["state"]) >= 24
    first = query["state"]
    click(qtbot, dialog.back_button)
    click(qtbot, dialog.next_button)
    assert browsers[0].state != first  # every attempt has its own state
    assert len(browsers) == 1  # the browser is made once


def test_redirect_with_the_right_state_leads_to_the_checklist_and_connects(
    qtbot: Any,
    dialog: ConnectDialog,
    ctx: Context,
    sandbox: Any,
    browsers: list[FakeBrowser],
    fake_scheduler: FakeScheduler,
) -> None:
    creds = sandbox.credentials
    fill_app(qtbot, dialog, creds.app_id, creds.app_secret)
    click(qtbot, dialog.next_button)
    browsers[0].redirect_reached.emit(redirect(creds.user_token, browsers[0].state))
    assert dialog.step is Step.WORKING and dialog.busy  # exchange and discovery run on a worker thread
    assert not dialog.progress.isHidden()
    wait_for_step(qtbot, dialog, Step.CHOOSE)

    rows = rows_by_name(dialog)
    assert set(rows) == {"Sandbox Bakery", "@sandbox.bakery", "Sandbox Cafe"}
    assert rows["Sandbox Bakery"].ready and rows["Sandbox Bakery"].checkbox.isChecked()
    assert rows["@sandbox.bakery"].ready and rows["@sandbox.bakery"].checkbox.isChecked()
    assert rows["Sandbox Bakery"].status.text() == "Ready to publish"
    cafe = rows["Sandbox Cafe"]
    assert not cafe.ready and not cafe.checkbox.isChecked()
    assert "can't create posts" in cafe.status.text() and "“Create content” task" in cafe.status.text()
    assert dialog.next_button.text() == "&Connect 2 accounts"
    assert ctx.repo.accounts() == []  # nothing is stored before the owner picks

    with qtbot.waitSignal(dialog.connected, timeout=15_000) as done:
        click(qtbot, dialog.next_button)
    assert sorted(a.external_id for a in done.args[0]) == sorted([BAKERY_PAGE, BAKERY_IG])
    assert sorted(a.external_id for a in ctx.repo.accounts()) == sorted([BAKERY_PAGE, BAKERY_IG])
    assert _keyring(ctx)[APP_SECRET] == creds.app_secret and _keyring(ctx)[USER_TOKEN]
    assert ctx.tokens.account_token("facebook", BAKERY_PAGE)
    assert not dialog.isVisible()
    assert fake_scheduler.run_now_calls == 1  # held posts go out on the next tick
    bakery = ctx.repo.account_by_external(BAKERY_PAGE)
    assert bakery is not None and bakery.token_checked_at is not None  # checked right after connecting


def test_a_mismatched_state_is_refused_and_nothing_is_stored(
    qtbot: Any, dialog: ConnectDialog, ctx: Context, sandbox: Any, browsers: list[FakeBrowser]
) -> None:
    creds = sandbox.credentials
    fill_app(qtbot, dialog, creds.app_id, creds.app_secret)
    click(qtbot, dialog.next_button)
    state = browsers[0].state
    browsers[0].redirect_reached.emit(redirect(creds.user_token, "forged-by-someone-else"))
    assert dialog.step is Step.LOGIN and not dialog.busy
    assert "state mismatch" in dialog.error.text()
    assert browsers[0].notices  # the spent login page is replaced by a note
    # The attempt is spent: even its real state is refused now (no replays).
    dialog.handle_redirect(redirect(creds.user_token, state))
    assert "state mismatch" in dialog.error.text()
    qtbot.wait(50)
    assert not dialog.controller.tasks.busy
    assert ctx.repo.accounts() == []
    assert _keyring(ctx) == {APP_ID: None, APP_SECRET: None, USER_TOKEN: None}
    assert sandbox.state()["calls"] == []  # not even the exchange was tried
    # "Try again" opens a new login with a new state.
    assert dialog.next_button.isVisible() and dialog.next_button.text() == "&Try again"
    click(qtbot, dialog.next_button)
    assert len(browsers[0].urls) == 2 and browsers[0].state not in (state, "forged-by-someone-else")


def test_canceled_login_says_so(qtbot: Any, dialog: ConnectDialog, sandbox: Any, browsers: list[FakeBrowser]) -> None:
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.next_button)
    denied = f"{REDIRECT_URI}?error=access_denied&error_reason=user_denied&state={browsers[0].state}#_=_"
    dialog.handle_redirect(denied)
    assert "You canceled the Facebook login" in dialog.error.text()
    assert dialog.step is Step.LOGIN


def test_a_wrong_app_secret_goes_back_to_the_app_page(
    qtbot: Any, dialog: ConnectDialog, ctx: Context, sandbox: Any, browsers: list[FakeBrowser]
) -> None:
    creds = sandbox.credentials
    fill_app(qtbot, dialog, creds.app_id, "not-the-secret")
    click(qtbot, dialog.next_button)
    browsers[0].redirect_reached.emit(redirect(creds.user_token, browsers[0].state))
    wait_for_step(qtbot, dialog, Step.APP)
    message = dialog.error.text()
    assert message and "not-the-secret" not in message and "Traceback" not in message
    assert ctx.repo.accounts() == [] and _keyring(ctx)[APP_SECRET] is None


def test_the_webview_falls_back_to_pasting_when_it_cannot_start(
    qtbot: Any, dialog: ConnectDialog, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(parent: Any = None) -> Any:
        raise WebViewUnavailable("the built-in browser (Qt WebEngine) is not installed or can't load")

    monkeypatch.setattr(connect_dialog, "create_login_browser", broken)
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.next_button)
    assert dialog.step is Step.PASTE
    assert "Paste a token instead" in dialog.error.text() and "Qt WebEngine" in dialog.error.text()
    assert dialog.error.kind == "warning"


def test_the_webview_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "1")
    with pytest.raises(WebViewUnavailable, match=DISABLE_ENV):
        create_login_browser()


def test_a_crashed_webview_switches_to_pasting(
    qtbot: Any, dialog: ConnectDialog, sandbox: Any, browsers: list[FakeBrowser]
) -> None:
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.next_button)
    browsers[0].crashed.emit("the built-in browser stopped unexpectedly (CrashedTerminationStatus)")
    assert dialog.step is Step.PASTE and dialog.browser is None
    assert "stopped unexpectedly" in dialog.error.text()


def test_a_login_page_that_does_not_load_offers_a_retry(
    qtbot: Any, dialog: ConnectDialog, sandbox: Any, browsers: list[FakeBrowser]
) -> None:
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.next_button)
    assert not dialog.next_button.isVisible()
    browsers[0].load_failed.emit(browsers[0].urls[0])
    assert "didn't load" in dialog.error.text() and dialog.next_button.isVisible()
    browsers[0].loaded.emit(browsers[0].urls[0])
    assert dialog.error.text() == ""


# ----- the pasted token -----------------------------------------------------------------------------------


def test_paste_a_token_end_to_end(
    qtbot: Any, controller: AppController, ctx: Context, sandbox: Any, fake_scheduler: FakeScheduler
) -> None:
    tab = AccountsTab(controller)
    qtbot.addWidget(tab)
    tab.show()
    dialog = tab.open_connect_dialog()
    creds = sandbox.credentials
    paste_connect(qtbot, dialog, creds.app_id, creds.app_secret, creds.user_token)
    rows = rows_by_name(dialog)
    rows["Sandbox Cafe"].checkbox.setChecked(True)  # the owner may still pick an account with a problem
    assert dialog.next_button.text() == "&Connect 3 accounts"
    notices: list[str] = []
    controller.notice.connect(notices.append)
    with qtbot.waitSignal(dialog.connected, timeout=15_000):
        click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3)
    by_id = {tab.model.account_at(r).external_id: r for r in range(3)}  # type: ignore[union-attr]
    row = by_id[BAKERY_PAGE]
    qtbot.waitUntil(lambda: tab.model.index(row, AccountColumn.EXPIRES).data() == "Never")
    assert tab.model.index(row, AccountColumn.STATUS).data() == "Connected"  # ✅
    assert by_id.keys() == {BAKERY_PAGE, BAKERY_IG, CAFE_PAGE}
    # The Cafe was connected anyway: it stays listed, as an account that can't post, and says why.
    assert tab.model.index(by_id[CAFE_PAGE], AccountColumn.STATUS).data() == "Can't post"
    assert tab.attention_title.text() == "1 account needs attention" and "Sandbox Cafe" in tab.attention_text.text()
    assert any(n.endswith("; Sandbox Cafe can't post yet (see Accounts)") for n in notices), notices


def test_a_bad_pasted_token_keeps_the_paste_page(qtbot: Any, dialog: ConnectDialog, ctx: Context, sandbox: Any) -> None:
    creds = sandbox.credentials
    fill_app(qtbot, dialog, creds.app_id, creds.app_secret)
    click(qtbot, dialog.paste_link)
    assert not dialog.next_button.isEnabled()
    qtbot.keyClicks(dialog.token_edit, "EAAB-not-a-real-token")
    click(qtbot, dialog.next_button)
    wait_for_step(qtbot, dialog, Step.PASTE)
    assert dialog.error.text() and "EAAB-not-a-real-token" not in dialog.error.text()
    assert ctx.repo.accounts() == []


def test_sandbox_demo_buttons_fill_the_app_and_the_token(qtbot: Any, controller: AppController, sandbox: Any) -> None:
    creds = sandbox.credentials
    controller.sandbox_credentials = (creds.app_id, creds.app_secret, creds.user_token)
    dlg = ConnectDialog(controller)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.demo_button is not None and dlg.demo_token_button is not None
    click(qtbot, dlg.demo_button)
    assert dlg.app_credentials() == (creds.app_id, creds.app_secret)
    dlg.choose_paste()
    click(qtbot, dlg.demo_token_button)
    assert dlg.token_edit.text() == creds.user_token
