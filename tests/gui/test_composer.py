"""The Composer tab, driven through its widgets: counter, validation (nothing written on error), saving, editing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.ui import fmt
from autoposter_gui.ui.composer_tab import ComposerTab
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.main_window import MainWindow
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, FakeScheduler, account_id, make_post


def _pick(composer: ComposerTab, ctx: Context, *externals: str) -> None:
    composer.set_selected_accounts([account_id(ctx, e) for e in externals])


def _set_when(composer: ComposerTab, ctx: Context, delta: timedelta) -> None:
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now() + delta)))


def test_one_checkbox_per_connected_account_first_page_ticked(composer: ComposerTab, ctx: Context) -> None:
    labels = sorted(box.text() for box in composer._checks.values())
    assert labels == ["@sandbox.bakery", "Sandbox Bakery", "Sandbox Cafe (can't post)"]
    assert composer.selected_account_ids() == [account_id(ctx, BAKERY_PAGE)]
    assert composer.no_accounts.isHidden()


def test_counter_knows_instagram_limits(qtbot: Any, composer: ComposerTab, ctx: Context) -> None:
    qtbot.keyClicks(composer.text_edit, "Fresh bread #bakery")
    assert composer.counter_text() == "19 / 63,206 characters"
    _pick(composer, ctx, BAKERY_PAGE, BAKERY_IG)
    assert composer.counter_text() == "19 / 2,200 characters · 1 / 30 hashtags · 0 / 20 @-mentions"
    composer.text_edit.setPlainText("x" * 2201)
    assert "2,201 / 2,200" in composer.counter_text()
    assert "Instagram captions allow at most 2,200 characters" in composer.errors()["text"]
    composer.text_edit.setPlainText(" ".join(f"#tag{i}" for i in range(31)))
    assert "31 / 30 hashtags" in composer.counter_text()
    assert "at most 30 hashtags" in composer.errors()["text"]
    composer.text_edit.setPlainText("fine again")
    assert "text" not in composer.errors()


def test_instagram_without_image_is_refused_and_nothing_is_written(
    qtbot: Any, composer: ComposerTab, ctx: Context
) -> None:
    _pick(composer, ctx, BAKERY_PAGE, BAKERY_IG)
    assert composer.image_error.text() == "Instagram posts need an image."  # a live hint first
    qtbot.keyClicks(composer.text_edit, "Croissants are out of the oven")
    _set_when(composer, ctx, timedelta(hours=2))
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert "Instagram posts need an image" in composer.errors()["image"]
    assert ctx.repo.count_items() == 0
    assert composer.text_edit.toPlainText() == "Croissants are out of the oven"  # kept for fixing


def test_past_time_is_refused_for_schedule(qtbot: Any, composer: ComposerTab, ctx: Context) -> None:
    qtbot.keyClicks(composer.text_edit, "Yesterday's news")
    _set_when(composer, ctx, -timedelta(days=1))
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert "in the past" in composer.errors()["when"]
    assert ctx.repo.count_items() == 0


def test_empty_text_and_no_account_are_refused(qtbot: Any, composer: ComposerTab, ctx: Context) -> None:
    _set_when(composer, ctx, timedelta(hours=1))
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert "empty" in composer.errors()["text"]
    composer.set_selected_accounts([])
    composer.text_edit.setPlainText("Something")
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert composer.errors()["accounts"] == "Choose at least one account to post to"
    assert ctx.repo.count_items() == 0


def test_a_photo_without_a_caption_is_scheduled(
    qtbot: Any, composer: ComposerTab, ctx: Context, tmp_path: Path
) -> None:
    image = tmp_path / "photo.jpg"
    Image.new("RGB", (1080, 1080), "orange").save(image, "JPEG")
    _pick(composer, ctx, BAKERY_PAGE, BAKERY_IG)
    composer.set_image(str(image))
    composer.text_edit.setPlainText(" \u200b")  # renders blank: no caption
    _set_when(composer, ctx, timedelta(hours=1))
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert composer.errors() == {}
    items = ctx.repo.items()
    assert len(items) == 2 and {i.text for i in items} == {""} and all(i.image_path for i in items)
    composer.set_image(None)
    _pick(composer, ctx, BAKERY_PAGE)
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)  # no image: text is required again
    assert "empty" in composer.errors()["text"] and ctx.repo.count_items() == 2


def test_bad_image_file_is_refused(qtbot: Any, composer: ComposerTab, ctx: Context, tmp_path: Any) -> None:
    bogus = tmp_path / "not-a-picture.jpg"
    bogus.write_text("hello")
    composer.set_image(str(bogus))
    composer.text_edit.setPlainText("With a broken image")
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert "image" in composer.errors()["image"].lower()
    assert ctx.repo.count_items() == 0


def test_dst_gap_is_refused(qtbot: Any, composer: ComposerTab, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    from datetime import datetime

    composer.text_edit.setPlainText("At a time that never happens")
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(datetime(2027, 3, 28, 2, 30)))
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in composer.errors()["when"]
    assert ctx.repo.count_items() == 0


def test_schedule_creates_one_item_per_account_and_clears(
    qtbot: Any, composer: ComposerTab, ctx: Context, image: str
) -> None:
    _pick(composer, ctx, BAKERY_PAGE, BAKERY_IG)
    qtbot.keyClicks(composer.text_edit, "Weekend special #bakery")
    composer.set_image(image)
    assert "croissant.jpg · 1080×1080" in composer.image_name.text()
    assert not composer.thumb.pixmap().isNull()
    _set_when(composer, ctx, timedelta(hours=3))
    with qtbot.waitSignal(composer.saved) as saved:
        qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    ids = saved.args[0]
    assert len(ids) == 2
    items = [ctx.repo.item(i) for i in ids]
    assert {i.platform for i in items if i} == {"facebook", "instagram"}
    assert all(i is not None and i.status == ItemStatus.SCHEDULED.value for i in items)
    assert all(i is not None and i.scheduled_at == ctx.clock.now() + timedelta(hours=3) for i in items)
    assert composer.text_edit.toPlainText() == ""
    assert composer.image_path is None
    assert composer.errors() == {}


def test_save_draft_and_publish_now(
    qtbot: Any, composer: ComposerTab, ctx: Context, controller: AppController, fake_scheduler: FakeScheduler
) -> None:
    composer.text_edit.setPlainText("A draft for later")
    qtbot.mouseClick(composer.draft_button, Qt.MouseButton.LeftButton)
    composer.text_edit.setPlainText("Right now")
    qtbot.mouseClick(composer.now_button, Qt.MouseButton.LeftButton)
    draft, now_item = ctx.repo.items()
    assert draft.status == ItemStatus.DRAFT.value
    assert now_item.status == ItemStatus.SCHEDULED.value and now_item.scheduled_at == ctx.clock.now()
    assert fake_scheduler.run_now_calls == 1  # the runner thread publishes it, not the GUI thread


def test_keyboard_shortcut_schedules(qtbot: Any, composer: ComposerTab, ctx: Context) -> None:
    composer.text_edit.setPlainText("Via the keyboard")
    _set_when(composer, ctx, timedelta(hours=1))
    composer.text_edit.setFocus()
    with qtbot.waitSignal(composer.saved):
        qtbot.keyClick(composer.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert ctx.repo.count_items() == 1


def test_edit_from_queue_updates_the_item(
    qtbot: Any, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    item = make_post(ctx, "Typo in here")
    window.queue.model.reload()
    assert window.queue.select_item(item.id)
    qtbot.mouseClick(window.queue.action_buttons["edit"], Qt.MouseButton.LeftButton)
    composer = window.composer
    assert window.current_tab() == "composer"
    assert composer.editing == item.id
    assert composer.text_edit.toPlainText() == "Typo in here"
    assert not composer.banner.isHidden()
    assert all(not box.isEnabled() for box in composer._checks.values())
    composer.text_edit.setPlainText("Fixed text")
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert ctx.repo.count_items() == 1
    updated = ctx.repo.item(item.id)
    assert updated is not None and updated.text == "Fixed text"
    assert window.current_tab() == "queue"
    assert composer.editing is None


def test_editing_a_post_keeps_its_stored_image_without_copying_it(
    qtbot: Any, window: MainWindow, ctx: Context, connected: list[Account], tmp_path: Path
) -> None:
    wide = tmp_path / "photo.png"
    Image.new("RGB", (2000, 800), (200, 30, 30)).save(wide)
    item = make_post(ctx, "Padded", accounts=[BAKERY_IG], image_path=str(wide), fit="pad")
    wide.unlink()  # the original is gone: the post (and its editor) use the stored, padded copy
    stored = sorted(ctx.config.media_dir.iterdir())
    assert item.image_path is not None and [Path(item.image_path)] == stored
    assert window.composer.edit_item(item.id)
    composer = window.composer
    assert composer.image_path == item.image_path and "image" not in composer.errors()
    assert composer.image_name.text().startswith("The image as queued ·")  # not the copy's hash name
    assert composer.fit_panel.isHidden()  # the stored copy already has a ratio Instagram accepts
    composer.text_edit.setPlainText("Padded, and fixed")
    with qtbot.waitSignal(composer.saved):
        qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    updated = ctx.repo.item(item.id)
    assert updated is not None and updated.text == "Padded, and fixed" and updated.image_path == item.image_path
    assert sorted(ctx.config.media_dir.iterdir()) == stored  # no second copy


def test_editing_stops_when_the_post_starts_publishing(
    qtbot: Any, window: MainWindow, ctx: Context, connected: list[Account]
) -> None:
    item = make_post(ctx, "About to go out", minutes=0)
    assert window.composer.edit_item(item.id)
    assert ctx.repo.claim(item.id, ctx.clock.now())  # the runner takes it
    ctx.events.emit("item_changed", item.id)
    assert "can no longer be changed" in window.composer.errors()["form"]
    assert not window.composer.schedule_button.isEnabled()


def test_no_accounts_offers_to_connect(qtbot: Any, controller: AppController) -> None:
    tab = ComposerTab(controller)
    qtbot.addWidget(tab)
    assert not tab.no_accounts.isHidden()
    with qtbot.waitSignal(tab.connect_requested):
        qtbot.mouseClick(tab.connect_button, Qt.MouseButton.LeftButton)
    tab.text_edit.setPlainText("Nobody to post to")
    tab.schedule()
    assert tab.errors()["accounts"] == "Connect an account first"
