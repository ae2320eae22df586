"""Optional features a network may offer beyond publishing, each its own runtime-checkable protocol.

The engine asks a network's :class:`~autoposter_gui.networks.protocol.Session` (or its ``Network``) for a feature with
``isinstance(session, Comments)`` and simply skips it when the network lacks it; the decisions stay in the engine
and the domain, only the provider calls live behind these protocols. Meta (``meta/session.py``) offers them all today.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.insights import InsightsState
from autoposter_gui.domain.models import DiscoveredAccount, MediaRef, PublishResult, TokenInfo
from autoposter_gui.networks.protocol import AccountRef, Post

# ----- the plain values the features speak -------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledPost:
    """What the provider's scheduler says of a post handed to it."""

    gone: bool
    published: bool = False
    permalink: str | None = None
    created_time: str | None = None


@dataclass(frozen=True)
class InsightTarget:
    """A published post to ask about: its queue item id, platform and provider id (a carousel's parent)."""

    key: int
    platform: str
    media_id: str


@dataclass
class InsightResult:
    """What the provider said about one post: a state, and the metric values when the state is ok."""

    key: int
    state: InsightsState
    metrics: dict[str, int] = field(default_factory=dict)
    detail: str | None = None


@dataclass(frozen=True)
class AppInfo:
    """What the provider says about the owner's app: its name, and whether it is Live (None when it doesn't say)."""

    name: str
    live: bool | None


class LoginError(AutoposterError):
    """The login did not produce a usable token; the message says why and what to do."""


@dataclass(frozen=True)
class LoginResult:
    """A finished browser login: the user token (never shown), its lifetime and the permissions granted."""

    access_token: str = field(repr=False)
    expires_in: int | None
    granted_scopes: tuple[str, ...]


# ----- session features ----------------------------------------------------------------------------------------


@runtime_checkable
class Prefetch(Protocol):
    """Prepares a coming post's media in the background (on ``Env.media``) while the current one publishes."""

    def prefetch(self, post: Post) -> None: ...


@runtime_checkable
class DailyLimit(Protocol):
    """A rolling 24-hour publishing limit the provider counts itself (Instagram's)."""

    def has_daily_limit(self, platform: str) -> bool:
        """Whether ``platform`` has such a limit (no call: the engine asks only then, and only when near it)."""
        ...

    def publishing_quota(self, account: AccountRef, token: str) -> tuple[int, int] | None:
        """(used, total) for the account, or None when its platform has no such limit. PublishError when the
        provider can't say now."""
        ...


@runtime_checkable
class Comments(Protocol):
    """A first comment under a published post, posted once and found again after a crash."""

    def post_comment(self, object_id: str, token: str, message: str) -> tuple[str, str | None]:
        """Post ``message`` under ``object_id``: (comment id, the provider's own link id or None)."""
        ...

    def find_comment(
        self, object_id: str, token: str, message: str, platform: str
    ) -> tuple[str, str | None] | None: ...

    def comment_link(self, post_permalink: str | None, comment_id: str, given: str | None) -> str | None: ...


@runtime_checkable
class Scheduler(Protocol):
    """The provider's own scheduler: a post handed off ahead of its time, then changed, verified or taken back."""

    def is_gone(self, err: Exception) -> bool:
        """The provider's answer for a post that no longer exists."""
        ...

    def schedule_post(
        self, page_id: str, token: str, text: str, link: str | None, images: Sequence[MediaRef], due: datetime
    ) -> str: ...

    def find_scheduled(self, page_id: str, token: str, text: str, due: datetime, used_ids: set[str]) -> str | None: ...

    def update_scheduled(self, post_id: str, token: str, *, message: str | None, due: datetime | None) -> None: ...

    def delete_scheduled(self, post_id: str, token: str) -> None: ...

    def publish_scheduled_now(self, post_id: str, token: str) -> None: ...

    def read_scheduled(self, post_id: str, token: str) -> ScheduledPost: ...

    def find_published(
        self, page_id: str, token: str, text: str, since: datetime, used_ids: set[str]
    ) -> PublishResult | None:
        """A post with ``text`` published on the page since ``since`` (ids in ``used_ids`` skipped)."""
        ...


@runtime_checkable
class TokenCheck(Protocol):
    """Reading what a token may do (validity, expiry, scopes) and the owner's tasks on each page."""

    def debug_token(self, app_id: str, app_secret: str, token: str) -> TokenInfo: ...

    def page_tasks(self, user_token: str) -> dict[str, tuple[str, ...]]: ...


@runtime_checkable
class Insights(Protocol):
    """Metrics of published posts, fetched in batches."""

    def watch_requests(self, on_request: Callable[[str, str], None]) -> None:
        """Call ``on_request(method, path)`` for every HTTP request this session makes from now on."""
        ...

    def fetch_insights(self, token: str, targets: Sequence[InsightTarget]) -> list[InsightResult]: ...


@runtime_checkable
class AppConnect(Protocol):
    """Connecting with the owner's own app (app id + app secret) and a user token (Meta's way)."""

    def app_info(self, app_id: str, app_secret: str) -> AppInfo: ...

    def exchange_long_lived(self, app_id: str, app_secret: str, user_token: str) -> tuple[str, datetime | None]: ...

    def discover(self, user_token: str) -> list[DiscoveredAccount]: ...


# ----- network features (no session: nothing goes over the wire) -------------------------------------------------


@runtime_checkable
class BrowserLogin(Protocol):
    """A login dialog shown in an embedded browser whose redirect carries the user token (Facebook Login)."""

    dialog_origin: str
    scopes: tuple[str, ...]
    api_version: str

    def new_state(self) -> str: ...

    def login_url(self, app_id: str, state: str, *, dialog_origin: str | None = None) -> str: ...

    def is_redirect(self, url: str) -> bool: ...

    def parse_login_redirect(self, url: str, expected_state: str) -> LoginResult: ...
