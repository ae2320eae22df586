"""Google's hosts (or the one origin that replaces them all) and the authorised JSON call, refreshing once on 401."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from autoposter_gui.google import errors
from autoposter_gui.networks.server_clock import date_header

TIMEOUT = (10.0, 60.0)  # connect, read (seconds)
UPLOAD_TIMEOUT = (10.0, 300.0)


@dataclass(frozen=True)
class Origins:
    """Where each of Google's services lives. ``AUTOPOSTER_GOOGLE_URL`` (env.origin) replaces them all, paths kept."""

    auth: str = "https://accounts.google.com"  # /o/oauth2/auth
    token: str = "https://oauth2.googleapis.com"  # /token
    accounts: str = "https://mybusinessaccountmanagement.googleapis.com"  # /v1/accounts
    info: str = "https://mybusinessbusinessinformation.googleapis.com"  # /v1/{account}/locations
    posts: str = "https://mybusiness.googleapis.com"  # /v4/... and /upload/v1/media/...

    @classmethod
    def of(cls, origin: str | None) -> Origins:
        if not origin:
            return cls()
        one = origin.rstrip("/")
        return cls(one, one, one, one, one)

    @property
    def auth_uri(self) -> str:
        return f"{self.auth}/o/oauth2/auth"

    @property
    def token_uri(self) -> str:
        return f"{self.token}/token"


class Client:
    """One location's calls with one access token; ``refresh`` gives a new token once after a 401."""

    def __init__(
        self, http: requests.Session, origins: Origins, token: str, refresh: Callable[[], str] | None = None
    ) -> None:
        self.http = http
        self.origins = origins
        self._token = token
        self._refresh = refresh
        self.server_time: datetime | None = None  # Google's clock, from the Date header of the last answer

    def call(
        self,
        method: str,
        url: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        create: bool = False,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> dict[str, Any]:
        """The JSON answer of one call; a classified PublishError otherwise (ambiguous only when ``create``)."""
        refreshed = False
        while True:
            sent = {"Authorization": f"Bearer {self._token}", **(headers or {})}
            try:
                response = self.http.request(
                    method, url, json=json, params=params, data=data, headers=sent, timeout=timeout
                )
            except requests.RequestException as exc:
                raise errors.transport(exc, create=create) from None
            self._read_date(response.headers.get("Date"))
            if response.status_code == 401 and not refreshed and self._refresh is not None:
                refreshed = True
                self._token = self._refresh()  # a 401 provably made nothing: the same call again is safe
                continue
            if not response.ok:
                raise errors.classify(response, create=create)
            try:
                body = response.json() if response.content else {}
            except ValueError:
                garbled = errors.unexpected("JSON body")
                garbled.ambiguous = create  # the create call answered 2xx: the post may well exist
                raise garbled from None
            return body if isinstance(body, dict) else {}

    def _read_date(self, value: str | None) -> None:
        when = date_header(value)
        if when is not None:
            self.server_time = when
