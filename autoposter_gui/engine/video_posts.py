"""Publishing a video post: preflight again, pick the route, publish from the saved upload state (the last try's,
carried over by domain/decide.carried_checkpoint)."""

from __future__ import annotations

from typing import Any

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError, ValidationError
from autoposter_gui.domain.models import Checkpoint, MediaKind, MediaRef, PublishResult
from autoposter_gui.domain.video import VideoRoute, preflight_video
from autoposter_gui.meta import video as mv
from autoposter_gui.storage.repo import Repo, StartedAttempt, WorkAccount, WorkItem


def video_of(item: WorkItem) -> MediaRef | None:
    """The post's video, if it is a video post."""
    return next((m for m in item.media if m.kind is MediaKind.VIDEO), None)


def is_processing_wait(err: PublishError) -> bool:
    """Instagram is still processing the video: the post waits (no try spent) and resumes on a later tick."""
    return err.extra.get("wait") == mv.WAIT_PROCESSING and err.retry_after is not None


def route_of(video: MediaRef, platform: str) -> VideoRoute:
    """Preflight once more before publishing (the file may have changed): a refusal is a permanent failure."""
    try:
        return preflight_video(video.path, platform)[1]
    except ValidationError as exc:
        raise PublishError(
            ErrorKind.PERMANENT, ErrorCategory.MEDIA_INVALID, f"{exc}; edit the post and pick the video again"
        ) from None


def publish_video(
    publisher: mv.VideoPublisher,
    repo: Repo,
    item: WorkItem,
    account: WorkAccount,
    token: str,
    attempt: StartedAttempt,
    checkpoint: Checkpoint,
) -> PublishResult:
    """Publish the item's video by its route; every id and offset is committed (``repo.save_checkpoint``) before
    the next call. A container id also goes into the attempt's ``container_id``, which reconciliation reads."""
    video = video_of(item)
    assert video is not None
    route = route_of(video, item.platform)

    def save(key: str, value: Any) -> None:
        repo.save_checkpoint(attempt.id, key, value)
        if key == mv.CONTAINER_ID and isinstance(value, str):
            repo.set_container(attempt.id, value)

    try:
        if route is VideoRoute.IG_REEL:
            return publisher.publish_ig_reel(account.external_id, token, item.text, video.path, checkpoint, save)
        if route is VideoRoute.FB_REEL:
            return publisher.publish_fb_reel(account.external_id, token, item.text, video.path, checkpoint, save)
        return publisher.publish_fb_video(account.external_id, token, item.text, video.path, checkpoint, save)
    except PublishError as err:
        # A container or video Meta can no longer use (expired, failed processing): the next try makes a new one.
        unusable = err.category in (ErrorCategory.MEDIA_INVALID, ErrorCategory.INVALID_REQUEST)
        if err.extra.get("drop") or (unusable and err.kind is ErrorKind.PERMANENT and not err.ambiguous):
            for key in (mv.CONTAINER_ID, mv.VIDEO_ID, mv.UPLOAD_OFFSET, mv.PROCESSING_SINCE, mv.FINISH_SENT):
                repo.save_checkpoint(attempt.id, key, None)
        raise
