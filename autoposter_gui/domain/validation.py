"""Validation rules for a post, shared by the CLI and the composer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from autoposter_gui.domain.errors import Remedy, ValidationError
from autoposter_gui.domain.images import ImageInfo, inspect_image, instagram_ratio_error
from autoposter_gui.domain.models import Platform

FB_MAX_CHARS = 63_206
IG_MAX_CHARS = 2_200
IG_MAX_HASHTAGS = 30
IG_MAX_MENTIONS = 20
PAST_TOLERANCE = timedelta(minutes=1)
MAX_AHEAD = timedelta(days=366)

# A "#" (an "@") not right after a word character or another "#" ("@"). Written with the "#" first, so that the
# regex engine jumps from one "#" to the next instead of testing the look-behind at every character (~8× faster on
# a caption; the same matches).
HASHTAG_RE = re.compile(r"#(?<![\w#]#)\w+", re.UNICODE)
MENTION_RE = re.compile(r"@(?<![\w@]@)[\w.]+", re.UNICODE)
_INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Cc", "Mn", "Me"}  # marks: a combining mark with no letter shows nothing
# Letters and symbols that render as blank space: Hangul fillers, the blank Braille pattern, and other
# default-ignorable characters outside the categories above.
_BLANK_CHARS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e\u17b4\u17b5")


def count_hashtags(text: str) -> int:
    return len(HASHTAG_RE.findall(text))


def count_mentions(text: str) -> int:
    return len(MENTION_RE.findall(text))


def is_blank(text: str) -> bool:
    """True when the text has no visible character: spaces, zero-width, control and filler characters, and
    combining marks with no letter to sit on."""
    return all(ch in _BLANK_CHARS or unicodedata.category(ch) in _INVISIBLE for ch in text)


def has_invalid_characters(text: str) -> bool:
    """True when ``text`` holds lone surrogates (bytes that were not valid UTF-8): it cannot be stored or sent."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def char_limit(platform: Platform) -> int:
    return IG_MAX_CHARS if platform is Platform.INSTAGRAM else FB_MAX_CHARS


def text_problems(text: str, platforms: Iterable[Platform], *, has_image: bool = False) -> list[str]:
    """Every problem with the text for the chosen platforms, as sentences (empty list when fine).

    Text that renders blank counts as empty: refused for a text post, fine as a photo's (absent) caption, which
    both Facebook and Instagram allow.
    """
    problems: list[str] = []
    if has_invalid_characters(text):
        return ["The post text holds bytes that are not valid UTF-8 text; retype it or fix its encoding"]
    if is_blank(text):
        return [] if has_image else ["The post text is empty; write something, or add an image, to publish"]
    kinds = set(platforms)
    if Platform.FACEBOOK in kinds and len(text) > FB_MAX_CHARS:
        problems.append(f"Facebook posts allow at most {FB_MAX_CHARS:,} characters; this one has {len(text):,}")
    if Platform.INSTAGRAM in kinds:
        if len(text) > IG_MAX_CHARS:
            problems.append(f"Instagram captions allow at most {IG_MAX_CHARS:,} characters; this one has {len(text):,}")
        tags = count_hashtags(text)
        if tags > IG_MAX_HASHTAGS:
            problems.append(f"Instagram allows at most {IG_MAX_HASHTAGS} hashtags; this caption has {tags}")
        mentions = count_mentions(text)
        if mentions > IG_MAX_MENTIONS:
            problems.append(f"Instagram allows at most {IG_MAX_MENTIONS} @-mentions; this caption has {mentions}")
    return problems


def caption(text: str) -> str:
    """The text as stored and sent: a caption that renders blank is no caption at all (sent as none, and matched
    as none when reconciling)."""
    return "" if is_blank(text) else text


@dataclass(frozen=True)
class PostDraft:
    """What the user asked for, before it becomes queue items."""

    text: str
    platforms: tuple[Platform, ...]
    image_path: str | None
    scheduled_at: datetime | None  # None: publish now


ImageInspector = Callable[[str], ImageInfo]  # inspect_image, or a caller's memo of it (many posts, one file)


def validate_post(
    draft: PostDraft,
    now: datetime,
    *,
    require_future: bool = True,
    ratio_will_be_fixed: bool = False,
    inspect: ImageInspector = inspect_image,
) -> ImageInfo | None:
    """Raise ValidationError for the first problem found; return the image info when there is an image."""
    problems, info = post_problems(
        draft, now, require_future=require_future, ratio_will_be_fixed=ratio_will_be_fixed, inspect=inspect
    )
    if problems:
        raise problems[0]
    return info


def validate_post_all(
    draft: PostDraft,
    now: datetime,
    *,
    require_future: bool = True,
    ratio_will_be_fixed: bool = False,
    remedies: Mapping[Remedy, str] | None = None,
    inspect: ImageInspector = inspect_image,
) -> list[tuple[str, str]]:
    """Every problem with the post, as (field, message) pairs in the order ``validate_post`` meets them (the
    first is the one it raises), each remedy in the caller's words (``remedies``). Empty when the post is fine."""
    problems, _ = post_problems(
        draft, now, require_future=require_future, ratio_will_be_fixed=ratio_will_be_fixed, inspect=inspect
    )
    return [(p.field or "", p.phrased(remedies)) for p in problems]


def post_problems(
    draft: PostDraft,
    now: datetime,
    *,
    require_future: bool = True,
    ratio_will_be_fixed: bool = False,
    inspect: ImageInspector = inspect_image,
) -> tuple[list[ValidationError], ImageInfo | None]:
    """The one set of checks behind ``validate_post`` and ``validate_post_all``: every problem found (text, image,
    time), and the image info when the image could be read."""
    found: list[ValidationError] = [
        ValidationError(p, field="text")
        for p in text_problems(draft.text, draft.platforms, has_image=bool(draft.image_path))
    ]
    info: ImageInfo | None = None
    if Platform.INSTAGRAM in draft.platforms and not draft.image_path:
        found.append(ValidationError("Instagram posts need an image; add one to post to Instagram", field="image"))
    try:
        info = inspect(draft.image_path) if draft.image_path else None
    except ValidationError as exc:
        found.append(exc)
    if info is not None and Platform.INSTAGRAM in draft.platforms and not ratio_will_be_fixed:
        problem = instagram_ratio_error(info)
        if problem is not None:
            found.append(problem)
    if draft.scheduled_at is not None:
        if require_future and draft.scheduled_at < now - PAST_TOLERANCE:
            found.append(
                ValidationError("That time is in the past; pick a time in the future, or publish now", field="when")
            )
        if draft.scheduled_at > now + MAX_AHEAD:
            found.append(
                ValidationError("That time is more than a year ahead; pick a time within 12 months", field="when")
            )
    return found, info
