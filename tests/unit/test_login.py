"""The desktop login flow's URL handling, without a webview or network."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from autoposter_gui.meta.login import (
    REDIRECT_URI,
    SCOPES,
    LoginError,
    is_redirect,
    login_url,
    new_state,
    parse_login_redirect,
)


def test_login_url_has_documented_parameters() -> None:
    state = new_state()
    url = login_url("12345", state)
    parts = urlsplit(url)
    assert parts.netloc == "www.facebook.com" and parts.path.endswith("/dialog/oauth")
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {
        "client_id": "12345",
        "redirect_uri": REDIRECT_URI,
        "response_type": "token",
        "scope": ",".join(SCOPES),
        "state": state,
    }
    assert new_state() != state and len(state) >= 24


def test_token_is_read_from_fragment() -> None:
    result = parse_login_redirect(
        f"{REDIRECT_URI}#access_token=EAAtoken&expires_in=5183&state=abc&granted_scopes=pages_show_list,instagram_basic",
        "abc",
    )
    assert result.access_token == "EAAtoken" and result.expires_in == 5183
    assert result.granted_scopes == ("pages_show_list", "instagram_basic")
    assert "EAAtoken" not in repr(result)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"{REDIRECT_URI}#access_token=EAAtoken&state=evil", "state mismatch"),
        (f"{REDIRECT_URI}#access_token=EAAtoken", "state mismatch"),
        (f"{REDIRECT_URI}?error=access_denied&error_reason=user_denied&state=abc", "canceled"),
        (f"{REDIRECT_URI}#state=abc", "did not return an access token"),
        ("https://evil.example/connect/login_success.html#access_token=x&state=abc", "did not return"),
    ],
)
def test_bad_redirects_are_refused(url: str, message: str) -> None:
    with pytest.raises(LoginError, match=message):
        parse_login_redirect(url, "abc")


def test_is_redirect() -> None:
    assert is_redirect(REDIRECT_URI + "#x=1")
    assert not is_redirect("https://www.facebook.com/v24.0/dialog/oauth?x=1")
