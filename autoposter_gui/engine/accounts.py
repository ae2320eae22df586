"""Connecting Meta: exchange the token, discover Pages and IG accounts, keep tokens in the keyring."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.known_secrets import remember
from autoposter_gui.domain.models import AccountStatus, DiscoveredAccount, ItemStatus, can_post
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.labels import account_label
from autoposter_gui.meta.auth import MetaAuth
from autoposter_gui.storage.models import Account
from autoposter_gui.tokens import APP_ID, APP_SECRET, USER_TOKEN

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


class AccountService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.repo = ctx.repo

    def discover(self, app_id: str, app_secret: str, user_token: str) -> Discovery:
        """Exchange for a long-lived user token and list the Pages and IG accounts it can manage."""
        for value, label in ((app_id, "App ID"), (app_secret, "App Secret"), (user_token, "user token")):
            if not value or not value.strip():
                raise ValidationError(f"The {label} is empty")
        remember(app_secret, user_token)  # masked by value from now on, even if Meta echoes them in an error
        self.ctx.tokens.check()
        from autoposter_gui.meta.client import GraphClient

        client = GraphClient(origin=self.ctx.config.graph_origin, app_secret=app_secret.strip())
        try:
            auth = MetaAuth(client)
            long_token, expires_at = auth.exchange_long_lived(app_id.strip(), app_secret.strip(), user_token.strip())
            remember(long_token)
            found = auth.discover(long_token)
            remember(*(f.access_token for f in found))
        finally:
            client.close()
        return Discovery(long_token, expires_at, tuple(found))

    def granted_scopes(self, app_id: str, app_secret: str, user_token: str) -> list[str] | None:
        """The permissions the owner granted (None when Meta can't say)."""
        from autoposter_gui.domain.errors import PublishError
        from autoposter_gui.meta.client import GraphClient

        remember(app_secret, user_token)
        client = GraphClient(origin=self.ctx.config.graph_origin, app_secret=app_secret.strip())
        try:
            info = MetaAuth(client).debug_token(app_id.strip(), app_secret.strip(), user_token)
        except PublishError:
            return None
        finally:
            client.close()
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
        pending = [i for i in self.repo.items([ItemStatus.SCHEDULED, ItemStatus.QUEUED]) if i.account_id == account_id]
        label = account_label(account)
        for item in pending:
            self.repo.flag(
                item.id, f"Needs attention: {label} was disconnected; reconnect it to publish", "disconnected"
            )
            self.ctx.events.emit(Events.ITEM_CHANGED, item.id)
        self.ctx.events.emit(Events.ACCOUNT_CHANGED, account_id)
        return len(pending)
