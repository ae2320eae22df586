"""The Composer with X and Google Business Profile accounts: per-network counts and limits, the Google post fields
(type, button, event, offer) saved as the post's options, and the X and Google preview cards."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from autoposter_gui.domain.models import DiscoveredAccount, MediaKind, MediaRef, Platform
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest
from autoposter_gui.ui import fmt
from autoposter_gui.ui.composer_google import in_composer_words
from autoposter_gui.ui.composer_planning import MIXED_GOOGLE
from autoposter_gui.ui.composer_preview_cards import event_dates, x_html, x_link
from autoposter_gui.ui.composer_tab import ComposerTab
from tests.gui.helpers import BAKERY_PAGE, account_id

X_ID, GOOGLE_ID = "1460000000000000001", "4455667788990011"


@pytest.fixture
def networks(ctx: Context, composer: ComposerTab) -> tuple[int, int]:
    """An X account and a Google location next to the sandbox's Meta accounts: (x id, google id)."""
    now = ctx.clock.now()
    x = ctx.repo.upsert_account(
        DiscoveredAccount(Platform.X, X_ID, "Sandbox Bakery", "tok", username="sandboxbakery"), None, now
    )
    google = ctx.repo.upsert_account(
        DiscoveredAccount(Platform.GOOGLE, GOOGLE_ID, "Sandbox Bakery, Main St", "tok", "accounts/77"), None, now
    )
    composer.reload_accounts()
    return x.id, google.id


def _later(composer: ComposerTab, ctx: Context) -> None:
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now() + timedelta(hours=3))))


def _jpeg(tmp: Path, name: str) -> str:
    path = tmp / name
    Image.new("RGB", (1200, 900), (230, 190, 140)).save(path, "JPEG")
    return str(path)


def test_the_google_fields_show_only_while_a_google_location_is_ticked(
    composer: ComposerTab, ctx: Context, networks: tuple[int, int]
) -> None:
    x, google = networks
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), x])
    assert not composer.google.isVisible()
    composer.set_selected_accounts([x, google])
    assert composer.google.isVisible()
    fields = composer.google
    assert fields.visible_keys() == ["google_type", "button"]  # standard, no button: nothing more to fill
    fields.type_combo.setCurrentIndex(fields.type_combo.findData("event"))
    assert fields.visible_keys() == ["google_type", "button", "event_title", "event_start", "event_end"]
    assert fields.event_title.isVisible() and not fields.offer_code.isVisible()
    fields.type_combo.setCurrentIndex(fields.type_combo.findData("offer"))
    assert not fields.button_combo.isVisible() and fields.offer_code.isVisible() and fields.offer_url.isVisible()
    composer.set_selected_accounts([x])
    assert not composer.google.isVisible()


def test_call_hides_the_button_link_and_none_sends_no_options(composer: ComposerTab, networks: tuple[int, int]) -> None:
    _, google = networks
    composer.set_selected_accounts([google])
    fields = composer.google
    assert fields.flags() == {}  # a standard post without a button: Google's default, nothing to send
    fields.button_combo.setCurrentIndex(fields.button_combo.findData("BOOK"))
    assert fields.button_url.isVisible()
    fields.button_combo.setCurrentIndex(fields.button_combo.findData("CALL"))
    assert not fields.button_url.isVisible() and fields.call_note.isVisible()
    fields.button_url.setText("https://left.over/from/book")  # hidden: not sent
    assert fields.flags() == {"button": "CALL"}
    fields.button_combo.setCurrentIndex(fields.button_combo.findData(""))
    assert not fields.button_url.isVisible() and fields.flags() == {}


