"""The sandbox's fake Facebook Login dialog: consent page, Continue (token in the fragment), Cancel, bad requests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from autoposter_gui.meta.login import REDIRECT_URI, login_url, parse_login_redirect
from autoposter_gui.sandbox import SandboxServer

APP_ID = "sandbox-app"


def _confirm(server: SandboxServer, choice: str, state: str = "s1", **extra: str) -> requests.Response:
    form = {"client_id": APP_ID, "redirect_uri": REDIRECT_URI, "state": state, "choice": choice, **extra}
    return requests.post(f"{server.url}/v24.0/dialog/oauth/confirm", data=form, allow_redirects=False, timeout=5)


def test_dialog_shows_the_app_the_user_and_the_permissions(server: SandboxServer) -> None:
    page = requests.get(login_url(APP_ID, "s1", dialog_origin=server.url), timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for words in ("Autoposter Sandbox", "Continue as Sandbox Owner", "pages_manage_posts", "instagram_content_publish"):
        assert words in page.text
    assert 'name="state" value="s1"' in page.text
    assert server.state()["calls"] == []  # not a Graph call


def test_continue_redirects_with_the_short_lived_token_in_the_fragment(server: SandboxServer) -> None:
    answer = _confirm(server, "continue")
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI + "#")
    result = parse_login_redirect(location, "s1")
    assert result.access_token == server.credentials.user_token
    assert result.expires_in == 7200


def test_after_a_revocation_the_dialog_hands_out_the_new_token(server: SandboxServer) -> None:
    old = server.credentials.user_token
    server.revoke(old)
    location = _confirm(server, "continue").headers["Location"]
    assert parse_login_redirect(location, "s1").access_token == server.credentials.user_token != old


def test_cancel_redirects_with_user_denied(server: SandboxServer) -> None:
    location = _confirm(server, "cancel").headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["error_reason"] == ["user_denied"] and query["state"] == ["s1"]
    assert "#" in location and "access_token" not in location


@pytest.mark.parametrize(
    ("params", "title"),
    [
        ({"client_id": "someone-else"}, "Invalid App ID"),
        ({"redirect_uri": "http://127.0.0.1:9/steal"}, "URL blocked"),
        ({"response_type": "code"}, "Unsupported response type"),
    ],
)
def test_bad_requests_get_an_error_page_and_no_token(server: SandboxServer, params: dict[str, str], title: str) -> None:
    query = {"client_id": APP_ID, "redirect_uri": REDIRECT_URI, "response_type": "token", "state": "s", **params}
    page = requests.get(f"{server.url}/v24.0/dialog/oauth", params=query, timeout=5)
    assert page.status_code == 200 and title in page.text and "Continue as" not in page.text
    answer = _confirm(server, "continue", **params)
    assert answer.status_code == 200 and "Location" not in answer.headers


def test_faults_can_target_the_dialog(server: SandboxServer) -> None:
    server.inject_fault(kind="html", match="login_dialog", http_status=503)
    assert requests.get(login_url(APP_ID, "s", dialog_origin=server.url), timeout=5).status_code == 503
