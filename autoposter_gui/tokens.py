"""TokenStore: the app secret, the user token and per-account tokens, kept only in the OS keyring."""

from __future__ import annotations

import logging
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
    """Secrets keyed by name inside one keyring service. Values never appear in errors or logs."""

    def __init__(self, service: str, backend: Any | None = None) -> None:
        self.service = service
        self._backend = backend

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

    def get(self, key: str) -> str | None:
        value = self._call("get_password", key)
        if value is None:
            return None
        if key != APP_ID:
            remember(str(value))  # every secret read is masked by value in logs and messages from now on
        return str(value)

    def set(self, key: str, value: str) -> None:
        if key != APP_ID:
            remember(value)
        self._call("set_password", key, value)

    def delete(self, key: str) -> None:
        self._call("delete_password", key)

    def account_token(self, platform: str, external_id: str) -> str | None:
        return self.get(account_key(platform, external_id))

    def set_account_token(self, platform: str, external_id: str, token: str) -> None:
        self.set(account_key(platform, external_id), token)

    def delete_account_token(self, platform: str, external_id: str) -> None:
        self.delete(account_key(platform, external_id))

    def __repr__(self) -> str:
        return f"TokenStore(service={self.service!r})"
