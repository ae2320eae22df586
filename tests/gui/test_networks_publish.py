"""The GUI publishes X and Google Business Profile posts too: connected against the sandbox, scheduled from the
Composer (an X post; a Google post with a photo and a button), published by the runner's tick, and listed in the
Queue as posted with their links and their networks' icons."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt

from autoposter_gui.domain.models import MediaKind, MediaRef
from autoposter_gui.engine.browser_connect import BrowserConnect
from autoposter_gui.engine.context import Context
from autoposter_gui.sandbox.google_api import CLIENT_ID, CLIENT_SECRET
from autoposter_gui.sandbox.x_state import X_CLIENT_ID, X_USER_ID, X_USERNAME
from autoposter_gui.storage.models import Account
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.composer_tab import ComposerTab


def _sign_in(ctx: Context, key: str, **creds: str) -> list[Account]:
    """The owner's browser sign-in, as connect-x / connect-google does it (the fake's page approves at once)."""
    connect = BrowserConnect(ctx, key, port=0, **creds)
    try:
        browser = threading.Thread(target=requests.get, args=(connect.url,), kwargs={"timeout": 20})
        browser.start()
        accounts = connect.wait(timeout=20)
        browser.join()
        return accounts
    finally:
        connect.close()


@pytest.fixture
def networks(ctx: Context, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Account, Account]:
    """The sandbox's X account and its first Google location, connected: (x, google)."""
    monkeypatch.setenv("AUTOPOSTER_X_URL", sandbox.url)
    monkeypatch.setenv("AUTOPOSTER_GOOGLE_URL", sandbox.url)
    (x,) = _sign_in(ctx, "x", client_id=X_CLIENT_ID)
    google = sorted(_sign_in(ctx, "google", client_id=CLIENT_ID, client_secret=CLIENT_SECRET), key=lambda a: a.id)
    return x, google[0]


def _icon_key(platform: str) -> int:
    return icons.platform_icon(platform).pixmap(16, 16).toImage().cacheKey()


def test_x_and_google_posts_from_the_composer_go_out_with_links_in_the_queue(
    qtbot: Any,
    composer: ComposerTab,
    ctx: Context,
    networks: tuple[Account, Account],
    image: str,
    sandbox: Any,
    real_scheduler: Any,
) -> None:
    from autoposter_gui.ui.queue_model import QueueColumn, QueueTableModel

    x, google = networks
    assert x.external_id == X_USER_ID
    composer.reload_accounts()
    when = ctx.clock.now() + timedelta(hours=3)
    composer.set_selected_accounts([x.id])
    composer.text_edit.setPlainText("Cinnamon buns at 10")
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(when)))
    ids = composer.schedule()
    assert len(ids) == 1, composer.errors()
    composer.set_selected_accounts([google.id])
    assert composer.google.isVisible()
    composer.text_edit.setPlainText("Order your Christmas stollen")
    composer.image_box.set_media([MediaRef(image, MediaKind.IMAGE)])
    fields = composer.google
    fields.button_combo.setCurrentIndex(fields.button_combo.findData("ORDER"))
    qtbot.keyClicks(fields.button_url, "https://bakery.example/stollen")
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(when)))
    ids += composer.schedule()
    assert len(ids) == 2, composer.errors()

    # Three hours later (the X access token has expired meanwhile: the tick renews it), the scheduler's tick.
    ctx.clock.advance(timedelta(hours=3, minutes=1))  # type: ignore[attr-defined]
    real_scheduler.run_now()
    qtbot.waitUntil(lambda: all((ctx.repo.item(i) or Any).status == "posted" for i in ids), timeout=30_000)

    tweets = requests.get(f"{sandbox.url}/_sandbox/x/state", timeout=10).json()["tweets"]
    assert [t["text"] for t in tweets] == ["Cinnamon buns at 10"]
    (made,) = requests.get(f"{sandbox.url}/_sandbox/google", timeout=10).json()["posts"]
    assert made["callToAction"] == {"actionType": "ORDER", "url": "https://bakery.example/stollen"}
    assert len(made["media"]) == 1

    model = QueueTableModel(lambda: ctx.reads, ctx.clock.now)
    model.reload()
    links = {
        ids[0]: f"https://x.com/{X_USERNAME}/status/{tweets[0]['id']}",
        ids[1]: made["searchUrl"],
    }
    for item_id, platform in zip(ids, ("x", "google"), strict=True):
        item = ctx.repo.item(item_id)
        assert item is not None and item.status == "posted" and item.permalink == links[item_id]
        row = model.row_of(item_id)
        assert row is not None
        status = model.index(row, QueueColumn.STATUS)
        assert status.data(Qt.ItemDataRole.ToolTipRole) == f"Published: {links[item_id]}"
        decoration = model.index(row, QueueColumn.ACCOUNT).data(Qt.ItemDataRole.DecorationRole)
        assert decoration.pixmap(16, 16).toImage().cacheKey() == _icon_key(platform)


def test_x_and_google_tokens_renew_themselves_in_the_accounts_tab(
    ctx: Context, networks: tuple[Account, Account]
) -> None:
    from autoposter_gui.engine.health import TokenHealthService
    from autoposter_gui.ui.accounts_model import AccountColumn, AccountsTableModel

    results = TokenHealthService(ctx).check_all()
    assert {(h.label, h.status.value) for h in results} >= {(f"X account @{X_USERNAME}", "connected")}
    model = AccountsTableModel(ctx.reads.accounts, ctx.clock.now)
    model.reload()
    shown = {
        model.index(r, AccountColumn.KIND).data(): model.index(r, AccountColumn.EXPIRES).data()
        for r in range(model.rowCount())
    }
    assert shown == {"X account": "Renews itself", "Google Business Profile location": "Renews itself"}, shown
