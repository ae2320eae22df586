"""Typed times of day, every problem of a post at once (domain and engine), and the DST overlap's two moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import Platform
from autoposter_gui.domain.times import AmbiguousTimeError, localize, parse_clock, parse_when
from autoposter_gui.domain.validation import PostDraft, validate_post, validate_post_all
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService

NOW = datetime(2027, 1, 13, 10, 0, tzinfo=UTC)
IG, FB = Platform.INSTAGRAM, Platform.FACEBOOK


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9:30", (9, 30)),
        ("930", (9, 30)),
        ("0930", (9, 30)),
        ("09.30", (9, 30)),
        ("14:05", (14, 5)),
        ("1405", (14, 5)),
        ("14h05", (14, 5)),
        ("9", (9, 0)),
        (" 2:30 pm ", (14, 30)),
        ("2:30 P.M.", (14, 30)),
        ("2pm", (14, 0)),
        ("12 am", (0, 0)),
        ("12:15 pm", (12, 15)),
        ("9:30\u202fAM", (9, 30)),  # the narrow space some locales put before AM
        ("0:00", (0, 0)),
        ("23:59", (23, 59)),
        ("24:00", None),
        ("9:60", None),
        ("13 pm", None),
        ("0 am", None),
        ("12345", None),
        ("half nine", None),
        ("", None),
    ],
)
def test_parse_clock(typed: str, expected: tuple[int, int] | None) -> None:
    assert parse_clock(typed) == expected


def test_a_time_that_happens_twice_carries_both_moments(monkeypatch: pytest.MonkeyPatch) -> None:
    paris = ZoneInfo("Europe/Paris")
    with pytest.raises(AmbiguousTimeError) as info:
        localize(datetime(2027, 10, 31, 2, 30), paris, "Europe/Paris")
    first, second = info.value.choices
    assert first.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert info.value.field == "when" and "happens twice" in str(info.value)
    monkeypatch.setenv("TZ", "Europe/Paris")
    with pytest.raises(ValidationError, match="give the offset"):  # the CLI's message is unchanged
        parse_when("2027-10-31T02:30")


def _image(tmp_path: Path, size: tuple[int, int]) -> str:
    path = tmp_path / "photo.jpg"
    Image.new("RGB", size, (10, 20, 30)).save(path, "JPEG")
    return str(path)


def test_validate_post_all_lists_every_problem_in_validate_posts_order(tmp_path: Path) -> None:
    wide = _image(tmp_path, (2000, 800))
    draft = PostDraft("x" * 2201 + " #t" * 31, (FB, IG), wide, NOW - timedelta(days=1))
    problems = validate_post_all(draft, NOW)
    assert [field for field, _ in problems] == ["text", "text", "image", "when"]
    assert "2,200 characters" in problems[0][1] and "30 hashtags" in problems[1][1]
    assert "aspect ratio" in problems[2][1] and "in the past" in problems[3][1]
    with pytest.raises(ValidationError) as first:
        validate_post(draft, NOW)
    assert (first.value.field, str(first.value)) == problems[0]  # the one validate_post raises
    fixed = validate_post_all(draft, NOW, ratio_will_be_fixed=True, require_future=False)
    assert [field for field, _ in fixed] == ["text", "text"]


def test_validate_post_all_reports_a_broken_image_and_the_time(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_text("not a picture")
    problems = validate_post_all(PostDraft("Hello", (FB,), str(broken), NOW + timedelta(days=400)), NOW)
    assert [field for field, _ in problems] == ["image", "when"]
    assert validate_post_all(PostDraft("Hello", (IG,), _image(tmp_path, (1080, 1080)), NOW), NOW) == []


def test_post_service_problems_include_the_accounts(ctx: Context, tmp_path: Path) -> None:
    service = PostService(ctx)
    problems = service.problems(PostRequest([], "", None, ctx.clock.now() - timedelta(days=2)))
    assert [field for field, _ in problems] == ["accounts", "text", "when"]
    unknown = service.problems(PostRequest(["999"], "Fine text", None, None))
    assert unknown == [("accounts", "Unknown account 999; run `autoposter accounts` to list the connected ones")]
    assert ctx.repo.count_items() == 0  # nothing written
