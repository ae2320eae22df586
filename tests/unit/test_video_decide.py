"""Video posts in the decision, table-style: what the next try starts from after each way a video try ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from autoposter_gui.domain.decide import AccountState, AttemptFacts, ItemFacts, Publish, Reconcile, next_action
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import AttemptOutcome as O
from autoposter_gui.domain.models import Platform
from autoposter_gui.engine.processor import is_processing_wait
from autoposter_gui.meta import video as mv

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
IG_UPLOADED = {mv.CONTAINER_ID: "c1", mv.FILE_SIZE: 1000, mv.UPLOAD_OFFSET: 1000, mv.PROCESSING_SINCE: T0.isoformat()}
FB_HALF = {mv.VIDEO_ID: "v1", mv.UPLOAD_URL: "https://rupload.test/v1", mv.FILE_SIZE: 1000, mv.UPLOAD_OFFSET: 500}
FB_FINISHED = {**FB_HALF, mv.UPLOAD_OFFSET: 1000, mv.FINISH_SENT: True}


def _attempt(outcome: O, checkpoint: dict[str, Any], *, reconcile: bool = False, hours: float = 0) -> AttemptFacts:
    return AttemptFacts(
        1, 1, T0 - timedelta(hours=hours), outcome, needs_reconcile=reconcile, checkpoint=dict(checkpoint)
    )


@pytest.mark.parametrize(
    ("platform", "attempt", "carried"),
    [
        # Instagram still processing (a wait, no try spent): the same container, nothing sent again.
        (Platform.INSTAGRAM, _attempt(O.RETRY_SCHEDULED, IG_UPLOADED), IG_UPLOADED),
        # An upload cut off halfway (a temporary error): the same video, from the saved offset.
        (Platform.FACEBOOK, _attempt(O.RETRY_SCHEDULED, FB_HALF), FB_HALF),
        # A Reel's finish was asked for and the try was checked (not found yet): finished again only if its
        # status says it isn't published (publisher), never a second video.
        (Platform.FACEBOOK, _attempt(O.RETRY_SCHEDULED, FB_FINISHED), FB_FINISHED),
        # Failed for good (processing ERROR, a refused file): a manual Retry starts afresh.
        (Platform.INSTAGRAM, _attempt(O.FAILED, IG_UPLOADED), {}),
        # A day later the container has expired: afresh.
        (Platform.INSTAGRAM, _attempt(O.RETRY_SCHEDULED, IG_UPLOADED, hours=24), {}),
    ],
)
def test_the_next_video_try_starts_from(platform: Platform, attempt: AttemptFacts, carried: dict[str, Any]) -> None:
    item = ItemFacts(platform, True, 1)
    action = next_action(item, [attempt], AccountState.READY, "The Bakery", T0 + timedelta(minutes=5))
    assert isinstance(action, Publish) and dict(action.checkpoint) == carried


def test_a_try_that_may_have_published_is_checked_first() -> None:
    attempt = _attempt(O.IN_FLIGHT, FB_FINISHED)
    action = next_action(ItemFacts(Platform.FACEBOOK, True, 1), [attempt], AccountState.READY, "The Bakery", T0)
    assert action == Reconcile(attempt)


@pytest.mark.parametrize(
    ("error", "wait"),
    [
        (
            PublishError(
                ErrorKind.TEMPORARY,
                ErrorCategory.MEDIA_NOT_READY,
                "x",
                retry_after=timedelta(seconds=30),
                extra={"wait": mv.WAIT_PROCESSING},
            ),
            True,
        ),
        (
            PublishError(ErrorKind.TEMPORARY, ErrorCategory.MEDIA_NOT_READY, "x", extra={"wait": mv.WAIT_PROCESSING}),
            False,
        ),  # no time to wait for: an ordinary retry
        (
            PublishError(ErrorKind.TEMPORARY, ErrorCategory.MEDIA_NOT_READY, "x", retry_after=timedelta(seconds=30)),
            False,
        ),  # an image not ready: the old rule
    ],
)
def test_processing_wait(error: PublishError, wait: bool) -> None:
    assert is_processing_wait(error) is wait
