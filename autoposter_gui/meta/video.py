"""Publishing videos: Facebook Reels and Page videos, Instagram Reels; streamed, resumable, every id saved first."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import Checkpoint, PublishResult, SaveCheckpoint
from autoposter_gui.meta.bodies import FileWindow, MultipartFile
from autoposter_gui.meta.client import DEFAULT_ORIGIN, GraphClient
from autoposter_gui.meta.errors import unexpected_answer
from autoposter_gui.meta.polling import already_published, poll_container, raise_if_failed
from autoposter_gui.meta.publisher import _str_field as _str
from autoposter_gui.networks.redact import install_redaction

logger = logging.getLogger(__name__)
install_redaction(__name__)

RUPLOAD = "https://rupload.facebook.com"
UPLOAD_CHUNK = 64 * 1024 * 1024  # bytes per upload request; the offset is saved after each one
# Instagram: status reads within one try (1, 2, 3, 5 s apart, at most this long), then the post waits for a later
# tick (the runner moves on to other posts): processing a Reel can take minutes.
POLL_BUDGET = 15.0
# How long a post waits between checks while Instagram processes, by how long it has been processing.
PROCESSING_WAITS = ((timedelta(minutes=2), timedelta(seconds=30)), (timedelta(minutes=10), timedelta(minutes=1)))
PROCESSING_WAIT_MAX = timedelta(minutes=3)
PROCESSING_GIVE_UP = timedelta(hours=1)
REELS_LIMIT_WAIT = timedelta(hours=1)

# Checkpoint keys (delivery_attempts.checkpoint): each is committed before the call that depends on it.
VIDEO_ID = "video_id"  # Facebook: the Reel's video id (from upload_phase=start)
UPLOAD_URL = "upload_url"
CONTAINER_ID = "container_id"  # Instagram: the Reel's container
UPLOAD_OFFSET = "upload_offset"  # bytes Meta acknowledged
FILE_SIZE = "file_size"
PROCESSING_SINCE = "processing_since"  # Instagram: when the upload completed (ISO 8601, UTC)
FINISH_SENT = "finish_sent"  # Facebook Reel: the public step was asked for
PUBLISH_SENT = "publish_sent"  # Instagram: media_publish was asked for
VIDEO_SENT = "video_sent"  # Facebook Page video: the one request that publishes it was sent
VIDEO_KEYS = (VIDEO_ID, UPLOAD_URL, CONTAINER_ID, UPLOAD_OFFSET, FILE_SIZE, PROCESSING_SINCE)
# The reason a video post waits (PublishError.extra["wait"]): not a failure, no try spent.
WAIT_PROCESSING = "video_processing"


def rupload_origin(graph_origin: str) -> str:
    """Where byte uploads go: rupload.facebook.com for Meta's Graph origin, else that origin (the
    ``AUTOPOSTER_GRAPH_URL`` sandbox or test server, which takes the uploads too)."""
    if graph_origin.rstrip("/") == DEFAULT_ORIGIN:
        return RUPLOAD
    parts = urlsplit(graph_origin)
    return f"{parts.scheme}://{parts.netloc}"


def _offset(state: Checkpoint) -> int:
    value = state.get(UPLOAD_OFFSET)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        raise PublishError(
            ErrorKind.PERMANENT,
            ErrorCategory.MEDIA_INVALID,
            f"The video {Path(path).name} is no longer readable; edit the post and pick the video again.",
        ) from None


class VideoPublisher:
    """One method per video flow. Each takes the attempt's committed ``checkpoint`` and a ``save(key, value)`` that
    durably commits one key before it returns; an interrupted flow resumes from what was saved."""

    def __init__(
        self,
        client: GraphClient,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
        chunk_size: int | None = None,
        poll_budget: float = POLL_BUDGET,
    ) -> None:
        self.client = client
        self._monotonic = monotonic
        self._now = now or (lambda: datetime.now(UTC))
        self.chunk_size = chunk_size or UPLOAD_CHUNK
        self.poll_budget = poll_budget

    # ----- uploads ---------------------------------------------------------------------------------

    def _upload(self, url: str, token: str, path: str, state: dict[str, object], save: SaveCheckpoint) -> None:
        """Send the file from the saved offset, ``chunk_size`` bytes a request; save the offset after each."""
        size = _file_size(path)
        if state.get(FILE_SIZE) != size:  # another file (or the first upload): from the start
            offset = 0
            save(FILE_SIZE, size)
            state[FILE_SIZE] = size
        else:
            offset = _offset(state)
        with open(path, "rb") as fh:
            while offset < size:
                length = min(self.chunk_size, size - offset)
                headers = {"offset": str(offset), "file_size": str(size), "Content-Type": "application/octet-stream"}
                answer = self.client.send_body(url, token, FileWindow(fh, offset, length), headers=headers)
                acknowledged = answer.get("offset")
                offset = acknowledged if isinstance(acknowledged, int) and offset < acknowledged else offset + length
                offset = min(offset, size)
                save(UPLOAD_OFFSET, offset)
                state[UPLOAD_OFFSET] = offset

    # ----- Facebook Reel ---------------------------------------------------------------------------

    def publish_fb_reel(
        self, page_id: str, token: str, description: str, path: str, checkpoint: Checkpoint, save: SaveCheckpoint
    ) -> PublishResult:
        """start -> save video id -> upload (resumable) -> finish (video_state=PUBLISHED) -> one permalink read.

        A video id saved by an earlier try is reused: one video can only ever become one Reel, so finishing it
        again can't publish twice; if the earlier finish went through, its status says so and nothing is sent.
        """
        state = dict(checkpoint)
        video_id = _str(state, VIDEO_ID)
        if video_id is not None and state.get(FINISH_SENT):
            done = self._fb_published(video_id, token)
            if done is not None:
                return done
        if video_id is None:
            answer = self._reels_call(page_id, token, {"upload_phase": "start"})
            video_id = _str(answer, "video_id")
            if video_id is None:
                raise unexpected_answer("video id", is_write=False)
            upload_url = self._trusted_upload_url(_str(answer, "upload_url"), video_id)
            save(VIDEO_ID, video_id)
            save(UPLOAD_URL, upload_url)
            save(UPLOAD_OFFSET, 0)
            state.update({VIDEO_ID: video_id, UPLOAD_URL: upload_url, UPLOAD_OFFSET: 0})
        url = _str(state, UPLOAD_URL) or self._fb_upload_url(video_id)
        self._upload(url, token, path, state, save)
        save(FINISH_SENT, True)
        answer = self._reels_call(
            page_id,
            token,
            {"upload_phase": "finish", "video_id": video_id, "video_state": "PUBLISHED", "description": description},
        )
        post_id = _str(answer, "post_id") or video_id
        permalink = self._read(video_id, token, "permalink_url")
        return PublishResult(post_id, permalink, {"video_id": video_id})

    def _fb_upload_url(self, video_id: str) -> str:
        return f"{rupload_origin(self.client.origin)}/video-upload/{self.client.version}/{video_id}"

    def _trusted_upload_url(self, given: str | None, video_id: str) -> str:
        """The ``upload_url`` Meta gave, if it is on the upload origin (the Page token goes with the bytes);
        else the documented one for this video."""
        origin = rupload_origin(self.client.origin)
        if given and given.startswith(origin + "/"):
            return given
        return self._fb_upload_url(video_id)

    def _reels_call(self, page_id: str, token: str, data: dict[str, str]) -> dict[str, object]:
        try:
            return self.client.post(f"/{page_id}/video_reels", token, data=data)
        except PublishError as exc:
            if exc.category is ErrorCategory.QUOTA:  # Facebook's 30 API Reels per Page per 24 h
                raise PublishError(
                    ErrorKind.TEMPORARY,
                    ErrorCategory.QUOTA,
                    "This Page reached Facebook's limit of 30 Reels a day through the API; the Reel will go out "
                    "when the 24-hour window frees up.",
                    code=exc.code,
                    subcode=exc.subcode,
                    retry_after=max(exc.retry_after or REELS_LIMIT_WAIT, REELS_LIMIT_WAIT),
                ) from None
            raise

    def _fb_published(self, video_id: str, token: str) -> PublishResult | None:
        """The Reel, if an earlier finish of this video published it (its status says so), else None."""
        answer = self.client.get(f"/{video_id}", token, params={"fields": "status,permalink_url,post_id"})
        status = answer.get("status")
        publishing = status.get("publishing_phase") if isinstance(status, dict) else None
        published = isinstance(publishing, dict) and publishing.get("status") == "complete"
        if not published:
            return None
        post_id = _str(answer, "post_id") or video_id
        return PublishResult(post_id, _str(answer, "permalink_url"), {"video_id": video_id, "resumed": "1"})

    # ----- Facebook Page video ---------------------------------------------------------------------

    def publish_fb_video(
        self, page_id: str, token: str, description: str, path: str, checkpoint: Checkpoint, save: SaveCheckpoint
    ) -> PublishResult:
        """One multipart ``POST /{page}/videos`` streamed from the file (permalink asked on the POST itself; one
        read if it is missing). It publishes in one go: a cut-off try is reconciled by the engine, like a feed
        post, before anything is sent again."""
        size = _file_size(path)
        save(VIDEO_SENT, True)
        with open(path, "rb") as fh:
            body = MultipartFile(
                {"description": description, "fields": "id,permalink_url"},
                "source",
                Path(path).name or "video.mp4",
                fh,
                size,
                "video/mp4",
            )
            answer = self.client.send_body(
                f"/{page_id}/videos",
                token,
                body,
                headers={"Content-Type": body.content_type},
                is_write=True,
                counted=True,
            )
        video_id = _str(answer, "id")
        if video_id is None:
            raise unexpected_answer("video id", is_write=True)
        permalink = _str(answer, "permalink_url") or self._read(video_id, token, "permalink_url")
        return PublishResult(video_id, permalink, {"video_id": video_id})

    # ----- Instagram Reel --------------------------------------------------------------------------

    def publish_ig_reel(
        self,
        ig_user_id: str,
        token: str,
        caption: str,
        path: str,
        checkpoint: Checkpoint,
        save: SaveCheckpoint,
    ) -> PublishResult:
        """container (resumable) -> save its id -> upload to ``{RUPLOAD}/ig-api-upload/{id}`` -> status reads ->
        media_publish -> permalink. While Instagram still processes after a few reads, raises a temporary
        MEDIA_NOT_READY error with ``extra["wait"] = "video_processing"`` and ``retry_after``: the post waits for a
        later tick and resumes from the saved container (no try spent, other accounts' posts go on meanwhile)."""
        state = dict(checkpoint)
        container_id = _str(state, CONTAINER_ID)
        if container_id is None:
            data = {"media_type": "REELS", "upload_type": "resumable"}
            if caption:
                data["caption"] = caption
            answer = self.client.post(f"/{ig_user_id}/media", token, data=data)
            container_id = _str(answer, "id")
            if container_id is None:
                raise unexpected_answer("container id", is_write=False)
            save(CONTAINER_ID, container_id)
            save(UPLOAD_OFFSET, 0)
            save(PROCESSING_SINCE, None)
            state.update({CONTAINER_ID: container_id, UPLOAD_OFFSET: 0, PROCESSING_SINCE: None})
        size = _file_size(path)
        if state.get(FILE_SIZE) != size or _offset(state) < size:
            self._upload(f"{rupload_origin(self.client.origin)}/ig-api-upload/{container_id}", token, path, state, save)
        since = _parse(state.get(PROCESSING_SINCE))
        if since is None:
            since = self._now()
            save(PROCESSING_SINCE, since.isoformat())
        status = self._poll(container_id, token, since)
        if status == "PUBLISHED":  # an earlier media_publish went through: find it, never publish again
            raise already_published(container_id, "Reel")
        save(PUBLISH_SENT, True)
        answer = self.client.post(f"/{ig_user_id}/media_publish", token, data={"creation_id": container_id})
        media_id = _str(answer, "id")
        if media_id is None:
            raise unexpected_answer("media id", is_write=True)
        permalink = self._read(media_id, token, "permalink")
        return PublishResult(media_id, permalink, {"container_id": container_id, "media_id": media_id})

    def _poll(self, container_id: str, token: str, since: datetime) -> str:
        """FINISHED or PUBLISHED; a wait (see publish_ig_reel) while IN_PROGRESS; ERROR and EXPIRED fail."""

        def read() -> str:
            answer = self.client.get(f"/{container_id}", token, params={"fields": "status_code"})
            return (_str(answer, "status_code") or "").upper()

        def check(status: str) -> None:
            raise_if_failed(
                status,
                container_id,
                invalid="Instagram could not process the video. Use an MP4 with H.264 video and AAC sound, 3 s to "
                "15 min long, then try again.",
                expired="The uploaded Instagram video expired before it was published; "
                "Autoposter will upload it again.",
                drop=CONTAINER_ID,
            )
            if status != "IN_PROGRESS":
                raise unexpected_answer("container status", is_write=False)

        return poll_container(
            read,
            check,
            lambda _status, _polls: self._still_processing(container_id, since),
            budget=self.poll_budget,
            sleep=self.client.sleep,
            monotonic=self._monotonic,
        )

    def _still_processing(self, container_id: str, since: datetime) -> PublishError:
        age = self._now() - since
        if age >= PROCESSING_GIVE_UP:
            return PublishError(
                ErrorKind.TEMPORARY,
                ErrorCategory.MEDIA_NOT_READY,
                "Instagram has been processing the video for over an hour; Autoposter will check again later.",
                extra={"container_id": container_id},
            )
        wait = next((w for limit, w in PROCESSING_WAITS if age < limit), PROCESSING_WAIT_MAX)
        return PublishError(
            ErrorKind.TEMPORARY,
            ErrorCategory.MEDIA_NOT_READY,
            "Instagram is still processing the video; Autoposter will check again shortly.",
            retry_after=wait,
            extra={"container_id": container_id, "wait": WAIT_PROCESSING},
        )

    # ----- helpers ---------------------------------------------------------------------------------

    def _read(self, object_id: str, token: str, field: str) -> str | None:
        """A permalink after a successful publish; a failure here must not turn success into failure."""
        try:
            return _str(self.client.get(f"/{object_id}", token, params={"fields": field}), field)
        except PublishError as exc:
            logger.warning("Published, but the permalink read failed (%s)", exc.error_code)
            return None


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
