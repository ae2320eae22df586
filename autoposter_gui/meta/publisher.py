"""Publishing to a Facebook Page and an Instagram account, and finding posts again after a crash."""

from __future__ import annotations

import logging
import os
import time
import unicodedata
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Executor, Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError, ValidationError
from autoposter_gui.domain.images import IG_MAX_BYTES, IG_MAX_WIDTH, inspect_image, to_jpeg_bytes
from autoposter_gui.domain.models import PublishResult
from autoposter_gui.meta.client import FileSpec, GraphClient
from autoposter_gui.meta.errors import unexpected_answer
from autoposter_gui.meta.polling import already_published, poll_container, raise_if_failed
from autoposter_gui.networks.redact import install_redaction

logger = logging.getLogger(__name__)
install_redaction(__name__)

FB_MAX_WIDTH = 2048  # Facebook shows photos at most 2048 px wide
FB_MAX_BYTES = 8 * 1024 * 1024
# Reconciliation windows start at the attempt's start, moved onto Meta's clock by the measured offset (the Date
# header of Meta's answers), less this slack for the measurement (1 s resolution) and the request's own travel.
RECONCILE_SLACK = timedelta(minutes=2)
# When no offset could be measured (no Date header), the window starts this much earlier instead.
UNMEASURED_SKEW = timedelta(hours=1)
# Asked of Meta (``since``): wide enough for any plausible clock error; the exact window is applied here.
SERVER_SINCE_MARGIN = timedelta(hours=26)
RECONCILE_MAX_PAGES = 20


def _str_field(answer: Mapping[str, Any], key: str) -> str | None:
    value = answer.get(key)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _require_id(answer: Mapping[str, Any], what: str, *, is_write: bool) -> str:
    value = _str_field(answer, "id")
    if value is None:
        raise unexpected_answer(what, is_write=is_write)
    return value


