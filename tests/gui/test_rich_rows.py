"""Queue and Activity rows of rich posts: the media count or kind, the first comment's state, and its link."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices

from autoposter_gui.domain.models import AttemptStep, MediaRef, Platform, PublishResult
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest
from autoposter_gui.storage.models import Account
from autoposter_gui.ui.activity_model import COMMENT_LINK_TEXT, LINK_TEXT, ActivityColumn
from autoposter_gui.ui.activity_tab import ActivityTab
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.queue_model import QueueColumn, QueueTableModel
from autoposter_gui.ui.rich_labels import comment_label, media_label
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, account_id

POST_LINK = "https://www.instagram.com/p/CAROUSEL1/"
COMMENT_LINK = "https://www.instagram.com/p/CAROUSEL1/c/1790000/"


@pytest.fixture
def photos(tmp_path: Path) -> list[str]:
    paths = []
    for n in range(3):
        path = tmp_path / f"p{n}.jpg"
        Image.new("RGB", (1080, 1080), (60 * n, 90, 120)).save(path, "JPEG")
        paths.append(str(path))
    return paths


def _carousel(ctx: Context, photos: list[str]) -> int:
    """A 3-image Instagram post with a first comment, published; its comment posted by an attempt of its own."""
    request = PostRequest(
        [account_id(ctx, BAKERY_IG)],
        "Three loaves",
        when=ctx.clock.now() + timedelta(hours=1),
        media=tuple(MediaRef(p) for p in photos),
        first_comment="#bread",
    )
    [item] = _service(ctx).create(request)
    now = ctx.clock.now()
    publish = ctx.repo.start_attempt(item.id, now)
    ctx.repo.finish_success(item.id, publish.id, PublishResult("17900001", POST_LINK), now)
    comment = ctx.repo.start_attempt(item.id, now + timedelta(seconds=5), AttemptStep.COMMENT)
    with ctx.store.write_raw() as conn:  # what the comment step records once Meta answered (finish_comment)
        conn.execute(
            "UPDATE delivery_attempts SET outcome = 'succeeded', finished_at = started_at, permalink = ? WHERE id = ?",
            (COMMENT_LINK, comment.id),
        )
        conn.execute(
            "UPDATE queue_items SET comment_status = 'posted', comment_permalink = ? WHERE id = ?",
            (COMMENT_LINK, item.id),
        )
    ctx.events.emit("attempt_recorded", publish.id)
    ctx.events.emit("attempt_recorded", comment.id)
    return item.id


def _service(ctx: Context) -> Any:
    from autoposter_gui.engine.posts import PostService

    return PostService(ctx)


def test_labels_for_media_and_comments() -> None:
    three = json.dumps([{"path": f"/m/{n}.jpg", "kind": "image", "alt_text": None} for n in range(3)])
    video = json.dumps([{"path": "/m/v.mp4", "kind": "video", "alt_text": None}])
    assert media_label(three, "/m/0.jpg", Platform.INSTAGRAM.value) == "3 photos"
    assert media_label(video, None, Platform.INSTAGRAM.value) == "Reel"
    assert media_label(video, None, Platform.FACEBOOK.value) == "Video"
    assert media_label("[]", "/m/one.jpg", Platform.FACEBOOK.value) == "Photo"  # a post from before rich posts
    assert media_label(None, None, Platform.FACEBOOK.value) == ""
    assert comment_label("pending") == "Comment pending" and comment_label("failed") == "Comment failed"
    assert comment_label(None) == ""


def test_queue_rows_show_the_media_and_the_comment(
    qtbot: Any, ctx: Context, connected: list[Account], photos: list[str]
) -> None:
    item_id = _carousel(ctx, photos)
    pending = _service(ctx).create(
        PostRequest(
            [account_id(ctx, BAKERY_PAGE)], "Soon", when=ctx.clock.now() + timedelta(hours=2), first_comment="#soon"
        )
    )[0]
    model = QueueTableModel(lambda: ctx.reads, ctx.clock.now)
    model.reload()
    row, soon = model.row_of(item_id), model.row_of(pending.id)
    assert row is not None and soon is not None
    assert model.index(row, QueueColumn.POST).data() == "3 photos · Three loaves"
    assert model.index(row, QueueColumn.COMMENT).data() == "Comment posted"
    assert COMMENT_LINK in model.index(row, QueueColumn.COMMENT).data(3)  # the tooltip holds the comment's link
    assert model.index(soon, QueueColumn.POST).data() == "Soon"  # text only: no label
    assert model.index(soon, QueueColumn.COMMENT).data() == "Comment pending"
    assert model.headerData(QueueColumn.COMMENT, Qt.Orientation.Horizontal) == "First comment"
    model.sort(QueueColumn.COMMENT)  # sortable like the other columns (in SQL)
    assert model.rowCount() == 2


def test_activity_comment_rows_link_to_the_comment(
    qtbot: Any,
    ctx: Context,
    controller: AppController,
    connected: list[Account],
    photos: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    _carousel(ctx, photos)
    tab = ActivityTab(controller)
    qtbot.addWidget(tab)
    tab.resize(1100, 400)
    tab.show()
    tab.model.reload()
    comment, publish = 0, 1  # newest first
    cell = lambda row, column: str(tab.model.index(row, column).data() or "")  # noqa: E731
    assert cell(comment, ActivityColumn.OUTCOME) == "Comment: posted"
    assert cell(comment, ActivityColumn.DETAILS) == "First comment posted on Instagram"
    assert cell(comment, ActivityColumn.LINK) == COMMENT_LINK_TEXT
    assert cell(comment, ActivityColumn.POST) == "3 photos · Three loaves"
    assert cell(publish, ActivityColumn.LINK) == LINK_TEXT
    assert tab.model.permalink(comment) == QUrl(COMMENT_LINK)
    assert tab.model.permalink(publish) == QUrl(POST_LINK)
