"""Domain rules: validation, time parsing with DST, retry policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from autoposter_gui.domain.errors import Remedy, ValidationError
from autoposter_gui.domain.images import inspect_image, to_jpeg_bytes
from autoposter_gui.domain.models import Platform
from autoposter_gui.domain.retry import next_attempt_after
from autoposter_gui.domain.times import parse_when
from autoposter_gui.domain.validation import PostDraft, caption, text_problems, validate_post

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _image(path: Path, size: tuple[int, int] = (800, 800), mode: str = "RGB", fmt: str = "JPEG") -> str:
    Image.new(mode, size, "red" if mode != "RGBA" else (255, 0, 0, 128)).save(path, fmt)
    return str(path)


@pytest.mark.parametrize(
    ("text", "platforms", "expected"),
    [
        ("", (Platform.FACEBOOK,), "empty"),
        ("   \n\t", (Platform.FACEBOOK,), "empty"),
        ("\u200b\u200b", (Platform.FACEBOOK,), "empty"),
        ("\u3164", (Platform.FACEBOOK,), "empty"),  # HANGUL FILLER renders blank
        ("\u2800 \u2800", (Platform.FACEBOOK,), "empty"),  # BRAILLE PATTERN BLANK
        ("\u0301\u20dd", (Platform.FACEBOOK,), "empty"),  # combining marks with no letter
        ("caf\udce9", (Platform.FACEBOOK,), "not valid UTF-8"),  # an undecodable byte from argv
        ("x" * 2201, (Platform.INSTAGRAM,), "2,200 characters"),
        (" ".join(f"#t{i}" for i in range(31)), (Platform.INSTAGRAM,), "30 hashtags"),
        (" ".join(f"@u{i}" for i in range(21)), (Platform.INSTAGRAM,), "20 @-mentions"),
        ("x" * 63_207, (Platform.FACEBOOK,), "63,206"),
    ],
)
def test_text_problems(text: str, platforms: tuple[Platform, ...], expected: str) -> None:
    problems = text_problems(text, platforms)
    assert problems and expected in problems[0]


def test_text_limits_are_per_platform() -> None:
    assert text_problems("x" * 2201, (Platform.FACEBOOK,)) == []
    assert text_problems(" ".join(f"#t{i}" for i in range(30)), (Platform.INSTAGRAM,)) == []
    assert text_problems("مرحبا 👋 שלום", (Platform.INSTAGRAM,)) == []
    assert text_problems("e\u0301 \u3164x \u2800\u28ff", (Platform.FACEBOOK,)) == []  # visible next to blanks


def test_tag_limits_count_tags_not_signs() -> None:
    """More "#"/"@" than the limit, but not more tags: the regex decides; any iterable of platforms will do."""
    doubled = " ".join(f"#t{i} # ##x" for i in range(30))  # 120 "#", 30 hashtags (a lone "#", "##x": none)
    assert text_problems(doubled, (Platform.INSTAGRAM,)) == []
    assert text_problems(doubled + " #t30", iter([Platform.INSTAGRAM])) != []
    emails = " ".join(f"a{i}@b.c" for i in range(40))  # 40 "@", no mention (each "@" follows a word character)
    assert text_problems(emails, {Platform.INSTAGRAM}) == []
    mentions = " ".join(f"@u{i}" for i in range(21))
    assert "21" in text_problems(mentions, [Platform.FACEBOOK, Platform.INSTAGRAM])[0]
    assert text_problems(mentions, (Platform.FACEBOOK,)) == []


@pytest.mark.parametrize(
    ("text", "tz"),
    [
        ("9999-12-31T23:59", "America/New_York"),  # past year 9999 once in UTC
        ("0001-01-01T00:30", "Europe/Berlin"),  # before year 1 once in UTC
        ("9999-12-31T23:59:59+00:00", "UTC"),
        ("1900-01-01T10:00", "UTC"),
    ],
)
def test_times_out_of_range_are_bad_input(text: str, tz: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from autoposter_gui.domain.times import parse_when

    monkeypatch.setenv("TZ", tz)
    with pytest.raises(ValidationError, match="out of range"):
        parse_when(text)


def test_instagram_needs_image(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="need an image"):
        validate_post(PostDraft("hi", (Platform.INSTAGRAM,), None, None), NOW)


@pytest.mark.parametrize("kind", ["missing", "empty", "dir", "notimage", "truncated"])
def test_bad_images_are_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "img.jpg"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "dir":
        path.mkdir()
    elif kind == "notimage":
        path.write_text("hello")
    elif kind == "truncated":
        _image(path, (600, 600))
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValidationError) as info:
        inspect_image(path)
    assert str(path) in str(info.value)


def test_jpeg_conversion_flattens_alpha(tmp_path: Path) -> None:
    src = _image(tmp_path / "a.png", (2000, 1000), "RGBA", "PNG")
    data = to_jpeg_bytes(src, max_width=1440)
    out = tmp_path / "out.jpg"
    out.write_bytes(data)
    with Image.open(out) as img:
        assert img.format == "JPEG" and img.mode == "RGB" and img.size == (1440, 720)


@pytest.mark.parametrize(("size", "expected"), [((3000, 2000), (1440, 960)), ((2881, 1921), (1440, 960))])
def test_large_jpeg_is_scaled_to_the_exact_width(
    tmp_path: Path, size: tuple[int, int], expected: tuple[int, int]
) -> None:
    # The decoder pre-scales big JPEGs (draft mode); the result must still be exactly max_width wide.
    data = to_jpeg_bytes(_image(tmp_path / "big.jpg", size), max_width=1440)
    out = tmp_path / "out.jpg"
    out.write_bytes(data)
    with Image.open(out) as img:
        assert img.size == expected and img.mode == "RGB"
        assert img.getpixel((720, 480)) == pytest.approx((254, 0, 0), abs=2)


@pytest.mark.parametrize(("mode", "width"), [("RGB", None), ("RGB", 2048), ("RGB", 1440), ("L", 1440), ("CMYK", 2048)])
def test_a_jpeg_decoded_into_memory_allocated_ahead_converts_exactly_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, width: int | None
) -> None:
    """The decoder writes into the memory _allocate_unlocked gives it (cleared without holding the GIL): the same
    bytes as Pillow's own allocation, for full-size and draft-scaled decodes."""
    from PIL import ImageDraw

    from autoposter_gui.domain import images

    picture = Image.effect_noise((3000, 2000), 40).convert(mode)
    ImageDraw.Draw(picture).line([(0, 0), (2999, 1999)], fill=200 if mode == "L" else None, width=9)
    path = tmp_path / "photo.jpg"
    picture.save(path, "JPEG", quality=92)
    used: list[bool] = []
    real = images._allocate_unlocked

    def tracked(src: Image.Image) -> None:
        real(src)
        memory = src.im
        src.load()
        used.append(src.im is memory)

    monkeypatch.setattr(images, "_allocate_unlocked", tracked)
    ahead = to_jpeg_bytes(path, max_width=width)
    monkeypatch.setattr(images, "_allocate_unlocked", lambda src: None)
    assert ahead == to_jpeg_bytes(path, max_width=width) and used == [True]


