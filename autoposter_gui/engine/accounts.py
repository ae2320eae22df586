"""Connecting Meta: exchange the token, discover Pages and IG accounts, keep tokens in the keyring."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from autoposter_gui.domain.errors import (
    ErrorCategory,
    ErrorKind,
    KeyringUnavailableError,
    PublishError,
    ValidationError,
)
from autoposter_gui.domain.known_secrets import remember
from autoposter_gui.domain.models import AccountStatus, DiscoveredAccount, ItemStatus, Platform, can_post
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.labels import account_label
from autoposter_gui.engine.login import SCOPES
from autoposter_gui.networks import registry
from autoposter_gui.networks.capabilities import AppConnect, TokenCheck
from autoposter_gui.tokens import APP_ID, APP_SECRET, USER_TOKEN

if TYPE_CHECKING:  # the store's modules (SQLAlchemy) load with the first service, not with the UI that names them
    from autoposter_gui.engine.context import Context
    from autoposter_gui.storage.models import Account

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Discovery:
    """What a user token can reach, before the owner picks what to connect."""

    user_token: str
    user_expires_at: datetime | None
    accounts: tuple[DiscoveredAccount, ...]


@dataclass(frozen=True)
class AccountCheck:
    """One found account, whether it can publish, and what is missing, in plain words."""

    account: DiscoveredAccount
    problems: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.problems


def assess(discovery: Discovery, granted_scopes: Sequence[str] | None) -> list[AccountCheck]:
    """The connect checklist: for each Page and IG account, the permissions or Page tasks it still lacks."""
    from autoposter_gui.engine.health import SCOPE_WORDS, missing_scopes

    checks: list[AccountCheck] = []
    for found in discovery.accounts:
        problems: list[str] = []
        if granted_scopes is not None:
            for scope in missing_scopes(found.platform.value, tuple(granted_scopes)):
                problems.append(f"Autoposter was not allowed to {SCOPE_WORDS.get(scope, scope)} ({scope})")
        if not can_post(found.tasks):  # the same rule that marks a saved account "cannot_post"
            problems.append("Your role on this Page can't create posts: ask a Page admin for the “Create content” task")
        checks.append(AccountCheck(found, tuple(problems)))
    return checks


REQUESTED_SCOPES: tuple[str, ...] = SCOPES  # what the login asks for (the UI shows them without importing meta)
APP_SETTINGS = "App settings → Basic"
EXPLORER_STEPS = (
    "copy it again from Meta's Graph API Explorer: pick your app under “Meta App”, click “Generate Access Token”, "
    "then the copy button next to the token"
)
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-.|]{20,}")


def token_shape_problem(token: str) -> str | None:
    """Why a pasted user token can't be one (spaces, quotes, too short), in words; None when it may be one."""
    token = token.strip()
    if not token:
        return "Paste a user access token first"
    if not _TOKEN_SHAPE.fullmatch(token):
        return f"This doesn't look like a valid access token: {EXPLORER_STEPS}."
    return None


@dataclass(frozen=True)
class AppCheck:
    """The guide's check of the owner's Meta app: its name, whether it is Live (None: Meta doesn't say)."""

    name: str
    live: bool | None

    @property
    def live_problem(self) -> str | None:
        if self.live is False:
            return (
                f"“{self.name}” is still in development mode: your posts would be seen only by the app's admins. "
                "Switch “App Mode” to Live at the top of the App Dashboard, then check again."
            )
        return None


@dataclass(frozen=True)
class ScopeCheck:
    """What debug_token says the owner granted, and the required permissions that are missing."""

    granted: tuple[str, ...]
    missing: tuple[str, ...]

    @classmethod
    def of(cls, granted: Sequence[str]) -> ScopeCheck:
        from autoposter_gui.engine.health import REQUIRED_SCOPES

        needed = [s for scopes in REQUIRED_SCOPES.values() for s in scopes]
        return cls(tuple(granted), tuple(s for s in needed if s not in granted))

    @property
    def problem(self) -> str | None:
        if not self.missing:
            return None
        return (
            f"Autoposter was not given these permissions: {', '.join(self.missing)}. Add them to your app's use case "
            "(“Customize” → Permissions), then log in again and allow them."
        )


def _connect_error(exc: PublishError, *, stage: str) -> PublishError | ValidationError:
    """Meta's answer while connecting, in words about connecting: nothing retries here, the owner tries again."""
    if exc.kind is ErrorKind.TEMPORARY:
        return dataclasses.replace(
            exc,
            user_message="Facebook didn't answer properly just now (a temporary problem). Nothing was saved; "
            "try again in a minute.",
        )
    if stage == "app":
        return ValidationError(
            f"Meta didn't accept this App ID and App Secret: copy both again from your app's {APP_SETTINGS} "
            "(click “Show” next to App Secret)."
        )
    if stage == "token" and exc.category is ErrorCategory.TOKEN:
        return ValidationError(f"Meta didn't accept this user token (it isn't valid, or it expired): {EXPLORER_STEPS}.")
    return exc


class _Connector(AppConnect, TokenCheck, Protocol):
    """A session of a network connected Meta's way (the owner's app and a user token)."""

    def close(self) -> None: ...