def test_an_event_without_a_title_is_refused_inline_and_nothing_is_written(
    qtbot: Any, composer: ComposerTab, ctx: Context, networks: tuple[int, int]
) -> None:
    _, google = networks
    composer.set_selected_accounts([google])
    composer.text_edit.setPlainText("Tasting night at the bakery")
    _later(composer, ctx)
    fields = composer.google
    fields.type_combo.setCurrentIndex(fields.type_combo.findData("event"))
    fields.event_end.setDateTime(fields.event_start.dateTime().addSecs(-3600))  # and it ends before it starts
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    errors = composer.errors()
    assert errors["event_title"] == "An event needs its title, start and end: add “Title”"
    assert errors["event_end"].startswith("“Ends” (") and "must be after “Starts”" in errors["event_end"]
    assert "--" not in "".join(errors.values())  # the Composer's words, not the CLI's flags
    assert fields.errors["event_title"].isVisible()  # next to its field
    assert ctx.repo.count_items() == 0
    fields.event_title.setText("Tasting night")
    fields.event_end.setDateTime(fields.event_start.dateTime().addSecs(3 * 3600))
    [item_id] = composer.schedule()
    options = ctx.repo.item(item_id).meta["options"]  # type: ignore[union-attr]
    assert options["google_type"] == "event" and options["event_title"] == "Tasting night"


def test_a_valid_offer_saves_the_options_it_shows(
    composer: ComposerTab, ctx: Context, networks: tuple[int, int]
) -> None:
    _, google = networks
    composer.set_selected_accounts([google])
    composer.text_edit.setPlainText("10% off every loaf this weekend")
    _later(composer, ctx)
    fields = composer.google
    fields.type_combo.setCurrentIndex(fields.type_combo.findData("offer"))
    fields.event_title.setText("Weekend loaves")
    fields.event_start.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now()).replace(hour=8, minute=0)))
    fields.event_end.setDateTime(fields.event_start.dateTime().addDays(2))
    fields.offer_code.setText("BREAD10")
    fields.offer_terms.setText("One per customer")
    fields.offer_url.setText("https://bakery.example/offer")
    start, end = fields.flags()["event_start"], fields.flags()["event_end"]
    [item_id] = composer.schedule()
    item = ctx.repo.item(item_id)
    assert item is not None and item.platform == "google"
    assert item.meta["options"] == {
        "google_type": "offer",
        "button": None,
        "button_url": None,
        "event_title": "Weekend loaves",
        "event_start": start,
        "event_end": end,
        "offer_code": "BREAD10",
        "offer_terms": "One per customer",
        "offer_url": "https://bakery.example/offer",
    }
    assert start is not None and len(start) == 16 and start.endswith("T08:00")  # local wall time, no offset


def test_google_options_with_other_networks_go_to_the_google_item_only(
    composer: ComposerTab, ctx: Context, networks: tuple[int, int]
) -> None:
    x, google = networks
    composer.set_selected_accounts([x, google])
    composer.text_edit.setPlainText("Fresh bread, book a table")
    _later(composer, ctx)
    fields = composer.google
    fields.button_combo.setCurrentIndex(fields.button_combo.findData("BOOK"))
    fields.button_url.setText("https://bakery.example/book")
    ids = composer.schedule()
    items = {i.platform: i for i in (ctx.repo.item(n) for n in ids) if i is not None}
    assert set(items) == {"x", "google"}
    assert items["google"].meta["options"]["button"] == "BOOK"
    assert items["x"].meta == {}


def test_edit_and_duplicate_of_a_google_post_restore_its_options(
    composer: ComposerTab, ctx: Context, networks: tuple[int, int]
) -> None:
    _, google = networks
    flags = {"google_type": "event", "event_title": "Tasting", "event_start": "2026-12-05T18:00"}
    flags |= {"event_end": "2026-12-05T20:30", "button": "LEARN_MORE", "button_url": "https://bakery.example"}
    when = ctx.clock.now() + timedelta(hours=3)
    [item] = composer.controller.posts.create(PostRequest([google], "Come taste", when=when, options=flags))
    for edit in (True, False):
        assert composer.edit_item(item.id) if edit else composer.duplicate_item(item.id)
        fields = composer.google
        assert fields.isVisible() and fields.type_combo.currentData() == "event"
        assert fields.flags() == flags
        assert fields.event_title.isEnabled() is not edit  # an edit keeps them as queued
        composer.clear()


