"""The one interface every network implements (Meta, X, Google Business Profile) and the plain values it speaks.

The engine, the CLI and the GUI talk to networks only through these types and :mod:`autoposter_gui.networks.registry`;
none of them imports a network package. A network package (``meta/``, ``x/``, ``google/``) exposes ``NETWORK``, an
object that satisfies :class:`Network`. Everything a network sends over the wire, and the format of the secrets it
keeps in the keyring, stays inside its package.

Exactly once: :meth:`Session.publish` hands every provider id it creates before the final call to ``save`` (which
commits it) before it makes the next call; a later try gets them back in ``checkpoint`` and carries on from there.
An error whose outcome is unknown (a timeout on the create call) is a ``PublishError`` with ``ambiguous=True``: the
engine then calls :meth:`Session.reconcile` before anything else happens to the post.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import AutoposterError, PublishError, ValidationError
from autoposter_gui.domain.models import Checkpoint, DiscoveredAccount, MediaRef, PublishResult, SaveCheckpoint

# A checkpoint key whose value is also stored in the attempt's ``container_id`` column (reconcile reads it there).
CONTAINER_ID = "container_id"
# ``PublishError.extra[WAIT]`` set (with ``retry_after``): the provider is still processing what was sent (or the
# network can't go on yet for a reason that is nobody's failure: X's sign-in being renewed by another process); the
# post waits without spending a try and the next try resumes from the checkpoint (never creates the post again).
WAIT = "wait"


class ConnectError(AutoposterError):
    """Connecting failed: ``str(err)`` says what to do (never contains a secret)."""


@dataclass(frozen=True)
class AccountRef:
    """A connected account as a network sees it (one row of ``accounts``)."""

    id: int
    platform: str
    external_id: str
    name: str
    username: str | None = None
    # Meta: an Instagram account's linked Page id. Google: the account resource ("accounts/123") of the location.
    page_id: str | None = None


@dataclass(frozen=True)
class Post:
    """What to publish: the queue item as every network reads it."""

    item_id: int
    platform: str
    text: str
    media: tuple[MediaRef, ...] = ()
    link: str | None = None
    first_comment: str | None = None
    # Per-network fields (Google: topic type, button, event, offer), stored with the item; {} for most posts.
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reconciliation:
    """A provider's answer to "did this attempt publish?": ``found`` when it went out, ``container`` when a
    prepared object (an Instagram container) is ready to be published without being made again."""

    check: CheckResult
    found: PublishResult | None = None
    container: str | None = None
    error: PublishError | None = None


class Secrets(Protocol):
    """The OS keyring as a network sees it (the engine's TokenStore). Values never go anywhere else."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


@runtime_checkable
class FreshSecrets(Secrets, Protocol):
    """A keyring whose ``get`` may answer from memory (the engine's TokenStore during a runner tick): ``get_fresh``
    always reads the keyring itself. A network reads a secret that another process may have changed meanwhile (a
    rotated refresh token) this way, once it holds the account's lock. Optional: plain Secrets are read with get."""

    def get_fresh(self, key: str) -> str | None: ...


@dataclass(frozen=True)
class Env:
    """What the engine gives a network: where to reach it (None: the real service), the keyring, the clock."""

    origin: str | None
    secrets: Secrets
    now: Callable[[], datetime]
    sandbox: bool = False
    # Optional, for one caller or test (each network may ignore what it has no use for):
    # a factory of the network's own HTTP client (tests inject one; Meta: a GraphClient), used instead of building one;
    client_factory: Callable[[], Any] | None = None
    # an app secret to use instead of the stored one (Meta's connect checks the pasted secret before storing it);
    app_secret: str | None = None
    # where images of coming posts are converted in the background (see capabilities.Prefetch);
    media: Executor | None = None
    # (connect, read) HTTP timeouts in seconds when the caller needs a quick answer (None: the network's default).
    timeout: tuple[float, float] | None = None
    # a private folder for lock files that hold across processes (the GUI and a CLI command on one data folder):
    # X takes one per account around a refresh (single-use refresh tokens). None: locks hold within this process.
    locks: Path | None = None


@dataclass(frozen=True)
class ConnectResult:
    """What a finished connect found. Each account's secrets are already in the keyring when this is returned."""

    accounts: tuple[DiscoveredAccount, ...]
    warnings: tuple[str, ...] = ()


class OAuthFlow(Protocol):
    """One browser sign-in (OAuth 2.0 authorization code with PKCE and a loopback redirect)."""

    @property
    def authorization_url(self) -> str: ...

    @property
    def redirect_uri(self) -> str: ...

    def finish(self, redirect_url: str) -> ConnectResult:
        """Check the redirect (state, error), exchange the code, discover the accounts and store their secrets.
        Raises ConnectError with a sentence the owner can act on."""
        ...


class Session(Protocol):
    """One worker thread's connection to a network (it holds one HTTP session)."""

    def access_token(self, account: AccountRef) -> str | None:
        """A usable access token for ``account`` (refreshed first when it is about to expire; a rotated refresh
        token is stored before anything else), or None when none is stored. PublishError(TOKEN) when the network
        refuses the refresh: the owner must reconnect."""
        ...

    def publish(
        self,
        account: AccountRef,
        token: str,
        post: Post,
        checkpoint: Checkpoint,
        save: SaveCheckpoint,
        resume: str | None = None,
    ) -> PublishResult:
        """Publish ``post`` in steps, handing each provider id to ``save`` before the next call; ``checkpoint`` holds
        those of the last interrupted try. ``resume`` is a ready object that reconcile found (publish only it).
        Raises PublishError (classified: kind, category, ambiguous, retry_after) on failure."""
        ...

    def reconcile(
        self, account: AccountRef, token: str, post: Post, attempt: AttemptFacts, used_ids: set[str]
    ) -> Reconciliation:
        """Did ``attempt`` publish ``post``? Look only from the attempt's start, and skip ids in ``used_ids`` (posts
        already recorded for other items). Never raises: an unreachable provider is ``CheckResult.UNKNOWN``."""
        ...

    def close(self) -> None: ...


class Network(Protocol):
    """One network: Meta (Facebook and Instagram), X, or Google Business Profile."""

    key: str  # "meta", "x", "google"
    platforms: tuple[str, ...]  # the queue's platform values it publishes ("facebook", "instagram"; "x"; "google")
    default_port: int  # the loopback port of its sign-in redirect (0: any free port)
    redirect_path: str  # the path of that redirect ("/callback" for X, "/" for Google)

    def label(self, platform: str) -> str:
        """How the owner reads the platform ("Facebook", "X", "Google Business Profile")."""
        ...

    def preflight(self, post: Post) -> list[ValidationError]:
        """Every problem with ``post`` for this network, checked locally (no network call); [] when it can go."""
        ...

    def session(self, env: Env) -> Session: ...

    def begin_connect(
        self, env: Env, *, client_id: str, client_secret: str | None = None, port: int | None = None
    ) -> OAuthFlow:
        """Start a browser sign-in (networks that connect another way raise ConnectError)."""
        ...

    def permalink(self, account: AccountRef, provider_post_id: str, answer: Mapping[str, Any]) -> str | None:
        """The public link of a published post."""
        ...
