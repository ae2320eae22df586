"""The Activity tab: attempts newest first with outcomes, errors and a clickable "View Post →" permalink."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from autoposter_gui.domain.models import PublishResult
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.reads import Reads
from autoposter_gui.storage.models import Account
from autoposter_gui.storage.repo import Failure
from autoposter_gui.ui.activity_model import LINK_TEXT, ActivityColumn
from autoposter_gui.ui.activity_tab import ActivityTab
from autoposter_gui.ui.controller import AppController
from tests.gui.helpers import make_post

PERMALINK = "https://www.facebook.com/100000000000001/posts/42"


@pytest.fixture
def activity(qtbot: Any, controller: AppController, connected: list[Account]) -> ActivityTab:
    tab = ActivityTab(controller)
    qtbot.addWidget(tab)
    tab.resize(1100, 500)
    tab.show()
    return tab


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: urls.append(url) or True))
    return urls


def _posted(ctx: Context, text: str = "Posted one") -> int:
    item = make_post(ctx, text, minutes=0)
    attempt = ctx.repo.start_attempt(item.id, ctx.clock.now())
    ctx.repo.finish_success(item.id, attempt.id, PublishResult("100000000000001_42", PERMALINK), ctx.clock.now())
    ctx.events.emit("attempt_recorded", attempt.id)
    return attempt.id


def _failed(ctx: Context, final: bool) -> int:
    from datetime import timedelta

    item = make_post(ctx, "Went wrong", minutes=0)
    attempt = ctx.repo.start_attempt(item.id, ctx.clock.now())
    retry_at = None if final else ctx.clock.now() + timedelta(minutes=2)
    failure = Failure("368", "Meta blocked this post as spam; change the text")
    ctx.repo.finish_unsuccessful(item.id, attempt.id, failure, ctx.clock.now(), retry_at)
    ctx.events.emit("attempt_recorded", attempt.id)
    return attempt.id


def _cell(tab: ActivityTab, row: int, column: ActivityColumn) -> str:
    return str(tab.model.index(row, column).data() or "")


def test_empty_state(activity: ActivityTab) -> None:
    assert activity.stack.currentWidget() is activity.empty


def test_attempts_newest_first_with_outcomes(activity: ActivityTab, ctx: Context) -> None:
    _posted(ctx)
    _failed(ctx, final=False)
    _failed(ctx, final=True)
    assert activity.stack.currentWidget() is activity.view
    assert [_cell(activity, r, ActivityColumn.OUTCOME) for r in range(3)] == ["Failed", "Retry scheduled", "Posted"]
    assert _cell(activity, 0, ActivityColumn.DETAILS) == "Meta blocked this post as spam; change the text"
    assert _cell(activity, 0, ActivityColumn.ACCOUNT) == "Sandbox Bakery"
    assert _cell(activity, 2, ActivityColumn.POST) == "Posted one"
    assert _cell(activity, 2, ActivityColumn.LINK) == LINK_TEXT
    assert _cell(activity, 0, ActivityColumn.LINK) == ""
    assert activity.summary.text() == "3 attempts"


def test_clicking_view_post_opens_the_browser(
    qtbot: Any, activity: ActivityTab, ctx: Context, opened: list[QUrl]
) -> None:
    from PySide6.QtCore import Qt

    _posted(ctx)
    _failed(ctx, final=True)
    link_rect = activity.view.visualRect(activity.model.index(1, ActivityColumn.LINK))
    with qtbot.waitSignal(activity.link_opened):
        qtbot.mouseClick(activity.view.viewport(), Qt.MouseButton.LeftButton, pos=link_rect.center())
    assert [u.toString() for u in opened] == [PERMALINK]
    # a row without a permalink opens nothing
    empty_rect = activity.view.visualRect(activity.model.index(0, ActivityColumn.LINK))
    qtbot.mouseClick(activity.view.viewport(), Qt.MouseButton.LeftButton, pos=empty_rect.center())
    assert len(opened) == 1


def test_enter_opens_the_selected_post(qtbot: Any, activity: ActivityTab, ctx: Context, opened: list[QUrl]) -> None:
    from PySide6.QtCore import Qt

    _posted(ctx)
    activity.view.setCurrentIndex(activity.model.index(0, ActivityColumn.TIME))
    qtbot.keyClick(activity.view, Qt.Key.Key_Return)
    assert [u.toString() for u in opened] == [PERMALINK]


def test_only_web_links_are_opened(activity: ActivityTab, ctx: Context, opened: list[QUrl]) -> None:
    item = make_post(ctx, minutes=0)
    attempt = ctx.repo.start_attempt(item.id, ctx.clock.now())
    ctx.repo.finish_success(item.id, attempt.id, PublishResult("x", "file:///etc/passwd"), ctx.clock.now())
    ctx.events.emit("attempt_recorded", attempt.id)
    assert not activity.open_link(0)
    assert opened == []


def test_in_flight_row_is_updated_in_place(activity: ActivityTab, ctx: Context) -> None:
    item = make_post(ctx, minutes=0)
    attempt = ctx.repo.start_attempt(item.id, ctx.clock.now())
    ctx.events.emit("attempt_recorded", attempt.id)
    assert _cell(activity, 0, ActivityColumn.OUTCOME) == "Publishing…"
    assert _cell(activity, 0, ActivityColumn.DETAILS) == "Sending to Facebook, waiting for its answer"
    ctx.repo.finish_success(item.id, attempt.id, PublishResult("1_2", PERMALINK), ctx.clock.now())
    ctx.events.emit("attempt_recorded", attempt.id)
    assert activity.model.rowCount() == 1
    assert _cell(activity, 0, ActivityColumn.OUTCOME) == "Posted"


def test_rows_come_with_their_post_and_follow_an_edit(
    activity: ActivityTab, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt_id = _posted(ctx, "First words")
    reads: list[list[int]] = []
    lean = Reads.queue_rows_by_ids
    monkeypatch.setattr(Reads, "queue_rows_by_ids", lambda self, ids: reads.append(list(ids)) or lean(self, ids))
    assert _cell(activity, 0, ActivityColumn.POST) == "First words"
    assert _cell(activity, 0, ActivityColumn.ACCOUNT) == "Sandbox Bakery"
    assert reads == []  # the attempt's row was read with its post: painting it reads nothing more
    item_id = activity.model.attempt_at(0).queue_item_id  # type: ignore[union-attr]
    with ctx.store.engine.begin() as conn:  # as an edit would (posted text can't be edited from the app)
        conn.exec_driver_sql("UPDATE queue_items SET text = 'Second words' WHERE id = ?", (item_id,))
    ctx.events.emit("item_changed", item_id)
    assert _cell(activity, 0, ActivityColumn.POST) == "Second words"
    assert reads == [[item_id]]
    assert activity.model.row_of(attempt_id) == 0


def test_every_column_has_a_header_and_successes_say_what_happened(
    activity: ActivityTab, ctx: Context, controller: AppController
) -> None:
    from PySide6.QtCore import Qt

    headers = [activity.model.headerData(c, Qt.Orientation.Horizontal) for c in ActivityColumn]
    assert headers == ["Time", "Account", "Post", "Outcome", "Details", "Link"]
    _posted(ctx)
    item = make_post(ctx, "To Instagram", minutes=0, accounts=["17841400000000001"], image_path=_square(ctx))
    attempt = ctx.repo.start_attempt(item.id, ctx.clock.now())
    ctx.repo.finish_success(item.id, attempt.id, PublishResult("9", None), ctx.clock.now())
    ctx.events.emit("attempt_recorded", attempt.id)
    assert _cell(activity, 1, ActivityColumn.DETAILS) == "Published on Facebook"
    assert _cell(activity, 0, ActivityColumn.DETAILS) == "Published on Instagram (Meta gave no link)"


def test_the_post_text_takes_the_spare_width(qtbot: Any, activity: ActivityTab, ctx: Context) -> None:
    from PySide6.QtWidgets import QHeaderView

    _posted(ctx)
    header = activity.view.horizontalHeader()
    assert header.sectionResizeMode(ActivityColumn.POST) == QHeaderView.ResizeMode.Stretch
    assert header.sectionResizeMode(ActivityColumn.DETAILS) == QHeaderView.ResizeMode.Interactive
    activity.resize(1400, 500)
    qtbot.waitUntil(lambda: header.sectionSize(ActivityColumn.POST) > 500)
    wide = header.sectionSize(ActivityColumn.POST)
    activity.resize(1100, 500)
    qtbot.waitUntil(lambda: header.sectionSize(ActivityColumn.POST) < wide)  # it grows and shrinks with the window
    assert header.sectionSize(ActivityColumn.DETAILS) == 260
    activity.resize(860, 500)  # a small window: Details gives half the spare room to the post
    qtbot.waitUntil(lambda: header.sectionSize(ActivityColumn.DETAILS) < 260)
    assert header.sectionSize(ActivityColumn.DETAILS) >= 120
    assert header.sectionSize(ActivityColumn.POST) >= header.sectionSize(ActivityColumn.DETAILS)


def _square(ctx: Context) -> str:
    from PIL import Image

    path = ctx.config.data_dir / "square.jpg"
    Image.new("RGB", (1080, 1080), (200, 150, 90)).save(path, "JPEG")
    return str(path)


def test_a_first_comment_shows_as_its_own_attempt(qtbot: Any, activity: ActivityTab, ctx: Context) -> None:
    from autoposter_gui.domain.models import AttemptStep

    _posted(ctx, "With a comment")
    item_id = ctx.repo.attempts()[0].queue_item_id
    comment = ctx.repo.start_attempt(item_id, ctx.clock.now(), AttemptStep.COMMENT)
    ctx.repo.finish_comment(item_id, comment.id, "42_7", PERMALINK + "?comment_id=42_7", ctx.clock.now())
    ctx.events.emit("attempt_recorded", comment.id)
    qtbot.waitUntil(lambda: activity.model.rowCount() == 2)
    row = next(r for r in range(2) if activity.model.index(r, ActivityColumn.OUTCOME).data().startswith("Comment"))
    assert _cell(activity, row, ActivityColumn.OUTCOME) == "Comment: posted"
    assert _cell(activity, row, ActivityColumn.DETAILS).startswith("First comment posted on Facebook")
    assert _cell(activity, row, ActivityColumn.LINK) == "View comment →"  # its own link, to the comment
