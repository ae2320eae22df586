"""The When field (typed times, the 15-minute list, quick picks, DST), the composer in a small window, every problem
shown at once, and the fitted preview after Pad or Crop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QDate, QPoint, QRect, Qt
from PySide6.QtWidgets import QDateTimeEdit, QWidget

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.ui import fmt
from autoposter_gui.ui.composer_tab import ComposerTab
from autoposter_gui.ui.dialogs import RescheduleDialog
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.when_picker import WhenPicker, clock_text
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, account_id

WEDNESDAY = datetime(2027, 1, 13, 10, 20, tzinfo=UTC)  # TZ is UTC in the tests (conftest)


def _type_time(qtbot: Any, picker: WhenPicker, text: str) -> None:
    line = picker.time_combo.lineEdit()
    assert line is not None
    line.selectAll()
    line.del_()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)  # Enter finishes the edit, as Tab or a click elsewhere would


def _set_day(picker: WhenPicker, when: datetime) -> None:
    picker.set_naive(when)


@pytest.fixture
def wednesday(clock: FixedClock) -> FixedClock:
    clock.set(WEDNESDAY)
    return clock


@pytest.mark.parametrize(
    ("typed", "hour", "minute"),
    [
        ("930", 9, 30),
        ("9:30", 9, 30),
        ("14:05", 14, 5),
        ("1405", 14, 5),
        ("2:30 pm", 14, 30),
        ("12 am", 0, 0),
        ("1", 1, 0),  # not completed to 10:00 from the list
    ],
)
def test_typed_times_are_read_and_tidied(qtbot: Any, composer: ComposerTab, typed: str, hour: int, minute: int) -> None:
    picker = composer.when_edit
    _type_time(qtbot, picker, typed)
    assert picker.time_of_day() == (hour, minute)
    assert picker.time_combo.currentText() == clock_text(hour, minute)  # shown the way the locale writes it
    assert (picker.naive().hour, picker.naive().minute) == (hour, minute)


def test_typed_time_and_date_are_what_gets_scheduled(
    qtbot: Any, composer: ComposerTab, ctx: Context, wednesday: FixedClock
) -> None:
    composer.text_edit.setPlainText("Typed by hand")
    date_edit = composer.when_edit.date_edit
    date_edit.setDate(QDate(2027, 1, 1))
    date_edit.setFocus()
    date_edit.setSelectedSection(QDateTimeEdit.Section.DaySection)
    qtbot.keyClicks(date_edit, "15")  # digits typed into the date land (all-digit sections, no weekday)
    assert date_edit.date() == QDate(2027, 1, 15)
    _type_time(qtbot, composer.when_edit, "1405")
    with qtbot.waitSignal(composer.saved) as saved:
        qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    item = ctx.repo.item(saved.args[0][0])
    assert item is not None and item.scheduled_at == datetime(2027, 1, 15, 14, 5, tzinfo=UTC)


def test_an_unreadable_time_is_refused_inline(qtbot: Any, composer: ComposerTab, ctx: Context) -> None:
    composer.text_edit.setPlainText("When, though?")
    _type_time(qtbot, composer.when_edit, "25:99")
    assert composer.when_edit.time_of_day() is None
    assert composer.when_summary.text() == "Type a time like 9:30 or 14:05"
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert composer.errors()["when"] == "Can't read the time '25:99'; type it like 9:30, 14:05 or 2:30 pm"
    assert ctx.repo.count_items() == 0
    _type_time(qtbot, composer.when_edit, "23:45")
    assert "when" not in composer.errors()  # editing the time clears its message


def test_the_time_list_has_every_quarter_hour(qtbot: Any, composer: ComposerTab) -> None:
    combo = composer.when_edit.time_combo
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert len(texts) == 96
    assert texts[0] == clock_text(0, 0) and texts[1] == clock_text(0, 15) and texts[-1] == clock_text(23, 45)
    assert texts[38] == clock_text(9, 30)
    combo.setCurrentIndex(38)
    assert composer.when_edit.time_of_day() == (9, 30)
    combo.showPopup()  # the list opens (and closes) as a list should
    qtbot.waitUntil(lambda: combo.view().isVisible())
    combo.hidePopup()


def test_quick_choices_follow_the_clock(qtbot: Any, composer: ComposerTab, ctx: Context, wednesday: FixedClock) -> None:
    actions = {a.text(): a for a in composer.when_edit.quick_actions()}
    nine = clock_text(9, 0)
    assert list(actions) == [
        "In 30 minutes",
        "In 1 hour",
        "In 3 hours",
        f"This evening, {clock_text(18, 0)}",
        f"Tomorrow, {nine}",
        f"Tomorrow, {clock_text(12, 0)}",
        f"Monday, {nine}",
    ]
    actions["In 1 hour"].trigger()
    assert composer.when_edit.naive() == datetime(2027, 1, 13, 11, 20)
    assert composer.when_summary.text() == "Wednesday · in 1 hour"
    actions[f"Monday, {nine}"].trigger()
    assert composer.when_edit.naive() == datetime(2027, 1, 18, 9, 0)
    actions[f"Tomorrow, {nine}"].trigger()
    composer.text_edit.setPlainText("Fresh bread tomorrow")
    with qtbot.waitSignal(composer.saved) as saved:
        qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    item = ctx.repo.item(saved.args[0][0])
    assert item is not None and item.scheduled_at == datetime(2027, 1, 14, 9, 0, tzinfo=UTC)
    wednesday.set(datetime(2027, 1, 13, 19, 0, tzinfo=UTC))  # the evening is past: no "This evening"
    assert "In 1 hour" in [a.text() for a in composer.when_edit.quick_actions()]
    assert not [a for a in composer.when_edit.quick_actions() if a.text().startswith("This evening")]


def test_a_typed_time_in_a_dst_gap_is_refused_with_the_next_valid_time(
    qtbot: Any, composer: ComposerTab, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    composer.text_edit.setPlainText("At a time that never happens")
    _set_day(composer.when_edit, datetime(2027, 3, 28, 12, 0))
    _type_time(qtbot, composer.when_edit, "2:30")
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    message = composer.errors()["when"]
    assert "does not exist" in message and "2027-03-28T03:00" in message
    assert ctx.repo.count_items() == 0


def test_a_time_that_happens_twice_asks_which_one(
    qtbot: Any, composer: ComposerTab, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    asked: list[tuple[datetime, tuple[datetime, datetime]]] = []

    def cancel(_parent: QWidget | None, naive: datetime, choices: tuple[datetime, datetime]) -> datetime | None:
        asked.append((naive, choices))
        return None

    composer.when_edit.ask_which = cancel
    composer.text_edit.setPlainText("Twice at half past two")
    _set_day(composer.when_edit, datetime(2027, 10, 31, 2, 30))
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1  # asked once, not again to list the problems
    naive, (first, second) = asked[0]
    assert naive == datetime(2027, 10, 31, 2, 30)
    assert (first.tzname(), second.tzname()) == ("CEST", "CET")
    assert "happens twice" in composer.errors()["when"] and ctx.repo.count_items() == 0
    composer.when_edit.ask_which = lambda _p, _n, choices: choices[1]  # the second 2:30 (winter time)
    with qtbot.waitSignal(composer.saved) as saved:
        qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    item = ctx.repo.item(saved.args[0][0])
    assert item is not None and item.scheduled_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_the_reschedule_dialog_uses_the_same_picker(qtbot: Any, clock: FixedClock) -> None:
    got: list[datetime] = []
    dialog = RescheduleDialog(
        title="Weekend special",
        initial=datetime(2027, 1, 20, 10, 0),
        submit=lambda when, _zone: got.append(when),
        now=clock.now,
    )
    qtbot.addWidget(dialog)
    assert isinstance(dialog.when_edit, WhenPicker)
    _type_time(qtbot, dialog.when_edit, "1730")
    dialog.accept()
    assert got == [datetime(2027, 1, 20, 17, 30, tzinfo=UTC)]


def _inside(widget: QWidget, window: QWidget) -> bool:
    """Whether ``widget`` is shown and wholly inside ``window``'s visible area."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    return widget.isVisible() and window.rect().contains(QRect(top_left, widget.size()))


