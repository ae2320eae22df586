"""The rich-post data model: migration 0004, media lists, first comments, attempt steps and checkpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autoposter_gui.domain.models import (
    AttemptStep,
    DiscoveredAccount,
    ItemStatus,
    MediaKind,
    MediaRef,
    Platform,
    media_from_json,
)
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.repo import NewItem, Repo
from tests.unit.test_storage import _database_at

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(Store(tmp_path / "db" / "autoposter.db"))


def _account(repo: Repo) -> int:
    return repo.upsert_account(DiscoveredAccount(Platform.INSTAGRAM, "17841", "Bakery", "tok", "99"), None, NOW).id


def test_migration_0004_moves_each_image_into_media_and_defaults_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with _database_at(path, "0003") as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, platform, external_id, name, connected_at, status) "
            "VALUES (1, 'facebook', '1', 'Page', '2026-01-01 00:00:00', 'connected')"
        )
        for n, image in ((1, "/data/media/a.jpg"), (2, None)):
            connection.exec_driver_sql(
                "INSERT INTO queue_items (id, account_id, platform, text, image_path, status, attempt_count,"
                " metadata, created_at, updated_at) VALUES"
                f" ({n}, 1, 'facebook', 't', ?, 'posted', 1, '{{}}', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                (image,),
            )
            connection.exec_driver_sql(
                "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, outcome, needs_reconcile)"
                f" VALUES ({n}, 1, '2026-01-01 00:00:00', 'succeeded', 0)"
            )
    store = Store(path)
    try:
        repo = Repo(store)
        with_image, text_only = repo.item(1), repo.item(2)
        assert with_image is not None and text_only is not None
        assert with_image.media == [{"path": "/data/media/a.jpg", "kind": "image", "alt_text": None}]
        assert with_image.image_path == "/data/media/a.jpg"  # kept for compatibility
        assert text_only.media == [] and text_only.image_path is None
        for item in (with_image, text_only):
            assert item.first_comment is None and item.link is None
            assert item.comment_status is None and item.comment_id is None and item.comment_permalink is None
        for n in (1, 2):
            (attempt,) = repo.history(n)
            assert attempt.step is AttemptStep.PUBLISH and attempt.checkpoint == {}
        work = repo.work(1)
        assert work is not None and work.item.media == (MediaRef("/data/media/a.jpg", MediaKind.IMAGE),)
    finally:
        store.close()


def test_a_carousel_keeps_its_images_in_order_with_alt_text_and_the_first_as_image_path(repo: Repo) -> None:
    media = (MediaRef("/m/1.jpg", alt_text="Loaf"), MediaRef("/m/2.jpg"), MediaRef("/m/3.jpg", alt_text="Rolls"))
    new = NewItem(
        _account(repo), Platform.INSTAGRAM, "Bread", None, ItemStatus.SCHEDULED, NOW, media=media, first_comment="#b"
    )
    (row,) = repo.add_items([new], NOW)
    item = repo.item(row.id)
    assert item is not None and item.image_path == "/m/1.jpg"
    assert media_from_json(item.media) == media
    assert item.first_comment == "#b" and item.comment_status == "pending" and item.link is None
    work = repo.work(row.id)
    assert work is not None and work.item.media == media and work.item.first_comment == "#b"
    assert work.item.comment_status == "pending"


def test_a_post_without_a_comment_has_no_comment_status_and_one_image_path_becomes_media(repo: Repo) -> None:
    new = NewItem(_account(repo), Platform.INSTAGRAM, "Bread", "/m/1.jpg", ItemStatus.SCHEDULED, NOW, link="")
    (row,) = repo.add_items([new], NOW)
    item = repo.item(row.id)
    assert item is not None and item.comment_status is None and item.link is None
    assert item.media == [{"path": "/m/1.jpg", "kind": "image", "alt_text": None}]


def test_each_checkpoint_key_is_committed_on_its_own_and_a_comment_attempt_spends_no_publish_try(repo: Repo) -> None:
    (row,) = repo.add_items(
        [NewItem(_account(repo), Platform.INSTAGRAM, "x", "/m/1.jpg", ItemStatus.SCHEDULED, NOW)], NOW
    )
    attempt = repo.start_attempt(row.id, NOW, checkpoint={"children": ["c1"]})
    repo.save_checkpoint(attempt.id, "parent", "p1")
    repo.save_checkpoint(attempt.id, "children", ["c1", "c2"])
    # Committed: a second store on the same file (another process after a crash) sees it.
    other = Store(repo.store.db_path)
    try:
        (seen,) = Repo(other).history(row.id)
        assert seen.checkpoint == {"children": ["c1", "c2"], "parent": "p1"}
        assert seen.step is AttemptStep.PUBLISH
    finally:
        other.close()
    comment = repo.start_attempt(row.id, NOW, AttemptStep.COMMENT)
    assert comment.attempt_number == 2
    item = repo.item(row.id)
    assert item is not None and item.attempt_count == 1  # the comment has a budget of its own
    with repo.store.read_raw() as conn:
        raw = conn.execute("SELECT step, checkpoint FROM delivery_attempts WHERE id = ?", (comment.id,)).fetchone()
    assert raw[0] == "comment" and json.loads(raw[1]) == {}
    with pytest.raises(LookupError):
        repo.save_checkpoint(9999, "k", "v")
