"""The X account lock across processes: a private lock file, a bounded wait that ends in a retryable error (no
refresh without the lock), the grant read again from the keyring itself (not a runner tick's cached copy)."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from filelock import FileLock

from autoposter_gui.domain.errors import ErrorKind, PublishError
from autoposter_gui.networks.protocol import WAIT, ConnectError
from autoposter_gui.tokens import TokenStore
from autoposter_gui.x import grant, locking
from autoposter_gui.x.grant import Grant
from autoposter_gui.x.network import NETWORK
from autoposter_gui.x.publish import XSession
from tests.support.memory_keyring import MemoryKeyring
from tests.unit.x.helpers import ACCOUNT, NOW, ORIGIN, USER_ID, make_env, saved

TOKEN_URL = f"{ORIGIN}/2/oauth2/token"
ROTATED = {"token_type": "bearer", "expires_in": 7200, "access_token": "access-new-1", "refresh_token": "refresh-new-1"}


def test_a_refresh_takes_a_private_lock_file_per_account(tmp_path: Path) -> None:
    env, secrets, _clock = make_env(timedelta(minutes=4))
    locks = tmp_path / "data" / "locks"
    with responses.RequestsMock() as mock:
        mock.post(TOKEN_URL, json=ROTATED)
        assert XSession(replace(env, locks=locks)).access_token(ACCOUNT) == "access-new-1"
    path = locks / f"x-{USER_ID}.lock"
    assert path.exists() and saved(secrets).refresh_token == "refresh-new-1"
    if os.name == "posix":
        assert (locks.stat().st_mode & 0o777, path.stat().st_mode & 0o777) == (0o700, 0o600)
    # A strange id never makes a path of its own: it is hashed into one safe file name in the folder.
    odd = locking.lock_path(locks, "../../etc/passwd")
    assert odd.parent == locks and odd.name.startswith("x-") and "/" not in odd.name[2:] and ".." not in odd.name


def test_a_lock_held_elsewhere_ends_in_a_retryable_error_without_any_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.2)
    env, secrets, _clock = make_env(timedelta(minutes=4))
    locks = tmp_path / "locks"
    locks.mkdir()
    other = FileLock(str(locking.lock_path(locks, USER_ID)))  # another process renewing this account
    other.acquire()
    try:
        # No call at all: never a refresh without the lock.
        with responses.RequestsMock(), pytest.raises(PublishError) as caught:
            XSession(replace(env, locks=locks)).access_token(ACCOUNT)
    finally:
        other.release()
    err = caught.value
    assert err.kind is ErrorKind.TEMPORARY and err.retry_after == locking.RETRY_AFTER
    assert err.extra[WAIT]  # a wait: no try spent (engine.processor.is_processing_wait)
    assert str(err) == (
        "Another Autoposter window or command is renewing the X sign-in (@cafe): it will try again in a minute"
    )
    assert saved(secrets).refresh_token == "refresh-old-123"
    # Once it is free, the same session goes on (the thread lock was released too).
    with responses.RequestsMock() as mock:
        mock.post(TOKEN_URL, json=ROTATED)
        assert XSession(replace(env, locks=locks)).access_token(ACCOUNT) == "access-new-1"


def test_the_grant_is_read_again_from_the_keyring_not_from_a_runner_ticks_cache(tmp_path: Path) -> None:
    env, _secrets, _clock = make_env()
    backend = MemoryKeyring()
    tokens = TokenStore("autoposter:test", backend)
    old = Grant("access-old-123", "refresh-old-123", NOW + timedelta(minutes=4), "client-1")
    grant.store(tokens, USER_ID, old)
    session = XSession(replace(env, secrets=tokens, locks=tmp_path / "locks"))
    with tokens.cached():
        assert grant.load(tokens, USER_ID) == old  # this tick read it: kept in memory
        # Another process renewed it meanwhile (its new pair is in the keyring, not in this process's memory).
        rotated = Grant("access-other-9", "refresh-other-9", NOW + timedelta(hours=2), "client-1")
        backend.set_password("autoposter:test", grant.key(USER_ID), rotated.to_json())
        with responses.RequestsMock():  # spending refresh-old-123 again would make X revoke the grant
            assert session.access_token(ACCOUNT) == "access-other-9"
        assert grant.load(tokens, USER_ID) == rotated  # the tick's cache now holds what the keyring holds


def test_connect_stores_the_new_grant_only_under_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.2)
    env, secrets, _clock = make_env()
    locks = tmp_path / "locks"
    locks.mkdir()
    flow = NETWORK.begin_connect(replace(env, locks=locks), client_id="client-1")
    state = parse_qs(urlsplit(flow.authorization_url).query)["state"][0]
    other = FileLock(str(locking.lock_path(locks, USER_ID)))  # another process renewing the old grant
    other.acquire()
    try:
        with responses.RequestsMock() as mock:
            mock.post(TOKEN_URL, json={**ROTATED, "access_token": "at-connect-1", "refresh_token": "rt-connect-1"})
            mock.get(f"{ORIGIN}/2/users/me", json={"data": {"id": USER_ID, "name": "Cafe", "username": "cafe"}})
            with pytest.raises(ConnectError, match="renewing the X sign-in"):
                flow.finish(f"{flow.redirect_uri}?code=abc&state={state}")
    finally:
        other.release()
    assert saved(secrets).refresh_token == "refresh-old-123"  # not written while the other process held it


def test_a_token_not_about_to_expire_is_used_from_the_ticks_cache_without_the_lock(tmp_path: Path) -> None:
    env, _secrets, _clock = make_env()
    backend = MemoryKeyring()
    reads: list[str] = []
    read = backend.get_password

    def counted(service: str, username: str) -> str | None:
        reads.append(username)
        return read(service, username)

    backend.get_password = counted  # type: ignore[method-assign]
    tokens = TokenStore("autoposter:test", backend)
    grant.store(tokens, USER_ID, Grant("access-old-123", "refresh-old-123", NOW + timedelta(hours=1), "client-1"))
    locks = tmp_path / "locks"
    session = XSession(replace(env, secrets=tokens, locks=locks))
    with tokens.cached(), responses.RequestsMock():  # no refresh
        assert [session.access_token(ACCOUNT) for _ in range(3)] == ["access-old-123"] * 3
    assert reads == [grant.key(USER_ID)]  # one keyring read for the tick, not one per post
    assert not locks.exists()  # no lock taken: nothing to renew
