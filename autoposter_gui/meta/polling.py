"""Waiting on an Instagram container: status_code reads on a back-off until FINISHED/PUBLISHED, a failure or timeout."""

from __future__ import annotations

from collections.abc import Callable

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError

POLL_DELAYS = (1.0, 2.0, 3.0, 5.0)  # then 5 s each; Meta usually finishes an image within seconds


def poll_container(
    read_status: Callable[[], str],
    check: Callable[[str], None],
    timed_out: Callable[[str, int], PublishError],
    *,
    budget: float,
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
) -> str:
    """Read until FINISHED or PUBLISHED (returned); ``check`` raises for a failed status.

    The first read is immediate, then POLL_DELAYS apart; once ``budget`` seconds (slept or measured, the larger)
    are spent, ``timed_out(last status, reads)`` is raised.
    """
    started = monotonic()
    slept = 0.0
    polls = 0
    while True:
        status = read_status()
        polls += 1
        if status in ("FINISHED", "PUBLISHED"):
            return status
        check(status)
        remaining = budget - max(slept, monotonic() - started)
        if remaining <= 0:
            raise timed_out(status, polls)
        delay = min(POLL_DELAYS[min(polls - 1, len(POLL_DELAYS) - 1)], remaining)
        sleep(delay)
        slept += delay


def already_published(container_id: str, what: str) -> PublishError:
    """A new container reads PUBLISHED: never publish it twice, look the post up instead."""
    return PublishError(
        ErrorKind.TEMPORARY,
        ErrorCategory.MEDIA_NOT_READY,
        f"Instagram says this {what} was already published; Autoposter will look it up.",
        ambiguous=True,
        extra={"container_id": container_id, "reason": "already_published"},
    )


def raise_if_failed(status: str, container_id: str, *, invalid: str, expired: str, drop: str | None = None) -> None:
    """ERROR: a permanent MEDIA_INVALID error saying ``invalid``; EXPIRED: a temporary CONTAINER_EXPIRED one saying
    ``expired`` (with the checkpoint key to ``drop`` so the next try starts a new container)."""
    if status == "ERROR":
        raise PublishError(
            ErrorKind.PERMANENT, ErrorCategory.MEDIA_INVALID, invalid, extra={"container_id": container_id}
        )
    if status == "EXPIRED":
        extra: dict[str, str] = {"container_id": container_id}
        if drop is not None:
            extra["drop"] = drop
        raise PublishError(ErrorKind.TEMPORARY, ErrorCategory.CONTAINER_EXPIRED, expired, extra=extra)
