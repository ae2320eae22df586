"""The Connect wizard's choice of network and the browser sign-in of X (and Google) against the sandbox's fakes:
the browser step is the sign-in URL fetched with urllib, as the owner's browser would follow it."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from autoposter_gui.app import sandbox_clients
from autoposter_gui.engine.context import Context
from autoposter_gui.ui import icons
from autoposter_gui.ui.accounts_model import AccountColumn
from autoposter_gui.ui.accounts_tab import AccountsTab
from autoposter_gui.ui.connect_dialog import ConnectDialog, Step
from autoposter_gui.ui.connect_pages.browser import SignInPage
from autoposter_gui.ui.controller import AppController
from tests.gui.connect_helpers import click

X_USER = "1790000000000000001"


@pytest.fixture
def tab(qtbot: Any, controller: AppController, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> AccountsTab:
    monkeypatch.setenv("AUTOPOSTER_X_URL", sandbox.url)
    monkeypatch.setenv("AUTOPOSTER_GOOGLE_URL", sandbox.url)
    controller.sandbox_clients = sandbox_clients()  # what the app sets in sandbox mode
    widget = AccountsTab(controller)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def browser() -> Iterator[Callable[[str], None]]:
    """The system browser: follows the sign-in URL (the fake approves and redirects to the loopback)."""
    threads: list[threading.Thread] = []

    def follow(url: str) -> None:
        def run() -> None:
            with urllib.request.urlopen(url, timeout=30) as answer:
                answer.read()

        thread = threading.Thread(target=run, daemon=True)
        threads.append(thread)
        thread.start()

    yield follow
    for thread in threads:
        thread.join(30)


def _x_page(qtbot: Any, tab: AccountsTab, opener: Callable[[str], None]) -> tuple[ConnectDialog, SignInPage]:
    dialog = tab.choose_and_connect()
    dialog.network_page.select("x")
    click(qtbot, dialog.next_button)
    assert dialog.step is Step.X
    page = dialog.x_page
    page.open_url = opener
    page.port = 0  # any free loopback port (the fake accepts any 127.0.0.1 callback)
    return dialog, page


def _icon_key(platform: str) -> int:
    return icons.platform_icon(platform).pixmap(16, 16).toImage().cacheKey()


def test_the_wizard_first_offers_the_three_networks_with_their_icons(qtbot: Any, tab: AccountsTab) -> None:
    dialog = tab.choose_and_connect()
    assert dialog.step is Step.NETWORK and dialog.windowTitle() == "Connect an account"
    assert not dialog.back_button.isVisible()
    listed = dialog.network_page.list
    assert dialog.network_page.keys() == ["meta", "x", "google"]
    assert "X" in listed.item(1).text()
    for row in range(listed.count()):
        assert not listed.item(row).icon().isNull()
    # Keyboard: the list has the focus; Down, Enter opens X's page.
    assert listed.hasFocus() or dialog.focusWidget() is listed
    qtbot.keyClick(listed, Qt.Key.Key_Down)
    assert dialog.network_page.current == "x"
    qtbot.keyClick(listed, Qt.Key.Key_Return)
    assert dialog.step is Step.X and dialog.windowTitle() == "Connect X"
    assert dialog.next_button.text() == "&Sign in with X…"
    click(qtbot, dialog.back_button)
    assert dialog.step is Step.NETWORK
    dialog.network_page.select("meta")
    click(qtbot, dialog.next_button)
    assert dialog.step is Step.APP and dialog.back_button.isVisible()  # Meta's own steps, Back to the choice
    dialog.network_page.select("google")
    click(qtbot, dialog.back_button)
    click(qtbot, dialog.next_button)
    assert dialog.step is Step.GOOGLE and dialog.google_page.client_secret_edit is not None
    assert dialog.google_page.client_secret_edit.echoMode() == dialog.google_page.client_secret_edit.EchoMode.Password
    assert "grants the Business Profile API on request" in " ".join(
        w.text() for w in dialog.google_page.findChildren(type(dialog.error.label))
    )
    dialog.reject()


def test_connecting_x_in_the_sandbox_ends_with_the_account_listed_with_its_icon(
    qtbot: Any, tab: AccountsTab, ctx: Context, browser: Callable[[str], None]
) -> None:
    opened: list[str] = []

    def open_url(url: str) -> None:
        opened.append(url)
        browser(url)

    dialog, page = _x_page(qtbot, tab, open_url)
    assert page.client_id_edit.text() == "sandbox-x-client"  # prefilled in sandbox mode: click straight through
    assert page.callback_edit is not None and page.callback_edit.text() == "http://127.0.0.1:8719/callback"
    assert page.copy_button is not None
    click(qtbot, page.copy_button)
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None and clipboard.text() == "http://127.0.0.1:8719/callback"
    with qtbot.waitSignal(dialog.connected, timeout=20_000) as connected:
        click(qtbot, dialog.next_button)
    assert opened and "/i/oauth2/authorize?" in opened[0] and "code_challenge_method=S256" in opened[0]
    assert [a.external_id for a in connected.args[0]] == [X_USER]
    qtbot.waitUntil(lambda: page.state == "done")
    assert "✓ Connected @sandboxcafe" in page.result_title.text() and page.error.text() == ""
    assert dialog.next_button.text() == "&Done"
    click(qtbot, dialog.next_button)
    assert not dialog.isVisible()
    saved = ctx.repo.accounts()
    assert [(a.platform, a.external_id, a.username) for a in saved] == [("x", X_USER, "sandboxcafe")]
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    row = tab.model.index(0, AccountColumn.ACCOUNT)
    assert row.data() == "@sandboxcafe"
    assert row.data(Qt.ItemDataRole.DecorationRole).pixmap(16, 16).toImage().cacheKey() == _icon_key("x")
    assert tab.model.index(0, AccountColumn.KIND).data() == "X account"


def test_cancelling_the_wait_saves_nothing(qtbot: Any, tab: AccountsTab, ctx: Context) -> None:
    opened: list[str] = []
    dialog, page = _x_page(qtbot, tab, opened.append)  # the owner never finishes in the browser
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: page.state == "waiting")
    assert page.waiting.isVisible() and page.waiting_label.text().startswith("Waiting for X…")
    assert dialog.busy and not dialog.next_button.isEnabled() and len(opened) == 1
    click(qtbot, page.cancel_button)
    qtbot.waitUntil(lambda: page.state == "failed", timeout=10_000)
    assert page.error.text() == "Connecting was cancelled: nothing was saved."
    assert not page.waiting.isVisible() and dialog.next_button.isEnabled()
    assert ctx.repo.accounts() == []
    assert ctx.tokens.get(f"account:x:{X_USER}") is None


def test_a_refused_sign_in_says_so_in_words_and_saves_nothing(
    qtbot: Any, tab: AccountsTab, ctx: Context, sandbox: Any, browser: Callable[[str], None]
) -> None:
    sandbox.inject_fault(kind="error", match="x_token", http_status=400, message="Value passed for the code is invalid")
    dialog, page = _x_page(qtbot, tab, browser)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: page.state == "failed", timeout=20_000)
    message = page.error.text()
    assert message and "\n" not in message and "Traceback" not in message
    assert "X" in message
    assert ctx.repo.accounts() == []
    # Signing in again works: the page stays usable.
    with qtbot.waitSignal(dialog.connected, timeout=20_000):
        click(qtbot, dialog.next_button)
    assert [a.platform for a in ctx.repo.accounts()] == ["x"]


def test_connecting_google_keeps_only_the_ticked_locations(
    qtbot: Any, tab: AccountsTab, ctx: Context, browser: Callable[[str], None]
) -> None:
    from autoposter_gui.sandbox.google_api import CLIENT_ID, CLIENT_SECRET, LOCATIONS

    dialog = tab.choose_and_connect()
    dialog.network_page.select("google")
    click(qtbot, dialog.next_button)
    page = dialog.google_page
    assert dialog.step is Step.GOOGLE and dialog.next_button.text() == "&Sign in with Google…"
    assert page.client_secret_edit is not None and page.callback_edit is None  # Google takes any free port
    assert (page.client_id_edit.text(), page.client_secret_edit.text()) == (CLIENT_ID, CLIENT_SECRET)  # sandbox
    assert page.client_secret_edit.echoMode() == page.client_secret_edit.EchoMode.Password
    page.open_url = browser
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: page.state == "choose", timeout=20_000)
    assert [box.text() for box in page.boxes] == list(LOCATIONS.values())
    assert all(box.isChecked() for box in page.boxes)  # all ticked; the owner unticks one
    assert dialog.next_button.text() == "&Connect 2 locations"
    assert ctx.repo.accounts() == []  # nothing saved before the owner chose
    page.boxes[1].setChecked(False)
    assert dialog.next_button.text() == "&Connect 1 location"
    with qtbot.waitSignal(dialog.connected, timeout=20_000):
        click(qtbot, dialog.next_button)
    kept, dropped = list(LOCATIONS)
    assert [(a.platform, a.external_id) for a in ctx.repo.accounts()] == [("google", kept)]
    assert ctx.tokens.get(f"account:google:{kept}") and ctx.tokens.get(f"account:google:{dropped}") is None
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    row = tab.model.index(0, AccountColumn.ACCOUNT)
    assert row.data() == LOCATIONS[kept]
    assert row.data(Qt.ItemDataRole.DecorationRole).pixmap(16, 16).toImage().cacheKey() == _icon_key("google")


def test_closing_at_the_checklist_forgets_what_was_found(
    qtbot: Any, tab: AccountsTab, ctx: Context, controller: AppController, browser: Callable[[str], None]
) -> None:
    from autoposter_gui.sandbox.google_api import LOCATIONS

    dialog = tab.open_connect_dialog(network="google")
    assert dialog.step is Step.GOOGLE and not dialog.back_button.isVisible()  # straight there (Reconnect)
    page = dialog.google_page
    page.open_url = browser
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: page.state == "choose", timeout=20_000)
    assert all(ctx.tokens.get(f"account:google:{lid}") for lid in LOCATIONS)  # held while the owner chooses
    dialog.reject()
    qtbot.waitUntil(lambda: not controller.tasks.busy)
    assert ctx.repo.accounts() == []
    assert all(ctx.tokens.get(f"account:google:{lid}") is None for lid in LOCATIONS)


def test_each_network_has_its_own_painted_icon(qtbot: Any) -> None:
    images = {p: icons.platform_icon(p).pixmap(32, 32).toImage() for p in ("facebook", "instagram", "x", "google")}
    assert all(not image.isNull() for image in images.values())
    shown = list(images.values())
    assert all(shown[i] != shown[j] for i in range(4) for j in range(i + 1, 4))  # four different marks
    # X's mark is black and white; Google's tile is blue.
    assert images["x"].pixelColor(16, 4).name() == "#000000"
    assert images["google"].pixelColor(4, 16).name() == icons.BLUE


def test_an_empty_client_secret_is_refused_in_words_before_any_sign_in(
    qtbot: Any, tab: AccountsTab, ctx: Context, sandbox: Any
) -> None:
    opened: list[str] = []
    dialog = tab.open_connect_dialog(network="google")
    page = dialog.google_page
    page.open_url = opened.append
    assert page.client_secret_edit is not None
    page.client_secret_edit.clear()
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: page.state == "failed")
    assert page.error.text() == ("The client secret is empty: copy it from your Google Business Profile app's settings")
    assert opened == [] and ctx.repo.accounts() == []
    page.client_secret_edit.setText("x")  # typing clears the message
    assert page.error.text() == "" and dialog.next_button.isEnabled()
