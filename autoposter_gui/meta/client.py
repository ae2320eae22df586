"""Thin Graph API HTTP client: one keep-alive session, appsecret_proof, timeouts, rate-limit awareness."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.known_secrets import remember
from autoposter_gui.meta.errors import classify_exception, classify_response, parse_usage_headers
from autoposter_gui.networks.redact import install_redaction
from autoposter_gui.networks.server_clock import date_header

GRAPH_VERSION = "v24.0"
DEFAULT_ORIGIN = "https://graph.facebook.com"
ORIGIN_ENV = "AUTOPOSTER_GRAPH_URL"

HIGH_USAGE_PERCENT = 95.0
MAX_BACKOFF_SECONDS = 5.0

logger = logging.getLogger(__name__)
install_redaction(__name__)

if TYPE_CHECKING:  # requests is imported when the first client is made: not needed to start the app
    import requests

# A multipart file: (filename, content, content type).
FileSpec = tuple[str, bytes, str]


class BodyStream(Protocol):
    """A request body read piece by piece (requests sends ``len()`` as Content-Length, then ``read()``s it)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def __len__(self) -> int: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


def graph_origin() -> str:
    """The Graph origin: ``AUTOPOSTER_GRAPH_URL`` when set (sandbox, tests), else graph.facebook.com."""
    override = os.environ.get(ORIGIN_ENV, "").strip()
    return (override or DEFAULT_ORIGIN).rstrip("/")


