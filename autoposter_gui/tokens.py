"""TokenStore: the app secret, the user token and per-account tokens, kept only in the OS keyring."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from autoposter_gui.domain.errors import KeyringUnavailableError
from autoposter_gui.domain.known_secrets import remember

log = logging.getLogger(__name__)

APP_ID = "app_id"
APP_SECRET = "app_secret"
USER_TOKEN = "user_token"

_NO_KEYRING = (
    "No working system keyring was found, and Autoposter never stores tokens in plain text. "
    "Install and unlock a Secret Service keyring (GNOME Keyring or KWallet) on Linux, "
    "or use the macOS Keychain / Windows Credential Manager, then try again."
)


def account_key(platform: str, external_id: str) -> str:
    return f"account:{platform}:{external_id}"


class TokenStore:
    """Secrets keyed by name inside one keyring service. Values never appear in errors or logs.

    A keyring read can be slow (the Secret Service: ~25 ms over D-Bus, half of it CPU that holds the GIL), so a
    runner tick reads each secret once: inside ``with store.cached():`` the values read are kept in memory, shared by
    every thread, until the outermost scope ends. Any ``set`` or ``delete`` (connect, disconnect) drops them all.
    Outside a scope every read goes to the keyring.
    """

    def __init__(self, service: str, backend: Any | None = None) -> None:
        self.service = service
        self._backend = backend
        self._lock = threading.Lock()
        self._scopes = 0  # open cached() scopes
        self._generation = 0  # bumped whenever the cache is dropped: a read begun before must not fill it
        self._cache: dict[str, str | None] = {}
        self._key_locks: dict[str, threading.Lock] = {}  # one backend read per key at a time

    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
            raise KeyringUnavailableError(_NO_KEYRING)
        return backend

    def _call(self, action: str, *args: str) -> Any:
        import keyring.errors

        backend = self._keyring()
        try:
            return getattr(backend, action)(self.service, *args)
        except keyring.errors.PasswordDeleteError:
            return None
        except (keyring.errors.NoKeyringError, keyring.errors.InitError):
            raise KeyringUnavailableError(_NO_KEYRING) from None
        except keyring.errors.KeyringLocked:
            raise KeyringUnavailableError(
                "The system keyring is locked; unlock it (log in to your desktop session) and try again"
            ) from None
        except keyring.errors.KeyringError as exc:
            log.warning("keyring %s failed: %s", action, type(exc).__name__)
            raise KeyringUnavailableError(
                f"The system keyring refused to {action.split('_')[0]} a secret ({type(exc).__name__}); "
                "check that it is unlocked"
            ) from None

    def check(self) -> None:
        """Raise KeyringUnavailableError when no usable backend exists."""
        self._keyring()

    @contextmanager
    def cached(self) -> Iterator[None]:
        """Keep the secrets read inside this scope in memory until it ends (scopes nest; threads share them)."""
        with self._lock:
            self._scopes += 1
        try:
            yield
        finally:
            with self._lock:
                self._scopes -= 1
                if self._scopes == 0:
                    self._drop()

    def _drop(self) -> None:
        """Forget every cached value (the caller holds ``_lock``)."""
        self._cache.clear()
        self._key_locks.clear()
        self._generation += 1

    def get(self, key: str) -> str | None:
        with self._lock:
            if self._scopes == 0:
                key_lock = None
            elif key in self._cache:
                return self._cache[key]
            else:
                key_lock = self._key_locks.setdefault(key, threading.Lock())
        if key_lock is None:
            return self._read(key)
        with key_lock:  # a second thread asking for the same key waits for the first one's read
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            return self.get_fresh(key)

    def get_fresh(self, key: str) -> str | None:
        """Read ``key`` from the keyring itself, even inside a cached() scope (another process may have changed it:
        X's rotated refresh token); the value read replaces the cached one (unless the scope ended meanwhile)."""
        with self._lock:
            generation = self._generation
        value = self._read(key)
        with self._lock:
            if self._scopes and self._generation == generation:
                self._cache[key] = value
        return value

    def _read(self, key: str) -> str | None:
        value = self._call("get_password", key)
        if value is None:
            return None
        if key != APP_ID:
            remember(str(value))  # every secret read is masked by value in logs and messages from now on
        return str(value)

    def set(self, key: str, value: str) -> None:
        if key != APP_ID:
            remember(value)
        try:
            self._call("set_password", key, value)
        finally:
            self._forget()

    def delete(self, key: str) -> None:
        try:
            self._call("delete_password", key)
        finally:
            self._forget()

    def _forget(self) -> None:
        with self._lock:
            self._drop()

    def account_token(self, platform: str, external_id: str) -> str | None:
        return self.get(account_key(platform, external_id))

    def set_account_token(self, platform: str, external_id: str, token: str) -> None:
        self.set(account_key(platform, external_id), token)

    def delete_account_token(self, platform: str, external_id: str) -> None:
        self.delete(account_key(platform, external_id))

    def __repr__(self) -> str:
        return f"TokenStore(service={self.service!r})"
