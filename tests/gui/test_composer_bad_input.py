"""Bad-input corpus, composer side: every case ends in an inline message, writes nothing and raises nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from autoposter_gui.domain.models import DiscoveredAccount, MediaRef, Platform
from autoposter_gui.engine.context import Context
from autoposter_gui.ui import fmt
from autoposter_gui.ui.composer_tab import ComposerTab
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, account_id
from tests.support.videos import make_video

X_ID, GOOGLE_ID = "1460000000000000001", "4455667788990011"
NETWORK_ACCOUNTS = {
    X_ID: DiscoveredAccount(Platform.X, X_ID, "Sandbox Bakery", "tok", username="sandboxbakery"),
    GOOGLE_ID: DiscoveredAccount(Platform.GOOGLE, GOOGLE_ID, "Sandbox Bakery, Main St", "tok", "accounts/77"),
}


@dataclass
class Setup:
    composer: ComposerTab
    ctx: Context
    tmp: Path
    monkeypatch: pytest.MonkeyPatch

    def accounts(self, *externals: str) -> None:
        self.composer.set_selected_accounts([self.network(e) for e in externals])

    def network(self, external: str) -> int:
        """The account's id; X's and Google's demo accounts are added to the store the first time they are named."""
        if external in NETWORK_ACCOUNTS:
            found = NETWORK_ACCOUNTS[external]
            if self.ctx.repo.account_by_external(external) is None:
                self.ctx.repo.upsert_account(found, None, self.ctx.clock.now())
                self.composer.reload_accounts()
        return account_id(self.ctx, external)

    def google(self, **values: str) -> None:
        """Fill the Google post fields: google_type / button by their values, the rest as typed."""
        fields = self.composer.google
        for key, value in values.items():
            if key in ("google_type", "button"):
                combo = fields.type_combo if key == "google_type" else fields.button_combo
                combo.setCurrentIndex(combo.findData(value))
            else:
                edit = fields.inputs[key]
                assert isinstance(edit, QLineEdit)
                edit.setText(value)

    def text(self, value: str) -> None:
        self.composer.text_edit.setPlainText(value)

    def image(self, path: Path) -> None:
        self.composer.set_image(str(path))

    def at(self, naive_local: datetime) -> None:
        self.composer.when_edit.setDateTime(fmt.qdatetime_from_naive(naive_local))

    def in_(self, delta: timedelta) -> None:
        self.at(fmt.naive_local(self.ctx.clock.now() + delta))

    def jpeg(self, name: str = "ok.jpg", size: tuple[int, int] = (1080, 1080)) -> Path:
        path = self.tmp / name
        Image.new("RGB", size, (240, 200, 150)).save(path, "JPEG", quality=90)
        return path


def _truncated(s: Setup) -> Path:
    whole = s.jpeg("whole.jpg", (1600, 1200)).read_bytes()
    cut = s.tmp / "truncated.jpg"
    cut.write_bytes(whole[: len(whole) // 2])
    return cut


def _empty_file(s: Setup) -> Path:
    path = s.tmp / "empty.jpg"
    path.write_bytes(b"")
    return path


def _not_an_image(s: Setup) -> Path:
    path = s.tmp / "notes.jpg"
    path.write_text("shopping list: flour, butter")
    return path


def _folder(s: Setup) -> Path:
    path = s.tmp / "photos.jpg"
    path.mkdir()
    return path


def _deleted_after_choosing(s: Setup) -> None:
    path = s.jpeg("gone.jpg")
    s.image(path)
    path.unlink()


def _five_images(s: Setup) -> None:
    s.composer.image_box.set_media([MediaRef(str(s.jpeg(f"{n}.jpg"))) for n in range(5)])


def _video(s: Setup) -> None:
    s.composer.media_strip.set_video(str(make_video(s.tmp / "clip.mp4", seconds=2.0)))


def _comment(s: Setup) -> None:
    s.composer.comment_edit.setEnabled(True)  # off for X (with its reason); typed before X was ticked
    s.composer.comment_edit.setPlainText("#bread")


def _dst_gap(s: Setup) -> None:
    s.monkeypatch.setenv("TZ", "Europe/Berlin")
    s.at(datetime(2027, 3, 28, 2, 30))  # clocks jump from 02:00 to 03:00


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Setup], None]
    field: str
    message: str
    button: str = "schedule"


