"""Validation rules for a post, shared by the CLI and the composer."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from autoposter_gui.domain.errors import Remedy, ValidationError
from autoposter_gui.domain.frozen import quick_init
from autoposter_gui.domain.images import ImageInfo, inspect_image, instagram_ratio_error
from autoposter_gui.domain.models import MAX_MEDIA, MediaKind, MediaRef, Platform
from autoposter_gui.domain.post_options import option_problems

FB_MAX_CHARS = 63_206
IG_MAX_CHARS = 2_200
IG_MAX_HASHTAGS = 30
IG_MAX_MENTIONS = 20
COMMENT_MAX_CHARS = 2_200  # Instagram's comment limit; Facebook's is larger, one rule keeps the post the same
ALT_TEXT_MAX_CHARS = 1_000
PAST_TOLERANCE = timedelta(minutes=1)
_PAST_LIMIT = -PAST_TOLERANCE  # built once, not per post
MAX_AHEAD = timedelta(days=366)

# A "#" (an "@") not right after a word character or another "#" ("@"). Written with the "#" first, so that the
# regex engine jumps from one "#" to the next instead of testing the look-behind at every character (~8× faster on
# a caption; the same matches).
HASHTAG_RE = re.compile(r"#(?<![\w#]#)\w+", re.UNICODE)
MENTION_RE = re.compile(r"@(?<![\w@]@)[\w.]+", re.UNICODE)
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)  # a text starting with one of these is not blank
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
    if text[:1] in _ASCII_ALNUM:  # the usual text: it starts with a visible ASCII letter or digit
        return False
    return all(ch in _BLANK_CHARS or unicodedata.category(ch) in _INVISIBLE for ch in text)


def has_invalid_characters(text: str) -> bool:
    """True when ``text`` holds lone surrogates (bytes that were not valid UTF-8): it cannot be stored or sent."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# The text limit the composer counts against, per platform (a platform not listed: Facebook's).
CHAR_LIMITS: dict[Platform, int] = {
    Platform.FACEBOOK: FB_MAX_CHARS,
    Platform.INSTAGRAM: IG_MAX_CHARS,
    Platform.X: 280,  # weighted (rules_x.weighted_length): links count 23, CJK characters 2
    Platform.GOOGLE: 1500,
}


def char_limit(platform: Platform) -> int:
    return CHAR_LIMITS.get(platform, FB_MAX_CHARS)


def _generic_text_problem(text: str, *, has_image: bool) -> str | None:
    """What is wrong with the text on every network: bytes that are not UTF-8, or no text and no media."""
    if has_invalid_characters(text):
        return "The post text holds bytes that are not valid UTF-8 text; retype it or fix its encoding"
    if is_blank(text):
        return None if has_image else "The post text is empty; write something, or add an image, to publish"
    return None


def text_problems(text: str, platforms: Iterable[Platform], *, has_image: bool = False) -> list[str]:
    """Every problem with the text for the chosen platforms, as sentences (empty list when fine): the generic ones,
    then each platform's text rules (PLATFORM_RULES, field "text").

    Text that renders blank counts as empty: refused for a text post, fine as a photo's (absent) caption, which
    both Facebook and Instagram allow.
    """
    generic = _generic_text_problem(text, has_image=has_image)
    if generic is not None:
        return [generic]
    if is_blank(text):
        return []
    kinds = platforms if isinstance(platforms, tuple) else tuple(platforms)
    draft = PostDraft(text, kinds, None, None)
    return [p.problem for p in platform_problems(draft) if p.field == "text"]


def _checks_text(text: str) -> bool:
    """Whether the platforms' text limits apply: not to a blank text nor to one that can't be read (the generic
    check says so)."""
    return not is_blank(text) and not has_invalid_characters(text)


def facebook_rules(draft: PostDraft) -> list[ValidationError]:
    """Facebook's own rules for a post (the media and link rules are checked with the media)."""
    text = draft.text
    if len(text) > FB_MAX_CHARS and _checks_text(text):
        message = f"Facebook posts allow at most {FB_MAX_CHARS:,} characters; this one has {len(text):,}"
        return [ValidationError(message, field="text")]
    return []


def instagram_rules(draft: PostDraft) -> list[ValidationError]:
    """Instagram's own rules for a post: caption length, hashtags, mentions, and an image or video (the image
    ratio is checked when the images are read)."""
    found: list[ValidationError] = []
    text = draft.text
    if _checks_text(text):
        if len(text) > IG_MAX_CHARS:
            message = f"Instagram captions allow at most {IG_MAX_CHARS:,} characters; this one has {len(text):,}"
            found.append(ValidationError(message, field="text"))
        # Each hashtag (mention) starts with a "#" ("@"): a text with no more of them than the limit can't exceed it,
        # and the quick count spares the regex.
        tags = count_hashtags(text) if text.count("#") > IG_MAX_HASHTAGS else 0
        if tags > IG_MAX_HASHTAGS:
            message = f"Instagram allows at most {IG_MAX_HASHTAGS} hashtags; this caption has {tags}"
            found.append(ValidationError(message, field="text"))
        mentions = count_mentions(text) if text.count("@") > IG_MAX_MENTIONS else 0
        if mentions > IG_MAX_MENTIONS:
            message = f"Instagram allows at most {IG_MAX_MENTIONS} @-mentions; this caption has {mentions}"
            found.append(ValidationError(message, field="text"))
    if not (draft.images or draft.videos):
        found.append(ValidationError("Instagram posts need an image; add one to post to Instagram", field="image"))
    return found


