"""A provider's clock as its answers tell it: the HTTP ``Date`` header (every network's client reads it, to measure
how far that clock is from ours)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def date_header(value: str | None) -> datetime | None:
    """The moment an HTTP ``Date`` header names, aware (UTC when it has no zone); None when missing or unreadable."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