OK_TEXT = "Fresh sourdough at 8"
CASES = [
    Case("empty text", lambda s: s.text(""), "text", "empty"),
    Case("whitespace only", lambda s: s.text("  \n\t  \n"), "text", "empty"),
    Case("zero-width only", lambda s: s.text("\u200b\u200c\u200d\ufeff"), "text", "empty"),
    Case("empty draft", lambda s: s.text("\u2060 "), "text", "empty", "draft"),
    Case("100k characters", lambda s: s.text("x" * 100_000), "text", "63,206 characters"),
    Case(
        "too long Instagram caption",
        lambda s: (s.accounts(BAKERY_IG), s.image(s.jpeg()), s.text("é" * 2_201)),
        "text",
        "2,200 characters",
    ),
    Case(
        "31 hashtags",
        lambda s: (s.accounts(BAKERY_IG), s.image(s.jpeg()), s.text(" ".join(f"#b{i}" for i in range(31)))),
        "text",
        "at most 30 hashtags",
    ),
    Case(
        "21 mentions",
        lambda s: (s.accounts(BAKERY_IG), s.image(s.jpeg()), s.text(" ".join(f"@u{i}" for i in range(21)))),
        "text",
        "at most 20 @-mentions",
    ),
    Case("Instagram without image", lambda s: (s.accounts(BAKERY_PAGE, BAKERY_IG), s.text(OK_TEXT)), "image", "need"),
    Case("0-byte image", lambda s: (s.text(OK_TEXT), s.image(_empty_file(s))), "image", "empty (0 bytes)"),
    Case("truncated JPEG", lambda s: (s.text(OK_TEXT), s.image(_truncated(s))), "image", "damaged or truncated"),
    Case("not an image", lambda s: (s.text(OK_TEXT), s.image(_not_an_image(s))), "image", "Not a supported image"),
    Case("a directory", lambda s: (s.text(OK_TEXT), s.image(_folder(s))), "image", "folder, not a file"),
    Case("missing file", lambda s: (s.text(OK_TEXT), s.image(s.tmp / "nowhere.jpg")), "image", "not found"),
    Case("deleted after choosing", lambda s: (s.text(OK_TEXT), _deleted_after_choosing(s)), "image", "not found"),
    Case(
        "Instagram ratio, no fit chosen",
        lambda s: (s.accounts(BAKERY_IG), s.text(OK_TEXT), s.image(s.jpeg("tall.jpg", (600, 1400)))),
        "image",
        "aspect ratio",
    ),
    Case("past time", lambda s: (s.text(OK_TEXT), s.in_(-timedelta(hours=2))), "when", "in the past"),
    Case("far future", lambda s: (s.text(OK_TEXT), s.in_(timedelta(days=400))), "when", "more than a year"),
    Case("DST gap", lambda s: (s.text(OK_TEXT), _dst_gap(s)), "when", "does not exist"),
    Case("no account ticked", lambda s: (s.accounts(), s.text(OK_TEXT)), "accounts", "Choose at least one account"),
    Case("publish now, empty", lambda s: s.text("   "), "text", "empty", "now"),
    Case("X: 5 images", lambda s: (s.accounts(X_ID), _five_images(s)), "image", "X takes at most 4 images"),
    Case("X: 281 characters", lambda s: (s.accounts(X_ID), s.text("b" * 281)), "text", "281 of 280"),
    Case(
        "X: a URL counts 23",
        lambda s: (s.accounts(X_ID), s.text("b" * 257 + " https://bakery.com/x")),
        "text",
        "281 of 280",
    ),
    Case("X: a first comment", lambda s: (s.accounts(X_ID), s.text(OK_TEXT), _comment(s)), "first_comment", "X"),
    Case("Google: a video", lambda s: (s.accounts(GOOGLE_ID), _video(s)), "image", "photos only, not videos"),
    Case("Google: 2 photos", lambda s: (s.accounts(GOOGLE_ID), _five_images(s)), "image", "takes one photo"),
    Case("Google: 1,501 characters", lambda s: (s.accounts(GOOGLE_ID), s.text("b" * 1501)), "text", "1,500"),
    Case(
        "Google: an offer without its period",
        lambda s: (s.accounts(GOOGLE_ID), s.google(google_type="offer", offer_code="BREAD10")),
        "event_title",
        "An offer needs its title and period",
    ),
    Case(
        "Google: an event without a title",
        lambda s: (s.accounts(GOOGLE_ID), s.google(google_type="event")),
        "event_title",
        "An event needs its title, start and end: add “Title”",
    ),
    Case(
        "Google: a button without its link",
        lambda s: (s.accounts(GOOGLE_ID), s.google(button="BOOK")),
        "button_url",
        "“Button” Book needs “Button link”",
    ),
    Case(
        "Google: a button link that is no address",
        lambda s: (s.accounts(GOOGLE_ID, X_ID), s.google(button="ORDER", button_url="bakery dot com")),
        "button_url",
        "is not a web address",
    ),
    Case(
        "Google: an offer's redeem link that is no address",
        lambda s: (
            s.accounts(GOOGLE_ID),
            s.google(google_type="offer", event_title="Loaves", offer_url="ftp://bakery"),
        ),
        "offer_url",
        "is not a web address",
    ),
]


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 10 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_inline(
    qtbot: Any, composer: ComposerTab, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    setup = Setup(composer, ctx, tmp_path, monkeypatch)
    setup.text(OK_TEXT)
    setup.in_(timedelta(hours=2))
    case.setup(setup)
    saved: list[list[int]] = []
    composer.saved.connect(saved.append)
    button = {"schedule": composer.schedule_button, "now": composer.now_button, "draft": composer.draft_button}
    qtbot.mouseClick(button[case.button], Qt.MouseButton.LeftButton)  # pytest-qt fails the test on any exception
    errors = composer.errors()
    assert case.field in errors, errors
    assert case.message in errors[case.field]
    assert "Traceback" not in errors[case.field]
    assert saved == [] and ctx.repo.count_items() == 0  # nothing written
    media = ctx.config.data_dir / "media"
    assert not media.exists() or not any(media.iterdir())
    assert composer.isVisible() and composer.schedule_button.isEnabled()  # still usable
