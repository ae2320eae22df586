"""Facebook Login for the Connect wizard and its login webview: the engine's face of Meta's BrowserLogin (no HTTP)."""

from __future__ import annotations

from autoposter_gui.domain.models import Platform
from autoposter_gui.networks import registry
from autoposter_gui.networks.capabilities import BrowserLogin
from autoposter_gui.networks.capabilities import LoginError as LoginError
from autoposter_gui.networks.capabilities import LoginResult as LoginResult


def _login() -> BrowserLogin:
    network = registry.for_platform(Platform.FACEBOOK.value)
    assert isinstance(network, BrowserLogin)
    return network


DIALOG_ORIGIN: str = _login().dialog_origin
SCOPES: tuple[str, ...] = _login().scopes


def new_state() -> str:
    """A random, unguessable value tying the redirect to this login attempt."""
    return _login().new_state()


def login_url(app_id: str, state: str, *, dialog_origin: str = DIALOG_ORIGIN) -> str:
    """The login dialog's URL."""
    return _login().login_url(app_id, state, dialog_origin=dialog_origin)


def is_redirect(url: str) -> bool:
    """True when the webview has reached the login redirect (whatever its query or fragment)."""
    return _login().is_redirect(url)


def parse_login_redirect(url: str, expected_state: str) -> LoginResult:
    """Read the token from the redirect URL (LoginError for a foreign URL, an error answer or a mismatched state)."""
    return _login().parse_login_redirect(url, expected_state)
