"""The media store end to end: each queued post publishes the picture it was queued with, against the sandbox."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from autoposter_gui import cli
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.health import daily_jobs
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.engine.runner import Runner
from autoposter_gui.storage.media import MARKER
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image, published_picture, queue

RED, BLUE, GREEN = (200, 30, 30), (30, 30, 200), (30, 160, 30)
DAY = timedelta(days=1)


@pytest.fixture
def connected(ctx: Context, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Context:
    monkeypatch.setenv("AUTOPOSTER_GRAPH_URL", sandbox.url)  # for the commands run in-process
    connect(ctx, sandbox)
    return ctx


def _picture(path: Path, color: tuple[int, int, int], size: tuple[int, int] = (1080, 1080)) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)  # format from the name: PNG or JPEG
    return str(path)


def _centre(img: Image.Image) -> tuple[int, int, int]:
    pixel = img.getpixel((img.width // 2, img.height // 2))
    assert isinstance(pixel, tuple)
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


def _is(color: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(color, expected, strict=True))  # JPEG is lossy


def _stored(ctx: Context) -> list[Path]:
    root = ctx.config.media_dir
    return sorted(p for p in root.iterdir() if p.name != MARKER) if root.exists() else []


def _image_path(ctx: Context, item_id: int) -> Path:
    item = ctx.repo.item(item_id)
    assert item is not None and item.image_path is not None
    return Path(item.image_path)


def _status(ctx: Context, item_id: int) -> str:
    item = ctx.repo.item(item_id)
    assert item is not None
    return item.status


def test_two_different_photo_png_of_one_size_each_publish_their_own_picture(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same name and size, different pixels, both too wide for Instagram: each gets its own padded copy.
    red = _picture(tmp_path / "a" / "photo.png", RED, (2000, 800))
    blue = _picture(tmp_path / "b" / "photo.png", BLUE, (2000, 800))
    for text, path in (("the red one", red), ("the blue one", blue)):
        args = ["post", "--account", BAKERY_IG, "--text", text, "--image", path, "--fit", "pad", "--now", "--json"]
        assert cli.main(args) == 0
    capsys.readouterr()
    assert cli.main(["queue", "--json"]) == 0
    rows = {row["text"]: row for row in json.loads(capsys.readouterr().out)}
    red_copy, blue_copy = Path(rows["the red one"]["image_path"]), Path(rows["the blue one"]["image_path"])
    assert red_copy != blue_copy
    assert {red_copy.parent, blue_copy.parent} == {connected.config.media_dir}  # the queue shows the copies
    assert _is(_centre(Image.open(red_copy).convert("RGB")), RED)
    assert _is(_centre(Image.open(blue_copy).convert("RGB")), BLUE)
    clock.set(datetime.now(UTC) + timedelta(minutes=1))  # the CLI stamped "now" on the real clock
    assert Runner(connected).run_due().succeeded == 2
    assert _is(_centre(published_picture(sandbox, "the red one")), RED)
    assert _is(_centre(published_picture(sandbox, "the blue one")), BLUE)


@pytest.mark.parametrize("account", [BAKERY, BAKERY_IG])
def test_a_moved_or_deleted_original_is_still_published(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path, account: str
) -> None:
    downloads = Path(_picture(tmp_path / "Downloads" / "croissant.jpg", GREEN))
    item = queue(connected, account, "tidy downloads", str(downloads), clock.now() + timedelta(hours=1))
    shutil.move(downloads, tmp_path / "elsewhere.jpg")  # the owner tidies up...
    (tmp_path / "elsewhere.jpg").unlink()  # ...and empties the bin
    clock.advance(timedelta(hours=1))
    assert Runner(connected).run_due().succeeded == 1
    assert _status(connected, item.id) == "posted"
    assert _is(_centre(published_picture(sandbox, "tidy downloads")), GREEN)


@pytest.mark.parametrize("account", [BAKERY, BAKERY_IG])
def test_an_overwritten_original_publishes_the_picture_as_queued(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path, account: str
) -> None:
    photo = tmp_path / "photo.jpg"
    _picture(photo, RED)
    queue(connected, account, "as it was", str(photo), clock.now() + timedelta(hours=1))
    _picture(photo, BLUE)  # the same file name, another picture
    clock.advance(timedelta(hours=1))
    assert Runner(connected).run_due().succeeded == 1
    assert _is(_centre(published_picture(sandbox, "as it was")), RED)


def test_the_same_picture_queued_twice_is_stored_once(connected: Context, tmp_path: Path) -> None:
    photo = make_image(tmp_path / "bread.jpg")
    shutil.copy(photo, tmp_path / "bread-copy.jpg")
    first = queue(connected, BAKERY, "one", photo)
    second = queue(connected, BAKERY_IG, "two", str(tmp_path / "bread-copy.jpg"))
    service = PostService(connected)
    both = service.create(PostRequest([BAKERY, BAKERY_IG], "three", photo))
    paths = {_image_path(connected, i) for i in (first.id, second.id, *(i.id for i in both))}
    assert len(paths) == 1 and _stored(connected) == sorted(paths)
    [stored] = paths
    assert stored.suffix == ".jpg" and stored.read_bytes() == Path(photo).read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(connected.config.media_dir.stat().st_mode) == 0o700


def test_the_stored_copy_keeps_the_extension_of_its_real_format(connected: Context, tmp_path: Path) -> None:
    misnamed = tmp_path / "really-a-png.jpg"
    Image.new("RGB", (600, 600), "white").save(misnamed, "PNG")
    assert _image_path(connected, queue(connected, BAKERY, "png", str(misnamed)).id).suffix == ".png"


def test_editing_a_post_that_shows_its_stored_copy_copies_nothing(
    connected: Context, clock: FixedClock, tmp_path: Path
) -> None:
    photo = make_image(tmp_path / "p.jpg")
    item = queue(connected, BAKERY, "before", photo, clock.now() + timedelta(hours=1))
    stored = _image_path(connected, item.id)
    # The composer shows the stored copy's path when a post is opened for editing, and saves it back.
    PostService(connected).update(item.id, PostRequest([BAKERY], "after", str(stored), clock.now() + DAY))
    assert _image_path(connected, item.id) == stored and _stored(connected) == [stored]
    # A new image on edit is stored like a new post's.
    other = _picture(tmp_path / "other.png", BLUE)
    PostService(connected).update(item.id, PostRequest([BAKERY], "after", other, clock.now() + DAY))
    changed = _image_path(connected, item.id)
    assert changed != stored and changed.parent == connected.config.media_dir and changed.suffix == ".png"


def test_editing_an_instagram_post_can_fit_a_new_image(connected: Context, clock: FixedClock, tmp_path: Path) -> None:
    item = queue(connected, BAKERY_IG, "square", make_image(tmp_path / "sq.jpg"), clock.now() + timedelta(hours=1))
    wide = _picture(tmp_path / "wide.png", RED, (2000, 800))
    PostService(connected).update(
        item.id, PostRequest([BAKERY_IG], "wide now", wide, clock.now() + DAY, fit="pad", fit_color=(0, 0, 0))
    )
    with Image.open(_image_path(connected, item.id)) as fitted:
        assert fitted.format == "JPEG" and fitted.width / fitted.height <= 1.91 + 1e-3


REFUSED = [
    ["--account", BAKERY_IG, "--text", " ".join(f"#t{i}" for i in range(31))],
    ["--account", BAKERY, "--account", "nobody", "--text", "hi"],
    ["--account", BAKERY_IG, "--text", "too wide, no fit", "--image", "WIDE"],
    # (a photo with no caption is allowed now; a post to a Page whose role can't create posts is refused)
    ["--account", BAKERY, "--account", "100000000000002", "--text", "latte art"],
]


def test_a_refused_post_stores_nothing_and_an_accepted_one_does(
    connected: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = make_image(tmp_path / "ok.jpg")
    wide = _picture(tmp_path / "wide.png", RED, (2000, 800))
    for args in REFUSED:
        args = [wide if a == "WIDE" else a for a in args]
        if "--image" not in args:
            args += ["--image", ok]
        assert cli.main(["post", *args, "--now"]) == 2
        assert connected.repo.count_items() == 0 and _stored(connected) == [], args
    capsys.readouterr()
    assert cli.main(["post", "--account", BAKERY, "--text", "fine", "--image", ok, "--now"]) == 0
    assert len(_stored(connected)) == 1


def test_a_full_disk_while_storing_is_a_clear_message_and_writes_nothing(
    connected: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = make_image(tmp_path / "ok.jpg")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code = cli.main(["post", "--account", BAKERY, "--account", BAKERY_IG, "--text", "hi", "--image", ok, "--now"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip().splitlines() == [
        "autoposter: Could not store the image: the disk is full; free some space and try again"
    ]
    assert connected.repo.count_items() == 0 and _stored(connected) == []


# ----- cleanup ------------------------------------------------------------------------------------


def test_cleanup_keeps_what_unfinished_posts_use_and_removes_the_rest_after_the_grace_period(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path
) -> None:
    def item_with(color: tuple[int, int, int], text: str, when: timedelta | None = None) -> int:
        path = _picture(tmp_path / f"{text}.jpg", color)
        return queue(connected, BAKERY, text, path, clock.now() + when if when else None).id

    minute = timedelta(minutes=1)  # between steps, so each finish time differs from its creation time
    failed = item_with(BLUE, "failed")
    sandbox.inject_fault(kind="error", match="photos_post", code=506)  # permanent: failed at once
    clock.advance(minute)
    assert Runner(connected).run_due().failed == 1
    posted = item_with(RED, "posted")
    clock.advance(minute)
    assert Runner(connected).run_due().succeeded == 1
    assert (_status(connected, posted), _status(connected, failed)) == ("posted", "failed")
    canceled = item_with(GREEN, "canceled", DAY)
    clock.advance(minute)
    PostService(connected).cancel(canceled)  # the last post to finish
    later = item_with((250, 250, 0), "later", 30 * DAY)
    draft_path = _picture(tmp_path / "draft.jpg", (0, 250, 250))
    draft = PostService(connected).create(PostRequest([BAKERY], "draft", draft_path, draft=True))[0].id
    copies = {i: _image_path(connected, i) for i in (posted, failed, canceled, later, draft)}
    assert len(set(copies.values())) == 5

    clock.advance(7 * DAY - minute)
    assert PostService(connected).clean_media(force=True) == []  # within the grace period: all kept
    clock.advance(2 * minute)
    jobs = dict(daily_jobs(connected))
    jobs["media-cleanup"]()  # what the desktop app runs once a day, beside the backup
    assert {i for i, p in copies.items() if p.exists()} == {failed, later, draft}  # failed can still be retried

    # A canceled post whose copy is gone can't be brought back without a new image: it says so.
    with pytest.raises(ValidationError, match="choose the image again"):
        PostService(connected).reschedule(canceled, clock.now() + DAY)
    # A failed post retried after a week still has its picture.
    PostService(connected).retry(failed)
    assert Runner(connected).run_due().succeeded == 1
    assert _is(_centre(published_picture(sandbox, "failed")), BLUE)


def test_a_copy_stays_for_the_grace_period_after_its_post_went_out(
    connected: Context, clock: FixedClock, tmp_path: Path
) -> None:
    item = queue(connected, BAKERY, "in two days", make_image(tmp_path / "p.jpg"), clock.now() + 2 * DAY)
    stored = _image_path(connected, item.id)
    clock.advance(2 * DAY)
    assert Runner(connected).run_due().succeeded == 1  # posted; its copy was stored two days before
    clock.advance(6 * DAY)  # the copy is 8 days old, the post went out 6 days ago
    assert PostService(connected).clean_media(force=True) == [] and stored.exists()
    clock.advance(DAY + timedelta(minutes=1))
    assert PostService(connected).clean_media(force=True) == [stored] and not stored.exists()


def test_run_due_cleans_up_at_most_once_a_day(
    connected: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = (connected.clock.now() + 3 * DAY).strftime("%Y-%m-%dT%H:%M")
    photo = make_image(tmp_path / "p.jpg")
    assert cli.main(["post", "--account", BAKERY, "--text", "later", "--image", photo, "--at", later]) == 0
    assert cli.main(["run-due", "--json"]) == 0  # the day's cleanup: nothing is old yet
    capsys.readouterr()
    [used] = _stored(connected)
    orphan = connected.media.put_bytes(b"from an edit the database refused", ".jpg")
    month_ago = (connected.clock.now() - 30 * DAY).timestamp()
    for path in (used, orphan):
        os.utime(path, (month_ago, month_ago))
    assert cli.main(["run-due", "--json"]) == 0
    assert orphan.exists()  # the cleanup already ran today
    marker = connected.config.media_dir / MARKER
    marker.write_text((connected.clock.now() - 2 * DAY).isoformat())
    assert cli.main(["run-due", "--json"]) == 0
    assert not orphan.exists() and used.exists()  # the scheduled post keeps its copy, however old
