"""The sandbox's Google Business Profile fake on the wire: OAuth (PKCE checked), token expiry, controls, faults."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from autoposter_gui.sandbox import google_api
from autoposter_gui.sandbox.server import SandboxServer

VERIFIER = "v" * 50
REDIRECT = "http://127.0.0.1:5555/"


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorize(server: SandboxServer, **extra: str) -> requests.Response:
    query = {
        "client_id": google_api.CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": google_api.SCOPE,
        "state": "s1",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
        **extra,
    }
    return requests.get(f"{server.url}/o/oauth2/auth?{urlencode(query)}", allow_redirects=False, timeout=10)


def exchange(server: SandboxServer, code: str, verifier: str = VERIFIER) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_id": google_api.CLIENT_ID,
        "client_secret": google_api.CLIENT_SECRET,
    }
    return requests.post(f"{server.url}/token", data=form, timeout=10)


def code_of(answer: requests.Response) -> str:
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_the_code_needs_the_matching_verifier_and_is_single_use(server: SandboxServer) -> None:
    assert exchange(server, code_of(authorize(server)), verifier="w" * 50).json()["error"] == "invalid_grant"
    code = code_of(authorize(server))
    tokens = exchange(server, code).json()
    assert tokens["refresh_token"].startswith("1//") and tokens["expires_in"] == 3599
    assert exchange(server, code).json()["error"] == "invalid_grant"


def test_unknown_clients_and_foreign_redirects_are_refused(server: SandboxServer) -> None:
    assert authorize(server, client_id="someone-else").status_code == 401
    assert authorize(server, redirect_uri="https://evil.example/cb").status_code == 400
    denied = authorize(server, code_challenge_method="plain")
    assert "error=invalid_request" in denied.headers["Location"]


def test_access_tokens_last_an_hour_on_the_sandbox_clock(server: SandboxServer) -> None:
    token = exchange(server, code_of(authorize(server))).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{server.url}/v1/accounts/1001/locations"
    assert requests.get(url, params={"readMask": "name,title"}, headers=headers, timeout=10).status_code == 200
    missing_mask = requests.get(url, headers=headers, timeout=10)
    assert missing_mask.status_code == 400 and missing_mask.json()["error"]["status"] == "INVALID_ARGUMENT"
    server.advance_clock(3601)
    expired = requests.get(url, params={"readMask": "name"}, headers=headers, timeout=10)
    assert expired.status_code == 401 and expired.json()["error"]["status"] == "UNAUTHENTICATED"


def test_http_controls_and_named_faults(server: SandboxServer) -> None:
    set_state = requests.post(f"{server.url}/_sandbox/google/config", json={"post_state": "REJECTED"}, timeout=10)
    assert set_state.json()["post_state"] == "REJECTED"
    assert (
        requests.post(f"{server.url}/_sandbox/google/config", json={"post_state": "x"}, timeout=10).status_code == 400
    )
    server.inject_fault(kind="error", match="google_accounts", http_status=503)
    token = exchange(server, code_of(authorize(server))).json()["access_token"]
    answer = requests.get(f"{server.url}/v1/accounts", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 503 and answer.json()["error"]["status"] == "UNAVAILABLE"
    server.reset()
    assert requests.get(f"{server.url}/_sandbox/google", timeout=10).json()["post_state"] == "LIVE"
