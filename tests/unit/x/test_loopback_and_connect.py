"""The loopback receiver, the scoped plain-http allowance, and the X connect flow's checks of the redirect."""

from __future__ import annotations

import os
import socket
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from autoposter_gui.domain.models import Platform
from autoposter_gui.networks.loopback import LoopbackError, LoopbackReceiver, allow_loopback_http
from autoposter_gui.networks.protocol import ConnectError
from autoposter_gui.x import grant
from autoposter_gui.x.network import NETWORK
from autoposter_gui.x.urls import DEFAULT_PORT
from tests.unit.x.helpers import make_env


def test_the_receiver_returns_the_redirect_and_answers_the_browser() -> None:
    receiver = LoopbackReceiver(0)
    pages: list[requests.Response] = []

    def browser() -> None:
        pages.append(requests.get(f"http://127.0.0.1:{receiver.port}/favicon.ico", timeout=5))
        pages.append(requests.get(f"{receiver.redirect_uri}?code=abc&state=xyz", timeout=5))

    thread = threading.Thread(target=browser)
    thread.start()
    url = receiver.wait(timeout=10)
    thread.join(5)
    assert url == f"http://127.0.0.1:{receiver.port}/callback?code=abc&state=xyz"
    assert pages[0].status_code == 404
    assert "You can close this window and return to Autoposter" in pages[1].text


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LoopbackError, match=f"Port {port} on 127.0.0.1 is already in use"):
            LoopbackReceiver(port)


def test_no_redirect_in_time_is_a_clear_error() -> None:
    with pytest.raises(LoopbackError, match=r"No answer from the browser within 0\.3 seconds"):
        LoopbackReceiver(0).wait(timeout=0.3)


def test_plain_http_is_allowed_only_for_loopback_origins() -> None:
    os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    with allow_loopback_http("http://127.0.0.1:8765/2/oauth2/token"):
        assert os.environ.get("OAUTHLIB_INSECURE_TRANSPORT") == "1"
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    with allow_loopback_http("http://example.com/token"):
        assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_the_authorization_url_asks_for_pkce_and_the_scopes_on_the_default_port() -> None:
    env, _secrets, _clock = make_env()
    flow = NETWORK.begin_connect(env, client_id="client-1")
    assert flow.redirect_uri == f"http://127.0.0.1:{DEFAULT_PORT}/callback"
    query = parse_qs(urlsplit(flow.authorization_url).query)
    assert flow.authorization_url.startswith("https://x.test/i/oauth2/authorize?")
    assert query["scope"] == ["tweet.read tweet.write users.read media.write offline.access"]
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == ["client-1"]
    assert NETWORK.begin_connect(env, client_id="c", port=9001).redirect_uri == "http://127.0.0.1:9001/callback"


def test_finish_refuses_a_foreign_state_and_a_denial() -> None:
    env, _secrets, _clock = make_env()
    flow = NETWORK.begin_connect(env, client_id="client-1")
    state = parse_qs(urlsplit(flow.authorization_url).query)["state"][0]
    with pytest.raises(ConnectError, match="does not belong to this sign-in"):
        flow.finish(f"{flow.redirect_uri}?code=abc&state=other")
    with pytest.raises(ConnectError, match="X access was not granted"):
        flow.finish(f"{flow.redirect_uri}?error=access_denied&state={state}")


def test_finish_exchanges_the_code_with_the_verifier_and_stores_the_grant() -> None:
    env, secrets, _clock = make_env()
    secrets.data.clear()
    flow = NETWORK.begin_connect(env, client_id="client-1")
    state = parse_qs(urlsplit(flow.authorization_url).query)["state"][0]
    token = {
        "token_type": "bearer",
        "expires_in": 7200,
        "access_token": "at-0001xx",
        "refresh_token": "rt-0001xx",
        "scope": "tweet.read tweet.write users.read media.write offline.access",
    }
    with responses.RequestsMock() as mock:
        exchange = mock.post("https://x.test/2/oauth2/token", json=token)
        mock.get("https://x.test/2/users/me", json={"data": {"id": "42", "name": "Cafe", "username": "cafe"}})
        result = flow.finish(f"{flow.redirect_uri}?code=abc&state={state}")
        sent = parse_qs(str(exchange.calls[0].request.body))
    assert sent["grant_type"] == ["authorization_code"] and sent["code"] == ["abc"]
    assert sent["client_id"] == ["client-1"] and len(sent["code_verifier"][0]) >= 43
    (account,) = result.accounts
    assert (account.platform, account.external_id, account.username) == (Platform.X, "42", "cafe")
    stored = grant.load(secrets, "42")
    assert stored is not None and (stored.refresh_token, stored.client_id) == ("rt-0001xx", "client-1")
