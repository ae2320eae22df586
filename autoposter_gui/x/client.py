"""One HTTP session to X's API: bearer calls that return the JSON answer or raise a classified PublishError."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from autoposter_gui.domain.errors import PublishError
from autoposter_gui.networks.server_clock import date_header
from autoposter_gui.x import errors
from autoposter_gui.x.urls import Urls

TIMEOUT = (10.0, 60.0)  # connect, read (seconds)


class XClient:
    """Bearer-token calls to X (``api`` origin). Never logs or raises a token."""

    def __init__(self, urls: Urls, now: Callable[[], datetime], http: requests.Session | None = None) -> None:
        self.urls = urls
        self.now = now
        self.http = http or requests.Session()
        # X's clock minus ours, from the Date header of the last answer (None until one had it).
        self.clock_offset: timedelta | None = None

    def call(
        self,
        method: str,
        path: str,
        token: str,
        *,
        what: str,
        create: bool = False,
        username: str | None = None,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The JSON answer of a 2xx (``{}`` when empty); PublishError otherwise (``create``: may be ambiguous)."""
        try:
            response = self.http.request(
                method,
                self.urls.api + path,
                headers={"Authorization": f"Bearer {token}"},
                params=params,
                json=json,
                data=data,
                files=files,
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise errors.from_exception(exc, what=what, create=create) from None
        self._read_date(response.headers.get("Date"))
        if not 200 <= response.status_code < 300:
            raise errors.from_response(response, what=what, create=create, now=self.now(), username=username)
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            raise errors.unexpected(what, create=create) from None
        if not isinstance(body, dict):
            raise errors.unexpected(what, create=create)
        return body

    def _read_date(self, value: str | None) -> None:
        server = date_header(value)
        if server is not None:
            self.clock_offset = server - self.now()

    def close(self) -> None:
        self.http.close()


def is_auth_refusal(err: PublishError) -> bool:
    """X answered 401: the access token is not (or no longer) accepted; nothing was created."""
    return err.http_status == 401