def _media_of(draft: PostDraft) -> tuple[MediaRef, ...]:
    return draft.media or tuple(MediaRef(path) for path in draft.images)


def x_rules(draft: PostDraft) -> list[ValidationError]:
    """X's own rules (domain/rules_x.py: weighted length, 4 images or 1 video, no link field, no first comment)."""
    from autoposter_gui.domain.rules_x import check_post  # twitter-text loads only for X posts

    text = draft.text if _checks_text(draft.text) else ""
    return check_post(text, _media_of(draft), link=draft.link, first_comment=draft.first_comment)


def google_rules(draft: PostDraft) -> list[ValidationError]:
    """Google Business Profile's own rules (domain/rules_google.py; the post options are checked on their own)."""
    from autoposter_gui.domain.rules_google import google_problems

    text = draft.text if _checks_text(draft.text) else ""
    return google_problems(text, _media_of(draft), draft.link, draft.first_comment)


# One platform's own rules for a post: every problem, each with its field ("text", "image"...); [] when fine.
PlatformRules = Callable[["PostDraft"], list[ValidationError]]

# The per-platform hook: post_problems runs the rules of each of the post's platforms, in this order (a platform
# not listed has only the generic rules). X and Google Business Profile plug theirs in here.
PLATFORM_RULES: dict[Platform, PlatformRules] = {
    Platform.FACEBOOK: facebook_rules,
    Platform.INSTAGRAM: instagram_rules,
    Platform.X: x_rules,
    Platform.GOOGLE: google_rules,
}


def platform_problems(draft: PostDraft) -> list[ValidationError]:
    """The rules of each of ``draft``'s platforms (PLATFORM_RULES order, each platform once)."""
    if len(draft.platforms) == 1:  # the usual case (a post per account: an import checks thousands)
        rules = PLATFORM_RULES.get(draft.platforms[0])
        return rules(draft) if rules is not None else []
    kinds = set(draft.platforms)
    found: list[ValidationError] = []
    for platform, rules in PLATFORM_RULES.items():
        if platform in kinds:
            found += rules(draft)
    return found


def caption(text: str) -> str:
    """The text as stored and sent: a caption that renders blank is no caption at all (sent as none, and matched
    as none when reconciling)."""
    return "" if is_blank(text) else text


@quick_init
@dataclass(frozen=True, slots=True)  # slots, quick_init: quicker to build (an import builds thousands)
class PostDraft:
    """What the user asked for, before it becomes queue items."""

    text: str
    platforms: tuple[Platform, ...]
    image_path: str | None
    scheduled_at: datetime | None  # None: publish now
    # Rich posts: the images (or one video) in order (empty: just ``image_path``), a first comment, a link.
    media: tuple[MediaRef, ...] = ()
    first_comment: str | None = None
    link: str | None = None
    # Google Business Profile's options as given (post_options.OPTION_KEYS -> the flag's text); None: none given.
    options: Mapping[str, str | None] | None = None

    @property
    def images(self) -> tuple[str, ...]:
        """The paths of the post's images, in order."""
        if self.media:
            return tuple(m.path for m in self.media if m.kind is MediaKind.IMAGE)
        return (self.image_path,) if self.image_path else ()

    @property
    def videos(self) -> tuple[str, ...]:
        if not self.media:
            return ()
        return tuple(m.path for m in self.media if m.kind is MediaKind.VIDEO)


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
    time), and the first image's info when it could be read."""
    if draft.media:
        images, videos = draft.images, draft.videos
        found = _media_problems(draft, images, videos)
    else:  # the common case: at most one image, no video, so no combination of media to check
        images, videos = ((draft.image_path,) if draft.image_path else ()), ()
        found = [] if draft.link is None else _media_problems(draft, images, videos)
    has_media = bool(images or videos)
    instagram = Platform.INSTAGRAM in draft.platforms
    generic = _generic_text_problem(draft.text, has_image=has_media)
    if generic is not None:
        found.append(ValidationError(generic, field="text"))
    found += platform_problems(draft)
    if draft.first_comment is not None:
        found += comment_problems(draft.first_comment, draft.platforms)
    if draft.options:
        found += option_problems(draft.options, draft.platforms)
    info: ImageInfo | None = None
    for n, path in enumerate(images[:MAX_MEDIA]):
        try:
            image = inspect(path)
        except ValidationError as exc:
            found.append(exc)
            continue
        if n == 0:
            info = image
        if instagram and not ratio_will_be_fixed:
            problem = instagram_ratio_error(image)
            if problem is not None:
                found.append(problem)
    if draft.scheduled_at is not None:
        ahead = draft.scheduled_at - now  # one subtraction, compared with both limits
        if require_future and ahead < _PAST_LIMIT:
            found.append(
                ValidationError("That time is in the past; pick a time in the future, or publish now", field="when")
            )
        if ahead > MAX_AHEAD:
            found.append(
                ValidationError("That time is more than a year ahead; pick a time within 12 months", field="when")
            )
    return found, info


