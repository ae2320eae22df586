"""What a Google Business Profile local post may hold, checked locally (the post options have their own rules)."""

from __future__ import annotations

from collections.abc import Sequence

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import MediaKind, MediaRef

MAX_SUMMARY = 1500  # LocalPost.summary
MAX_PHOTOS = 1  # one photo per post (this app sends one media item as the post's sourceUrl)


def google_problems(
    text: str, media: Sequence[MediaRef] = (), link: str | None = None, first_comment: str | None = None
) -> list[ValidationError]:
    """Every problem with a Google Business Profile post; [] when it can go."""
    problems: list[ValidationError] = []
    if len(text) > MAX_SUMMARY:
        problems.append(
            ValidationError(
                f"Google Business Profile posts hold at most {MAX_SUMMARY:,} characters; this one has {len(text):,}",
                "text",
            )
        )
    if any(m.kind is MediaKind.VIDEO for m in media):
        problems.append(
            ValidationError("Google Business Profile posts made through the API take photos only, not videos", "image")
        )
    photos = [m for m in media if m.kind is MediaKind.IMAGE]
    if len(photos) > MAX_PHOTOS:
        problems.append(
            ValidationError(f"A Google Business Profile post takes one photo; this one has {len(photos)}", "image")
        )
    if link:
        problems.append(
            ValidationError(
                "Google Business Profile posts have no link field; use --button LEARN_MORE with --button-url", "link"
            )
        )
    if first_comment:
        problems.append(
            ValidationError(
                "Google Business Profile posts can't have comments; remove the first comment", "first_comment"
            )
        )
    return problems
