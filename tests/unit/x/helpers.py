"""Shared bits of the X unit tests: an in-memory keyring, an env on a fixed clock, a connected account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.networks.protocol import AccountRef, Env
from autoposter_gui.x import grant
from autoposter_gui.x.grant import Grant
from tests.support.secrets import DictSecrets

ORIGIN = "https://x.test"
USER_ID = "42"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ACCOUNT = AccountRef(7, "x", USER_ID, "Cafe", "cafe")


def make_env(expires_in: timedelta = timedelta(hours=1)) -> tuple[Env, DictSecrets, FixedClock]:
    secrets, clock = DictSecrets(), FixedClock(NOW)
    grant.store(secrets, USER_ID, Grant("access-old-123", "refresh-old-123", NOW + expires_in, "client-1"))
    return Env(ORIGIN, secrets, clock.now), secrets, clock


def saved(secrets: DictSecrets) -> Grant:
    found = grant.load(secrets, USER_ID)
    assert found is not None
    return found
