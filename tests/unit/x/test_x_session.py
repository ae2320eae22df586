"""XSession tokens: refresh near expiry, the rotated pair stored before anything else, 401 → refresh once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses
from requests import PreparedRequest

from autoposter_gui.domain.errors import ErrorCategory, PublishError
from autoposter_gui.networks.protocol import Post
from autoposter_gui.x.publish import XSession
from tests.unit.x.helpers import ACCOUNT, ORIGIN, make_env, saved

TOKEN_URL = f"{ORIGIN}/2/oauth2/token"
TWEETS_URL = f"{ORIGIN}/2/tweets"


def rotated(n: int = 1) -> dict[str, Any]:
    return {
        "token_type": "bearer",
        "expires_in": 7200,
        "access_token": f"access-new-{n}00",
        "refresh_token": f"refresh-new-{n}00",
    }


def test_a_fresh_token_is_used_as_is() -> None:
    env, _secrets, _clock = make_env(timedelta(minutes=30))
    with responses.RequestsMock():  # no call at all
        assert XSession(env).access_token(ACCOUNT) == "access-old-123"


def test_none_when_nothing_is_stored() -> None:
    env, secrets, _clock = make_env()
    secrets.data.clear()
    assert XSession(env).access_token(ACCOUNT) is None


def test_a_token_within_five_minutes_of_expiry_is_refreshed_and_the_new_pair_stored() -> None:
    env, secrets, _clock = make_env(timedelta(minutes=4))
    with responses.RequestsMock() as mock:
        call = mock.post(TOKEN_URL, json=rotated())
        token = XSession(env).access_token(ACCOUNT)
    sent = parse_qs(str(call.calls[0].request.body))
    assert sent == {"grant_type": ["refresh_token"], "refresh_token": ["refresh-old-123"], "client_id": ["client-1"]}
    assert token == "access-new-100"
    stored = saved(secrets)
    assert (stored.access_token, stored.refresh_token, stored.client_id) == (
        "access-new-100",
        "refresh-new-100",
        "client-1",
    )
    assert stored.expires_at == env.now() + timedelta(hours=2)


def test_401_refreshes_once_stores_the_rotated_pair_first_then_repeats_the_call_once() -> None:
    env, secrets, _clock = make_env()
    seen_at_retry: list[str | None] = []

    def created(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        if request.headers["Authorization"] == "Bearer access-old-123":
            return 401, {}, json.dumps({"title": "Unauthorized", "status": 401})
        seen_at_retry.append(saved(secrets).refresh_token)  # the new pair is in the keyring before this call
        return 201, {}, json.dumps({"data": {"id": "1001", "text": "Hello"}})

    with responses.RequestsMock() as mock:
        refresh = mock.post(TOKEN_URL, json=rotated())
        mock.add_callback("POST", TWEETS_URL, callback=created)
        result = XSession(env).publish(ACCOUNT, "access-old-123", Post(1, "x", "Hello"), {}, lambda k, v: None)
    assert refresh.call_count == 1 and seen_at_retry == ["refresh-new-100"]
    assert (result.provider_post_id, result.permalink) == ("1001", "https://x.com/cafe/status/1001")


def test_a_second_401_means_reconnect_and_no_third_call() -> None:
    env, _secrets, _clock = make_env()
    with responses.RequestsMock() as mock:
        refresh = mock.post(TOKEN_URL, json=rotated())
        create = mock.post(TWEETS_URL, status=401, json={"title": "Unauthorized"})
        with pytest.raises(PublishError) as caught:
            XSession(env).publish(ACCOUNT, "access-old-123", Post(1, "x", "Hello"), {}, lambda k, v: None)
    assert (refresh.call_count, create.call_count) == (1, 2)
    assert caught.value.category is ErrorCategory.TOKEN and str(caught.value).startswith("Reconnect X (@cafe):")
    assert not caught.value.ambiguous


@pytest.mark.parametrize("status", [400, 401])
def test_a_refused_refresh_asks_to_reconnect_and_keeps_the_stored_grant(status: int) -> None:
    env, secrets, _clock = make_env(timedelta(seconds=-1))
    with responses.RequestsMock() as mock:
        mock.post(
            TOKEN_URL,
            status=status,
            json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
        )
        with pytest.raises(PublishError) as caught:
            XSession(env).access_token(ACCOUNT)
    assert caught.value.category is ErrorCategory.TOKEN
    assert str(caught.value) == "Reconnect X (@cafe): X refused to renew the sign-in (it was revoked or has expired)"
    assert saved(secrets).refresh_token == "refresh-old-123"


def test_a_refresh_that_fails_in_transit_is_temporary() -> None:
    env, _secrets, _clock = make_env(timedelta(seconds=-1))
    with responses.RequestsMock() as mock:
        mock.post(TOKEN_URL, status=503, json={"title": "Service Unavailable"})
        with pytest.raises(PublishError) as caught:
            XSession(env).access_token(ACCOUNT)
    assert caught.value.is_temporary and caught.value.category is not ErrorCategory.TOKEN


def test_two_threads_refreshing_the_same_account_spend_the_refresh_token_once() -> None:
    env, secrets, _clock = make_env(timedelta(seconds=-1))
    inside = threading.Event()
    release = threading.Event()

    def refresh(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        inside.set()
        release.wait(5)  # hold the first refresh while the second thread queues for the account's lock
        return 200, {}, json.dumps(rotated())

    tokens: list[str | None] = []
    with responses.RequestsMock() as mock:
        mock.add_callback("POST", TOKEN_URL, callback=refresh)
        first = threading.Thread(target=lambda: tokens.append(XSession(env).access_token(ACCOUNT)))
        second = threading.Thread(target=lambda: tokens.append(XSession(env).access_token(ACCOUNT)))
        first.start()
        assert inside.wait(5)
        second.start()
        release.set()
        first.join(5)
        second.join(5)
        assert len(mock.calls) == 1
    assert tokens == ["access-new-100", "access-new-100"]
    assert secrets.writes.count("account:x:42") == 2  # the initial grant, then the one rotation
