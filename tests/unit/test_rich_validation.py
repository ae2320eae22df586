"""Preflight of rich posts in domain/validation.py: the CLI and the composer get the same problems."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from autoposter_gui.domain.models import MediaKind, MediaRef, Platform
from autoposter_gui.domain.validation import PostDraft, alt_text_problem, validate_post_all
from tests.support.helpers import make_image

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FB, IG = (Platform.FACEBOOK,), (Platform.INSTAGRAM,)


def _draft(platforms: tuple[Platform, ...], media: tuple[MediaRef, ...] = (), **kw: str) -> PostDraft:
    first = media[0].path if media else None
    return PostDraft("Text", platforms, first, None, media, kw.get("comment"), kw.get("link"))


def test_a_carousel_of_ten_good_images_passes_and_eleven_is_refused_first(tmp_path: Path) -> None:
    paths = [make_image(tmp_path / f"{n}.jpg") for n in range(11)]
    assert validate_post_all(_draft(IG, tuple(MediaRef(p) for p in paths[:10])), NOW) == []
    problems = validate_post_all(_draft(IG, tuple(MediaRef(p) for p in paths)), NOW)
    assert problems[0] == ("image", "A post can have at most 10 images; this one has 11")


def test_each_image_is_checked_not_only_the_first(tmp_path: Path) -> None:
    good = make_image(tmp_path / "good.jpg")
    tall = make_image(tmp_path / "tall.jpg", (500, 1500))
    problems = validate_post_all(_draft(IG, (MediaRef(good), MediaRef(tall))), NOW)
    assert [f for f, _ in problems] == ["image"] and "4:5" in problems[0][1]
    assert validate_post_all(_draft(IG, (MediaRef(good), MediaRef(tall))), NOW, ratio_will_be_fixed=True) == []
    missing = validate_post_all(_draft(FB, (MediaRef(good), MediaRef(str(tmp_path / "gone.jpg")))), NOW)
    assert len(missing) == 1 and "gone.jpg" in missing[0][1]


def test_link_comment_and_video_rules(tmp_path: Path) -> None:
    good = make_image(tmp_path / "good.jpg")
    assert validate_post_all(_draft(FB, link="https://example.com/x"), NOW) == []
    assert "Facebook only" in validate_post_all(_draft(IG, (MediaRef(good),), link="https://a.b"), NOW)[0][1]
    assert "preview" in validate_post_all(_draft(FB, (MediaRef(good),), link="https://a.b"), NOW)[0][1]
    assert validate_post_all(_draft(FB, comment="c" * 2200), NOW) == []
    assert "2,201" in validate_post_all(_draft(FB, comment="c" * 2201), NOW)[0][1]
    tags = " ".join(f"#t{n}" for n in range(31))
    assert "first comment has 31" in validate_post_all(_draft(IG, (MediaRef(good),), comment=tags), NOW)[0][1]
    assert validate_post_all(_draft(FB, comment=tags), NOW) == []  # Facebook has no hashtag limit
    both = (MediaRef(good), MediaRef(str(tmp_path / "v.mp4"), MediaKind.VIDEO))
    assert validate_post_all(_draft(FB, both), NOW)[0] == (
        "image",
        "A post has either one video or images, not both; remove one",
    )


def test_alt_texts_go_one_per_image() -> None:
    assert alt_text_problem(2, 2) is None and alt_text_problem(3, 0) is None
    problem = alt_text_problem(1, 2)
    assert problem is not None and "There are 2 alt texts for 1 image;" in str(problem)
    assert "There is 1 alt text for 0 images;" in str(alt_text_problem(0, 1))
