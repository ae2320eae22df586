"""Shared pieces of the Google unit tests: a dict keyring, an env, an account, a recorded save."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from autoposter_gui.google.oauth import Grant, secret_key
from autoposter_gui.networks.protocol import AccountRef, Env
from tests.support.secrets import DictSecrets

ORIGIN = "https://google.test"
ACCOUNT = "accounts/1001"
LOCATION = "2001"
PARENT = f"{ACCOUNT}/locations/{LOCATION}"
POSTS_URL = f"{ORIGIN}/v4/{PARENT}/localPosts"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
REFRESH = "1//refresh-token-abcdefghijklmnop"
SECRET = "GOCSPX-client-secret-123456"


class Saved:
    """A checkpoint store: ``save`` records each id, in order."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.order: list[str] = []

    def __call__(self, key: str, value: Any) -> None:
        self.values[key] = value
        self.order.append(key)


def make_env(secrets: DictSecrets | None = None, origin: str = ORIGIN) -> Env:
    return Env(origin=origin, secrets=secrets or DictSecrets(), now=lambda: NOW)


def connected_env() -> Env:
    secrets = DictSecrets()
    grant = Grant("client-id.apps.googleusercontent.com", SECRET, REFRESH, ACCOUNT, f"locations/{LOCATION}")
    secrets.set(secret_key(LOCATION), grant.dumps())
    return make_env(secrets)


def account() -> AccountRef:
    return AccountRef(7, "google", LOCATION, "Sandbox Bakery", page_id=ACCOUNT)


def local_post(
    name_id: str = "p1", state: str = "LIVE", summary: str = "Fresh bread", created: str = ""
) -> dict[str, Any]:
    return {
        "name": f"{PARENT}/localPosts/{name_id}",
        "summary": summary,
        "state": state,
        "createTime": created or "2026-11-30T12:00:05.123456789Z",
        "searchUrl": f"https://local.google.com/place?id=42&use=posts&lpsid={name_id}",
    }


def google_error(code: int, status: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "status": status, "message": message, "details": details or []}}
