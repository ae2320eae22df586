"""The sandbox's mutable world: posts, photos, containers, tokens, settings, with optional JSON persistence."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import world

FORMAT_VERSION = 1
DUPLICATE_WINDOW_SECONDS = 600
CONTAINER_TTL_SECONDS = 86400
QUOTA_DURATION_SECONDS = 86400

PHOTO_ID_BASE = 200_000_000_000_000
POST_ID_BASE = 300_000_000_000_000
CONTAINER_ID_BASE = 17_900_000_000_000_000
MEDIA_ID_BASE = 17_950_000_000_000_000
VIDEO_ID_BASE = 400_000_000_000_000
COMMENT_ID_BASE = 18_000_000_000_000_000


def meta_time(ts: float) -> str:
    """Meta's timestamp format, e.g. 2026-11-28T10:00:00+0000."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class PostRecord:
    """A published Facebook post or Instagram media (``manual``: made by the owner by hand, not through the API)."""

    id: str
    platform: str  # "facebook" | "instagram"
    account_id: str
    text: str
    created_ts: float
    photo_id: str | None = None
    link: str | None = None
    manual: bool = False
    video_id: str | None = None  # a Reel or Page video: its VideoRecord
    # A multi-photo post or a carousel: every photo, in order (photo_id is the first).
    photo_ids: list[str] = field(default_factory=list)
    # Meta's scheduler: the post's publish time while it waits (not in the feed until then); vanish: it disappears
    # at go-live instead of publishing (see sandbox/scheduled.py).
    scheduled_ts: float | None = None
    vanish: bool = False

    @property
    def image(self) -> bool:
        return self.photo_id is not None

    @property
    def media_count(self) -> int:
        return len(self.photo_ids) or (1 if self.photo_id is not None else 0)


@dataclass
class PhotoRecord:
    """An uploaded Page photo (published, or unpublished and used as an image host)."""

    id: str
    page_id: str
    caption: str
    width: int
    height: int
    size: int
    published: bool
    created_ts: float
    post_id: str | None = None
    alt_text: str | None = None


@dataclass
class CommentRecord:
    """A comment on a post or IG media."""

    id: str
    target_id: str  # the post or media commented on
    message: str
    created_ts: float


@dataclass
class ContainerRecord:
    """An Instagram media container."""

    id: str
    ig_user_id: str
    photo_id: str
    caption: str
    created_ts: float
    polls_needed: int
    reads: int = 0
    media_id: str | None = None
    alt_text: str | None = None
    is_carousel_item: bool = False
    children: list[str] = field(default_factory=list)  # a carousel parent's child containers, in order


@dataclass
class VideoRecord:
    """A video on its way: a Facebook Reel or Page video (by video id) or an Instagram Reel container.

    ``kind``: "fb_reel", "fb_video" or "ig_reel". The bytes are in the store's upload folder, never in memory.
    """

    id: str
    kind: str
    account_id: str  # the Page or the IG user
    caption: str
    created_ts: float
    polls_needed: int
    file_size: int | None = None  # announced by the upload's ``file_size`` header
    received: int = 0
    reads: int = 0  # status reads since the upload completed
    error: bool = False  # processing ends in ERROR (the sandbox's ``video_error`` setting when it was made)
    post_id: str | None = None  # set once published
    # The bytes as received: [start, size, number] per upload request, each in its own file (a resumed upload
    # adds one, cutting what lay past its offset), so that no request's bytes are ever copied again.
    segments: list[list[int]] = field(default_factory=list)

    @property
    def uploaded(self) -> bool:
        return self.file_size is not None and self.received >= self.file_size


@dataclass
class TokenState:
    """Token generations (bumped on revocation), issued long-lived tokens and revoked tokens."""

    user_gen: int = 0
    page_gens: dict[str, int] = field(default_factory=dict)
    long_lived: dict[str, float] = field(default_factory=dict)  # token -> expires_at
    revoked: dict[str, int] = field(default_factory=dict)  # token -> error subcode


