"""Enums and plain value types shared by every layer."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    GOOGLE = "google"  # a Google Business Profile location


class ItemStatus(StrEnum):
    DRAFT = "draft"  # never published until scheduled (stored as "queued" before migration 0005)
    SCHEDULED = "scheduled"
    PROCESSING = "processing"
    POSTED = "posted"
    FAILED = "failed"
    CANCELED = "canceled"
    MISSED = "missed"


class AttemptOutcome(StrEnum):
    IN_FLIGHT = "in_flight"
    SUCCEEDED = "succeeded"
    RETRY_SCHEDULED = "retry_scheduled"
    FAILED = "failed"
    RECONCILED = "reconciled"


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class CommentStatus(StrEnum):
    """``queue_items.comment_status`` of a post with a first comment (NULL when it has none)."""

    PENDING = "pending"  # waiting for its (next) try; the post itself is out, or about to go
    POSTED = "posted"
    FAILED = "failed"  # tries used up, or a permanent error: the post stays posted


class AttemptStep(StrEnum):
    """What a delivery attempt did: publish the post, add its first comment, or a step with Meta's scheduler (a
    hand-off, a change sent after it, its verification: an Activity line that uses up no try)."""

    PUBLISH = "publish"
    COMMENT = "comment"
    HANDOFF = "handoff"


MAX_MEDIA = 10  # images per post (a carousel or a multi-photo post): every Meta source says 10


@dataclass(frozen=True)
class MediaRef:
    """One image or video of a post, in the post's order (``queue_items.media`` holds a list of these)."""

    path: str
    kind: MediaKind = MediaKind.IMAGE
    alt_text: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"path": self.path, "kind": self.kind.value, "alt_text": self.alt_text}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> MediaRef:
        alt = value.get("alt_text")
        return cls(
            str(value["path"]), MediaKind(str(value.get("kind") or "image")), alt if isinstance(alt, str) else None
        )


def media_from_json(value: object) -> tuple[MediaRef, ...]:
    """The stored ``media`` column as MediaRefs (NULL or not a list: none)."""
    if not isinstance(value, list):
        return ()
    return tuple(MediaRef.from_json(entry) for entry in value if isinstance(entry, Mapping) and entry.get("path"))


def media_to_json(media: Sequence[MediaRef]) -> list[dict[str, str | None]]:
    return [m.as_json() for m in media]


def first_image(media: Sequence[MediaRef]) -> str | None:
    """``queue_items.image_path``: the first image (kept for compatibility), or None."""
    return next((m.path for m in media if m.kind is MediaKind.IMAGE), None)


# The provider ids an attempt created before its final publish (``delivery_attempts.checkpoint``), and the
# callback that durably commits one of them before the publisher makes its next call.
Checkpoint = Mapping[str, Any]
SaveCheckpoint = Callable[[str, Any], None]


class AccountStatus(StrEnum):
    CONNECTED = "connected"
    NEEDS_ATTENTION = "needs_attention"
    INVALID = "invalid"
    DISCONNECTED = "disconnected"
    CANNOT_POST = "cannot_post"  # the token works, but the owner's role on the Page can't create posts


# A Page role can publish with one of these tasks (Meta's "Create content", or full control).
PUBLISH_TASKS = frozenset({"CREATE_CONTENT", "MANAGE"})
CANNOT_POST_MESSAGE = "Can't post: ask a Page admin for the Create content permission"


def can_post(tasks: Sequence[str] | None) -> bool:
    """Whether a Page role with these tasks may publish; unknown tasks (None or none listed: Meta did not say, or
    the account was connected before tasks were stored) count as yes, so that only a known lack blocks posting."""
    return not tasks or bool(PUBLISH_TASKS.intersection(tasks))


def cannot_post_reason(label: str) -> str:
    """The one-line refusal for an account that can't post (the composer, the CLI, the held posts)."""
    return f"{label} can't post: ask a Page admin for the Create content permission"


@dataclass(frozen=True)
class PublishResult:
    """What a provider returned for one published post."""

    provider_post_id: str
    permalink: str | None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunStats:
    """Counts returned by one run of the due-runner."""

    processed: int = 0
    succeeded: int = 0
    failed: int = 0
    retried: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "processed": self.processed,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "retried": self.retried,
        }

    def __add__(self, other: RunStats) -> RunStats:
        return RunStats(
            self.processed + other.processed,
            self.succeeded + other.succeeded,
            self.failed + other.failed,
            self.retried + other.retried,
        )


@dataclass(frozen=True)
class DiscoveredAccount:
    """A Page or IG business account found while connecting."""

    platform: Platform
    external_id: str
    name: str
    access_token: str
    page_id: str | None = None
    username: str | None = None
    tasks: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never show the token
        return f"DiscoveredAccount({self.platform.value}, {self.external_id!r}, {self.name!r})"


@dataclass(frozen=True)
class TokenInfo:
    """The health of one token, as reported by debug_token."""

    is_valid: bool
    expires_at: datetime | None
    scopes: tuple[str, ...] = ()
    type: str | None = None