def _parse_time(value: object) -> datetime | None:
    """Parse Graph times like ``2026-11-28T10:00:00+0000`` (aware, UTC)."""
    if not isinstance(value, str):
        return None
    for parse in (lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z"), datetime.fromisoformat):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    return None


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _normalise(text: str) -> str:
    """Text as compared when reconciling: Unicode NFC, LF line ends, no trailing spaces on lines or at the ends
    (Meta may normalise what it stores)."""
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _caption(text: str) -> dict[str, str]:
    """The ``caption`` parameter of a photo or container: left out when there is none."""
    return {"caption": text} if text else {}


def _load_jpeg(image_path: str, *, max_width: int, max_bytes: int, prepared: Future[bytes] | None = None) -> bytes:
    """The image as JPEG bytes (``prepared`` if given), or a permanent MEDIA_INVALID PublishError."""
    try:
        inspect_image(image_path, decode=False)  # the cheap checks; converting decodes (and checks) the pixels
        if prepared is not None:
            return prepared.result()
        return to_jpeg_bytes(image_path, max_width=max_width, max_bytes=max_bytes)
    except ValidationError as exc:
        raise PublishError(ErrorKind.PERMANENT, ErrorCategory.MEDIA_INVALID, f"{exc} Choose another image.") from None
    except Exception:  # Pillow raises many exception types for odd files
        raise PublishError(
            ErrorKind.PERMANENT,
            ErrorCategory.MEDIA_INVALID,
            f"Could not convert the image {Path(image_path).name} to JPEG; choose another image.",
        ) from None


def _jpeg_file(content: bytes) -> dict[str, FileSpec]:
    return {"source": ("image.jpg", content, "image/jpeg")}


# Image limits per platform: (max width, max bytes).
IMAGE_LIMITS = {"facebook": (FB_MAX_WIDTH, FB_MAX_BYTES), "instagram": (IG_MAX_WIDTH, IG_MAX_BYTES)}
_ImageKey = tuple[str, int, int, int, int]


class MetaPublisher:
    """Publishes through a :class:`GraphClient`, one method per contract call (see GRAPH_CONTRACT.md).

    With a ``media`` executor, :meth:`prepare_image` converts the image of a coming post in the background, so
    the JPEG is ready when its turn comes (the conversion leaves the critical path of a chain of posts).
    """

    def __init__(
        self,
        client: GraphClient,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        media: Executor | None = None,
    ) -> None:
        self.client = client
        self._monotonic = monotonic
        self._media = media
        self._prepared: dict[_ImageKey, Future[bytes]] = {}

    # ----- images ---------------------------------------------------------------------------------

    def prepare_image(self, image_path: str, platform: str) -> None:
        """Start converting ``image_path`` for a later post on ``platform`` (no-op without a media executor)."""
        key = self._image_key(image_path, platform) if self._media is not None else None
        if key is None or key in self._prepared or self._media is None:
            return
        max_width, max_bytes = IMAGE_LIMITS[platform]
        self._prepared[key] = self._media.submit(to_jpeg_bytes, image_path, max_width, max_bytes)

    def close(self) -> None:
        """Drop conversions nobody used, and close the HTTP session."""
        for future in self._prepared.values():
            future.cancel()
        self._prepared.clear()
        self.client.close()

    def _jpeg(self, image_path: str, platform: str) -> bytes:
        max_width, max_bytes = IMAGE_LIMITS[platform]
        key = self._image_key(image_path, platform) if self._prepared else None
        prepared = self._prepared.pop(key, None) if key is not None else None
        return _load_jpeg(image_path, max_width=max_width, max_bytes=max_bytes, prepared=prepared)

    @staticmethod
    def _image_key(image_path: str, platform: str) -> _ImageKey | None:
        """Identifies the file's current content: a prepared JPEG of an edited or replaced file is never used."""
        if platform not in IMAGE_LIMITS:
            return None
        try:
            st = os.stat(image_path)
        except OSError:
            return None
        max_width, max_bytes = IMAGE_LIMITS[platform]
        return (os.path.abspath(image_path), st.st_size, st.st_mtime_ns, max_width, max_bytes)

    # ----- Facebook Page --------------------------------------------------------------------------

    def publish_facebook(
        self, page_id: str, token: str, text: str, image_path: str | None, *, alt_text: str | None = None
    ) -> PublishResult:
        """Post text (call 5) or a photo with caption (call 6); one more GET if no permalink came back."""
        if image_path is None:
            answer = self.client.post(f"/{page_id}/feed", token, data={"message": text, "fields": "id,permalink_url"})
            post_id = _require_id(answer, "post id", is_write=True)
            extra: dict[str, str] = {}
        else:
            jpeg = self._jpeg(image_path, "facebook")
            answer = self.client.post(
                f"/{page_id}/photos",
                token,
                # A photo without a caption sends none (not an empty one).
                data={
                    **_caption(text),
                    **({"alt_text_custom": alt_text} if alt_text else {}),
                    "published": "true",
                    "fields": "id,post_id,permalink_url",
                },
                files=_jpeg_file(jpeg),
            )
            photo_id = _require_id(answer, "photo id", is_write=True)
            post_id = _str_field(answer, "post_id") or photo_id
            extra = {"photo_id": photo_id}
        permalink = _str_field(answer, "permalink_url")
        if permalink is None:
            permalink = self._permalink(post_id, token, "permalink_url")
        return PublishResult(post_id, permalink, extra)

    def find_facebook_post(
        self, page_id: str, token: str, text: str, since: datetime, exclude_ids: Collection[str]
    ) -> PublishResult | None:
        """The oldest Page post (call 7) with this text (normalised) made since ``since`` on this machine's clock,
        or None. Pages through the feed; ``since`` is moved onto Meta's clock by the measured offset."""
        server_since = _aware(since) - SERVER_SINCE_MARGIN
        params = {
            "fields": "id,message,created_time,permalink_url",
            "since": str(int(server_since.timestamp())),
            "limit": "100",
        }
        match = self._find(f"/{page_id}/feed", token, params, text, since, exclude_ids, "message", "created_time")
        if match is None:
            return None
        post_id, created, item = match
        return PublishResult(post_id, _str_field(item, "permalink_url"), {"created_time": created.isoformat()})

    # ----- Instagram ------------------------------------------------------------------------------

    def host_image(self, page_id: str, token: str, image_path: str) -> str:
        """Make the image reachable by Meta and return its public URL (call 8).

        The only place that knows where images are hosted: an unpublished photo on the linked Page, whose
        largest rendition's ``source`` URL is returned.
        """
        jpeg = self._jpeg(image_path, "instagram")
        answer = self.client.post(
            f"/{page_id}/photos",
            token,
            data={"published": "false", "fields": "id,images"},
            files=_jpeg_file(jpeg),
        )
        photo_id = _require_id(answer, "photo id", is_write=True)
        images = answer.get("images")
        if not images:
            images = self.client.get(f"/{photo_id}", token, params={"fields": "images"}).get("images")
        url = self._largest_source(images)
        if url is None:
            raise unexpected_answer("image URL", is_write=False)
        return url

    def create_container(
        self, ig_user_id: str, token: str, image_url: str, caption: str, *, alt_text: str | None = None
    ) -> str:
        """Create an IG media container (call 9); unpublished, it is invisible and safe to recreate."""
        data = {"image_url": image_url, **_caption(caption), **({"alt_text": alt_text} if alt_text else {})}
        answer = self.client.post(f"/{ig_user_id}/media", token, data=data)
        return _require_id(answer, "container id", is_write=False)

    def container_status(self, container_id: str, token: str) -> str:
        """The container's ``status_code`` (call 10): IN_PROGRESS, FINISHED, ERROR, EXPIRED or PUBLISHED."""
        answer = self.client.get(f"/{container_id}", token, params={"fields": "status_code"})
        status = _str_field(answer, "status_code")
        if status is None:
            raise unexpected_answer("container status", is_write=False)
        return status.upper()

    def wait_until_finished(self, container_id: str, token: str, *, max_wait: float = 60.0) -> str:
        """Poll until the container is FINISHED (or already PUBLISHED) and return that status.

        The first read is immediate, then 1, 2, 3, 5, 5... seconds apart, for at most ``max_wait`` seconds.
        ERROR is a permanent MEDIA_INVALID error, EXPIRED a temporary CONTAINER_EXPIRED one, and running
        out of time a temporary MEDIA_NOT_READY one.
        """

        def check(status: str) -> None:
            raise_if_failed(
                status,
                container_id,
                invalid="Instagram could not process the image. Use a JPEG under 8 MB with an aspect ratio "
                "from 4:5 to 1.91:1, then try again.",
                expired="The prepared Instagram upload expired; Autoposter will upload the image again.",
            )

        def timed_out(status: str, polls: int) -> PublishError:
            logger.warning("IG container still %s after %d reads", status, polls)
            return PublishError(
                ErrorKind.TEMPORARY,
                ErrorCategory.MEDIA_NOT_READY,
                "Instagram is still processing the image; Autoposter will try again shortly.",
                extra={"container_id": container_id},
            )

        return poll_container(
            lambda: self.container_status(container_id, token),
            check,
            timed_out,
            budget=max_wait,
            sleep=self.client.sleep,
            monotonic=self._monotonic,
        )

    def publish_container(self, ig_user_id: str, container_id: str, token: str) -> PublishResult:
        """media_publish (call 11), then ONE permalink read (call 12); its failure keeps the media id."""
        answer = self.client.post(f"/{ig_user_id}/media_publish", token, data={"creation_id": container_id})
        media_id = _require_id(answer, "media id", is_write=True)
        permalink = self._permalink(media_id, token, "permalink")
        return PublishResult(media_id, permalink, {"container_id": container_id, "media_id": media_id})

    def publish_instagram(
        self,
        ig_user_id: str,
        page_id: str,
        token: str,
        caption: str,
        image_path: str,
        on_container: Callable[[str], None],
        *,
        alt_text: str | None = None,
    ) -> PublishResult:
        """host_image -> create_container -> on_container(id) -> wait_until_finished -> publish_container."""
        image_url = self.host_image(page_id, token, image_path)
        container_id = self.create_container(ig_user_id, token, image_url, caption, alt_text=alt_text)
        on_container(container_id)
        status = self.wait_until_finished(container_id, token)
        if status == "PUBLISHED":  # cannot happen for a new container; never publish one twice
            raise already_published(container_id, "post")
        return self.publish_container(ig_user_id, container_id, token)

    def find_instagram_media(
        self, ig_user_id: str, token: str, caption: str, since: datetime, exclude_ids: Collection[str]
    ) -> PublishResult | None:
        """The oldest IG media (call 13) with this caption (normalised) made since ``since`` on this machine's
        clock, or None (pages through the media, newest first, until past the window)."""
        params = {"fields": "id,caption,timestamp,permalink", "limit": "100"}
        match = self._find(f"/{ig_user_id}/media", token, params, caption, since, exclude_ids, "caption", "timestamp")
        if match is None:
            return None
        media_id, created, item = match
        return PublishResult(
            media_id,
            _str_field(item, "permalink"),
            {"media_id": media_id, "created_time": created.isoformat()},
        )

    def publishing_quota(self, ig_user_id: str, token: str) -> tuple[int, int]:
        """(posts used, posts allowed) in the current 24 h window (call 14)."""
        answer = self.client.get(
            f"/{ig_user_id}/content_publishing_limit", token, params={"fields": "quota_usage,config"}
        )
        data = answer.get("data")
        entry = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None
        if entry is None:
            raise unexpected_answer("publishing quota", is_write=False)
        config = entry.get("config")
        usage = entry.get("quota_usage")
        total = config.get("quota_total") if isinstance(config, dict) else None
        if not isinstance(usage, int) or not isinstance(total, int):
            raise unexpected_answer("publishing quota", is_write=False)
        return usage, total

    # ----- helpers --------------------------------------------------------------------------------

    def _permalink(self, object_id: str, token: str, field: str) -> str | None:
        """Read a permalink after a successful write; a failure here must not turn success into failure."""
        try:
            return _str_field(self.client.get(f"/{object_id}", token, params={"fields": field}), field)
        except PublishError as exc:
            logger.warning("Published, but the permalink read failed (%s)", exc.error_code)
            return None

    @staticmethod
    def _largest_source(images: object) -> str | None:
        best: tuple[int, str] | None = None
        if not isinstance(images, list):
            return None
        for image in images:
            if not isinstance(image, dict):
                continue
            source = image.get("source")
            width, height = image.get("width"), image.get("height")
            if not isinstance(source, str) or not source:
                continue
            area = width * height if isinstance(width, int) and isinstance(height, int) else 0
            if best is None or area > best[0]:
                best = (area, source)
        return best[1] if best else None

    def window_start(self, since: datetime) -> datetime:
        """``since`` (this machine's clock) on Meta's clock, less the slack; earlier when the offset is unknown."""
        offset = self.client.clock_offset
        if offset is None:
            return _aware(since) - UNMEASURED_SKEW
        return _aware(since) + offset - RECONCILE_SLACK

    def _find(
        self,
        path: str,
        token: str,
        params: dict[str, str],
        text: str,
        since: datetime,
        exclude_ids: Collection[str],
        text_field: str,
        time_field: str,
    ) -> tuple[str, datetime, Mapping[str, Any]] | None:
        """Page through a newest-first listing until it is older than the window; the oldest match in it.

        An empty ``text`` (a photo without a caption) matches only posts without a caption, made inside the
        attempt's window and not owned by another item (``exclude_ids``), the oldest first. Residual risk: a
        captionless post the owner made by hand (or any captionless Page story) inside that window, before ours,
        is taken for ours, when ours did not go out: the item is then marked posted with that post's link and is
        not published (a post missed, never one published twice). The window is the attempt's own few minutes.
        """
        wanted = _normalise(text)
        best: tuple[str, datetime, Mapping[str, Any]] | None = None
        query = dict(params)
        for _page in range(RECONCILE_MAX_PAGES):
            answer = self.client.get(path, token, params=query)
            start = self.window_start(since)  # the offset is measured on each answer
            match, oldest = self._oldest_match(answer, wanted, start, exclude_ids, text_field, time_field)
            if match is not None and (best is None or match[1] < best[1]):
                best = match
            paging = answer.get("paging")
            cursors = paging.get("cursors") if isinstance(paging, dict) else None
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not isinstance(paging, dict) or not paging.get("next") or not isinstance(after, str):
                break
            if oldest is not None and oldest < start:
                break  # everything further is older than the window
            query = {**params, "after": after}
        return best

    @staticmethod
    def _oldest_match(
        answer: Mapping[str, Any],
        wanted: str,
        start: datetime,
        exclude_ids: Collection[str],
        text_field: str,
        time_field: str,
    ) -> tuple[tuple[str, datetime, Mapping[str, Any]] | None, datetime | None]:
        """The oldest entry of one page with the text since ``start``, and the oldest time on the page."""
        data = answer.get("data")
        best: tuple[str, datetime, Mapping[str, Any]] | None = None
        oldest: datetime | None = None
        for item in data if isinstance(data, list) else []:
            if not isinstance(item, dict):
                continue
            item_id = _str_field(item, "id")
            # Meta leaves the field out when a post has no caption: that is the empty text (see ``_find``).
            text = item.get(text_field, "")
            created = _parse_time(item.get(time_field))
            if created is not None and (oldest is None or created < oldest):
                oldest = created
            if item_id is None or not isinstance(text, str) or created is None:
                continue
            if item_id in exclude_ids or created < start or _normalise(text) != wanted:
                continue
            if best is None or created < best[1]:
                best = (item_id, created, item)
        return best, oldest
