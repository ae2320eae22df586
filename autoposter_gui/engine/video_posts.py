"""Publishing a video post: preflight again, pick the route, carry the saved upload state from try to try."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autoposter_gui.domain.decide import AttemptFacts
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError, ValidationError
from autoposter_gui.domain.models import AttemptStep, Checkpoint, MediaKind, MediaRef, PublishResult
from autoposter_gui.domain.video import VideoRoute, preflight_video
from autoposter_gui.meta import video as mv
from autoposter_gui.storage.repo import Repo, StartedAttempt, WorkAccount, WorkItem

# What a new try takes over from the last one: the video/container made and how much of the file Meta has (none
# of it public). Whether the last try asked for the public step is its own to say (its reconciliation).
CARRIED = (mv.VIDEO_ID, mv.UPLOAD_URL, mv.CONTAINER_ID, mv.UPLOAD_OFFSET, mv.FILE_SIZE, mv.PROCESSING_SINCE)
CARRIED_FB_REEL = (*CARRIED, mv.FINISH_SENT)  # a Reel's video id publishes once, however often it is finished


def video_of(item: WorkItem) -> MediaRef | None:
    """The post's video, if it is a video post."""
    return next((m for m in item.media if m.kind is MediaKind.VIDEO), None)


def seed_checkpoint(history: Sequence[AttemptFacts]) -> dict[str, Any]:
    """The upload state of the latest publish try, for the next one (empty when there is none)."""
    tries = [a for a in history if a.step is AttemptStep.PUBLISH]
    if not tries:
        return {}
    last = max(tries, key=lambda a: a.number)
    keys = CARRIED_FB_REEL if last.checkpoint.get(mv.VIDEO_ID) else CARRIED
    return {k: last.checkpoint[k] for k in keys if last.checkpoint.get(k) is not None}


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
