"""The services one data folder needs, built once and shared by the CLI and the GUI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import Clock, SystemClock
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.reads import Reads
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.lean import LeanReader
from autoposter_gui.tokens import APP_SECRET
from autoposter_gui.tokens import TokenStore as TokenStore  # the type callers hand to open()

if TYPE_CHECKING:
    from autoposter_gui.meta.client import GraphClient
    from autoposter_gui.networks.protocol import Env
    from autoposter_gui.storage.listing import ItemRecord as ListedItem
    from autoposter_gui.storage.media import MediaStore
    from autoposter_gui.storage.repo import Repo


@dataclass
class Context:
    """Composition root for everything below the UI."""

    config: AppConfig
    store: Store
    tokens: TokenStore
    clock: Clock = field(default_factory=SystemClock)
    events: Events = field(default_factory=Events)
    client_factory: Callable[[], GraphClient] | None = None

    @property
    def repo(self) -> Repo:
        from autoposter_gui.storage.repo import Repo  # the ORM: imported on first use (`queue` lists without it)

        return Repo(self.store)

    @property
    def reads(self) -> Reads:
        """The read models the UI and the CLI list (plain SQL on the store's lean read path; no ORM)."""
        return Reads(LeanReader(self.store.read_raw))

    def listed_items(self) -> list[ListedItem]:
        """Every post with every field `autoposter queue` lists, in id order. A read model kept as a NamedTuple of
        the store's lean listing, not a dataclass per row: the listing runs to tens of thousands (20k in ~25 ms)."""
        from autoposter_gui.storage.listing import item_records

        return item_records(self.store)

    @property
    def media(self) -> MediaStore:
        """The data folder's media store (cheap: no file is touched until something is stored)."""
        from autoposter_gui.storage.media import MediaStore

        return MediaStore(self.config.media_dir, clock=self.clock)

    def graph_client(self) -> GraphClient:
        """A fresh Graph client (one keep-alive session); sends appsecret_proof when the secret is known."""
        if self.client_factory is not None:
            client = self.client_factory()
        else:
            from autoposter_gui.meta.client import GraphClient

            client = GraphClient(origin=self.config.graph_origin, app_secret=self.tokens.get(APP_SECRET))
        client.now = self.clock.now  # Meta's clock offset is measured against the engine's clock
        return client

    def network_env(self, key: str) -> Env:
        """What the network ``key`` gets from this data folder: its origin (None: the real service), the keyring,
        the engine's clock."""
        import os

        from autoposter_gui.networks.protocol import Env

        variable = {"meta": "AUTOPOSTER_GRAPH_URL", "x": "AUTOPOSTER_X_URL", "google": "AUTOPOSTER_GOOGLE_URL"}[key]
        # In sandbox mode the sandbox server (graph_origin once it runs) serves every network's paths.
        origin = self.config.graph_origin if key == "meta" or self.config.sandbox else None
        return Env(origin or os.environ.get(variable) or None, self.tokens, self.clock.now, self.config.sandbox)

    @classmethod
    def open(
        cls,
        config: AppConfig,
        *,
        tokens: TokenStore | None = None,
        clock: Clock | None = None,
        allow_new: bool = False,
    ) -> Context:
        """Open the data folder's store (MissingDatabaseError when its database is gone; ``allow_new`` starts an
        empty one on purpose)."""
        store = Store(config.db_path, allow_new=allow_new)
        return cls(
            config=config,
            store=store,
            tokens=tokens or TokenStore(config.keyring_service),
            clock=clock or SystemClock(),
        )

    def keep_tokens_in(self, backend: Any) -> None:
        """Keep secrets in ``backend`` (a keyring-like object) from now on: sandbox mode's in-memory fallback."""
        self.tokens = TokenStore(self.config.keyring_service, backend)

    def close(self) -> None:
        self.store.close()
