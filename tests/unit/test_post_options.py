"""A Google post's options (issue 17): each rule of domain.post_options, the normalised dict, and the per-platform
rules hook of domain.validation (X and Google posts are not checked against Meta's rules)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import MediaKind, MediaRef, Platform
from autoposter_gui.domain.post_options import (
    OPTION_KEYS,
    google_options,
    option_problems,
    parse_options,
    stored_flags,
    stored_options,
)
from autoposter_gui.domain.validation import PLATFORM_RULES, PostDraft, post_problems, text_problems, video_problems

G, X, FB, IG = Platform.GOOGLE, Platform.X, Platform.FACEBOOK, Platform.INSTAGRAM
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
EVENT = {"event_title": "Tasting night", "event_start": "2026-12-05T18:00", "event_end": "2026-12-05T21:30"}


def _lines(flags: dict[str, str | None], platforms: tuple[Platform, ...] = (G,)) -> list[str]:
    return [str(p) for p in option_problems(flags, platforms)]


def _fields(flags: dict[str, str | None], platforms: tuple[Platform, ...] = (G,)) -> list[str | None]:
    return [p.field for p in option_problems(flags, platforms)]


# ----- the options dict ----------------------------------------------------------------------------------------


def test_no_flags_make_a_standard_post_with_every_key() -> None:
    options, problems = parse_options({}, (G,))
    assert problems == []
    assert list(options) == list(OPTION_KEYS)
    assert options == dict.fromkeys(OPTION_KEYS) | {"google_type": "standard"}


def test_flags_are_normalised_type_lower_button_upper_times_without_seconds() -> None:
    flags = {"google_type": "Event", "button": "sign_up", "button_url": " https://ex.com/s ", **EVENT}
    flags["event_start"] = "2026-12-05 18:00:00"
    flags["event_end"] = "2026-12-05T21:30:15"
    options, problems = parse_options(flags, (G, G))
    assert problems == []
    assert options["google_type"] == "event" and options["button"] == "SIGN_UP"
    assert options["button_url"] == "https://ex.com/s"
    assert options["event_start"] == "2026-12-05T18:00"  # zero seconds left out, the T put in
    assert options["event_end"] == "2026-12-05T21:30:15"  # seconds kept when given
    assert options["offer_code"] is None


def test_an_offer_keeps_its_code_terms_url_and_period() -> None:
    flags = {"google_type": "offer", "offer_code": "BREAD10", "offer_terms": "One per visit", **EVENT}
    flags["offer_url"] = "http://ex.com/redeem"
    options = google_options(flags)
    assert option_problems(flags, (G,)) == []
    assert (options["offer_code"], options["offer_terms"], options["offer_url"]) == (
        "BREAD10",
        "One per visit",
        "http://ex.com/redeem",
    )
    assert options["event_title"] == "Tasting night"


def test_posts_to_other_networks_get_no_options() -> None:
    assert parse_options({}, (FB, X)) == ({}, [])


def test_stored_options_read_back_and_are_empty_for_other_posts() -> None:
    assert stored_options({"options": {"google_type": "event"}, "limitWaits": 1}) == {"google_type": "event"}
    assert stored_options({"limitWaits": 1}) == {} and stored_options(None) == {}
    assert stored_options({"options": "garbage"}) == {}


# ----- the rules -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", [FB, IG, X])
def test_every_flag_is_refused_for_other_networks_one_line_each(platform: Platform) -> None:
    lines = _lines({"button": "BOOK", "button_url": "https://ex.com", "google_type": "standard"}, (G, platform))
    assert lines == [
        "--google-type is for Google Business Profile posts only; remove it or the other accounts",
        "--button is for Google Business Profile posts only; remove it or the other accounts",
        "--button-url is for Google Business Profile posts only; remove it or the other accounts",
    ]


def test_unknown_type_and_button_list_the_valid_ones() -> None:
    lines = _lines({"google_type": "news", "button": "DONATE", "button_url": "https://ex.com"})
    assert lines == [
        "--google-type 'news' is not a Google post type; use standard, event or offer",
        "--button 'DONATE' is not a Google button; use one of LEARN_MORE, BOOK, ORDER, SHOP, SIGN_UP, CALL",
    ]


def test_blank_type_and_button_are_refused_not_guessed() -> None:
    assert _fields({"google_type": " "}) == ["google_type"]
    assert _fields({"button": ""}) == ["button"]


@pytest.mark.parametrize("button", ["LEARN_MORE", "book", "Order", "SHOP", "sign_up"])
def test_a_button_but_call_needs_a_url(button: str) -> None:
    assert _lines({"button": button}) == [f"--button {button.upper()} needs --button-url, the web address it opens"]
    assert _lines({"button": button, "button_url": "https://ex.com/x"}) == []


def test_call_takes_no_url_and_a_url_needs_a_button() -> None:
    assert _lines({"button": "call"}) == []
    assert google_options({"button": "call"})["button_url"] is None
    assert _fields({"button": "CALL", "button_url": "https://ex.com"}) == ["button_url"]
    assert "remove --button-url" in _lines({"button": "CALL", "button_url": "https://ex.com"})[0]
    assert _lines({"button_url": "https://ex.com"}) == [
        "--button-url goes with --button; add one, e.g. --button LEARN_MORE"
    ]


@pytest.mark.parametrize("url", ["ftp://ex.com", "ex.com", "javascript:alert(1)", "https://", "http://a b"])
def test_urls_must_be_web_addresses(url: str) -> None:
    assert _fields({"button": "BOOK", "button_url": url}) == ["button_url"]
    offer = {"google_type": "offer", "offer_url": url, **EVENT}
    assert _fields(offer) == ["offer_url"]
    assert "is not a web address" in _lines(offer)[0]


def test_event_flags_need_an_event_or_offer_and_offer_flags_an_offer() -> None:
    lines = _lines({**EVENT, "offer_code": "X1"})
    assert lines == [
        "--event-title goes with --google-type event or offer",
        "--event-start goes with --google-type event or offer",
        "--event-end goes with --google-type event or offer",
        "--offer-code goes with --google-type offer",
    ]
    assert _lines({"google_type": "event", **EVENT, "offer_terms": "t", "offer_url": "https://ex.com"}) == [
        "--offer-terms goes with --google-type offer",
        "--offer-url goes with --google-type offer",
    ]


def test_an_event_needs_title_start_and_end() -> None:
    assert _lines({"google_type": "event"}) == [
        "An event needs its title, start and end: add --event-title, --event-start and --event-end"
    ]
    assert _lines({"google_type": "event", "event_title": "T", "event_start": "2026-12-05T18:00"}) == [
        "An event needs its title, start and end: add --event-end"
    ]
    assert _fields({"google_type": "event", **EVENT, "event_title": "  "}) == ["event_title"]  # blank is missing


def test_an_offer_needs_its_period_and_says_so() -> None:
    [line] = _lines({"google_type": "offer", "offer_code": "X1"})
    assert line == (
        "An offer needs its title and period (Google requires them): add --event-title, --event-start and --event-end"
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("next friday", "is not a date and time"),
        ("2026-12-05", "is not a date and time"),  # a date alone has no time
        ("2026-13-05T18:00", "is not a date and time"),
        ("2026-12-05T18:00+01:00", "leave out the offset"),
        ("2026-12-05T18:00Z", "leave out the offset"),
    ],
)
def test_times_are_local_wall_times(value: str, says: str) -> None:
    [problem] = option_problems({"google_type": "event", **EVENT, "event_start": value}, (G,))
    assert says in str(problem) and problem.field == "event_start"
    assert "2026-12-05T18:00" in str(problem)  # an example to copy


def test_the_end_comes_after_the_start() -> None:
    same = {"google_type": "event", **EVENT, "event_end": "2026-12-05T18:00"}
    assert _lines(same) == ["--event-end (2026-12-05T18:00) must be after --event-start (2026-12-05T18:00)"]
    earlier = {"google_type": "offer", **EVENT, "event_end": "2026-12-04T23:00"}
    assert _fields(earlier) == ["event_end"]


def test_a_button_fits_an_event_but_not_an_offer() -> None:
    # Google's LocalPost: callToAction is ignored for the OFFER topic type; an event may carry one.
    assert _lines({"google_type": "event", **EVENT, "button": "BOOK", "button_url": "https://ex.com/b"}) == []
    lines = _lines({"google_type": "offer", **EVENT, "button": "BOOK", "button_url": "https://ex.com/b"})
    assert lines == ["Google shows no button on an offer; remove --button and give the link as --offer-url"]


def test_every_problem_is_returned_not_only_the_first() -> None:
    flags = {"google_type": "event", "button": "ORDER", "event_start": "soon", "offer_code": "X"}
    assert _fields(flags) == ["button_url", "event_title", "event_start", "offer_code"]
    assert all("\n" not in line for line in _lines(flags))


# ----- the per-platform rules hook -----------------------------------------------------------------------------


def test_x_and_google_posts_are_not_held_to_meta_rules(tmp_path: Path) -> None:
    many_tags = "#tag " * 40  # over Instagram's hashtag limit, within X's and Google's lengths
    for platform in (X, G):
        problems, _ = post_problems(PostDraft(many_tags, (platform,), None, None), NOW)
        assert problems == [], platform  # no "Instagram posts need an image", no hashtag limit
        assert text_problems(many_tags, (platform,)) == []
    long_text = "x" * 2300  # over Instagram's caption length (and X's and Google's: their own words say so)
    for platform, words in ((X, "too long for X"), (G, "Google Business Profile posts hold at most 1,500")):
        problems, _ = post_problems(PostDraft(long_text, (platform,), None, None), NOW)
        assert [p.field for p in problems] == ["text"] and words in str(problems[0]), platform
        assert "Instagram" not in str(problems[0])
    problems, _ = post_problems(PostDraft(many_tags + long_text, (IG,), None, None), NOW)
    assert {p.field for p in problems} == {"text", "image"}


def test_a_video_is_not_checked_against_meta_video_limits_for_x_or_google(monkeypatch: pytest.MonkeyPatch) -> None:
    from autoposter_gui.domain import video

    # A 2-hour VP9 WebM: too long and the wrong format for every Meta route.
    info = video.VideoInfo(Path("/v/long.webm"), 10**9, "matroska,webm", "vp9", None, None, 7200.0, 30.0, 1920, 1080)
    monkeypatch.setattr(video, "probe_video", lambda path: info)
    assert video_problems("/v/long.webm", (FB,)) != [] and video_problems("/v/long.webm", (IG,)) != []
    assert video_problems("/v/long.webm", (X,)) == [] and video_problems("/v/long.webm", (G,)) == []
    assert set(PLATFORM_RULES) == {FB, IG, X, G}  # every network has its own rules


def test_the_hook_runs_a_plugged_in_rule_for_its_platform_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def x_rules(draft: PostDraft) -> list[ValidationError]:
        return [ValidationError("X allows 4 images", field="image")] if len(draft.images) > 4 else []

    monkeypatch.setitem(PLATFORM_RULES, X, x_rules)
    images = tuple(MediaRef(f"/p/{n}.jpg", MediaKind.IMAGE) for n in range(5))
    draft = PostDraft("hi", (X,), None, None, images)
    problems, _ = post_problems(draft, NOW, inspect=lambda path: (_ for _ in ()).throw(ValidationError("no file")))
    assert "X allows 4 images" in [str(p) for p in problems]
    fb = PostDraft("hi", (FB,), None, None, images)
    fb_problems, _ = post_problems(fb, NOW, inspect=lambda path: (_ for _ in ()).throw(ValidationError("no file")))
    assert "X allows 4 images" not in [str(p) for p in fb_problems]


def test_the_draft_checks_its_google_options_with_its_platforms() -> None:
    draft = PostDraft("Open late", (G,), None, None, options={"button": "BOOK"})
    problems, _ = post_problems(draft, NOW)
    assert [p.field for p in problems] == ["button_url"]
    draft = PostDraft("Open late", (FB,), None, None, options={"button": "BOOK"})
    assert "Google Business Profile posts only" in str(post_problems(draft, NOW)[0][0])


def test_accounts_are_named_after_their_network() -> None:
    from autoposter_gui.engine.labels import account_label

    def label(platform: str, username: str | None = "bakery") -> str:
        return account_label(_Named(platform, "Sandbox Bakery", username))

    assert label("facebook") == "Facebook Page Sandbox Bakery"
    assert label("instagram") == "Instagram account @bakery"
    assert label("x") == "X account @bakery"
    assert label("google", None) == "Google Business Profile Sandbox Bakery"


class _Named:
    def __init__(self, platform: str, name: str, username: str | None) -> None:
        self.platform, self.name, self.username = platform, name, username


def test_stored_options_become_flags_again_that_pass_the_rules() -> None:
    options = google_options({"google_type": "offer", "offer_code": "X1", **EVENT})
    flags = stored_flags({"options": options})
    assert flags == {"google_type": "offer", "offer_code": "X1", **EVENT}
    assert option_problems(flags, (G,)) == [] and google_options(flags) == options
    assert stored_flags({}) == {}
