"""MetaAuth: long-lived token exchange, Page/IG discovery with paging, debug_token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.errors import ErrorCategory, PublishError
from autoposter_gui.domain.models import Platform
from autoposter_gui.meta.auth import ACCOUNT_FIELDS, MAX_ACCOUNT_PAGES, MetaAuth
from autoposter_gui.meta.client import GRAPH_VERSION, GraphClient

ORIGIN = "https://graph.test"
BASE = f"{ORIGIN}/{GRAPH_VERSION}"
APP_ID = "1234567890"
APP_SECRET = "abcdefabcdefabcdefabcdefabcdef12"
USER_TOKEN = "EAAUshortlivedusertoken111"
LONG_TOKEN = "EAAUlonglivedusertoken222"
PAGE_TOKEN_A = "EAAPpagetokenA333"
PAGE_TOKEN_B = "EAAPpagetokenB444"
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def auth() -> MetaAuth:
    client = GraphClient(origin=ORIGIN, app_secret=APP_SECRET, sleep=lambda _s: None)
    return MetaAuth(client, clock=FixedClock(NOW))


def query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


# ----- exchange -----------------------------------------------------------------------------------------


@responses.activate
def test_exchange_long_lived(auth: MetaAuth) -> None:
    responses.get(
        f"{BASE}/oauth/access_token",
        json={"access_token": LONG_TOKEN, "token_type": "bearer", "expires_in": 5183944},
    )
    token, expires_at = auth.exchange_long_lived(APP_ID, APP_SECRET, USER_TOKEN)
    assert token == LONG_TOKEN
    assert expires_at == NOW + timedelta(seconds=5183944)
    assert expires_at is not None and expires_at.tzinfo is not None
    assert query(responses.calls[0]) == {
        "grant_type": "fb_exchange_token",
        "client_id": APP_ID,
        "client_secret": APP_SECRET,
        "fb_exchange_token": USER_TOKEN,
    }  # no access_token / appsecret_proof added for this call


@responses.activate
def test_exchange_without_expiry(auth: MetaAuth) -> None:
    responses.get(f"{BASE}/oauth/access_token", json={"access_token": LONG_TOKEN, "token_type": "bearer"})
    assert auth.exchange_long_lived(APP_ID, APP_SECRET, USER_TOKEN) == (LONG_TOKEN, None)


@responses.activate
def test_exchange_without_token_is_an_error(auth: MetaAuth) -> None:
    responses.get(f"{BASE}/oauth/access_token", json={"token_type": "bearer"})
    with pytest.raises(PublishError):
        auth.exchange_long_lived(APP_ID, APP_SECRET, USER_TOKEN)


@responses.activate
def test_exchange_errors_never_echo_secret_or_token(auth: MetaAuth) -> None:
    responses.get(
        f"{BASE}/oauth/access_token",
        status=400,
        json={
            "error": {
                "message": f"Error validating client secret {APP_SECRET} for token shortlivedusertoken111",
                "type": "OAuthException",
                "code": 1,
                "fbtrace_id": "T1",
            }
        },
    )
    responses.get(
        f"{BASE}/oauth/access_token",
        status=400,
        json={"error": {"message": f"Bad token {USER_TOKEN}", "type": "OAuthException", "code": 190}},
    )
    for _ in range(2):
        with pytest.raises(PublishError) as info:
            auth.exchange_long_lived(APP_ID, APP_SECRET, USER_TOKEN)
        text = f"{info.value} {info.value!r} {info.value.args}"
        assert APP_SECRET not in text
        assert USER_TOKEN not in text
        assert "Facebook said" in text  # the (cleaned) Meta message is still shown


# ----- discovery ----------------------------------------------------------------------------------------

PAGE_A = {
    "id": "111",
    "name": "Bakery",
    "access_token": PAGE_TOKEN_A,
    "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
    "instagram_business_account": {"id": "1784001", "username": "bakery.ig"},
}
PAGE_B = {"id": "222", "name": "Cafe", "access_token": PAGE_TOKEN_B, "tasks": ["CREATE_CONTENT"]}
PAGE_NO_TOKEN = {"id": "333", "name": "No rights", "tasks": ["ANALYZE"]}


@responses.activate
def test_discover_pages_and_linked_instagram(auth: MetaAuth) -> None:
    responses.get(f"{BASE}/me/accounts", json={"data": [PAGE_A, PAGE_B, PAGE_NO_TOKEN], "paging": {}})
    accounts = auth.discover(USER_TOKEN)
    assert len(responses.calls) == 1
    params = query(responses.calls[0])
    assert params["fields"] == ACCOUNT_FIELDS
    assert params["access_token"] == USER_TOKEN
    assert "appsecret_proof" in params

    assert [(a.platform, a.external_id) for a in accounts] == [
        (Platform.FACEBOOK, "111"),
        (Platform.INSTAGRAM, "1784001"),
        (Platform.FACEBOOK, "222"),
    ]
    fb_a, ig_a, fb_b = accounts
    assert (fb_a.name, fb_a.access_token, fb_a.page_id) == ("Bakery", PAGE_TOKEN_A, "111")
    assert "CREATE_CONTENT" in fb_a.tasks
    assert ig_a.name == ig_a.username == "bakery.ig"
    assert (ig_a.page_id, ig_a.access_token) == ("111", PAGE_TOKEN_A)
    assert (fb_b.access_token, fb_b.tasks) == (PAGE_TOKEN_B, ("CREATE_CONTENT",))
    assert PAGE_TOKEN_A not in repr(accounts)


@responses.activate
def test_discover_follows_paging_next_without_trusting_its_host(auth: MetaAuth) -> None:
    next_url = (
        "https://evil.example/v24.0/999/accounts?access_token=EAAOLDTOKEN&fields=id%2Cname"
        "%2Caccess_token&limit=1&after=CURSOR1"
    )
    responses.get(f"{BASE}/me/accounts", json={"data": [PAGE_A], "paging": {"next": next_url}})
    responses.get(f"{BASE}/me/accounts", json={"data": [PAGE_B, PAGE_A], "paging": {"cursors": {"after": "X"}}})
    accounts = auth.discover(USER_TOKEN)
    assert len(responses.calls) == 2
    second = query(responses.calls[1])
    assert urlsplit(responses.calls[1].request.url).netloc == "graph.test"
    assert second["after"] == "CURSOR1"
    assert second["access_token"] == USER_TOKEN  # our token, not the one in the next URL
    assert second["limit"] == "1"
    # a repeated Page is listed once
    assert [a.external_id for a in accounts] == ["111", "1784001", "222"]


@responses.activate
def test_discover_paging_is_bounded(auth: MetaAuth) -> None:
    responses.get(
        f"{BASE}/me/accounts",
        json={"data": [PAGE_B], "paging": {"next": f"{BASE}/me/accounts?after=AGAIN"}},
    )
    accounts = auth.discover(USER_TOKEN)
    assert len(responses.calls) == MAX_ACCOUNT_PAGES
    assert [a.external_id for a in accounts] == ["222"]


@responses.activate
def test_discover_with_dead_token_raises_token_error(auth: MetaAuth) -> None:
    responses.get(
        f"{BASE}/me/accounts",
        status=400,
        json={"error": {"message": "Session has expired", "code": 190, "error_subcode": 463}},
    )
    with pytest.raises(PublishError) as info:
        auth.discover(USER_TOKEN)
    assert info.value.category is ErrorCategory.TOKEN
    assert USER_TOKEN not in str(info.value)


# ----- debug_token --------------------------------------------------------------------------------------


@responses.activate
def test_debug_token_valid_never_expiring(auth: MetaAuth) -> None:
    responses.get(
        f"{BASE}/debug_token",
        json={
            "data": {
                "app_id": APP_ID,
                "type": "PAGE",
                "is_valid": True,
                "expires_at": 0,
                "scopes": ["pages_manage_posts", "instagram_content_publish"],
            }
        },
    )
    info = auth.debug_token(APP_ID, APP_SECRET, PAGE_TOKEN_A)
    assert info.is_valid is True
    assert info.expires_at is None
    assert info.scopes == ("pages_manage_posts", "instagram_content_publish")
    assert info.type == "PAGE"
    assert query(responses.calls[0]) == {"input_token": PAGE_TOKEN_A, "access_token": f"{APP_ID}|{APP_SECRET}"}


@responses.activate
def test_debug_token_expiring_and_invalid(auth: MetaAuth) -> None:
    expiry = int(datetime(2027, 1, 27, 12, 0, tzinfo=UTC).timestamp())
    responses.get(
        f"{BASE}/debug_token",
        json={"data": {"type": "USER", "is_valid": True, "expires_at": expiry, "scopes": []}},
    )
    responses.get(
        f"{BASE}/debug_token",
        json={"data": {"is_valid": False, "error": {"code": 190, "message": "bad"}, "scopes": []}},
    )
    first = auth.debug_token(APP_ID, APP_SECRET, LONG_TOKEN)
    assert first.expires_at == datetime(2027, 1, 27, 12, 0, tzinfo=UTC)
    second = auth.debug_token(APP_ID, APP_SECRET, LONG_TOKEN)
    assert second.is_valid is False
    assert (second.expires_at, second.scopes, second.type) == (None, (), None)


@responses.activate
def test_debug_token_error_does_not_echo_app_secret(auth: MetaAuth) -> None:
    responses.get(
        f"{BASE}/debug_token",
        status=400,
        json={"error": {"message": f"Invalid app token {APP_ID}|{APP_SECRET}", "code": 190}},
    )
    with pytest.raises(PublishError) as info:
        auth.debug_token(APP_ID, APP_SECRET, LONG_TOKEN)
    assert APP_SECRET not in f"{info.value} {info.value!r}"


# ----- the app itself (the guide's check) ---------------------------------------------------------------


@responses.activate
def test_app_info_reads_the_app_with_its_app_token_and_tolerates_no_mode(auth: MetaAuth) -> None:
    """Real Meta may not know ``app_mode``: the pair is still verified, and the mode stays unknown."""
    responses.get(f"{BASE}/{APP_ID}", json={"id": APP_ID, "name": "My shop poster"})
    responses.get(
        f"{BASE}/{APP_ID}",
        status=400,
        json={"error": {"message": "(#100) Tried accessing nonexisting field (app_mode)", "type": "x", "code": 100}},
    )
    info = auth.app_info(APP_ID, APP_SECRET)
    assert (info.name, info.live) == ("My shop poster", None)
    first = query(responses.calls[0])
    assert first["fields"] == "id,name" and first["access_token"] == f"{APP_ID}|{APP_SECRET}"


@responses.activate
def test_app_info_reads_the_mode_when_given(auth: MetaAuth) -> None:
    responses.get(f"{BASE}/{APP_ID}", json={"id": APP_ID, "name": "App"})
    responses.get(f"{BASE}/{APP_ID}", json={"id": APP_ID, "app_mode": "development"})
    assert auth.app_info(APP_ID, APP_SECRET).live is False


@responses.activate
def test_app_info_with_a_wrong_secret_raises_without_the_secret(auth: MetaAuth) -> None:
    responses.get(
        f"{BASE}/{APP_ID}",
        status=400,
        json={"error": {"message": f"Invalid OAuth access token {APP_ID}|{APP_SECRET}", "type": "x", "code": 190}},
    )
    with pytest.raises(PublishError) as caught:
        auth.app_info(APP_ID, APP_SECRET)
    assert APP_SECRET not in str(caught.value)