@dataclass
class SandboxConfig:
    """Settings changeable at run time through the control API."""

    latency_ms: int = 0
    container_polls: int = 1
    quota_total: int = 100
    duplicate_check: bool = True
    usage_percent: int = 1
    regain_access_minutes: int = 0
    app_live: bool = True  # the demo Meta app's mode (the fake developer flow): False = in development
    video_error: bool = False  # videos made while this is on end their processing in ERROR
    reels_per_day: int = 30  # Facebook's limit of API-published Reels per Page per 24 h
    keep_uploads: bool = True  # off: video bytes are counted, not written (benchmarks send hundreds of MB)
    insights_permission: bool = True  # off: tokens lack read_insights / instagram_manage_insights

    def update(self, changes: dict[str, Any]) -> None:
        """Apply changes, checking names and types; raises ValueError."""
        known = {f.name: f for f in fields(self)}
        for key, value in changes.items():
            if key not in known:
                raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(known))}")
            current = getattr(self, key)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be a boolean")
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{key} must be a non-negative integer")
        for key, value in changes.items():
            setattr(self, key, value)


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class SandboxStore:
    """All sandbox state behind one re-entrant lock; persisted to ``state_path`` after every change."""

    def __init__(self, state_path: Path | None, *, latency_ms: int, container_polls: int, extra_pages: int = 0) -> None:
        self.lock = threading.RLock()
        self._base_world = world.make_world(extra_pages) if extra_pages else world.DEFAULT_WORLD
        self.world = self._base_world
        self.page_tasks: dict[str, list[str]] = {}  # Pages whose tasks were changed (set_page_tasks)
        self.state_path = state_path
        self._default_config = SandboxConfig(latency_ms=latency_ms, container_polls=container_polls)
        self.config = SandboxConfig(**asdict(self._default_config))
        self.clock_offset = 0.0
        self.clock_skew = 0.0
        self.calls: list[dict[str, str]] = []
        self.connections = 0
        self.internal_errors: list[str] = []
        self.counter = 0
        self.posts: list[PostRecord] = []
        self.photos: dict[str, PhotoRecord] = {}
        self.containers: dict[str, ContainerRecord] = {}
        self.comments: list[CommentRecord] = []
        self.tokens = TokenState()
        self._images: dict[str, bytes] = {}
        self.videos: dict[str, VideoRecord] = {}
        # Forced insights states (see insights.py), by post id or account id.
        self.insights_states: dict[str, str] = {}
        self._upload_dir: Path | None = None
        self._load()

    # ----- time, ids -----

    def now(self) -> float:
        """Meta's clock: the real time, moved by ``advance_clock`` and off by the clock skew."""
        return time.time() + self.clock_offset + self.clock_skew

    def next_id(self, base: int) -> str:
        self.counter += 1
        return str(base + self.counter)

    # ----- tokens -----

    def current_short_user_token(self) -> str:
        return world.short_user_token(self.tokens.user_gen)

    def current_long_user_token(self) -> str:
        return world.long_user_token(self.tokens.user_gen)

    def current_page_token(self, page_id: str) -> str:
        return world.page_token(page_id, self.tokens.page_gens.get(page_id, 0))

    def issue_long_lived(self) -> tuple[str, float]:
        """The long-lived user token of this generation, valid 60 days from now."""
        token = self.current_long_user_token()
        expires_at = float(int(self.now()) + world.LONG_LIVED_SECONDS)
        self.tokens.long_lived[token] = expires_at
        self.save()
        return token, expires_at

    def revoke(self, target: str, subcode: int = 460) -> list[str]:
        """Revoke a token, or the tokens of an account id (user, Page or IG); returns the revoked tokens."""
        ts = self.tokens
        revoked: list[str] = []

        def revoke_user() -> None:
            revoked.append(self.current_short_user_token())
            revoked.extend(t for t in ts.long_lived if t not in ts.revoked)
            ts.long_lived.clear()
            ts.user_gen += 1
            for page in self.world.pages:  # like a password change: the Page tokens die too
                revoke_page(page.id)

        def revoke_page(page_id: str) -> None:
            revoked.append(self.current_page_token(page_id))
            ts.page_gens[page_id] = ts.page_gens.get(page_id, 0) + 1

        if target in (world.USER_ID, self.current_short_user_token()) or target in ts.long_lived:
            revoke_user()
        elif target in self.world.pages_by_id:
            revoke_page(target)
        elif target in self.world.page_by_ig:
            revoke_page(self.world.page_by_ig[target].id)
        else:
            for page in self.world.pages:
                if target == self.current_page_token(page.id):
                    revoke_page(page.id)
                    break
        for token in revoked:
            ts.revoked[token] = subcode
        if revoked:
            self.save()
        return revoked

    def set_page_tasks(self, page_id: str, tasks: Sequence[str]) -> None:
        """Give the user other tasks on a Page (a Page admin granting or taking "Create content")."""
        if page_id not in self._base_world.pages_by_id:
            raise ValueError(f"no Page {page_id!r} in the sandbox")
        self.page_tasks[page_id] = list(tasks)
        self._apply_page_tasks()
        self.save()

    def _apply_page_tasks(self) -> None:
        pages = self._base_world.pages
        self.world = world.World(
            tuple(replace(p, tasks=tuple(self.page_tasks[p.id])) if p.id in self.page_tasks else p for p in pages)
        )

    # ----- records -----

    def add_post(
        self,
        platform: str,
        account_id: str,
        text: str,
        *,
        photo_id: str | None = None,
        link: str | None = None,
        created_ts: float | None = None,
        manual: bool = False,
    ) -> PostRecord:
        if platform == "facebook":
            post_id = f"{account_id}_{self.next_id(POST_ID_BASE)}"
        else:
            post_id = self.next_id(MEDIA_ID_BASE)
        post = PostRecord(
            id=post_id,
            platform=platform,
            account_id=account_id,
            text=text,
            created_ts=self.now() if created_ts is None else created_ts,
            photo_id=photo_id,
            link=link,
            manual=manual,
        )
        self.posts.append(post)
        return post

    def listing(self, platform: str, account_id: str) -> list[PostRecord]:
        """An account's posts, newest first (by created time, as Meta lists them; a backdated post sorts late)."""
        posts = [
            p for p in self.posts if p.platform == platform and p.account_id == account_id and p.scheduled_ts is None
        ]
        return sorted(reversed(posts), key=lambda p: p.created_ts, reverse=True)

    def add_photo(
        self, page_id: str, caption: str, *, width: int, height: int, size: int, published: bool, jpeg: bytes
    ) -> PhotoRecord:
        photo = PhotoRecord(
            id=self.next_id(PHOTO_ID_BASE),
            page_id=page_id,
            caption=caption,
            width=width,
            height=height,
            size=size,
            published=published,
            created_ts=self.now(),
        )
        self.photos[photo.id] = photo
        self._images[photo.id] = jpeg
        if self.state_path is not None:
            atomic_write(self._media_dir() / f"{photo.id}.jpg", jpeg)
        return photo

    def add_container(
        self,
        ig_user_id: str,
        photo_id: str,
        caption: str,
        *,
        alt_text: str | None = None,
        is_carousel_item: bool = False,
        children: Sequence[str] = (),
    ) -> ContainerRecord:
        container = ContainerRecord(
            id=self.next_id(CONTAINER_ID_BASE),
            ig_user_id=ig_user_id,
            photo_id=photo_id,
            caption=caption,
            created_ts=self.now(),
            polls_needed=self.config.container_polls,
            alt_text=alt_text,
            is_carousel_item=is_carousel_item,
            children=list(children),
        )
        self.containers[container.id] = container
        return container

    def add_comment(self, target_id: str, message: str) -> CommentRecord:
        post = self.post_by_id(target_id)
        number = self.next_id(COMMENT_ID_BASE)
        comment_id = (
            f"{target_id.split('_')[-1]}_{number}" if post is not None and post.platform == "facebook" else number
        )
        comment = CommentRecord(comment_id, target_id, message, self.now())
        self.comments.append(comment)
        return comment

    def comments_on(self, target_id: str) -> list[CommentRecord]:
        return [c for c in self.comments if c.target_id == target_id]

    def container_status(self, container: ContainerRecord) -> str:
        if container.media_id is not None:
            return "PUBLISHED"
        if self.now() - container.created_ts > CONTAINER_TTL_SECONDS:
            return "EXPIRED"
        if container.reads < container.polls_needed:
            return "IN_PROGRESS"
        return "FINISHED"

    def upload_dir(self) -> Path:
        """Where uploaded video bytes go: next to the state file, else a temporary folder of this store."""
        if self._upload_dir is None:
            if self.state_path is not None:
                self._upload_dir = self.state_path.with_name(self.state_path.name + ".uploads")
            else:
                self._upload_dir = Path(tempfile.mkdtemp(prefix="sandbox-uploads-"))
        self._upload_dir.mkdir(parents=True, exist_ok=True)
        return self._upload_dir

    def _segment_path(self, video_id: str, number: int) -> Path:
        return self.upload_dir() / f"{video_id}.{number}.seg"

    def add_segment(self, video: VideoRecord, offset: int, spooled: Path | None, size: int) -> None:
        """Keep ``size`` bytes received at ``offset`` (moved from ``spooled``; None: counted, not kept), dropping
        what lay past it."""
        kept: list[list[int]] = []
        for start, length, number in video.segments:
            if start >= offset:
                with contextlib.suppress(OSError):
                    self._segment_path(video.id, number).unlink()
                continue
            kept.append([start, min(length, offset - start), number])
        number = max((seg[2] for seg in video.segments), default=0) + 1
        if spooled is not None:
            os.replace(spooled, self._segment_path(video.id, number))
        kept.append([offset, size, number])
        video.segments = kept

    def video_bytes(self, video_id: str) -> bytes:
        """The received bytes of a video, in order (for tests and checks: small videos only)."""
        video = self.videos[video_id]
        out = bytearray()
        for _start, length, number in video.segments:
            with self._segment_path(video_id, number).open("rb") as fh:  # FileNotFoundError: not kept
                out += fh.read(length)
        return bytes(out)

    def drop_uploads(self) -> None:
        """Delete the uploaded bytes of every video (reset, stop)."""
        if self._upload_dir is None or not self._upload_dir.exists():
            return
        for path in self._upload_dir.glob("*"):
            with contextlib.suppress(OSError):
                path.unlink()

    def post_by_id(self, post_id: str) -> PostRecord | None:
        for post in self.posts:
            if post.id == post_id:
                return post
        return None

    def quota_usage(self, ig_user_id: str) -> int:
        since = self.now() - QUOTA_DURATION_SECONDS
        return sum(
            1 for p in self.posts if p.platform == "instagram" and p.account_id == ig_user_id and p.created_ts >= since
        )

    def image_bytes(self, photo_id: str) -> bytes | None:
        data = self._images.get(photo_id)
        if data is None and self.state_path is not None and photo_id in self.photos:
            path = self._media_dir() / f"{photo_id}.jpg"
            with contextlib.suppress(OSError):
                data = path.read_bytes()
                self._images[photo_id] = data
        return data

    def log_call(self, method: str, path: str) -> None:
        self.calls.append({"method": method, "path": path})

    # ----- reset / persistence -----

    def reset(self) -> None:
        """Back to the fresh demo world and the constructor's settings."""
        if self.state_path is not None:
            for photo_id in self.photos:
                with contextlib.suppress(OSError):
                    (self._media_dir() / f"{photo_id}.jpg").unlink()
        self.config = SandboxConfig(**asdict(self._default_config))
        self.clock_offset = 0.0
        self.clock_skew = 0.0
        self.calls.clear()
        self.internal_errors.clear()
        self.counter = 0
        self.posts = []
        self.photos = {}
        self.containers = {}
        self.drop_uploads()
        self.videos = {}
        self.comments = []
        self.tokens = TokenState()
        self._images = {}
        self.page_tasks = {}
        self.insights_states = {}
        self.world = self._base_world
        self.save()

    def _media_dir(self) -> Path:
        assert self.state_path is not None
        return self.state_path.with_name(self.state_path.name + ".media")

    def save(self) -> None:
        if self.state_path is None:
            return
        data = {
            "format": FORMAT_VERSION,
            "counter": self.counter,
            "posts": [asdict(p) for p in self.posts],
            "photos": [asdict(p) for p in self.photos.values()],
            "containers": [asdict(c) for c in self.containers.values()],
            "videos": [asdict(v) for v in self.videos.values()],
            "comments": [asdict(c) for c in self.comments],
            "tokens": asdict(self.tokens),
            "page_tasks": self.page_tasks,
        }
        atomic_write(self.state_path, json.dumps(data, indent=1, sort_keys=True).encode())

    def _load(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        data = json.loads(self.state_path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
            raise ValueError(f"{self.state_path} is not a sandbox state file")
        self.counter = int(data["counter"])
        self.posts = [PostRecord(**p) for p in data["posts"]]
        self.photos = {p["id"]: PhotoRecord(**p) for p in data["photos"]}
        self.containers = {c["id"]: ContainerRecord(**c) for c in data["containers"]}
        self.videos = {v["id"]: VideoRecord(**v) for v in data.get("videos", [])}
        self.comments = [CommentRecord(**c) for c in data.get("comments", [])]
        self.tokens = TokenState(**data["tokens"])
        known = self._base_world.pages_by_id
        self.page_tasks = {k: list(v) for k, v in data.get("page_tasks", {}).items() if k in known}
        self._apply_page_tasks()

    # ----- views -----

    def post_permalink(self, base_url: str, post: PostRecord) -> str:
        kind = "post" if post.platform == "facebook" else "ig"
        return f"{base_url}/sandbox/{kind}/{post.id}"

    def media_url(self, base_url: str, photo_id: str, width: int | None = None) -> str:
        suffix = "" if width is None else f"_{width}"
        return f"{base_url}/sandbox/media/{photo_id}{suffix}.jpg"

    def snapshot(self, base_url: str) -> dict[str, Any]:
        """A JSON-ready view of everything (the faults are added by the server)."""
        from .scheduled import go_live

        go_live(self)
        ts = self.tokens
        return {
            "scheduled_posts": [
                {
                    "id": p.id,
                    "account_id": p.account_id,
                    "text": p.text,
                    "scheduled_publish_time": meta_time(p.scheduled_ts),
                    "vanish": p.vanish,
                    **({"photo_ids": list(p.photo_ids)} if p.photo_ids else {}),
                }
                for p in self.posts
                if p.scheduled_ts is not None
            ],
            "posts": [
                {
                    "id": p.id,
                    "platform": p.platform,
                    "account_id": p.account_id,
                    "text": p.text,
                    "image": p.image,
                    "created_time": meta_time(p.created_ts),
                    "permalink": self.post_permalink(base_url, p),
                    "manual": p.manual,
                    **({"video_id": p.video_id} if p.video_id is not None else {}),
                    # Rich posts only: a multi-photo post's or carousel's photos, a link post's link.
                    **({"photo_ids": list(p.photo_ids)} if p.photo_ids else {}),
                    **({"link": p.link} if p.link else {}),
                }
                for p in self.posts
                if p.scheduled_ts is None
            ],
            "comments": [
                {"id": c.id, "target_id": c.target_id, "message": c.message, "created_time": meta_time(c.created_ts)}
                for c in self.comments
            ],
            "calls": [dict(c) for c in self.calls],
            "connections": self.connections,
            "photos": [
                {
                    "id": p.id,
                    "page_id": p.page_id,
                    "published": p.published,
                    "post_id": p.post_id,
                    "width": p.width,
                    "height": p.height,
                    "url": self.media_url(base_url, p.id),
                    "alt_text": p.alt_text,
                }
                for p in self.photos.values()
            ],
            "containers": [
                {
                    "id": c.id,
                    "ig_user_id": c.ig_user_id,
                    "status_code": self.container_status(c),
                    "reads": c.reads,
                    "media_id": c.media_id,
                    "is_carousel_item": c.is_carousel_item,
                    "children": list(c.children),
                    "alt_text": c.alt_text,
                }
                for c in self.containers.values()
            ],
            "videos": [
                {
                    "id": v.id,
                    "kind": v.kind,
                    "account_id": v.account_id,
                    "file_size": v.file_size,
                    "received": v.received,
                    "reads": v.reads,
                    "post_id": v.post_id,
                }
                for v in self.videos.values()
            ],
            "tokens": {
                "user": self.current_short_user_token(),
                "long_lived": sorted(t for t in ts.long_lived if t not in ts.revoked),
                "pages": {p.id: self.current_page_token(p.id) for p in self.world.pages},
                "revoked": sorted(ts.revoked),
            },
            "config": asdict(self.config),
            "clock_offset": self.clock_offset,
            "clock_skew": self.clock_skew,
            "internal_errors": list(self.internal_errors),
        }