def test_the_counter_counts_each_network_against_its_own_limit(
    composer: ComposerTab, ctx: Context, networks: tuple[int, int]
) -> None:
    x, google = networks
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), x, google])
    text = "Fresh loaves https://bakery.com/a/very/long/path/to/the/spring/menu"  # a real TLD: X links it
    composer.text_edit.setPlainText(text)
    assert composer.counter_text() == (
        f"Facebook {len(text)} / 63,206 · X {13 + 23} / 280 · Google {len(text)} / 1,500 characters"
    )
    composer.text_edit.setPlainText("麵包" * 141)  # 282 characters as X counts them: over X's limit only
    assert "X 564 / 280" in composer.counter_text()
    assert composer.caption.counter.styleSheet().endswith("#d93025;")  # red


def test_media_limits_and_fields_follow_the_ticked_networks(
    composer: ComposerTab, ctx: Context, networks: tuple[int, int], tmp_path: Path
) -> None:
    x, google = networks
    composer.set_selected_accounts([x, google])
    box = composer.image_box
    assert box.limits.text() == "Per post: X up to 4 images or 1 video; Google 1 photo, no video."
    assert not composer.link_edit.isEnabled() and not composer.comment_edit.isEnabled()
    assert "put the link in the text" in composer.extras.link_error.text()
    assert composer.extras.comment_error.text().startswith("X and Google posts can't have a first comment")
    assert composer.errors() == {}  # reasons, not problems
    composer.image_box.set_media([MediaRef(_jpeg(tmp_path, f"{n}.jpg")) for n in range(5)])
    assert "X takes at most 4 images in a post, not 5" in box.limits.text()
    assert "takes one photo; this one has 5" in box.limits.text()
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE)])
    assert box.limits.text() == "" and composer.link_edit.isEnabled() and composer.comment_edit.isEnabled()


def test_the_x_and_google_previews_show_the_post(
    composer: ComposerTab, ctx: Context, networks: tuple[int, int], tmp_path: Path
) -> None:
    x, google = networks
    composer.set_selected_accounts([x, google])
    composer.text_edit.setPlainText("Spring menu: https://www.bakery.example/menus/spring-2027-full-list")
    composer.image_box.set_media([MediaRef(_jpeg(tmp_path, f"{n}.jpg")) for n in range(3)])
    fields = composer.google
    fields.type_combo.setCurrentIndex(fields.type_combo.findData("event"))
    fields.event_title.setText("Spring tasting")
    fields.button_combo.setCurrentIndex(fields.button_combo.findData("SIGN_UP"))
    preview = composer.preview
    assert preview.x_card.isVisible() and preview.google_card.isVisible()
    assert not preview.facebook.isVisible() and not preview.instagram.isVisible()
    x_card, g_card = preview.x_card, preview.google_card
    assert "@sandboxbakery" in x_card.name.text() and "Sandbox Bakery" in x_card.name.text()
    assert "bakery.example/menus/s…" in x_card.text.text() and "https://" not in x_card.text.text()
    assert len(x_card.media.cells) == 3 and x_card.media.isVisible()
    assert "Sandbox Bakery, Main St" in g_card.name.text()
    assert "Spring tasting" in g_card.title.text() and "–" in g_card.title.text()
    assert g_card.pill.text() == "Sign up" and g_card.pill.isVisible()
    assert g_card.media.isVisible() and len(g_card.media.images) == 1  # Google shows one photo
    fields.type_combo.setCurrentIndex(fields.type_combo.findData("offer"))
    fields.offer_code.setText("SPRING5")
    assert "SPRING5" in g_card.code.text() and not g_card.pill.isVisible()  # no redeem link: no pill
    composer.image_box.set_media([MediaRef(_jpeg(tmp_path, "v.jpg"), kind=MediaKind.IMAGE)])
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE)])
    assert not preview.x_card.isVisible() and not preview.google_card.isVisible()


