"""The real embedded browser against the sandbox's fake Facebook Login dialog, offscreen: load it, click Continue."""

from __future__ import annotations

from typing import Any

import pytest

from autoposter_gui.engine.context import Context
from autoposter_gui.meta.login import is_redirect
from autoposter_gui.ui.connect_dialog import ConnectDialog, Step
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.webengine import WebViewUnavailable, create_login_browser
from tests.gui.connect_helpers import click, fill_app, rows_by_name, wait_for_step
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE


def _webengine_or_skip() -> None:
    try:
        import PySide6.QtWebEngineWidgets  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"QtWebEngine can't be imported here ({exc}); the dialog falls back to a pasted token")


def _run_js(qtbot: Any, dialog: ConnectDialog, script: str) -> Any:
    assert dialog.browser is not None
    answers: list[Any] = []
    dialog.browser.page.runJavaScript(script, 0, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    return answers[0]


def test_login_through_the_sandbox_dialog_in_a_real_webview(
    qtbot: Any, controller: AppController, ctx: Context, sandbox: Any
) -> None:
    _webengine_or_skip()
    dialog = ConnectDialog(controller, dialog_origin=sandbox.url)
    qtbot.addWidget(dialog)
    dialog.show()
    creds = sandbox.credentials
    fill_app(qtbot, dialog, creds.app_id, creds.app_secret)
    click(qtbot, dialog.next_button)
    if dialog.browser is None:
        pytest.skip(f"QtWebEngine can't start offscreen here: {dialog.webview_error}")
    assert dialog.step is Step.LOGIN
    browser = dialog.browser
    with qtbot.waitSignal(browser.loaded, timeout=30_000):
        pass
    assert browser.url.startswith(sandbox.url + "/v") and "/dialog/oauth" in browser.url
    text = _run_js(qtbot, dialog, "document.body.innerText")
    assert "Continue as Sandbox Owner" in text and "pages_manage_posts" in text
    assert "not encrypted" in browser.address.text()  # the sandbox is plain http on 127.0.0.1

    # Click "Continue": the sandbox redirects to facebook.com/connect/login_success.html#access_token=…, which the
    # page refuses to load (it's unreachable offline) and hands to the dialog instead.
    _run_js(qtbot, dialog, "document.getElementById('continue').click(); true")
    wait_for_step(qtbot, dialog, Step.CHOOSE, timeout=30_000)
    rows = rows_by_name(dialog)
    assert rows["Sandbox Bakery"].checkbox.isChecked() and not rows["Sandbox Cafe"].checkbox.isChecked()
    assert not is_redirect(browser.url)  # the redirect target was never loaded
    with qtbot.waitSignal(dialog.connected, timeout=15_000):
        click(qtbot, dialog.next_button)
    assert sorted(a.external_id for a in ctx.repo.accounts()) == sorted([BAKERY_PAGE, BAKERY_IG])


def test_cancel_in_the_real_webview_says_so(qtbot: Any, controller: AppController, sandbox: Any) -> None:
    _webengine_or_skip()
    dialog = ConnectDialog(controller, dialog_origin=sandbox.url)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_app(qtbot, dialog, sandbox.credentials.app_id, sandbox.credentials.app_secret)
    click(qtbot, dialog.next_button)
    if dialog.browser is None:
        pytest.skip(f"QtWebEngine can't start offscreen here: {dialog.webview_error}")
    with qtbot.waitSignal(dialog.browser.loaded, timeout=30_000):
        pass
    _run_js(qtbot, dialog, "document.getElementById('cancel').click(); true")
    qtbot.waitUntil(lambda: "You canceled" in dialog.error.text(), timeout=30_000)
    assert dialog.step is Step.LOGIN


def test_create_login_browser_builds_the_real_widget(qtbot: Any) -> None:
    _webengine_or_skip()
    try:
        browser = create_login_browser()
    except WebViewUnavailable as exc:
        pytest.skip(str(exc))
    qtbot.addWidget(browser)
    assert browser.profile.isOffTheRecord()  # no Facebook cookies on disk