def appsecret_proof(app_secret: str, token: str) -> str:
    """hex HMAC-SHA256 of the token keyed with the app secret."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _log_path(path: str) -> str:
    return path.split("?", 1)[0]


def _session_for(origin: str) -> requests.Session:
    """A keep-alive session with the environment's proxy and CA settings read once, for ``origin``.

    By default requests re-reads them on every call (it walks the whole environment for ``*_proxy`` variables,
    a few ms of CPU a request that other threads, the GUI's among them, wait behind); every call of a client
    goes to the same origin, so the answer can't change between calls.
    """
    import requests
    from requests.utils import get_environ_proxies

    session = requests.Session()
    session.proxies.update(get_environ_proxies(origin))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


class GraphClient:
    """Calls ``{origin}/{version}{path}`` and returns the decoded JSON object, or raises PublishError.

    Never retries by itself: a write that failed ambiguously must be reconciled by the caller, not repeated.
    """

    def __init__(
        self,
        *,
        origin: str | None = None,
        version: str = GRAPH_VERSION,
        app_secret: str | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[str, str], None] | None = None,
    ) -> None:
        self.origin = (origin or graph_origin()).rstrip("/")
        self.version = version.strip("/")
        self._app_secret = app_secret or None
        remember(app_secret)  # masked by value in anything logged or shown, even when Meta echoes it
        self.timeout = timeout
        self.session = session if session is not None else _session_for(self.origin)
        self.sleep = sleep
        self.on_request = on_request
        self.usage: float = 0.0
        self.regain_after: timedelta | None = None
        # Meta's clock minus ours, from the Date header of the last answer (None until one had it). ``now`` is
        # our clock: the engine sets its own (so a test clock and the measurement agree).
        self.now: Callable[[], datetime] = _utc_now
        self.clock_offset: timedelta | None = None

    def __repr__(self) -> str:
        return f"GraphClient(origin={self.origin!r}, version={self.version!r})"

    def close(self) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        if not path.startswith("/"):
            path = "/" + path
        return f"{self.origin}/{self.version}{path}"

    def get(self, path: str, token: str | None, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        query = dict(params or {})
        query.update(self._auth(token))
        return self._request("GET", path, params=query)

    def post(
        self,
        path: str,
        token: str | None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, FileSpec] | None = None,
    ) -> dict[str, Any]:
        form = dict(data or {})
        form.update(self._auth(token))
        return self._request("POST", path, data=form, files=dict(files) if files else None)

    def delete(self, path: str, token: str | None) -> dict[str, Any]:
        return self._request("DELETE", path, params=self._auth(token))

    def send_body(
        self,
        url: str,
        token: str,
        body: BodyStream,
        *,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        is_write: bool = False,
        counted: bool = False,
    ) -> dict[str, Any]:
        """POST a streamed ``body`` (a file-like object with a length: never read whole) to ``url``: an absolute
        byte-upload URL (token in ``Authorization: OAuth``), or a Graph path (token as a query parameter, with
        ``data`` in the query too). Byte uploads are not Graph calls: ``on_request`` sees them only if
        ``counted``."""
        extra = dict(headers or {})
        if url.startswith("/"):
            params = {**dict(data or {}), **self._auth(token)}
            return self._request(
                "POST", url, params=params, stream=body, headers=extra, is_write=is_write, counted=counted
            )
        extra["Authorization"] = f"OAuth {token}"
        return self._request("POST", url, stream=body, headers=extra, absolute=True, is_write=is_write, counted=counted)

    def backoff_seconds(self) -> float:
        """How long to pause before the next call, given the last usage seen (0 below 95 %)."""
        if self.usage < HIGH_USAGE_PERCENT:
            return 0.0
        # 95 % -> 1 s, rising to MAX_BACKOFF_SECONDS at 100 % and above.
        over = min(self.usage, 100.0) - HIGH_USAGE_PERCENT
        return min(MAX_BACKOFF_SECONDS, 1.0 + over * (MAX_BACKOFF_SECONDS - 1.0) / 5.0)

    def _auth(self, token: str | None) -> dict[str, str]:
        if token is None:
            return {}
        auth = {"access_token": token}
        if self._app_secret:
            auth["appsecret_proof"] = appsecret_proof(self._app_secret, token)
        return auth

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, FileSpec] | None = None,
        stream: BodyStream | None = None,
        headers: dict[str, str] | None = None,
        absolute: bool = False,
        is_write: bool | None = None,
        counted: bool = True,
    ) -> dict[str, Any]:
        if is_write is None:
            is_write = method != "GET"
        shown = _log_path(path if not absolute else urlsplit(path).path)
        pause = self.backoff_seconds()
        if pause > 0:
            logger.info("Graph usage at %.0f%%: pausing %.1f s before %s %s", self.usage, pause, method, shown)
            self.sleep(pause)
        if self.on_request is not None and counted:
            self.on_request(method, shown)
        from requests import RequestException

        try:
            response = self.session.request(
                method,
                path if absolute else self.url(path),
                params=params,
                data=stream if stream is not None else data,
                files=files,
                headers=headers,
                timeout=self.timeout,
            )
        except RequestException as exc:
            error = classify_exception(exc, is_write=is_write)
            logger.warning(
                "%s %s failed: %s (%s, ambiguous=%s)",
                method,
                shown,
                type(exc).__name__,
                error.category.value,
                error.ambiguous,
            )
            raise error from None

        self._read_usage(response.headers)
        self._read_date(response.headers)
        status = response.status_code
        body = response.text
        if 200 <= status < 300:
            try:
                parsed: object = json.loads(body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict) and not isinstance(parsed.get("error"), dict):
                logger.debug("%s %s -> %s", method, shown, status)
                return parsed
            if parsed is not None and not isinstance(parsed, dict):
                logger.debug("%s %s -> %s", method, shown, status)
                return {"result": parsed}
        error = classify_response(status, body, response.headers, is_write=is_write)
        self._log_error(method, shown, status, error)
        raise error

    def _read_date(self, headers: Mapping[str, str]) -> None:
        server = date_header(headers.get("Date"))
        if server is not None:
            self.clock_offset = server - self.now()

    def _read_usage(self, headers: Mapping[str, str]) -> None:
        usage, regain = parse_usage_headers(headers)
        self.usage = usage if usage is not None else 0.0
        self.regain_after = regain
        if self.usage >= HIGH_USAGE_PERCENT:
            logger.warning("Graph rate-limit usage at %.0f%%", self.usage)

    @staticmethod
    def _log_error(method: str, path: str, status: int, error: PublishError) -> None:
        logger.warning(
            "%s %s -> %s code=%s subcode=%s fbtrace_id=%s category=%s ambiguous=%s",
            method,
            path,
            status,
            error.code,
            error.subcode,
            error.fbtrace_id,
            error.category.value,
            error.ambiguous,
        )
