"""X's answers and transport failures classified: kind, category, ambiguity, retry_after, plain sentences."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import responses

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.x.client import XClient
from autoposter_gui.x.urls import Urls
from tests.unit.x.helpers import NOW, ORIGIN

TOKEN = "secret-access-token-value"


def fail(status: int, body: object = None, *, create: bool, headers: dict[str, str] | None = None) -> PublishError:
    client = XClient(Urls(ORIGIN), lambda: NOW)
    with responses.RequestsMock() as mock:
        mock.post(f"{ORIGIN}/2/tweets", status=status, json=body, headers=headers)
        with pytest.raises(PublishError) as caught:
            client.call("POST", "/2/tweets", TOKEN, what="publishing the post", create=create, username="cafe")
    assert TOKEN not in str(caught.value)
    return caught.value


def test_429_is_temporary_and_waits_until_x_rate_limit_reset() -> None:
    reset = int(NOW.timestamp()) + 420
    err = fail(429, {"title": "Too Many Requests"}, create=True, headers={"x-rate-limit-reset": str(reset)})
    assert (err.kind, err.category, err.ambiguous) == (ErrorKind.TEMPORARY, ErrorCategory.THROTTLED, False)
    assert err.retry_after == timedelta(seconds=420)
    assert "about 7 min" in str(err)


def test_429_without_reset_waits_a_whole_window() -> None:
    assert fail(429, {}, create=False).retry_after == timedelta(minutes=15)


def test_403_duplicate_is_permanent_in_plain_words() -> None:
    body = {"detail": "You are not allowed to create a Tweet with duplicate content.", "title": "Forbidden"}
    err = fail(403, {**body, "type": "about:blank", "status": 403}, create=True)
    assert (err.kind, err.category, err.ambiguous) == (ErrorKind.PERMANENT, ErrorCategory.DUPLICATE, False)
    assert str(err) == "X refuses a post identical to a recent one: change the words"


def test_other_403_is_a_permission_problem() -> None:
    err = fail(403, {"detail": "You are not permitted to perform this action."}, create=True)
    assert err.category is ErrorCategory.PERMISSION and "You are not permitted" in str(err)


def test_401_says_reconnect_x_with_the_account() -> None:
    err = fail(401, {"title": "Unauthorized", "status": 401}, create=True)
    assert err.category is ErrorCategory.TOKEN and str(err).startswith("Reconnect X (@cafe):")


@pytest.mark.parametrize(("create", "ambiguous"), [(True, True), (False, False)])
def test_5xx_is_temporary_and_ambiguous_only_on_the_create_call(create: bool, ambiguous: bool) -> None:
    err = fail(503, {"title": "Service Unavailable"}, create=create)
    assert (err.kind, err.category, err.ambiguous) == (ErrorKind.TEMPORARY, ErrorCategory.TRANSIENT, ambiguous)


def test_400_media_ids_refused_is_flagged_for_a_new_upload() -> None:
    body = {"errors": [{"parameters": {"media.media_ids": ["1"]}, "message": "Your media IDs are invalid."}]}
    err = fail(400, body, create=True)
    assert err.extra.get("media_invalid") == "1" and err.kind is ErrorKind.PERMANENT and not err.ambiguous


@pytest.mark.parametrize(
    ("exc", "create", "ambiguous"),
    [
        (requests.ReadTimeout("read timed out"), True, True),
        (requests.ConnectionError("Connection reset by peer"), True, True),
        (requests.ConnectTimeout("connect timed out"), True, False),  # never left this machine
        (requests.ReadTimeout("read timed out"), False, False),  # a media call creates no post
    ],
)
def test_transport_failures(exc: Exception, create: bool, ambiguous: bool) -> None:
    client = XClient(Urls(ORIGIN), lambda: NOW)
    with responses.RequestsMock() as mock:
        mock.post(f"{ORIGIN}/2/tweets", body=exc)
        with pytest.raises(PublishError) as caught:
            client.call("POST", "/2/tweets", TOKEN, what="publishing the post", create=create)
    err = caught.value
    assert (err.kind, err.category, err.ambiguous) == (ErrorKind.TEMPORARY, ErrorCategory.NETWORK, ambiguous)
