"""Connecting a network by browser sign-in (X, Google Business Profile): the loopback redirect, the code exchange,
and the accounts saved. The CLI and the GUI both run it; only the network package knows the provider."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.known_secrets import remember
from autoposter_gui.domain.models import AccountStatus, DiscoveredAccount
from autoposter_gui.engine.events import Events
from autoposter_gui.networks import registry
from autoposter_gui.networks.loopback import DEFAULT_TIMEOUT, LoopbackReceiver
from autoposter_gui.networks.protocol import Network, OAuthFlow

if TYPE_CHECKING:
    from autoposter_gui.engine.context import Context
    from autoposter_gui.storage.models import Account

log = logging.getLogger(__name__)

Choose = Callable[[Sequence[DiscoveredAccount]], Sequence[DiscoveredAccount]]


class BrowserConnect:
    """One sign-in: binds the loopback port at once (so ``url`` can be shown), then ``wait`` finishes it.

    ``network`` is a key of the registry ("x", "google"). Nothing is stored until the provider sent the owner
    back and the code was exchanged; the secrets go to the keyring, the accounts to the store.
    """

    def __init__(
        self,
        ctx: Context,
        network: str,
        *,
        client_id: str,
        client_secret: str | None = None,
        port: int | None = None,
    ) -> None:
        self.ctx = ctx
        self.network: Network = registry.network(network)
        client_id = (client_id or "").strip()
        if not client_id:
            raise ValidationError(f"The client ID is empty: copy it from your {self.label} app's settings")
        if client_secret is not None:
            client_secret = client_secret.strip()
            if not client_secret:
                raise ValidationError(f"The client secret is empty: copy it from your {self.label} app's settings")
            remember(client_secret)
        if port is not None and not 0 <= port <= 65535:
            raise ValidationError(f"--port must be between 1 and 65535, not {port}")
        ctx.tokens.check()  # no keyring: say so before the owner signs in for nothing
        default = self.network.default_port
        self._receiver = LoopbackReceiver(default if port is None else port, self.network.redirect_path)
        try:
            self._flow: OAuthFlow = self.network.begin_connect(
                ctx.network_env(self.network.key),
                client_id=client_id,
                client_secret=client_secret,
                port=self._receiver.port,
            )
        except BaseException:
            self._receiver.close()
            raise
        self.cancelled = threading.Event()

    @property
    def label(self) -> str:
        return self.network.label(self.network.platforms[0])

    @property
    def url(self) -> str:
        """The sign-in page to open in the owner's browser."""
        return self._flow.authorization_url

    @property
    def redirect_uri(self) -> str:
        return self._flow.redirect_uri

    def wait(self, timeout: float = DEFAULT_TIMEOUT, choose: Choose | None = None) -> list[Account]:
        """Wait for the browser to come back, exchange the code, discover and save the accounts (all of them
        unless ``choose`` picks). ConnectError (a sentence to show) when the sign-in fails or times out."""
        found = self.finish(timeout)
        chosen = list(choose(found)) if choose is not None else found
        return self.save(chosen, dropped=[f for f in found if f not in chosen])

    def finish(self, timeout: float = DEFAULT_TIMEOUT) -> list[DiscoveredAccount]:
        """The first half of ``wait`` for a caller that lets the owner choose later (the GUI's checklist): the
        accounts found, their secrets in the keyring, nothing saved yet. Follow it with ``save`` or ``forget``."""
        redirect = self._receiver.wait(timeout, self.cancelled)
        return list(self._flow.finish(redirect).accounts)

    def forget(self, found: Sequence[DiscoveredAccount]) -> None:
        """The owner gave up after ``finish``: the secrets of accounts not already connected leave the keyring."""
        self.save([], dropped=found)

    def save(self, chosen: Sequence[DiscoveredAccount], dropped: Sequence[DiscoveredAccount] = ()) -> list[Account]:
        """Record the chosen accounts (their secrets are in the keyring already); forget the secrets of the rest."""
        repo, now = self.ctx.repo, self.ctx.clock.now()
        for found in dropped:
            known = repo.account_by_external(found.external_id)
            if known is None or known.platform != found.platform.value:
                self.ctx.tokens.delete_account_token(found.platform.value, found.external_id)
        saved: list[Account] = []
        for found in chosen:
            account = repo.upsert_account(found, None, now)
            # The sign-in was just exchanged for working tokens: checked now (the Accounts tab says so at once).
            repo.set_account_status(account.id, AccountStatus.CONNECTED, None, now)
            for item_id in repo.clear_account_notes(account.id):
                self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
            saved.append(account)
            self.ctx.events.emit(Events.ACCOUNT_CHANGED, account.id)
        if saved:
            log.info("connected %d %s account(s)", len(saved), self.network.key)
        return saved

    def cancel(self) -> None:
        """Stop waiting (the GUI's Cancel): ``wait`` raises ConnectError("Connecting was cancelled")."""
        self.cancelled.set()

    def close(self) -> None:
        self._receiver.close()