def media_problems(draft: PostDraft) -> list[ValidationError]:
    """What is wrong with the post's combination of media, link and alt text (checked before the files)."""
    return _media_problems(draft, draft.images, draft.videos)


def _media_problems(draft: PostDraft, images: tuple[str, ...], videos: tuple[str, ...]) -> list[ValidationError]:
    found: list[ValidationError] = []
    if videos and images:
        found.append(ValidationError("A post has either one video or images, not both; remove one", field="image"))
    for path in videos[:1]:
        found += video_problems(path, draft.platforms)
    if len(videos) > 1:
        found.append(ValidationError(f"A post can have one video; this one has {len(videos)}", field="image"))
    if len(images) > MAX_MEDIA:
        found.append(
            ValidationError(f"A post can have at most {MAX_MEDIA} images; this one has {len(images)}", field="image")
        )
    for n, ref in enumerate(draft.media, start=1):
        if ref.alt_text and len(ref.alt_text) > ALT_TEXT_MAX_CHARS:
            found.append(
                ValidationError(
                    f"Alt text allows at most {ALT_TEXT_MAX_CHARS:,} characters; the one of image {n} has "
                    f"{len(ref.alt_text):,}",
                    field="image",
                )
            )
    if draft.link is not None:
        found += link_problems(draft.link, draft.platforms, has_media=bool(images or videos))
    return found


def video_problems(path: str, platforms: Iterable[Platform]) -> list[ValidationError]:
    """The video preflight (format, codecs, duration... against each target's limits): one refusal per problem,
    the first platform's first (a file that can't be read at all is said once)."""
    from autoposter_gui.domain.video import probe_video, route_for

    try:
        info = probe_video(path)
    except ValidationError as exc:
        return [exc]
    found: list[ValidationError] = []
    meta = {Platform.FACEBOOK, Platform.INSTAGRAM}  # other networks check their video limits in their own rules
    for platform in sorted(set(platforms) & meta, key=lambda p: p.value, reverse=True):  # Instagram's first
        try:
            route_for(info, platform.value)
        except ValidationError as exc:
            if all(str(exc) != str(other) for other in found):
                found.append(exc)
    return found


def alt_text_problem(images: int, alt_texts: int) -> ValidationError | None:
    """Alt texts go with images one by one: more alt texts than images is a mistake."""
    if alt_texts > images:
        texts = "1 alt text" if alt_texts == 1 else f"{alt_texts} alt texts"
        return ValidationError(
            f"There {'is' if alt_texts == 1 else 'are'} {texts} for {images} image{'s' if images != 1 else ''}; "
            "give at most one per image, in the images' order",
            field="image",
        )
    return None


_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def link_problems(link: str, platforms: Iterable[Platform], *, has_media: bool) -> list[ValidationError]:
    kinds = set(platforms)
    found: list[ValidationError] = []
    if Platform.INSTAGRAM in kinds:
        found.append(
            ValidationError(
                "Links are for Facebook only (Instagram shows no links in posts); remove the link or the Instagram "
                "account",
                field="link",
            )
        )
    if not _URL_RE.match(link.strip()):
        found.append(
            ValidationError(f"The link {link!r} is not a web address; use one like https://example.com", field="link")
        )
    elif has_media:
        found.append(
            ValidationError("A link post shows the link's preview; remove the images or the link", field="link")
        )
    return found


def comment_problems(comment: str | None, platforms: Iterable[Platform]) -> list[ValidationError]:
    """The first comment's limits; it counts toward Instagram's hashtags on its own."""
    if comment is None or is_blank(comment):
        return []
    if has_invalid_characters(comment):
        return [
            ValidationError(
                "The first comment holds bytes that are not valid UTF-8 text; retype it", field="first_comment"
            )
        ]
    found: list[ValidationError] = []
    if len(comment) > COMMENT_MAX_CHARS:
        found.append(
            ValidationError(
                f"The first comment allows at most {COMMENT_MAX_CHARS:,} characters; this one has {len(comment):,}",
                field="first_comment",
            )
        )
    if Platform.INSTAGRAM in set(platforms):
        tags = count_hashtags(comment)
        if tags > IG_MAX_HASHTAGS:
            found.append(
                ValidationError(
                    f"Instagram allows at most {IG_MAX_HASHTAGS} hashtags; the first comment has {tags}",
                    field="first_comment",
                )
            )
    return found
