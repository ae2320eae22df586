"""Where X lives: its real origins, or the ONE origin (``AUTOPOSTER_X_URL``, the sandbox) that replaces them all."""

from __future__ import annotations

from dataclasses import dataclass

API_ORIGIN = "https://api.x.com"
AUTHORIZE_ORIGIN = "https://x.com"
AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"
SCOPES = ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access")
DEFAULT_PORT = 8719  # the loopback port of the redirect the owner registers in X's developer portal
CALLBACK_PATH = "/callback"


def redirect_uri(port: int) -> str:
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


@dataclass(frozen=True)
class Urls:
    """Every X origin; ``origin`` (when set) replaces all of them, keeping X's real paths."""

    origin: str | None = None

    @property
    def api(self) -> str:
        return self.origin.rstrip("/") if self.origin else API_ORIGIN

    @property
    def authorize(self) -> str:
        return (self.origin.rstrip("/") if self.origin else AUTHORIZE_ORIGIN) + AUTHORIZE_PATH

    @property
    def token(self) -> str:
        return self.api + TOKEN_PATH


def permalink(username: str | None, tweet_id: str) -> str:
    """``https://x.com/{username}/status/{id}`` (``i/web`` when the username is unknown: X redirects it)."""
    return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"
