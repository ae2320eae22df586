"""Token exchange, Page/Instagram discovery and token health checks against the Graph API."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from autoposter_gui.domain.clock import Clock, SystemClock
from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.models import DiscoveredAccount, Platform, TokenInfo
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.meta.errors import unexpected_answer
from autoposter_gui.networks.capabilities import AppInfo as AppInfo
from autoposter_gui.networks.redact import MASK, install_redaction

logger = logging.getLogger(__name__)
install_redaction(__name__)

ACCOUNT_FIELDS = "id,name,access_token,tasks,instagram_business_account{id,username}"
MAX_ACCOUNT_PAGES = 10
_PAGING_DROP = {"access_token", "appsecret_proof"}

T = TypeVar("T")


def _scrubbed(call: Callable[[], T], *secrets: str) -> T:
    """Run ``call``; if it raises PublishError, make sure no secret appears verbatim in its message."""
    try:
        return call()
    except PublishError as exc:
        message = exc.user_message
        for secret in secrets:
            if secret:
                message = message.replace(secret, MASK)
        if message == exc.user_message:
            raise
        raise dataclasses.replace(exc, user_message=message) from None


def _next_params(paging: object) -> dict[str, str] | None:
    """Query parameters of ``paging.next`` (minus any credentials), or None at the last page.

    Only the parameters are reused: the next request goes to our own origin with our own token, so a URL from
    the answer never receives the token.
    """
    if not isinstance(paging, dict):
        return None
    next_url = paging.get("next")
    if not isinstance(next_url, str) or not next_url:
        return None
    params = {k: v for k, v in parse_qsl(urlsplit(next_url).query) if k not in _PAGING_DROP}
    if not params:
        cursors = paging.get("cursors")
        after = cursors.get("after") if isinstance(cursors, dict) else None
        if not isinstance(after, str):
            return None
        params = {"after": after}
    return params


class MetaAuth:
    """Auth-side Graph calls (contract calls 1 to 3)."""

    def __init__(self, client: GraphClient, *, clock: Clock | None = None) -> None:
        self.client = client
        self.clock: Clock = clock or SystemClock()

    def exchange_long_lived(self, app_id: str, app_secret: str, user_token: str) -> tuple[str, datetime | None]:
        """Swap a short-lived user token for a long-lived one; returns (token, expiry in UTC or None)."""
        answer = _scrubbed(
            lambda: self.client.get(
                "/oauth/access_token",
                None,
                params={
                    "grant_type": "fb_exchange_token",
                    "client_id": app_id,
                    "client_secret": app_secret,
                    "fb_exchange_token": user_token,
                },
            ),
            app_secret,
            user_token,
        )
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise unexpected_answer("access token", is_write=False)
        expires_in = answer.get("expires_in")
        expires_at: datetime | None = None
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0:
            expires_at = self.clock.now().astimezone(UTC) + timedelta(seconds=expires_in)
        return token, expires_at

    def _pages(self, user_token: str, fields: str) -> Iterator[dict[str, Any]]:
        """Every Page object of ``/me/accounts`` (with ``fields``), following the paging up to MAX_ACCOUNT_PAGES."""
        params: dict[str, str] | None = {"fields": fields, "limit": "100"}
        pages_read = 0
        while params is not None and pages_read < MAX_ACCOUNT_PAGES:
            answer = _scrubbed(partial(self.client.get, "/me/accounts", user_token, params), user_token)
            pages_read += 1
            data = answer.get("data")
            yield from (page for page in (data if isinstance(data, list) else []) if isinstance(page, dict))
            params = _next_params(answer.get("paging"))
            if params is not None:
                params.setdefault("fields", fields)
        if params is not None:
            logger.warning("Stopped listing Pages after %d result pages", pages_read)

    def discover(self, user_token: str) -> list[DiscoveredAccount]:
        """Every Page the user manages (with its Page token) and each Page's linked Instagram account."""
        found: list[DiscoveredAccount] = []
        seen: set[tuple[Platform, str]] = set()
        for page in self._pages(user_token, ACCOUNT_FIELDS):
            for account in self._accounts_for(page):
                key = (account.platform, account.external_id)
                if key not in seen:
                    seen.add(key)
                    found.append(account)
        return found

    def app_info(self, app_id: str, app_secret: str) -> AppInfo:
        """Read the app with its app token (``ID|secret``): a wrong pair fails here, before any login.

        The mode is asked for separately and is optional: an answer without it, or an error, leaves it unknown.
        """
        app_token = f"{app_id}|{app_secret}"
        answer = _scrubbed(
            lambda: self.client.get(f"/{app_id}", None, params={"fields": "id,name", "access_token": app_token}),
            app_secret,
        )
        name = answer.get("name")
        if answer.get("id") != app_id or not isinstance(name, str):
            raise unexpected_answer("app information", is_write=False)
        live: bool | None = None
        try:
            mode = self.client.get(f"/{app_id}", None, params={"fields": "app_mode", "access_token": app_token})
        except PublishError:
            mode = {}
        if mode.get("app_mode") in ("live", "development"):
            live = mode.get("app_mode") == "live"
        return AppInfo(name=name, live=live)

    def page_tasks(self, user_token: str) -> dict[str, tuple[str, ...]]:
        """The owner's tasks on each Page they have a role on (Page id -> task names), with the user token: what
        the daily check reads to see whether a role can still (or now) create posts. No Page token is asked for."""
        tasks: dict[str, tuple[str, ...]] = {}
        for page in self._pages(user_token, "id,tasks"):
            page_id, raw = page.get("id"), page.get("tasks")
            if isinstance(page_id, str) and page_id and isinstance(raw, list):
                tasks[page_id] = tuple(t for t in raw if isinstance(t, str))
        return tasks

    def debug_token(self, app_id: str, app_secret: str, token: str) -> TokenInfo:
        """Ask Meta whether ``token`` is valid, when it expires (None = never) and which scopes it has."""
        answer = _scrubbed(
            lambda: self.client.get(
                "/debug_token", None, params={"input_token": token, "access_token": f"{app_id}|{app_secret}"}
            ),
            app_secret,
            token,
        )
        data = answer.get("data")
        if not isinstance(data, dict):
            raise unexpected_answer("token information", is_write=False)
        expires = data.get("expires_at")
        expires_at = (
            datetime.fromtimestamp(expires, tz=UTC)
            if isinstance(expires, int) and not isinstance(expires, bool) and expires > 0
            else None
        )
        scopes = data.get("scopes")
        token_type = data.get("type")
        return TokenInfo(
            is_valid=data.get("is_valid") is True,
            expires_at=expires_at,
            scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
            type=token_type if isinstance(token_type, str) else None,
        )

    @staticmethod
    def _accounts_for(page: Mapping[str, Any]) -> list[DiscoveredAccount]:
        page_id = page.get("id")
        page_token = page.get("access_token")
        if not isinstance(page_id, str) or not page_id:
            return []
        if not isinstance(page_token, str) or not page_token:
            logger.info("Page %s came without a Page token (missing task or permission); skipped", page_id)
            return []
        name = page.get("name")
        raw_tasks = page.get("tasks")
        tasks = tuple(t for t in raw_tasks if isinstance(t, str)) if isinstance(raw_tasks, list) else ()
        accounts = [
            DiscoveredAccount(
                platform=Platform.FACEBOOK,
                external_id=page_id,
                name=name if isinstance(name, str) and name else page_id,
                access_token=page_token,
                page_id=page_id,
                tasks=tasks,
            )
        ]
        ig = page.get("instagram_business_account")
        ig_id = ig.get("id") if isinstance(ig, dict) else None
        if isinstance(ig, dict) and isinstance(ig_id, str) and ig_id:
            username = ig.get("username")
            ig_name = username if isinstance(username, str) and username else None
            accounts.append(
                DiscoveredAccount(
                    platform=Platform.INSTAGRAM,
                    external_id=ig_id,
                    name=ig_name or ig_id,
                    access_token=page_token,
                    page_id=page_id,
                    username=ig_name,
                    tasks=tasks,
                )
            )
        return accounts
