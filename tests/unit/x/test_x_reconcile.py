"""Reconcile reads the account's tweets since the attempt and matches the text with X's t.co links in mind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.models import AttemptOutcome
from autoposter_gui.networks.protocol import Post
from autoposter_gui.x.publish import XSession
from autoposter_gui.x.reconcile import matches
from tests.unit.x.helpers import ACCOUNT, NOW, ORIGIN, make_env

TIMELINE = f"{ORIGIN}/2/users/42/tweets"
TEXT = "Soup & bread today https://example.com/menu?day=mon see you"
ATTEMPT = AttemptFacts(id=3, number=1, started_at=NOW, outcome=AttemptOutcome.IN_FLIGHT, needs_reconcile=True)


def shown(tweet_id: str, created: str = "2026-11-30T12:00:05.000Z", **extra: Any) -> dict[str, Any]:
    """A tweet as X returns our TEXT: the URL as a t.co link, & escaped."""
    return {
        "id": tweet_id,
        "text": "Soup &amp; bread today https://t.co/AbC123xyZ see you",
        "created_at": created,
        "entities": {"urls": [{"url": "https://t.co/AbC123xyZ", "expanded_url": "https://example.com/menu?day=mon"}]},
        **extra,
    }


def test_a_t_co_link_matches_with_or_without_entities() -> None:
    assert matches(TEXT, shown("1"))
    assert matches(TEXT, {"id": "1", "text": "Soup &amp; bread today https://t.co/AbC123xyZ see you"})
    assert not matches(TEXT, {"id": "1", "text": "Soup &amp; bread tomorrow https://t.co/AbC123xyZ see you"})


def test_the_media_link_x_appends_is_not_part_of_the_text() -> None:
    tweet = {
        "id": "9",
        "text": "Two photos https://t.co/Media00001",
        "entities": {
            "urls": [{"url": "https://t.co/Media00001", "expanded_url": "https://x.com/cafe/status/9/photo/1"}]
        },
    }
    assert matches("Two photos", tweet)


def test_found_skips_used_ids_and_asks_from_before_the_attempt() -> None:
    env, _secrets, _clock = make_env()
    with responses.RequestsMock() as mock:
        listing = mock.get(TIMELINE, json={"data": [shown("502"), shown("501")], "meta": {"result_count": 2}})
        result = XSession(env).reconcile(ACCOUNT, "tok-12345678", Post(1, "x", TEXT), ATTEMPT, {"501"})
    assert result.check is CheckResult.FOUND and result.found is not None
    assert (result.found.provider_post_id, result.found.permalink) == ("502", "https://x.com/cafe/status/502")
    query = parse_qs(urlsplit(str(listing.calls[0].request.url)).query)
    assert query["start_time"] == [(NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert "entities" in query["tweet.fields"][0]


def test_pages_through_and_takes_the_oldest_match() -> None:
    env, _secrets, _clock = make_env()
    with responses.RequestsMock() as mock:
        mock.get(TIMELINE, json={"data": [shown("700", "2026-11-30T12:09:00.000Z")], "meta": {"next_token": "p2"}})
        mock.get(TIMELINE, json={"data": [shown("600", "2026-11-30T12:01:00.000Z")], "meta": {}})
        result = XSession(env).reconcile(ACCOUNT, "tok-12345678", Post(1, "x", TEXT), ATTEMPT, set())
        assert "pagination_token=p2" in str(mock.calls[1].request.url)
    assert result.found is not None and result.found.provider_post_id == "600"


def test_not_found_and_unknown() -> None:
    env, _secrets, _clock = make_env()
    with responses.RequestsMock() as mock:
        mock.get(TIMELINE, json={"meta": {"result_count": 0}})
        assert XSession(env).reconcile(ACCOUNT, "t", Post(1, "x", TEXT), ATTEMPT, set()).check is CheckResult.NOT_FOUND
    with responses.RequestsMock() as mock:
        mock.get(TIMELINE, status=503, json={"title": "Service Unavailable"})
        result = XSession(env).reconcile(ACCOUNT, "t", Post(1, "x", TEXT), ATTEMPT, set())
    assert result.check is CheckResult.UNKNOWN and result.error is not None
