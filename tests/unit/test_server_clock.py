"""date_header: the moment an HTTP Date header names, as every network's client reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoposter_gui.networks.server_clock import date_header


def test_a_date_header_is_an_aware_moment_and_a_bad_one_is_none() -> None:
    assert date_header("Mon, 30 Nov 2026 16:20:05 GMT") == datetime(2026, 11, 30, 16, 20, 5, tzinfo=UTC)
    east = date_header("Mon, 30 Nov 2026 18:20:05 +0200")
    assert east == datetime(2026, 11, 30, 16, 20, 5, tzinfo=UTC) and east.utcoffset() == timedelta(hours=2)
    no_zone = date_header("Mon, 30 Nov 2026 16:20:05 -0000")  # RFC 2822's "no zone information": taken as UTC
    assert no_zone is not None and no_zone.tzinfo is UTC
    assert date_header(None) is None and date_header("") is None and date_header("yesterday") is None