class AccountService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.repo = ctx.repo

    def _connector(self, app_secret: str) -> _Connector:
        """A session with Meta that signs with the pasted ``app_secret`` (not yet stored), on the configured origin
        (never an injected client: connecting is checked against the real answers)."""
        network = registry.for_platform(Platform.FACEBOOK.value)
        env = replace(self.ctx.network_env(network.key), client_factory=None, app_secret=app_secret.strip())
        session = network.session(env)
        assert isinstance(session, AppConnect) and isinstance(session, TokenCheck)
        return session

    def discover(self, app_id: str, app_secret: str, user_token: str) -> Discovery:
        """Exchange for a long-lived user token and list the Pages and IG accounts it can manage."""
        for value, label in ((app_id, "App ID"), (app_secret, "App Secret"), (user_token, "user token")):
            if not value or not value.strip():
                raise ValidationError(f"The {label} is empty")
        remember(app_secret, user_token)  # masked by value from now on, even if Meta echoes them in an error
        shape = token_shape_problem(user_token)
        if shape is not None:
            raise ValidationError(shape)
        self.ctx.tokens.check()
        auth = self._connector(app_secret)
        stage = "app"
        try:
            auth.app_info(app_id.strip(), app_secret.strip())  # a wrong ID or secret is named as such
            stage = "token"
            long_token, expires_at = auth.exchange_long_lived(app_id.strip(), app_secret.strip(), user_token.strip())
            remember(long_token)
            stage = "pages"
            found = auth.discover(long_token)
            remember(*(f.access_token for f in found))
        except PublishError as exc:
            raise _connect_error(exc, stage=stage) from None
        finally:
            auth.close()
        return Discovery(long_token, expires_at, tuple(found))

    def check_app(self, app_id: str, app_secret: str) -> AppCheck:
        """The guide's check of the App ID and App Secret pair (and the app's mode, when Meta says it)."""
        for value, label in ((app_id, "App ID"), (app_secret, "App Secret")):
            if not value or not value.strip():
                raise ValidationError(f"Enter the {label} first: it is in your app's {APP_SETTINGS}")
        remember(app_secret)
        auth = self._connector(app_secret)
        try:
            info = auth.app_info(app_id.strip(), app_secret.strip())
        except PublishError as exc:
            raise _connect_error(exc, stage="app") from None
        finally:
            auth.close()
        return AppCheck(info.name, info.live)

    def check_scopes(self, app_id: str, app_secret: str, user_token: str) -> ScopeCheck | None:
        """Which of the permissions Autoposter needs the token lacks (None when Meta can't say)."""
        granted = self.granted_scopes(app_id, app_secret, user_token)
        return None if granted is None else ScopeCheck.of(granted)

    def granted_scopes(self, app_id: str, app_secret: str, user_token: str) -> list[str] | None:
        """The permissions the owner granted (None when Meta can't say)."""
        remember(app_secret, user_token)
        auth = self._connector(app_secret)
        try:
            info = auth.debug_token(app_id.strip(), app_secret.strip(), user_token)
        except PublishError:
            return None
        finally:
            auth.close()
        return list(info.scopes) if info.is_valid else None

    def connect(
        self,
        app_id: str,
        app_secret: str,
        user_token: str,
        choose: Callable[[Sequence[DiscoveredAccount]], Sequence[DiscoveredAccount]] | None = None,
    ) -> list[Account]:
        """Discover, store secrets in the keyring, and record the accounts (all of them unless ``choose`` picks)."""
        discovery = self.discover(app_id, app_secret, user_token)
        chosen = list(choose(discovery.accounts) if choose else discovery.accounts)
        return self.save(app_id, app_secret, discovery, chosen)

    def save(
        self, app_id: str, app_secret: str, discovery: Discovery, chosen: Sequence[DiscoveredAccount]
    ) -> list[Account]:
        tokens, now = self.ctx.tokens, self.ctx.clock.now()
        tokens.set(APP_ID, app_id.strip())
        tokens.set(APP_SECRET, app_secret.strip())
        tokens.set(USER_TOKEN, discovery.user_token)
        saved: list[Account] = []
        for found in chosen:
            tokens.set_account_token(found.platform.value, found.external_id, found.access_token)
            account = self.repo.upsert_account(found, None, now)
            for item_id in self.repo.clear_account_notes(account.id):
                self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
            saved.append(account)
            self.ctx.events.emit(Events.ACCOUNT_CHANGED, account.id)
        log.info("connected %d account(s)", len(saved))
        return saved

    def accounts(self) -> list[Account]:
        return self.repo.accounts()

    def stored_app(self) -> tuple[str | None, str | None]:
        """The App ID and App Secret the keyring already holds ((None, None) when it can't be read: a keyring may
        prompt, so call this off the GUI thread)."""
        try:
            return self.ctx.tokens.get(APP_ID), self.ctx.tokens.get(APP_SECRET)
        except KeyringUnavailableError:
            return None, None

    def disconnect(self, account_id: int) -> int:
        """Remove the account's token; its pending posts are kept and flagged. Returns how many were flagged."""
        account = self.repo.account(account_id)
        if account is None:
            raise ValidationError(f"No account with id {account_id}")
        self.ctx.tokens.delete_account_token(account.platform, account.external_id)
        self.repo.set_account_status(
            account_id,
            AccountStatus.DISCONNECTED,
            "Disconnected: reconnect it to publish",
            self.ctx.clock.now(),
        )
        pending = [i for i in self.repo.items([ItemStatus.SCHEDULED, ItemStatus.DRAFT]) if i.account_id == account_id]
        label = account_label(account)
        for item in pending:
            self.repo.flag(
                item.id, f"Needs attention: {label} was disconnected; reconnect it to publish", "disconnected"
            )
            self.ctx.events.emit(Events.ITEM_CHANGED, item.id)
        self.ctx.events.emit(Events.ACCOUNT_CHANGED, account_id)
        return len(pending)
