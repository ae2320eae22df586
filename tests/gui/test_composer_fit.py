"""Composer Instagram preflight: pad or crop an out-of-range image (previewed), counters, and the quota warning."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog

from autoposter_gui.domain.images import instagram_ratio_ok
from autoposter_gui.engine.context import Context
from autoposter_gui.ui import fit_panel, fmt
from autoposter_gui.ui.composer_tab import ComposerTab
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, account_id


@pytest.fixture
def panorama(tmp_path: Path) -> Path:
    """2000×800 (2.5:1): too wide for Instagram. Red, so padding and cropping are easy to tell apart."""
    path = tmp_path / "panorama.jpg"
    Image.new("RGB", (2000, 800), (200, 30, 30)).save(path, "JPEG", quality=92)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _compose(composer: ComposerTab, ctx: Context, image: Path) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)])
    composer.text_edit.setPlainText("The whole counter, end to end #bakery")
    composer.set_image(str(image))
    when = fmt.naive_local(ctx.clock.now() + timedelta(hours=2))
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(when))


def _items(ctx: Context, ids: list[int]) -> dict[str, Any]:
    items = [ctx.repo.item(i) for i in ids]
    return {i.platform: i for i in items if i is not None}


def test_out_of_range_ratio_offers_pad_and_crop_with_previews(
    qtbot: Any, composer: ComposerTab, ctx: Context, panorama: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    composer.set_image(str(panorama))
    assert composer.fit_panel.isHidden()  # Facebook only: nothing to fix
    threads: list[bool] = []
    original = fit_panel.make_previews

    def spy(*args: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return original(*args)

    monkeypatch.setattr(fit_panel, "make_previews", spy)
    _compose(composer, ctx, panorama)
    panel = composer.fit_panel
    assert panel.isVisible()
    qtbot.waitUntil(lambda: len(panel.preview_paths) == 2)
    assert threads and not any(threads)  # made on a worker thread: a large image never freezes the window
    assert "aspect ratio" in panel.message.text() and panel.message.kind == "warning"  # said once, by the fixes
    assert "choose a fix under the text" in composer.image_error.text()
    assert "image" not in composer.errors()
    for mode in ("pad", "crop"):
        assert not panel.preview_pixmap(mode).isNull()
        with Image.open(panel.preview_paths[mode]) as preview:  # made small, by the core's fit_for_instagram
            assert preview.width / preview.height == pytest.approx(1.91, abs=0.01)
    with Image.open(panel.preview_paths["pad"]) as pad, Image.open(panel.preview_paths["crop"]) as crop:
        assert pad.getpixel((pad.width // 2, 2))[0] > 240  # a white bar on top
        assert crop.getpixel((crop.width // 2, 2))[0] > 150 > crop.getpixel((crop.width // 2, 2))[1]  # still red
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE)])
    assert panel.isHidden() and composer.image_error.text() == ""


def test_without_a_fit_instagram_is_refused_and_nothing_written(
    qtbot: Any, composer: ComposerTab, ctx: Context, panorama: Path
) -> None:
    _compose(composer, ctx, panorama)
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert composer.errors()["image"].endswith("Use “Pad to fit” or “Crop to fit”")
    assert composer.fit_panel.message.kind == "error" and composer.image_error.kind == "hint"  # not said twice
    assert composer.fit_panel.pad_button.hasFocus()
    qtbot.mouseClick(composer.fit_panel.pad_button, Qt.MouseButton.LeftButton)
    assert "image" not in composer.errors()  # fixed: the error goes
    assert ctx.repo.count_items() == 0
    assert not (ctx.config.data_dir / "media").exists()


def test_pad_with_a_chosen_colour(
    qtbot: Any, composer: ComposerTab, ctx: Context, panorama: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digest(panorama)
    _compose(composer, ctx, panorama)  # the colour is chosen at once, while the previews are still being made
    asked: list[QColor] = []
    monkeypatch.setattr(
        QColorDialog, "getColor", staticmethod(lambda initial, *a, **k: asked.append(initial) or QColor(0, 0, 0))
    )
    qtbot.mouseClick(composer.fit_panel.color_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0] == QColor(255, 255, 255)  # starts from white
    assert composer.fit_panel.fit == "pad" and composer.fit_panel.pad_button.isChecked()  # choosing a colour pads
    assert composer.fit_panel.color == (0, 0, 0)
    qtbot.waitUntil(lambda: "pad" in composer.fit_panel.preview_paths)
    with Image.open(composer.fit_panel.preview_paths["pad"]) as preview:
        assert max(preview.getpixel((preview.width // 2, 2))) < 20  # the preview now has black bars
    assert "padded copy" in composer.fit_panel.message.text() and composer.fit_panel.message.kind == "hint"
    with qtbot.waitSignal(composer.saved) as saved:
        qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    items = _items(ctx, saved.args[0])
    # Facebook posts the original as it was: its stored copy, byte for byte.
    assert Path(items["facebook"].image_path).parent == ctx.config.media_dir
    assert _digest(Path(items["facebook"].image_path)) == before
    fitted = Path(items["instagram"].image_path)
    assert fitted != panorama and fitted.parent == ctx.config.data_dir / "media" and fitted.exists()
    with Image.open(fitted) as img:
        assert instagram_ratio_ok(*img.size) and img.width <= 1440
        assert max(img.getpixel((img.width // 2, 2))) < 20  # black padding, as chosen
    assert _digest(panorama) == before  # the original file is untouched


def test_crop_to_fit(qtbot: Any, composer: ComposerTab, ctx: Context, panorama: Path) -> None:
    before = _digest(panorama)
    _compose(composer, ctx, panorama)
    qtbot.mouseClick(composer.fit_panel.crop_button, Qt.MouseButton.LeftButton)
    assert composer.fit_choice() == "crop" and not composer.fit_panel.pad_button.isChecked()
    assert "cropped copy" in composer.fit_panel.message.text()
    with qtbot.waitSignal(composer.saved) as saved:
        qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    items = _items(ctx, saved.args[0])
    assert _digest(Path(items["facebook"].image_path)) == before  # the stored copy of the original
    with Image.open(items["instagram"].image_path) as img:
        assert img.size == (1440, 754)  # 800 px high at 1.91:1, downscaled to 1440 wide
        assert img.getpixel((img.width // 2, 2))[0] > 150  # no bars: the picture itself
    assert _digest(panorama) == before
    assert composer.fit_panel.isHidden() and composer.fit_panel.fit is None  # cleared for the next post


def test_clicking_the_chosen_fit_again_undoes_it(
    qtbot: Any, composer: ComposerTab, ctx: Context, panorama: Path
) -> None:
    _compose(composer, ctx, panorama)
    qtbot.mouseClick(composer.fit_panel.pad_button, Qt.MouseButton.LeftButton)
    assert composer.fit_choice() == "pad"
    qtbot.mouseClick(composer.fit_panel.pad_button, Qt.MouseButton.LeftButton)
    assert composer.fit_choice() is None and composer.fit_panel.message.kind == "warning"


def test_counter_shows_mentions_and_hashtags(composer: ComposerTab, ctx: Context) -> None:
    composer.text_edit.setPlainText("Thanks @anna and @ben.baker #bread")
    assert composer.counter_text() == "34 / 63,206 characters"
    composer.set_selected_accounts([account_id(ctx, BAKERY_IG)])
    assert composer.counter_text() == "34 / 2,200 characters · 1 / 30 hashtags · 2 / 20 @-mentions"
    composer.text_edit.setPlainText(" ".join(f"@user{i}" for i in range(21)))
    assert "21 / 20 @-mentions" in composer.counter_text()
    assert "at most 20 @-mentions" in composer.errors()["text"]


def test_quota_warning_when_the_instagram_day_is_full(
    qtbot: Any, composer: ComposerTab, ctx: Context, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.configure(quota_total=0)  # today's publishing limit is used up
    threads: list[bool] = []
    original = composer.controller.posts.quota_warnings

    def spy(accounts: Any) -> list[str]:
        threads.append(threading.current_thread() is threading.main_thread())
        return original(accounts)

    monkeypatch.setattr(composer.controller.posts, "quota_warnings", spy)
    composer.set_selected_accounts([account_id(ctx, BAKERY_IG)])
    composer.text_edit.setPlainText("Tomorrow's special")
    qtbot.waitUntil(lambda: "publishing limit" in composer.quota_warning.text(), timeout=10_000)
    assert threads == [False]  # asked on a worker thread, never on the GUI thread
    assert composer.quota_warning.label.text().startswith("@sandbox.bakery has used today's Instagram")
    assert "accounts" not in composer.errors()  # a warning, not a refusal
    composer.text_edit.setPlainText("Tomorrow's special, again")
    assert threads == [False]  # the answer is remembered for a while
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE)])
    assert composer.quota_warning.text() == ""