def test_the_composer_fits_a_small_window(
    qtbot: Any, window: MainWindow, ctx: Context, connected: list[Account], tmp_path: Path
) -> None:
    window.resize(700, 480)
    qtbot.waitUntil(lambda: window.size().width() == 700 and window.size().height() == 480)
    composer = window.composer
    wide = tmp_path / "panorama.jpg"
    Image.new("RGB", (2000, 800), (200, 30, 30)).save(wide)
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)])
    composer.set_image(str(wide))
    composer.text_edit.setPlainText("x" * 2300 + " #a" * 31)  # the fit panel and two text problems, shown
    qtbot.wait(50)
    assert composer.fit_panel.isVisible()
    for widget in (
        composer.when_edit.date_edit,
        composer.when_edit.time_combo,
        composer.when_edit.quick_button,
        composer.schedule_button,
        composer.now_button,
        composer.draft_button,
    ):
        assert _inside(widget, window), widget
    assert composer.body_scroll.horizontalScrollBar().maximum() == 0  # nothing cut off at the side


def test_every_problem_is_shown_at_once(qtbot: Any, composer: ComposerTab, ctx: Context, clock: FixedClock) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)])
    composer.text_edit.setPlainText("x" * 2201 + " #t" * 31)
    composer.when_edit.set_naive(fmt.naive_local(clock.now() - timedelta(days=1)))
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    errors = composer.errors()
    assert set(errors) == {"text", "image", "when"}
    assert "at most 2,200 characters; this one has 2,294" in errors["text"]
    assert "at most 30 hashtags; this caption has 31" in errors["text"]
    assert errors["image"] == "Instagram posts need an image; add one to post to Instagram"
    assert "in the past" in errors["when"]
    assert composer.text_edit.hasFocus()  # the first problem's field
    assert ctx.repo.count_items() == 0
    composer.set_selected_accounts([])
    composer.text_edit.setPlainText("")
    qtbot.mouseClick(composer.schedule_button, Qt.MouseButton.LeftButton)
    assert set(composer.errors()) == {"accounts", "text", "when"}
    assert composer.errors()["accounts"] == "Choose at least one account to post to"


