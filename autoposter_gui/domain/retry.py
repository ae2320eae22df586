"""Retry policy: at most 5 attempts, backoff of 2, 5, 15 and 60 minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=2), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))


def next_attempt_after(attempt_number: int, now: datetime, retry_after: timedelta | None = None) -> datetime | None:
    """When to try again after attempt ``attempt_number`` (1-based) failed temporarily; None when out of tries."""
    if attempt_number >= MAX_ATTEMPTS:
        return None
    delay = BACKOFF[min(attempt_number, len(BACKOFF)) - 1]
    if retry_after is not None and retry_after > delay:
        delay = retry_after
    return now + delay
