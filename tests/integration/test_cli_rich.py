"""The CLI contract for rich posts (issue 13): several images, alt text, first comment, link; the refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.support.cli import connected_cli_env, ok, refused_post, run_cli
from tests.support.helpers import BAKERY, BAKERY_IG, make_image


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    return connected_cli_env(tmp_path, sandbox)


def _images(tmp_path: Path, n: int, size: tuple[int, int] = (1080, 1080)) -> list[str]:
    return [make_image(tmp_path / f"img{k}.jpg", size, ("orange", "green", "blue")[k % 3]) for k in range(n)]


def test_bad_combinations_are_refused_with_one_line_and_nothing_written(env: dict[str, str], tmp_path: Path) -> None:
    images = _images(tmp_path, 11)
    eleven = [arg for path in images for arg in ("--image", path)]
    assert "at most 10 images; this one has 11" in refused_post(env, "--account", BAKERY, "--text", "x", *eleven)
    two_alts = ["--image", images[0], "--alt-text", "a", "--alt-text", "b"]
    assert "2 alt texts for 1 image" in refused_post(env, "--account", BAKERY, "--text", "x", *two_alts)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0" * 100)
    both = ["--image", images[0], "--video", str(video)]
    assert "either one video or images" in refused_post(env, "--account", BAKERY, "--text", "x", *both)
    link = ["--image", images[0], "--link", "https://example.com"]
    assert "Facebook only" in refused_post(env, "--account", BAKERY_IG, "--text", "x", *link)
    long_comment = ["--first-comment", "c" * 2201]
    assert "2,200 characters; this one has 2,201" in refused_post(
        env, "--account", BAKERY, "--text", "x", *long_comment
    )
    assert "not a web address" in refused_post(env, "--account", BAKERY, "--text", "x", "--link", "example")


def test_queue_json_lists_media_in_order_with_alt_text_and_the_comment(env: dict[str, str], tmp_path: Path) -> None:
    images = _images(tmp_path, 3)
    args = ["--image", images[0], "--alt-text", "Loaf", "--image", images[1], "--image", images[2]]
    args += ["--alt-text", "Rolls", "--first-comment", "#bread #bakery"]
    (item,) = ok(run_cli(env, "post", "--account", BAKERY_IG, "--text", "Three", *args, "--now", "--json"))
    (listed,) = [i for i in ok(run_cli(env, "queue", "--json")) if i["id"] == item["id"]]
    assert [m["kind"] for m in listed["media"]] == ["image"] * 3
    assert [m["alt_text"] for m in listed["media"]] == ["Loaf", "Rolls", None]
    # Stored copies, in the order given (each file's own colour).
    colours = [Image.open(m["path"]).getpixel((5, 5)) for m in listed["media"]]
    assert [max(range(3), key=lambda k, c=c: c[k]) for c in colours] == [0, 1, 2]  # orange(R), green(G), blue(B)
    assert listed["image_path"] == listed["media"][0]["path"]
    assert listed["first_comment"] == "#bread #bakery" and listed["comment_status"] == "pending"
    assert listed["comment_permalink"] is None and listed["link"] is None
    (link_item,) = ok(
        run_cli(
            env, "post", "--account", BAKERY, "--text", "Read", "--link", "https://example.com/a", "--now", "--json"
        )
    )
    (listed,) = [i for i in ok(run_cli(env, "queue", "--json")) if i["id"] == link_item["id"]]
    assert listed["link"] == "https://example.com/a" and listed["media"] == [] and listed["image_path"] is None
    assert listed["first_comment"] is None and listed["comment_status"] is None


def test_fit_makes_a_carousel_share_the_first_images_ratio(env: dict[str, str], tmp_path: Path) -> None:
    square = make_image(tmp_path / "square.jpg", (1000, 1000))
    wide = make_image(tmp_path / "wide.jpg", (1600, 900), "green")
    tall = make_image(tmp_path / "tall.jpg", (600, 1200), "blue")  # 1:2, outside Instagram's range on its own
    args = ["--image", square, "--image", wide, "--image", tall, "--fit", "crop"]
    (item,) = ok(run_cli(env, "post", "--account", BAKERY_IG, "--text", "Fit", *args, "--now", "--json"))
    (listed,) = [i for i in ok(run_cli(env, "queue", "--json")) if i["id"] == item["id"]]
    sizes = [Image.open(m["path"]).size for m in listed["media"]]
    assert all(abs(w / h - 1.0) < 0.01 for w, h in sizes), sizes
    assert all(Path(m["path"]).parent.name == "media" for m in listed["media"])  # the store, never the originals
    assert {m["path"] for m in listed["media"]}.isdisjoint({square, wide, tall})


def test_carousel_and_link_post_with_first_comments_publish_from_the_cli(
    env: dict[str, str], tmp_path: Path, sandbox: Any
) -> None:
    images = _images(tmp_path, 3)
    carousel = ["--image", images[0], "--alt-text", "Loaf", "--image", images[1], "--image", images[2]]
    comment = ["--first-comment", "#bread"]
    (ig,) = ok(
        run_cli(env, "post", "--account", BAKERY_IG, "--text", "Carousel", *carousel, *comment, "--now", "--json")
    )
    link = ["--link", "https://example.com/x", "--first-comment", "More inside"]
    (fb,) = ok(run_cli(env, "post", "--account", BAKERY, "--text", "Link post", *link, "--now", "--json"))
    stats = ok(run_cli(env, "run-due", "--json"))
    assert stats["succeeded"] >= 2 and stats["failed"] == 0
    queue = {i["id"]: i for i in ok(run_cli(env, "queue", "--json"))}
    for item_id in (ig["id"], fb["id"]):
        item = queue[item_id]
        assert item["status"] == "posted" and item["permalink"]
        assert item["comment_status"] == "posted" and item["comment_permalink"]
    assert queue[fb["id"]]["link"] == "https://example.com/x"
    steps = {(a["queue_item_id"], a["step"]) for a in ok(run_cli(env, "activity", "--json"))}
    assert {(ig["id"], "publish"), (ig["id"], "comment"), (fb["id"], "publish"), (fb["id"], "comment")} <= steps
    (post,) = [p for p in sandbox.state()["posts"] if p["id"] == queue[ig["id"]]["provider_post_id"]]
    assert len(post["photo_ids"]) == 3