def test_numbers_stay_with_their_words_when_a_message_wraps(composer: ComposerTab, ctx: Context) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_IG)])
    composer.text_edit.setPlainText("x" * 2201)
    shown = composer.text_error.label.text()
    assert "at most\u00a02,200\u00a0characters" in shown and "has\u00a02,201" in shown
    assert composer.errors()["text"].endswith("at most 2,200 characters; this one has 2,201")  # plain when read
    assert composer.counter.text().count(" ") == 4  # the counter wraps only around its two " · " separators
    assert composer.counter_text() == "2,201 / 2,200 characters · 0 / 30 hashtags · 0 / 20 @-mentions"


@pytest.fixture
def panorama(tmp_path: Path) -> Path:
    path = tmp_path / "panorama.jpg"
    Image.new("RGB", (2000, 800), (200, 30, 30)).save(path, "JPEG", quality=92)
    return path


def _thumb_top_colour(composer: ComposerTab) -> tuple[int, int, int]:
    image = composer.thumb.pixmap().toImage()
    colour = image.pixelColor(image.width() // 2, 3)
    return colour.red(), colour.green(), colour.blue()


def test_the_preview_shows_the_fitted_copy_after_pad_or_crop(
    qtbot: Any, composer: ComposerTab, ctx: Context, panorama: Path
) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)])
    composer.set_image(str(panorama))
    panel = composer.fit_panel
    qtbot.waitUntil(lambda: composer.image_box.loader.get(str(panorama)) is not None)  # decoded off the GUI thread
    original = composer.thumb.pixmap().size()
    qtbot.mouseClick(panel.pad_button, Qt.MouseButton.LeftButton)  # chosen before its preview is ready
    qtbot.waitUntil(lambda: len(panel.preview_paths) == 2)
    qtbot.mouseClick(panel.pad_button, Qt.MouseButton.LeftButton)
    assert original.width() / original.height() == pytest.approx(2.5, abs=0.05)
    assert "choose a fix" in composer.image_error.text()
    qtbot.mouseClick(panel.pad_button, Qt.MouseButton.LeftButton)
    padded = composer.thumb.pixmap().size()
    assert padded.width() / padded.height() == pytest.approx(1.91, abs=0.05)
    assert min(_thumb_top_colour(composer)) > 240  # the white bar is in the preview
    assert composer.image_name.text() == "panorama.jpg · padded for Instagram"
    assert composer.image_error.text() == ""  # the hint goes once the shape is fixed
    assert panel.pad_button.text().startswith("✓") and not panel.crop_button.text().startswith("✓")
    qtbot.mouseClick(panel.crop_button, Qt.MouseButton.LeftButton)
    red, green, _ = _thumb_top_colour(composer)
    assert red > 150 > green  # cropped: the picture reaches the top edge
    assert composer.image_name.text() == "panorama.jpg · cropped for Instagram"
    assert panel.crop_button.text().startswith("✓") and not panel.pad_button.text().startswith("✓")
    qtbot.mouseClick(panel.crop_button, Qt.MouseButton.LeftButton)  # undone: the original again, and the hint
    assert composer.thumb.pixmap().size() == original
    assert "choose a fix" in composer.image_error.text()
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE)])  # Facebook only: no fix needed or shown
    assert composer.thumb.pixmap().size() == original and panel.isHidden()