def test_preview_and_message_helpers() -> None:
    assert x_link("https://www.example.com/a") == "example.com/a"
    assert x_link("http://example.com/" + "p" * 40) == "example.com/" + "p" * 10 + "…"
    assert x_html("a <b> http://x.example") == "a &lt;b&gt; <span style='color:#1d9bf0'>x.example</span>"
    assert event_dates("2026-12-05T18:00", None).startswith("Sat, Dec 5, ")
    assert event_dates(None, None) == ""
    assert in_composer_words("--button-url goes with --button; add one, e.g. --button LEARN_MORE") == (
        "“Button link” goes with “Button”; add one, e.g. “Button” Learn more"
    )


def test_the_google_fields_fit_a_small_window(qtbot: Any, window: Any, ctx: Context, connected: Any) -> None:
    from tests.gui.test_composer_small import _readable, _small

    now = ctx.clock.now()
    found = DiscoveredAccount(Platform.GOOGLE, GOOGLE_ID, "Sandbox Bakery, Main St", "tok", "accounts/77")
    google = ctx.repo.upsert_account(found, None, now).id
    x = ctx.repo.upsert_account(
        DiscoveredAccount(Platform.X, X_ID, "Sandbox Bakery", "tok", username="sandboxbakery"), None, now
    ).id
    _small(qtbot, window)
    composer = window.composer
    composer.reload_accounts()
    composer.set_selected_accounts([x, google])
    composer.text_edit.setPlainText("Tasting night")
    _later(composer, ctx)
    fields = composer.google
    fields.type_combo.setCurrentIndex(fields.type_combo.findData("offer"))
    composer.schedule()
    qtbot.wait(50)
    assert "event_title" in composer.errors()
    message = fields.errors["event_title"]
    qtbot.waitUntil(lambda: _readable(message, window, scroll_to=False), timeout=2000)  # scrolled to at once
    viewport = composer.body_scroll.viewport()
    title = fields.event_title.mapTo(viewport, fields.event_title.rect().topLeft())
    assert viewport.rect().contains(title)  # and its field with it
    assert composer.body_scroll.horizontalScrollBar().maximum() == 0  # nothing cut at the side
    assert window.composer.when_edit.isVisible() and composer.schedule_button.isVisible()


def test_the_planner_says_google_options_go_with_google_locations_alone(
    composer: ComposerTab, ctx: Context, networks: tuple[int, int]
) -> None:
    x, google = networks
    composer.set_selected_accounts([x, google])
    composer.text_edit.setPlainText("Book a table")
    fields = composer.google
    fields.button_combo.setCurrentIndex(fields.button_combo.findData("BOOK"))
    fields.button_url.setText("https://bakery.example/book")
    assert composer.add_to_queue() == []
    assert composer.errors() == {"form": MIXED_GOOGLE} and ctx.repo.count_items() == 0
    from autoposter_gui.engine.planner import PlannerService

    PlannerService(ctx, composer.controller.posts).set_slots(GOOGLE_ID, ["mon 09:30", "fri 18:15"])
    composer.set_selected_accounts([google])  # alone: the planner takes them
    ids = composer.add_to_queue()
    assert len(ids) == 1, composer.errors()
    [item] = ctx.repo.items()
    assert item.meta["options"]["button"] == "BOOK"


def test_google_options_alone_are_unsaved_work(composer: ComposerTab, networks: tuple[int, int]) -> None:
    _, google = networks
    composer.set_selected_accounts([google])
    assert not composer.is_dirty()
    composer.google.event_title.setText("Tasting")  # hidden for a standard post: nothing given yet
    assert not composer.is_dirty()
    composer.google.type_combo.setCurrentIndex(composer.google.type_combo.findData("event"))
    assert composer.is_dirty()
