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
from autoposter_gui.tokens import TokenStore as TokenStore  # the type callers hand to open()

if TYPE_CHECKING:
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
    # Tests inject Meta's HTTP client (a GraphClient) here; networks get it through network_env("meta").
    client_factory: Callable[[], Any] | None = None

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

    def network_env(self, key: str) -> Env:
        """What network ``key`` is given (see networks.protocol.Env): its origin (config.network_origin), the
        keyring, the engine's clock, the injected client factory (tests) for Meta, and the data folder's lock folder."""
        from autoposter_gui.networks.protocol import Env

        return Env(
            origin=self.config.network_origin(key),
            secrets=self.tokens,
            now=self.clock.now,
            sandbox=self.config.sandbox,
            client_factory=self.client_factory if key == "meta" else None,
            locks=self.config.locks_dir,
        )

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
