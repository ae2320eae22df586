"""What X accepts in a post, checked locally: weighted length, media count and kinds, no link or first comment."""

from __future__ import annotations

from collections.abc import Sequence

from twitter_text import parse_tweet

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import MediaKind, MediaRef

MAX_WEIGHTED_LENGTH = 280  # X's weighted count: every URL 23, CJK and emoji 2, most other characters 1
MAX_IMAGES = 4
MAX_VIDEOS = 1


def weighted_length(text: str) -> int:
    """The length X counts (twitter-text's ``weightedLength``)."""
    return int(parse_tweet(text).weightedLength) if text else 0


def check_post(
    text: str, media: Sequence[MediaRef] = (), *, link: str | None = None, first_comment: str | None = None
) -> list[ValidationError]:
    """Every problem with this post for X; [] when it can go."""
    problems: list[ValidationError] = []
    images = sum(1 for m in media if m.kind is MediaKind.IMAGE)
    videos = sum(1 for m in media if m.kind is MediaKind.VIDEO)
    length = weighted_length(text)
    # No text and no media is refused for every network by the shared rules (domain/validation.py).
    if length > MAX_WEIGHTED_LENGTH:
        problems.append(
            ValidationError(
                f"Text is too long for X: {length} of {MAX_WEIGHTED_LENGTH} (each link counts 23, "
                "Chinese, Japanese and Korean characters count 2): shorten it",
                "text",
            )
        )
    if images and videos:
        problems.append(ValidationError("X takes images or one video in a post, not both: remove one kind", "image"))
    if images > MAX_IMAGES:
        problems.append(ValidationError(f"X takes at most {MAX_IMAGES} images in a post, not {images}", "image"))
    if videos > MAX_VIDEOS:
        problems.append(ValidationError(f"X takes one video in a post, not {videos}", "image"))
    if link:
        problems.append(ValidationError("X has no separate link: put the link in the text for X", "link"))
    if first_comment:
        problems.append(ValidationError("X posts can't have a first comment: remove it for X", "first_comment"))
    return problems
