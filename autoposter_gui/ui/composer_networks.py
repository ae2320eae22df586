"""What each ticked network allows, as the Composer says it: text counts, media limits, link and comment fields."""

from __future__ import annotations

from collections.abc import Sequence

from autoposter_gui.domain.models import MAX_MEDIA, MediaKind, MediaRef, Platform
from autoposter_gui.domain.validation import PostDraft, char_limit, platform_problems

# The networks in the order the Composer names them.
ORDER = (Platform.FACEBOOK, Platform.INSTAGRAM, Platform.X, Platform.GOOGLE)
NAMES = {Platform.FACEBOOK: "Facebook", Platform.INSTAGRAM: "Instagram", Platform.X: "X", Platform.GOOGLE: "Google"}
# What each network takes in one post (Meta: up to MAX_MEDIA images or one video; X and Google: their rules).
MEDIA_LIMITS = {
    Platform.FACEBOOK: f"up to {MAX_MEDIA} images or 1 video",
    Platform.INSTAGRAM: f"up to {MAX_MEDIA} images or 1 video",
    Platform.X: "up to 4 images or 1 video",
    Platform.GOOGLE: "1 photo, no video",
}
NO_LINK = {Platform.INSTAGRAM, Platform.X, Platform.GOOGLE}  # the separate link field is Facebook's
NO_COMMENT = {Platform.X, Platform.GOOGLE}  # no first comment on these


def ordered(platforms: set[Platform]) -> list[Platform]:
    return [p for p in ORDER if p in platforms]


def names(platforms: set[Platform]) -> str:
    """ "X", "X and Google", "Instagram, X and Google"."""
    found = [NAMES[p] for p in ordered(platforms)]
    if len(found) <= 1:
        return "".join(found)
    return ", ".join(found[:-1]) + " and " + found[-1]


def text_length(text: str, platform: Platform) -> int:
    """The length ``platform`` counts: X's weighted count (every link 23, CJK characters 2), else characters."""
    if platform is Platform.X:
        from autoposter_gui.domain.rules_x import weighted_length  # twitter-text loads once X is ticked

        return weighted_length(text)
    return len(text)


def network_counts(text: str, platforms: set[Platform]) -> list[tuple[Platform, int, int]]:
    """(network, its count of ``text``, its limit) for each ticked network, in ORDER."""
    return [(p, text_length(text, p), char_limit(p)) for p in ordered(platforms)]


def media_hint(platforms: set[Platform]) -> str:
    """What the ticked X / Google accounts take ("X takes up to 4 images or 1 video; Google 1 photo, no video");
    "" when only Meta's accounts are ticked (their limits are the strip's own)."""
    special = [p for p in ordered(platforms) if p in (Platform.X, Platform.GOOGLE)]
    if not special:
        return ""
    parts = [f"{NAMES[p]} {MEDIA_LIMITS[p]}" for p in special]
    return "Per post: " + "; ".join(parts) + "."


def media_problems(media: Sequence[MediaRef], platforms: set[Platform]) -> list[str]:
    """What the ticked networks' own rules refuse in these media (X's 4 images, Google's one photo...), as sentences;
    checked as the media change, before the post is saved (the save says them again, next to the media)."""
    if not media or not platforms & {Platform.X, Platform.GOOGLE}:
        return []
    draft = PostDraft("", tuple(ordered(platforms)), None, None, tuple(media))
    return [p.problem for p in platform_problems(draft) if p.field == "image"]


def link_reason(platforms: set[Platform]) -> str:
    """Why the link field is off for the ticked networks ("" when it is on)."""
    without = platforms & NO_LINK
    if not without:
        return ""
    if without == {Platform.INSTAGRAM}:
        return "Links are for Facebook posts only: untick the Instagram accounts to add one."
    verb = "takes" if len(without) == 1 else "take"
    return f"Links are for Facebook posts only ({names(without)} {verb} none): put the link in the text instead."


def comment_reason(platforms: set[Platform]) -> str:
    """Why the first comment is off for the ticked networks ("" when it is on)."""
    without = platforms & NO_COMMENT
    if not without:
        return ""
    return f"{names(without)} posts can't have a first comment: untick the {names(without)} accounts to add one."


def has_video(media: Sequence[MediaRef]) -> bool:
    return any(m.kind is MediaKind.VIDEO for m in media)