def test_truncated_jpeg_is_refused_by_conversion_and_inspection(tmp_path: Path) -> None:
    path = tmp_path / "cut.jpg"
    noisy = Image.effect_noise((2400, 1600), 60).convert("RGB")
    noisy.save(path, "JPEG")
    path.write_bytes(path.read_bytes()[:-20_000])
    with pytest.raises(ValidationError, match="damaged or truncated"):
        inspect_image(path)
    with pytest.raises(ValidationError, match="damaged or truncated"):
        to_jpeg_bytes(path, max_width=1440)
    assert inspect_image(path, decode=False).size_bytes == path.stat().st_size  # the cheap checks alone pass


def test_past_and_far_future_times_are_refused() -> None:
    with pytest.raises(ValidationError, match="past"):
        validate_post(PostDraft("hi", (Platform.FACEBOOK,), None, NOW - timedelta(hours=1)), NOW)
    with pytest.raises(ValidationError, match="year"):
        validate_post(PostDraft("hi", (Platform.FACEBOOK,), None, NOW + timedelta(days=400)), NOW)
    validate_post(PostDraft("hi", (Platform.FACEBOOK,), None, NOW + timedelta(minutes=5)), NOW)


def test_parse_when_with_offset_and_local(monkeypatch: pytest.MonkeyPatch) -> None:
    when, _ = parse_when("2027-01-10T09:30+01:00")
    assert when == datetime(2027, 1, 10, 8, 30, tzinfo=UTC)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    when, zone = parse_when("2027-01-10T09:30")
    assert when == datetime(2027, 1, 10, 8, 30, tzinfo=UTC) and zone == "Europe/Berlin"
    with pytest.raises(ValidationError, match="ISO 8601"):
        parse_when("tomorrow at noon")


def test_dst_gap_and_overlap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    with pytest.raises(ValidationError, match="03:00"):
        parse_when("2027-03-14T02:30")
    with pytest.raises(ValidationError, match="offset"):
        parse_when("2027-11-07T01:30")
    when, _ = parse_when("2027-11-07T01:30-05:00")
    assert when == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)


