"""Short labels for a rich post in the Queue and Activity: "3 photos", "Reel", and its first comment's state."""

from __future__ import annotations

import json

from autoposter_gui.domain.models import CommentStatus, MediaKind, Platform, media_from_json

COMMENT_LABELS = {
    CommentStatus.PENDING.value: "Comment pending",
    CommentStatus.POSTED.value: "Comment posted",
    CommentStatus.FAILED.value: "Comment failed",
}


def media_label(media_raw: str | None, image_path: str | None, platform: str) -> str:
    """What a post carries: "" (text only), "Photo", "3 photos", "Reel" (Instagram) or "Video" (Facebook)."""
    try:
        media = media_from_json(json.loads(media_raw) if media_raw else None)
    except ValueError:
        media = ()
    if any(m.kind is MediaKind.VIDEO for m in media):
        return "Reel" if platform == Platform.INSTAGRAM.value else "Video"
    count = len(media) or (1 if image_path else 0)
    if count == 0:
        return ""
    return "Photo" if count == 1 else f"{count} photos"


def with_media(text: str, media: str) -> str:
    """A post's one-line preview led by its media label: "3 photos · Fresh bread…"."""
    return f"{media} · {text}" if media else text


def comment_label(status: str | None) -> str:
    """The first comment's state for a table cell ("" when the post has none)."""
    return COMMENT_LABELS.get(status or "", "")
