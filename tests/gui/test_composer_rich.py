"""Composer rich posts: the media strip (order, alt text, remove, a video's first frame), first comment, link, and
the live Facebook and Instagram preview cards."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QModelIndex, Qt

from autoposter_gui.domain.models import MediaKind, MediaRef, media_from_json
from autoposter_gui.engine.context import Context
from autoposter_gui.ui import fmt, thumbnails
from autoposter_gui.ui.composer_preview import MORE, instagram_caption, link_domain
from autoposter_gui.ui.composer_tab import ComposerTab
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, account_id
from tests.support.videos import make_video


@pytest.fixture
def photos(tmp_path: Path) -> list[str]:
    paths = []
    for n, colour in enumerate([(200, 40, 40), (40, 200, 40), (40, 40, 200)]):
        path = tmp_path / f"photo{n + 1}.jpg"
        Image.new("RGB", (1080, 1080), colour).save(path, "JPEG")
        paths.append(str(path))
    return paths


def _names(composer: ComposerTab) -> list[str]:
    return [Path(m.path).name for m in composer.image_box.media()]


def _later(composer: ComposerTab, ctx: Context) -> None:
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(ctx.clock.now() + timedelta(hours=2))))


def test_reorder_with_buttons_keys_and_drag(qtbot: Any, composer: ComposerTab, photos: list[str]) -> None:
    strip = composer.media_strip
    composer.image_box.set_media([MediaRef(p) for p in photos])
    assert _names(composer) == ["photo1.jpg", "photo2.jpg", "photo3.jpg"]
    strip.select(0)
    assert not strip.left_button.isEnabled() and strip.right_button.isEnabled()
    qtbot.mouseClick(strip.right_button, Qt.MouseButton.LeftButton)
    assert _names(composer) == ["photo2.jpg", "photo1.jpg", "photo3.jpg"]
    assert strip.selected_index() == 1  # the moved one stays selected, so clicks can move it on
    strip.list.setFocus()
    qtbot.keyClick(strip.list, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert _names(composer) == ["photo2.jpg", "photo3.jpg", "photo1.jpg"]
    qtbot.mouseClick(strip.left_button, Qt.MouseButton.LeftButton)
    assert _names(composer) == ["photo2.jpg", "photo1.jpg", "photo3.jpg"]
    with qtbot.waitSignal(strip.changed):  # a drag moves the row in the list's model
        assert strip.list.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)
    assert _names(composer) == ["photo3.jpg", "photo2.jpg", "photo1.jpg"]
    assert composer.image_path == photos[2]  # image_path: the first image, as stored


def test_remove_with_the_button_and_the_delete_key(qtbot: Any, composer: ComposerTab, photos: list[str]) -> None:
    strip = composer.media_strip
    composer.image_box.set_media([MediaRef(p) for p in photos])
    strip.select(1)
    qtbot.mouseClick(strip.remove_button, Qt.MouseButton.LeftButton)
    assert _names(composer) == ["photo1.jpg", "photo3.jpg"]
    assert strip.selected_index() == 1  # the next one is selected: Delete again goes on removing
    strip.list.setFocus()
    qtbot.keyClick(strip.list, Qt.Key.Key_Delete)
    assert _names(composer) == ["photo1.jpg"]
    qtbot.keyClick(strip.list, Qt.Key.Key_Delete)
    assert composer.image_box.media() == () and composer.image_path is None
    assert not strip.remove_button.isVisible()


def test_eleven_images_keep_ten_and_say_so(composer: ComposerTab, photos: list[str]) -> None:
    composer.media_strip.add_images(photos * 4)
    assert len(composer.image_box.media()) == 10
    assert "at most 10 images" in composer.image_box.notice.text()


def test_alt_text_reaches_the_stored_item(qtbot: Any, composer: ComposerTab, ctx: Context, photos: list[str]) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)])
    composer.text_edit.setPlainText("Three loaves")
    composer.image_box.set_media([MediaRef(p) for p in photos])
    for index, alt in enumerate(["A rye loaf", "", "A spelt loaf"]):
        composer.media_strip.select(index)
        assert composer.image_box.alt_edit.isVisible()
        composer.image_box.alt_edit.clear()
        qtbot.keyClicks(composer.image_box.alt_edit, alt)
    composer.media_strip.select(0)
    assert composer.image_box.alt_edit.text() == "A rye loaf"  # each image keeps its own
    composer.comment_edit.setPlainText("#rye #spelt")
    _later(composer, ctx)
    ids = composer.schedule()
    assert len(ids) == 2, composer.errors()
    for item_id in ids:
        item = ctx.repo.item(item_id)
        assert item is not None
        media = media_from_json(item.media)
        assert [m.alt_text for m in media] == ["A rye loaf", None, "A spelt loaf"]
        assert [m.kind for m in media] == [MediaKind.IMAGE] * 3
        assert item.first_comment == "#rye #spelt"
    assert composer.image_box.media() == () and composer.comment_edit.toPlainText() == ""  # cleared after saving


def test_video_first_frame_and_length_arrive_off_the_gui_thread(
    qtbot: Any, composer: ComposerTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = str(make_video(tmp_path / "reel.mp4", seconds=5.0, color=(30, 90, 220)))
    threads: list[bool] = []
    original = thumbnails.video_preview

    def spy(path: str, max_side: int = 320) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return original(path, max_side)

    monkeypatch.setattr(thumbnails, "video_preview", spy)
    loader = composer.image_box.loader
    with qtbot.waitSignal(loader.loaded, timeout=10_000) as loaded:
        composer.image_box.set_media([MediaRef(video, MediaKind.VIDEO)])
        assert loader.get(video) is None  # not decoded while set_media ran
        assert composer.image_name.text() == "reel.mp4"  # the length comes with the first frame
    assert loaded.args == [video] and threads == [False]
    thumb = loader.get(video)
    assert thumb is not None and thumb.duration == "0:05"
    pixel = thumb.image.pixelColor(thumb.image.width() // 2, 10)
    assert pixel.blue() > 150 > pixel.red()  # the first frame's colour
    assert composer.image_name.text() == "reel.mp4 · 0:05"
    assert not composer.image_box.alt_edit.isVisible()  # alt text is for images
    assert composer.preview.dots_count() == 0 and composer.preview.ig_media.badge == "0:05"


def test_a_video_replaces_images_and_images_replace_a_video(
    composer: ComposerTab, tmp_path: Path, photos: list[str]
) -> None:
    composer.image_box.set_media([MediaRef(p) for p in photos])
    composer.media_strip.set_video(str(tmp_path / "clip.mp4"))
    assert [m.kind for m in composer.image_box.media()] == [MediaKind.VIDEO]
    assert "either images or one video" in composer.image_box.notice.text()
    composer.media_strip.add_images(photos[:2])
    assert [m.kind for m in composer.image_box.media()] == [MediaKind.IMAGE] * 2


def test_instagram_caption_is_cut_after_125_characters() -> None:
    short = "x" * 125
    assert instagram_caption(short) == short
    long = "y" * 124 + " tail of the caption"
    assert instagram_caption(long) == "y" * 124 + MORE
    assert MORE == "… more"


def test_the_preview_cards_follow_the_post(composer: ComposerTab, ctx: Context, photos: list[str]) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_IG)])
    text = "Fresh croissants every morning! " * 6
    composer.text_edit.setPlainText(text)
    preview = composer.preview
    assert preview.instagram_caption_text() == text.strip()[:125].rstrip() + "… more"
    assert preview.ig_caption.text().startswith("<b>sandbox.bakery</b>") and "… more" in preview.ig_caption.text()
    assert preview.instagram.isVisible() and not preview.facebook.isVisible()  # only the ticked network
    composer.image_box.set_media([MediaRef(p) for p in photos])
    assert preview.dots_count() == 3 and preview.dots.text().count("○") == 2
    assert len(preview.fb_media.cells) == 3  # one large photo over two small ones
    composer.media_strip.remove_selected()
    composer.media_strip.remove_selected()
    assert preview.dots_count() == 0 and not preview.dots.isVisible()  # one image: no carousel


def test_a_link_post_shows_a_link_card_and_is_for_facebook_only(composer: ComposerTab, ctx: Context) -> None:
    page, insta = account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)
    composer.set_selected_accounts([page, insta])
    assert not composer.link_edit.isEnabled()  # Instagram ticked: no link
    assert "Facebook posts only" in composer.extras.link_error.text()
    composer.set_selected_accounts([page])
    assert composer.link_edit.isEnabled() and composer.extras.link_error.text() == ""
    composer.text_edit.setPlainText("Our spring menu")
    composer.link_edit.setText("https://www.bakery.example/menu")
    preview = composer.preview
    assert preview.link_card.isVisible() and preview.link_domain.text() == "BAKERY.EXAMPLE"
    assert link_domain("https://shop.example.com/x?y=1") == "SHOP.EXAMPLE.COM"
    composer.set_selected_accounts([page, insta])  # a link typed, then Instagram ticked: the core's refusal, live
    assert composer.link_edit.isEnabled()  # so that it can be removed
    assert "Links are for Facebook only" in composer.extras.link_error.text()
    _later(composer, ctx)
    assert composer.schedule() == []
    assert "Facebook only" in composer.errors()["link"] and ctx.repo.count_items() == 0
    composer.set_selected_accounts([page])
    [item_id] = composer.schedule()
    item = ctx.repo.item(item_id)
    assert item is not None and item.link == "https://www.bakery.example/menu"


def test_duplicate_brings_the_media_comment_and_alt_text_back(
    composer: ComposerTab, ctx: Context, photos: list[str]
) -> None:
    from autoposter_gui.engine.posts import PostRequest

    page = account_id(ctx, BAKERY_PAGE)
    media = (MediaRef(photos[0], MediaKind.IMAGE, "Rye"), MediaRef(photos[1]))
    when = ctx.clock.now() + timedelta(hours=3)
    [item] = composer.controller.posts.create(
        PostRequest([page], "Two loaves", when=when, media=media, first_comment="#bread")
    )
    assert composer.duplicate_item(item.id)
    assert [m.alt_text for m in composer.image_box.media()] == ["Rye", None]
    assert composer.comment_edit.toPlainText() == "#bread" and composer.editing is None
    assert composer.media_strip.add_images_button.isEnabled()
    composer.clear()
    assert composer.edit_item(item.id)  # editing: the engine changes text and time; the media stay as queued
    assert len(composer.image_box.media()) == 2
    assert not composer.media_strip.add_images_button.isEnabled() and composer.comment_edit.isReadOnly()
    assert "Duplicate it to change them" in composer.banner_label.text()
    composer.text_edit.setPlainText("Two loaves, still warm")
    assert composer.schedule() == [item.id]
    stored = ctx.repo.item(item.id)
    assert stored is not None and stored.text == "Two loaves, still warm"
    assert [m.alt_text for m in media_from_json(stored.media)] == ["Rye", None]


def _tab_after(widget: Any) -> Any:
    """The widget Tab moves to from ``widget`` (the next one in the focus chain that takes Tab focus)."""
    nxt = widget.nextInFocusChain()
    while not (nxt.focusPolicy() & Qt.FocusPolicy.TabFocus and nxt.isVisibleTo(nxt.window()) and nxt.isEnabled()):
        nxt = nxt.nextInFocusChain()
    return nxt


def test_tab_goes_from_the_text_to_the_comment_link_and_media(
    composer: ComposerTab, ctx: Context, photos: list[str]
) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE)])
    composer.image_box.set_media([MediaRef(p) for p in photos])
    assert _tab_after(composer.text_edit) is composer.comment_edit
    assert _tab_after(composer.comment_edit) is composer.link_edit
    strip = composer.media_strip
    chain = [strip.add_images_button]
    for _ in range(5):
        chain.append(_tab_after(chain[-1]))
    assert chain[1:] == [
        strip.add_video_button,
        strip.list,
        strip.right_button,
        strip.remove_button,
        composer.image_box.alt_edit,
    ]  # ◀ is disabled on the first image


def test_a_video_from_the_composer_goes_out_as_reels_on_both_networks(
    qtbot: Any, composer: ComposerTab, ctx: Context, tmp_path: Path, real_scheduler: Any
) -> None:
    from autoposter_gui.ui.queue_model import QueueColumn, QueueTableModel

    video = str(make_video(tmp_path / "reel.mp4", width=540, height=960, seconds=4.0))
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)])
    composer.text_edit.setPlainText("Shaping baguettes at dawn")
    composer.comment_edit.setPlainText("#baguette")
    composer.image_box.set_media([MediaRef(video, MediaKind.VIDEO)])
    qtbot.waitUntil(lambda: composer.image_box.loader.get(video) is not None, timeout=10_000)
    ids = composer.publish_now()
    assert len(ids) == 2, composer.errors()
    qtbot.waitUntil(lambda: all((ctx.repo.item(i) or Any).status == "posted" for i in ids), timeout=30_000)
    model = QueueTableModel(lambda: ctx.reads, ctx.clock.now)
    model.reload()
    for item_id in ids:
        item = ctx.repo.item(item_id)
        assert item is not None and item.permalink and [m["kind"] for m in item.media] == ["video"]
        row = model.row_of(item_id)
        assert row is not None
        label = "Reel" if item.platform == "instagram" else "Video"
        assert model.index(row, QueueColumn.POST).data() == f"{label} · Shaping baguettes at dawn"


def test_a_video_the_networks_refuse_is_said_while_composing(
    qtbot: Any, composer: ComposerTab, ctx: Context, tmp_path: Path
) -> None:
    short = str(make_video(tmp_path / "short.mp4", seconds=2.0))
    composer.set_selected_accounts([account_id(ctx, BAKERY_IG)])
    composer.text_edit.setPlainText("Too short")
    composer.image_box.set_media([MediaRef(short, MediaKind.VIDEO)])
    qtbot.waitUntil(composer.image_box.preflight_done, timeout=10_000)  # checked on a worker, not at once
    qtbot.waitUntil(lambda: "at least 3" in composer.image_box.preflight.text())
    _later(composer, ctx)
    assert composer.schedule() == [] and ctx.repo.count_items() == 0
    assert "at least 3" in composer.errors()["image"]
    assert composer.image_box.preflight.text() == ""  # said once, with the other problems


def test_media_alone_is_unsaved_work(composer: ComposerTab, ctx: Context, photos: list[str], dialogs: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    from autoposter_gui.engine.posts import PostRequest

    [other] = composer.controller.posts.create(PostRequest([account_id(ctx, BAKERY_PAGE)], "Other", draft=True))
    composer.image_box.set_media([MediaRef(photos[0]), MediaRef(photos[1])])
    assert composer.is_dirty()
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert not composer.duplicate_item(other.id)  # asked first, and kept
    assert "Discard your draft?" in dialogs.titles() and len(composer.image_box.media()) == 2
    composer.clear()
    composer.comment_edit.setPlainText("#later")
    assert composer.is_dirty()


def test_carousel_photos_link_and_comments_from_the_composer_go_out_with_permalinks(
    qtbot: Any, composer: ComposerTab, ctx: Context, photos: list[str], real_scheduler: Any
) -> None:
    """The issue's composer checks against the sandbox: a 3-image Instagram carousel with alt text and a first
    comment, a 3-photo Facebook post with a first comment, and a Facebook link post, each published with its
    permalink (and its comment's)."""
    ig, fb = account_id(ctx, BAKERY_IG), account_id(ctx, BAKERY_PAGE)
    ids: list[int] = []
    composer.set_selected_accounts([ig])
    composer.text_edit.setPlainText("Three loaves, one carousel")
    composer.image_box.set_media([MediaRef(p, MediaKind.IMAGE, f"Loaf {n}") for n, p in enumerate(photos, 1)])
    composer.comment_edit.setPlainText("#rye #spelt #sourdough")
    ids += composer.publish_now()
    composer.set_selected_accounts([fb])
    composer.text_edit.setPlainText("Our shelves this morning")
    composer.image_box.set_media([MediaRef(p) for p in photos])
    composer.comment_edit.setPlainText("Open 7 to 19")
    ids += composer.publish_now()
    composer.set_selected_accounts([fb])
    composer.text_edit.setPlainText("Our story, from the first loaf")
    composer.link_edit.setText("https://example.com/story")
    ids += composer.publish_now()
    assert len(ids) == 3, composer.errors()

    def done() -> bool:
        items = [ctx.repo.item(i) for i in ids]
        return all(i is not None and i.status == "posted" for i in items) and all(
            i is not None and i.comment_status in (None, "posted") for i in items
        )

    qtbot.waitUntil(done, timeout=60_000)
    carousel, photo_post, link_post = (ctx.repo.item(i) for i in ids)
    assert carousel is not None and photo_post is not None and link_post is not None
    assert carousel.permalink and "/ig/" in carousel.permalink
    assert [m["alt_text"] for m in carousel.media] == ["Loaf 1", "Loaf 2", "Loaf 3"]
    assert carousel.comment_status == "posted" and carousel.comment_permalink
    assert photo_post.permalink and len(photo_post.media) == 3
    assert photo_post.comment_status == "posted" and photo_post.comment_permalink
    assert link_post.permalink and link_post.link == "https://example.com/story" and link_post.comment_status is None


def test_duplicate_keeps_a_google_posts_options_for_google_accounts_only(composer: ComposerTab, ctx: Context) -> None:
    from autoposter_gui.domain.models import DiscoveredAccount, Platform
    from autoposter_gui.engine.posts import PostRequest

    found = DiscoveredAccount(Platform.GOOGLE, "4455667788990011", "Bakery, Main St", "tok", "accounts/7")
    google = ctx.repo.upsert_account(found, None, ctx.clock.now()).id
    composer.reload_accounts()
    flags = {"google_type": "event", "event_title": "Tasting", "event_start": "2026-12-05T18:00"}
    flags["event_end"] = "2026-12-05T20:00"
    when = ctx.clock.now() + timedelta(hours=3)
    [item] = composer.controller.posts.create(PostRequest([google], "Come taste", when=when, options=flags))
    stored = ctx.repo.item(item.id)
    assert stored is not None and stored.meta["options"]["google_type"] == "event"
    assert composer.duplicate_item(item.id)
    _later(composer, ctx)
    [copy] = composer.schedule()
    assert copy != item.id
    duplicated = ctx.repo.item(copy)
    assert duplicated is not None and duplicated.meta["options"] == stored.meta["options"]
    # Ticking another network's account leaves them out (that network takes none), rather than refusing the post.
    assert composer.duplicate_item(item.id)
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE)])
    _later(composer, ctx)
    [page_copy] = composer.schedule()
    assert ctx.repo.item(page_copy).meta == {}  # type: ignore[union-attr]
