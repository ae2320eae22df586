"""The keyring blob of one connected X account (``account:x:<user id>``): tokens, expiry, client id."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from autoposter_gui.domain import known_secrets
from autoposter_gui.networks.protocol import FreshSecrets, Secrets

VERSION = 1


def key(user_id: str) -> str:
    """The keyring key (the app's tokens-style ``account:<platform>:<external id>``)."""
    return f"account:x:{user_id}"


@dataclass(frozen=True)
class Grant:
    """What X handed out at the last token call. ``refresh_token`` is single-use: X rotates it on every refresh."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime  # aware UTC
    client_id: str
    scope: str = ""

    def __repr__(self) -> str:  # never show a token
        return f"Grant(expires_at={self.expires_at.isoformat()}, client_id={self.client_id!r})"

    def expires_within(self, now: datetime, margin: timedelta) -> bool:
        return now + margin >= self.expires_at

    def to_json(self) -> str:
        blob = {"v": VERSION, **asdict(self), "expires_at": self.expires_at.isoformat()}
        return json.dumps(blob, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Grant | None:
        try:
            blob = json.loads(text)
            return cls(
                access_token=str(blob["access_token"]),
                refresh_token=str(blob["refresh_token"]) if blob.get("refresh_token") else None,
                expires_at=datetime.fromisoformat(str(blob["expires_at"])),
                client_id=str(blob["client_id"]),
                scope=str(blob.get("scope") or ""),
            )
        except (ValueError, KeyError, TypeError):
            return None

    @classmethod
    def from_answer(cls, answer: dict[str, object], client_id: str, now: datetime) -> Grant:
        """A grant from a token answer (``access_token``, ``refresh_token``, ``expires_in``, ``scope``)."""
        access = answer.get("access_token")
        if not isinstance(access, str) or not access:
            raise ValueError("no access_token")
        refresh = answer.get("refresh_token")
        expires_in = answer.get("expires_in")
        seconds = int(expires_in) if isinstance(expires_in, int | str) and str(expires_in).isdigit() else 7200
        scope = answer.get("scope")
        return cls(
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires_at=now + timedelta(seconds=seconds),
            client_id=client_id,
            scope=scope if isinstance(scope, str) else "",
        )


def load(secrets: Secrets, user_id: str, *, fresh: bool = False) -> Grant | None:
    """The saved grant; ``fresh``: from the keyring itself, never a cached copy (under the account's lock, where
    another process may have rotated it)."""
    text = secrets.get_fresh(key(user_id)) if fresh and isinstance(secrets, FreshSecrets) else secrets.get(key(user_id))
    grant = Grant.from_json(text) if text else None
    if grant is not None:
        known_secrets.remember(grant.access_token, grant.refresh_token)
    return grant


def store(secrets: Secrets, user_id: str, grant: Grant) -> None:
    known_secrets.remember(grant.access_token, grant.refresh_token)
    secrets.set(key(user_id), grant.to_json())
