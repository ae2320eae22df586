"""The sandbox's fake X: PKCE checked at the token call, rotating refresh tokens, duplicates, t.co, media, faults."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from autoposter_gui.sandbox.faults import Fault
from autoposter_gui.sandbox.server import SandboxServer
from autoposter_gui.sandbox.x_state import X_CLIENT_ID, X_USER_ID

REDIRECT = "http://127.0.0.1:8719/callback"
VERIFIER = "v" * 50
SCOPE = "tweet.read tweet.write users.read media.write offline.access"


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorize(server: SandboxServer, **overrides: str) -> requests.Response:
    params = {
        "response_type": "code",
        "client_id": X_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": "st",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }
    return requests.get(f"{server.url}/i/oauth2/authorize?{urlencode(params)}", allow_redirects=False, timeout=5)


def token(server: SandboxServer, **form: str) -> requests.Response:
    return requests.post(f"{server.url}/2/oauth2/token", data={"client_id": X_CLIENT_ID, **form}, timeout=5)


def signed_in(server: SandboxServer) -> dict[str, Any]:
    code = parse_qs(urlsplit(authorize(server).headers["Location"]).query)["code"][0]
    answer = token(server, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=VERIFIER)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


def test_authorize_auto_approves_and_the_token_call_checks_pkce(server: SandboxServer) -> None:
    location = authorize(server).headers["Location"]
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st"]
    wrong = token(
        server, grant_type="authorization_code", code=query["code"][0], redirect_uri=REDIRECT, code_verifier="w" * 50
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_request"
    assert authorize(server, client_id="someone-else").status_code == 400
    assert authorize(server, redirect_uri="https://evil.example/callback").status_code == 400


def test_refresh_tokens_rotate_and_an_old_one_revokes_the_grant(server: SandboxServer) -> None:
    first = signed_in(server)
    assert first["expires_in"] == 7200 and first["refresh_token"]
    second = token(server, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    me = requests.get(f"{server.url}/2/users/me", headers=bearer(second["access_token"]), timeout=5)
    assert me.json()["data"]["id"] == X_USER_ID
    replay = token(server, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert replay.status_code == 400
    assert (
        requests.get(f"{server.url}/2/users/me", headers=bearer(second["access_token"]), timeout=5).status_code == 401
    )
    assert token(server, grant_type="refresh_token", refresh_token=second["refresh_token"]).status_code == 400


def test_access_tokens_live_two_hours_on_the_sandbox_clock_and_can_be_expired_now(server: SandboxServer) -> None:
    access = signed_in(server)["access_token"]
    server.advance_clock(2 * 3600 - 60)
    assert requests.get(f"{server.url}/2/users/me", headers=bearer(access), timeout=5).status_code == 200
    server.advance_clock(61)
    assert requests.get(f"{server.url}/2/users/me", headers=bearer(access), timeout=5).status_code == 401
    fresh = signed_in(server)["access_token"]
    requests.post(f"{server.url}/_sandbox/x/expire_token", json={"token": fresh}, timeout=5)
    assert requests.get(f"{server.url}/2/users/me", headers=bearer(fresh), timeout=5).status_code == 401


def test_tweets_duplicates_and_the_timeline_with_t_co_links(server: SandboxServer) -> None:
    headers = bearer(signed_in(server)["access_token"])
    body = {"text": "Menu & more https://example.com/menu"}
    created = requests.post(f"{server.url}/2/tweets", json=body, headers=headers, timeout=5)
    assert created.status_code == 201
    again = requests.post(f"{server.url}/2/tweets", json=body, headers=headers, timeout=5)
    assert again.status_code == 403 and "duplicate content" in again.json()["detail"]
    listing = requests.get(
        f"{server.url}/2/users/{X_USER_ID}/tweets",
        params={"tweet.fields": "created_at,entities", "max_results": "5"},
        headers=headers,
        timeout=5,
    ).json()
    (tweet,) = listing["data"]
    assert tweet["id"] == created.json()["data"]["id"]
    assert tweet["text"].startswith("Menu &amp; more https://t.co/")
    assert tweet["entities"]["urls"][0]["expanded_url"] == "https://example.com/menu"


def test_video_upload_is_pending_then_succeeds(server: SandboxServer) -> None:
    headers = bearer(signed_in(server)["access_token"])
    init = requests.post(
        f"{server.url}/2/media/upload/initialize",
        json={"media_type": "video/mp4", "total_bytes": 4, "media_category": "tweet_video"},
        headers=headers,
        timeout=5,
    ).json()["data"]
    media_id = init["id"]
    requests.post(
        f"{server.url}/2/media/upload/{media_id}/append",
        data={"segment_index": "0"},
        files={"media": ("c", b"abcd")},
        headers=headers,
        timeout=5,
    ).raise_for_status()
    final = requests.post(f"{server.url}/2/media/upload/{media_id}/finalize", headers=headers, timeout=5).json()
    assert final["data"]["processing_info"]["state"] == "pending"
    tweet = requests.post(
        f"{server.url}/2/tweets", json={"media": {"media_ids": [media_id]}}, headers=headers, timeout=5
    )
    assert tweet.status_code == 400  # not processed yet
    states = [
        requests.get(
            f"{server.url}/2/media/upload",
            params={"command": "STATUS", "media_id": media_id},
            headers=headers,
            timeout=5,
        ).json()["data"]["processing_info"]["state"]
        for _ in range(2)
    ]
    assert states == ["in_progress", "succeeded"]


def test_faults_can_name_x_endpoints(server: SandboxServer) -> None:
    headers = bearer(signed_in(server)["access_token"])
    server.inject_fault(kind="error", match="x_tweet_create", http_status=429)
    limited = requests.post(f"{server.url}/2/tweets", json={"text": "hi"}, headers=headers, timeout=5)
    assert limited.status_code == 429 and int(limited.headers["x-rate-limit-reset"]) > server.now().timestamp()
    server.inject_fault(kind="reset", match="x_media_init")
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{server.url}/2/media/upload/initialize", json={}, headers=headers, timeout=5)
    with pytest.raises(ValueError, match="unknown endpoint"):
        Fault(kind="error", match="x_nothing")
    server.reset()
    assert server.state()["x"]["tweets"] == []
