"""X's post rules: weighted length (URL 23, CJK 2), media counts and kinds, no link field, no first comment."""

from __future__ import annotations

from autoposter_gui.domain.models import MediaKind, MediaRef
from autoposter_gui.domain.rules_x import check_post, weighted_length
from autoposter_gui.networks.protocol import Post
from autoposter_gui.x.network import NETWORK

IMG = MediaRef("a.jpg", MediaKind.IMAGE)
VID = MediaRef("v.mp4", MediaKind.VIDEO)


def test_weighted_length_counts_urls_23_and_cjk_2() -> None:
    assert weighted_length("abc") == 3
    assert weighted_length("https://example.com/a/very/long/path/that/is/longer/than/twenty/three") == 23
    assert weighted_length("日本語") == 6
    assert weighted_length("") == 0


def test_the_280_boundary() -> None:
    assert check_post("a" * 280) == []
    (too_long,) = check_post("a" * 281)
    assert too_long.field == "text" and "281 of 280" in str(too_long)
    assert check_post("日" * 140) == []
    assert "282 of 280" in str(check_post("日" * 141)[0])
    url = "https://example.com/" + "x" * 300
    assert check_post("a" * 256 + " " + url) == []  # 256 + 1 + 23 = 280, though the raw text is longer


def test_media_rules() -> None:
    assert check_post("hi", (IMG,) * 4) == []
    assert check_post("hi", (VID,)) == []
    assert [e.field for e in check_post("hi", (IMG,) * 5)] == ["image"]
    assert "not 2" in str(check_post("hi", (VID, VID))[0])
    assert "not both" in str(check_post("hi", (IMG, VID))[0])
    assert check_post("", (IMG,)) == []


def test_link_and_first_comment_are_refused_with_a_way_out() -> None:
    (link,) = check_post("hi", link="https://example.com")
    assert link.field == "link" and str(link).endswith("put the link in the text for X")
    (comment,) = check_post("hi", first_comment="more")
    assert comment.field == "first_comment" and "first comment" in str(comment)


def test_preflight_uses_the_rules() -> None:
    assert NETWORK.preflight(Post(1, "x", "hi")) == []
    assert len(NETWORK.preflight(Post(1, "x", "a" * 300, (IMG,) * 5, link="https://e.com", first_comment="c"))) == 4
    assert (NETWORK.key, NETWORK.platforms, NETWORK.label("x")) == ("x", ("x",), "X")
