"""Google's JSON errors and failed connections classified: kind, category, retry time, ambiguity, wording."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import responses

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.google.client import Client, Origins

from .helpers import ORIGIN, POSTS_URL, google_error


def call(status: int, body: object, *, create: bool = False, headers: dict[str, str] | None = None) -> PublishError:
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, POSTS_URL, json=body, status=status, headers=headers or {})
        with pytest.raises(PublishError) as caught:
            Client(requests.Session(), Origins.of(ORIGIN), "tok").call("POST", POSTS_URL, json={}, create=create)
    return caught.value


def test_403_api_not_enabled_says_the_api_must_be_approved() -> None:
    body = google_error(
        403,
        "PERMISSION_DENIED",
        "My Business API has not been used in project 123 before or it is disabled.",
        [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}],
    )
    err = call(403, body)
    assert (err.kind, err.category) == (ErrorKind.PERMANENT, ErrorCategory.PERMISSION)
    assert "Business Profile API must be approved" in str(err) and "Google Cloud project" in str(err)


def test_403_otherwise_says_not_a_manager() -> None:
    err = call(403, google_error(403, "PERMISSION_DENIED", "The caller does not have permission"))
    assert err.category is ErrorCategory.PERMISSION
    assert "not an owner or manager" in str(err)


def test_429_is_temporary_with_the_retry_delay() -> None:
    details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "42s"}]
    err = call(429, google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", details))
    assert (err.kind, err.category) == (ErrorKind.TEMPORARY, ErrorCategory.THROTTLED)
    assert err.retry_after == timedelta(seconds=42)
    assert call(429, {}, headers={"Retry-After": "7"}).retry_after == timedelta(seconds=7)


def test_400_is_permanent_with_google_message_in_plain_words() -> None:
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "event.schedule", "description": "End time is before start time"}],
        }
    ]
    err = call(400, google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", details))
    assert (err.kind, err.category) == (ErrorKind.PERMANENT, ErrorCategory.INVALID_REQUEST)
    assert str(err) == "Google refused the post: event.schedule: End time is before start time"
    assert not err.ambiguous


def test_5xx_is_ambiguous_only_on_the_create_call() -> None:
    assert call(503, google_error(503, "UNAVAILABLE", "down"), create=True).ambiguous
    later = call(503, google_error(503, "UNAVAILABLE", "down"))
    assert later.kind is ErrorKind.TEMPORARY and not later.ambiguous


def test_html_5xx_page_is_classified_by_status() -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, POSTS_URL, body="<html>502</html>", status=502, content_type="text/html")
        with pytest.raises(PublishError) as caught:
            Client(requests.Session(), Origins.of(ORIGIN), "tok").call("POST", POSTS_URL, create=True)
    assert caught.value.ambiguous and caught.value.http_status == 502


def test_timeout_on_create_is_ambiguous_but_a_connect_timeout_is_not() -> None:
    for exc, ambiguous in ((requests.ReadTimeout("slow"), True), (requests.ConnectTimeout("no route"), False)):
        with responses.RequestsMock() as mock:
            mock.add(responses.POST, POSTS_URL, body=exc)
            with pytest.raises(PublishError) as caught:
                Client(requests.Session(), Origins.of(ORIGIN), "tok").call("POST", POSTS_URL, create=True)
        assert caught.value.ambiguous is ambiguous
        assert caught.value.category is ErrorCategory.NETWORK


def test_401_refreshes_once_then_says_reconnect() -> None:
    tokens = iter(["fresh-1", "fresh-2"])
    with responses.RequestsMock() as mock:
        unauth = google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        mock.add(responses.GET, POSTS_URL, json=unauth, status=401)
        mock.add(responses.GET, POSTS_URL, json={"localPosts": []}, status=200)
        client = Client(requests.Session(), Origins.of(ORIGIN), "old", lambda: next(tokens))
        assert client.call("GET", POSTS_URL) == {"localPosts": []}
        assert mock.calls[1].request.headers["Authorization"] == "Bearer fresh-1"
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, POSTS_URL, json=unauth, status=401)
        mock.add(responses.GET, POSTS_URL, json=unauth, status=401)
        client = Client(requests.Session(), Origins.of(ORIGIN), "old", lambda: next(tokens))
        with pytest.raises(PublishError) as caught:
            client.call("GET", POSTS_URL)
        assert len(mock.calls) == 2
    assert caught.value.category is ErrorCategory.TOKEN
    assert str(caught.value).startswith("Reconnect Google Business Profile")