def test_retry_backoff() -> None:
    delays = [next_attempt_after(n, NOW) for n in range(1, 6)]
    assert [d - NOW if d else None for d in delays] == [
        timedelta(minutes=2),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(minutes=60),
        None,
    ]
    assert next_attempt_after(1, NOW, timedelta(minutes=30)) == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("size", "ok"),
    [((1080, 1350), True), ((1910, 1000), True), ((1000, 2000), False), ((3000, 1000), False), ((320, 400), True)],
)
def test_instagram_aspect_ratio_preflight(tmp_path: Path, size: tuple[int, int], ok: bool) -> None:
    img = _image(tmp_path / "r.jpg", size)
    draft = PostDraft("hi", (Platform.INSTAGRAM,), img, None)
    if ok:
        validate_post(draft, NOW)
    else:
        with pytest.raises(ValidationError, match="aspect ratio") as caught:
            validate_post(draft, NOW)
        assert caught.value.field == "image" and caught.value.remedy is Remedy.FIT_IMAGE
        # Facebook takes any ratio.
        validate_post(PostDraft("hi", (Platform.FACEBOOK,), img, None), NOW)


@pytest.mark.parametrize("mode", ["pad", "crop"])
@pytest.mark.parametrize("size", [(1000, 2000), (3000, 1000)])
def test_fit_for_instagram_fixes_ratio_and_keeps_original(tmp_path: Path, mode: str, size: tuple[int, int]) -> None:
    from autoposter_gui.domain.images import fit_for_instagram, instagram_ratio_ok

    src = _image(tmp_path / "tall.png", size, fmt="PNG")
    before = Path(src).read_bytes()
    out = fit_for_instagram(src, tmp_path / "fixed", mode, (0, 0, 0))
    assert Path(src).read_bytes() == before
    info = inspect_image(out)
    assert info.format == "JPEG" and instagram_ratio_ok(info.width, info.height) and info.width <= 1440
    if mode == "pad":
        with Image.open(out) as img:
            corner = img.getpixel((0, 0))
        assert isinstance(corner, tuple) and max(corner) < 30  # letterboxed in the chosen colour


def test_fitted_ratio_is_always_inside_the_range() -> None:
    from autoposter_gui.domain.images import IG_MAX_RATIO, IG_MIN_RATIO, _target_size

    for width in range(320, 1441, 7):
        for height in (width // 3, width // 2 + 1, width * 2, width * 3 + 1):
            for mode in ("pad", "crop"):
                tw, th = _target_size(width, height, mode)
                assert IG_MIN_RATIO <= tw / th <= IG_MAX_RATIO, (width, height, mode, tw, th)


def test_fit_applies_exif_rotation(tmp_path: Path) -> None:
    from autoposter_gui.domain.images import fit_for_instagram

    src = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    Image.new("RGB", (1600, 400), "green").save(src, "JPEG", exif=exif)
    out = fit_for_instagram(src, tmp_path / "out", "pad")
    with Image.open(out) as img:
        assert img.height > img.width  # shown upright: a tall image, padded sideways


def test_a_remedy_is_phrased_by_each_front_end_from_one_rule(tmp_path: Path) -> None:
    """The ratio rule lives in the domain; the GUI names its buttons and the CLI its flags, in one sentence."""
    img = _image(tmp_path / "wide.jpg", (3000, 1000))
    with pytest.raises(ValidationError) as caught:
        validate_post(PostDraft("hi", (Platform.INSTAGRAM,), img, None), NOW)
    exc = caught.value
    problem = "Instagram needs an aspect ratio between 4:5 (portrait) and 1.91:1 (landscape); this image is 3000×1000"
    assert exc.problem == problem
    assert str(exc) == f"{problem}. Pad or crop the image to fit"  # neutral: logs and the engine
    assert exc.phrased({Remedy.FIT_IMAGE: "use --fit pad or --fit crop"}) == f"{problem}. Use --fit pad or --fit crop"
    assert exc.phrased({}) == str(exc)
    assert ValidationError("No such item", field="id").phrased({Remedy.FIT_IMAGE: "x"}) == "No such item"


@pytest.mark.parametrize("text", ["", "   \n", "\u200b\u3164"])
def test_a_photo_needs_no_caption_but_a_text_post_needs_text(tmp_path: Path, text: str) -> None:
    img = _image(tmp_path / "p.jpg")
    for platforms in ((Platform.FACEBOOK,), (Platform.INSTAGRAM,), (Platform.FACEBOOK, Platform.INSTAGRAM)):
        assert validate_post(PostDraft(text, platforms, img, None), NOW) is not None
    with pytest.raises(ValidationError, match="empty") as caught:  # no image: the blank-text rule stays
        validate_post(PostDraft(text, (Platform.FACEBOOK,), None, None), NOW)
    assert caught.value.field == "text"
    with pytest.raises(ValidationError, match="empty"):
        validate_post(PostDraft(text, (Platform.INSTAGRAM,), None, None), NOW)
    assert caption(text) == ""  # a blank caption is stored and sent as none


def test_caption_keeps_visible_text_as_typed() -> None:
    assert caption("  Fresh bread \n") == "  Fresh bread \n"
