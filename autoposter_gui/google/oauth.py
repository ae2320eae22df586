"""Connecting: Google's OAuth 2.0 for installed apps (loopback redirect, PKCE), the keyring blob, token refresh."""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.known_secrets import remember
from autoposter_gui.google.client import TIMEOUT, Origins

SCOPE = "https://www.googleapis.com/auth/business.manage"


def secret_key(location_id: str) -> str:
    """The keyring key of one location (the engine's ``account:{platform}:{external_id}``)."""
    return f"account:google:{location_id}"


@dataclass(frozen=True)
class Grant:
    """What the keyring holds for one location: a JSON blob (see CONTRACT.md, "Secrets")."""

    client_id: str
    client_secret: str
    refresh_token: str
    account: str  # "accounts/123"
    location: str  # "locations/456"

    def dumps(self) -> str:
        return json.dumps(
            {
                "v": 1,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "refresh_token": self.refresh_token,
                "account": self.account,
                "location": self.location,
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str) -> Grant | None:
        """The grant in ``text``, or None when it is not one of ours (then the owner must reconnect)."""
        try:
            blob = json.loads(text)
            grant = cls(
                str(blob["client_id"]),
                str(blob.get("client_secret") or ""),
                str(blob["refresh_token"]),
                str(blob["account"]),
                str(blob["location"]),
            )
        except (ValueError, KeyError, TypeError):
            return None
        remember(grant.client_secret, grant.refresh_token)
        return grant


def free_port() -> int:
    """A free loopback port for the redirect (Google accepts any port for a desktop client)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redirect_params(redirect_url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(redirect_url).query).items() if v}


@dataclass
class AccessToken:
    value: str
    expires_at: datetime
    rotated: str | None = None  # a new refresh token, when Google sent one (it rarely does)


def refresh(http: requests.Session, origins: Origins, grant: Grant, now: datetime) -> AccessToken:
    """A fresh access token from the refresh token (Google's refresh tokens don't rotate; a new one is kept if sent).

    PublishError(TOKEN) when Google refuses the refresh token; a temporary one when Google can't be reached."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": grant.refresh_token,
        "client_id": grant.client_id,
        "client_secret": grant.client_secret,
    }
    try:
        response = http.post(origins.token_uri, data=form, timeout=TIMEOUT)
    except requests.RequestException:
        raise PublishError(
            ErrorKind.TEMPORARY,
            ErrorCategory.NETWORK,
            "Google's sign-in service could not be reached; the post will be tried again",
        ) from None
    body: dict[str, Any] = {}
    with contextlib.suppress(ValueError):
        parsed = response.json()
        body = parsed if isinstance(parsed, dict) else {}
    if response.status_code >= 500:
        raise PublishError(
            ErrorKind.TEMPORARY,
            ErrorCategory.TRANSIENT,
            "Google's sign-in service had a problem; the post will be tried again",
            http_status=response.status_code,
        )
    token = body.get("access_token")
    if not response.ok or not isinstance(token, str) or not token:
        reason = str(body.get("error") or f"HTTP {response.status_code}")
        why = {
            "invalid_grant": "the sign-in expired or was revoked",
            "invalid_client": "the OAuth client id or secret is no longer valid",
            "unauthorized_client": "the OAuth client may not use this sign-in",
        }.get(reason, f"Google refused to renew the sign-in ({reason})")
        raise PublishError(
            ErrorKind.PERMANENT,
            ErrorCategory.TOKEN,
            f"Reconnect Google Business Profile: {why}",
            http_status=response.status_code,
        )
    rotated = body.get("refresh_token")
    rotated = rotated if isinstance(rotated, str) and rotated and rotated != grant.refresh_token else None
    remember(token, rotated)
    seconds = body.get("expires_in")
    lifetime = timedelta(seconds=int(seconds)) if isinstance(seconds, int | str) and str(seconds).isdigit() else None
    return AccessToken(token, now + (lifetime or timedelta(hours=1)), rotated)
