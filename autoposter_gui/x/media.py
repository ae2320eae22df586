"""X's v2 media upload (initialize, append chunks, finalize, status for video), resumable from the checkpoint."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import Checkpoint, MediaKind, MediaRef, SaveCheckpoint
from autoposter_gui.networks.protocol import WAIT

CHUNK_BYTES = 4 * 1024 * 1024  # X takes at most 5 MB per append
REUSE_MARGIN = timedelta(minutes=10)  # a saved media id this close to X's expiry is uploaded again
MAX_STATUS_WAIT = 90.0  # seconds of polling a video in one try before the post waits for a later tick
MIME = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
}

# Call(method, path, what, **kwargs) -> JSON answer; retries once after a 401 (see publish.XSession).
Call = Callable[..., dict[str, Any]]


def checkpoint_key(index: int) -> str:
    return f"x_media_{index}"


def _data(answer: dict[str, Any], what: str) -> dict[str, Any]:
    data = answer.get("data")
    if not isinstance(data, dict) or not data.get("id"):
        raise PublishError(ErrorKind.TEMPORARY, ErrorCategory.UNKNOWN, f"X gave an unexpected answer while {what}")
    return data


class MediaUploader:
    """Uploads a post's media in order; each id goes to ``save`` (with its stage) before the next call."""

    def __init__(
        self,
        call: Call,
        checkpoint: Checkpoint,
        save: SaveCheckpoint,
        now: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.call, self.checkpoint, self.save, self.now, self.sleep = call, checkpoint, save, now, sleep

    def reusable(self, index: int) -> dict[str, Any] | None:
        """The saved entry of media ``index`` when X will still take it (finalized, not about to expire)."""
        entry = self.checkpoint.get(checkpoint_key(index))
        if not isinstance(entry, dict) or entry.get("stage") not in ("finalized", "ready"):
            return None
        try:
            expires = datetime.fromisoformat(str(entry["expires_at"]))
        except (KeyError, ValueError):
            return None
        return entry if self.now() + REUSE_MARGIN < expires else None

    def upload_all(self, media: tuple[MediaRef, ...], fresh: bool = False) -> list[str]:
        """Every media id of the post, reusing those of an earlier try unless ``fresh``."""
        ids: list[str] = []
        for index, ref in enumerate(media):
            entry = None if fresh else self.reusable(index)
            if entry is None:
                entry = self.upload(index, ref)
            if entry["stage"] != "ready":
                entry = self.wait_ready(index, entry)
            ids.append(str(entry["id"]))
        return ids

    def upload(self, index: int, ref: MediaRef) -> dict[str, Any]:
        path = Path(ref.path)
        video = ref.kind is MediaKind.VIDEO
        what = "uploading a video" if video else "uploading a photo"
        try:
            size = path.stat().st_size
        except OSError:
            raise PublishError(
                ErrorKind.PERMANENT, ErrorCategory.MEDIA_FETCH, f"The file {path.name} can no longer be read"
            ) from None
        mime = MIME.get(path.suffix.lower(), "video/mp4" if video else "image/jpeg")
        body = {"media_type": mime, "total_bytes": size, "media_category": "tweet_video" if video else "tweet_image"}
        data = _data(self.call("POST", "/2/media/upload/initialize", what, json=body), what)
        media_id = str(data["id"])
        seconds = data.get("expires_after_secs")
        expires = self.now() + timedelta(seconds=int(seconds) if isinstance(seconds, int) else 86400)
        entry: dict[str, Any] = {"id": media_id, "stage": "initialized", "expires_at": expires.isoformat()}
        self.save(checkpoint_key(index), entry)
        with path.open("rb") as handle:
            segment = 0
            while chunk := handle.read(CHUNK_BYTES):
                self.call(
                    "POST",
                    f"/2/media/upload/{media_id}/append",
                    what,
                    data={"segment_index": str(segment)},
                    files={"media": ("chunk", chunk, "application/octet-stream")},
                )
                segment += 1
        final = _data(self.call("POST", f"/2/media/upload/{media_id}/finalize", what), what)
        entry = {**entry, "stage": "finalized" if final.get("processing_info") else "ready"}
        if entry["stage"] == "ready" and ref.alt_text:
            self.describe(media_id, ref.alt_text)
        self.save(checkpoint_key(index), entry)
        return entry

    def describe(self, media_id: str, alt_text: str) -> None:
        """Alt text (X takes up to 1,000 characters) through the media metadata call."""
        body = {"id": media_id, "metadata": {"alt_text": {"text": alt_text[:1000]}}}
        self.call("POST", "/2/media/metadata", "adding the image description", json=body)

    def wait_ready(self, index: int, entry: dict[str, Any]) -> dict[str, Any]:
        """Poll a video's processing (STATUS) until it succeeds; a PublishError WAIT when it takes longer."""
        media_id = str(entry["id"])
        waited = 0.0
        while True:
            answer = self.call(
                "GET",
                "/2/media/upload",
                "checking the video's processing",
                params={"command": "STATUS", "media_id": media_id},
            )
            info = answer.get("data", {}).get("processing_info") if isinstance(answer.get("data"), dict) else None
            state = info.get("state") if isinstance(info, dict) else "succeeded"
            if state == "succeeded":
                ready = {**entry, "stage": "ready"}
                self.save(checkpoint_key(index), ready)
                return ready
            if state == "failed":
                error = info.get("error") if isinstance(info, dict) else None
                why = error.get("message") if isinstance(error, dict) else None
                raise PublishError(
                    ErrorKind.PERMANENT,
                    ErrorCategory.MEDIA_INVALID,
                    f"X could not process the video{f' ({why})' if why else ''}: try another file",
                )
            after = info.get("check_after_secs") if isinstance(info, dict) else None
            delay = float(after) if isinstance(after, int | float) and after > 0 else 5.0
            if waited + delay > MAX_STATUS_WAIT:
                raise PublishError(
                    ErrorKind.TEMPORARY,
                    ErrorCategory.MEDIA_NOT_READY,
                    "X is still processing the video: the post goes out when it is ready",
                    retry_after=timedelta(seconds=max(delay, 30.0)),
                    extra={WAIT: "1"},
                )
            self.sleep(delay)
            waited += delay
