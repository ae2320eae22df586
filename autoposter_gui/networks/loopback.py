"""The loopback side of a browser sign-in: wait on 127.0.0.1 for ONE redirect, and let OAuth use plain http there.

Standard library only. ``LoopbackReceiver`` binds at once (so the port is known before the browser opens) and
``wait()`` returns the full redirect URL the browser brought back.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from autoposter_gui.networks.protocol import ConnectError

DEFAULT_TIMEOUT = 300.0  # seconds: 5 minutes to sign in
HOST = "127.0.0.1"
_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Autoposter</title></head>"
    b"<body style='font-family:sans-serif;margin:3em'><h2>Signed in.</h2>"
    b"<p>You can close this window and return to Autoposter.</p></body></html>"
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class LoopbackError(ConnectError):
    """The loopback receiver could not start, or no redirect came in time (``str()`` says what to do)."""


class _Server(HTTPServer):
    redirect: str | None = None
    wanted_path: str = "/callback"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        if urlsplit(self.path).path != self.server.wanted_path:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        port = self.server.server_address[1]
        self.server.redirect = f"http://{HOST}:{port}{self.path}"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(_PAGE)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(_PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        return  # the redirect carries a one-time code: never print it


class LoopbackReceiver:
    """Listens on 127.0.0.1:``port`` (0: any free port) for one GET of ``path``."""

    def __init__(self, port: int = 0, path: str = "/callback") -> None:
        try:
            self._server = _Server((HOST, port), _Handler)
        except OSError as exc:
            raise LoopbackError(
                f"Port {port} on {HOST} is already in use (or not allowed): close the program using it, "
                "or choose another port"
            ) from exc
        self._server.wanted_path = path
        self._server.timeout = 0.2
        self.path = path

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://{HOST}:{self.port}{self.path}"

    def wait(self, timeout: float = DEFAULT_TIMEOUT, cancel: threading.Event | None = None) -> str:
        """The full redirect URL, once the browser comes back; LoopbackError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        try:
            while self._server.redirect is None:
                if time.monotonic() >= deadline:
                    minutes = f"{timeout / 60:g} minutes" if timeout >= 60 else f"{timeout:g} seconds"
                    raise LoopbackError(f"No answer from the browser within {minutes}: start connecting again")
                if cancel is not None and cancel.is_set():
                    raise LoopbackError("Connecting was cancelled")
                self._server.handle_request()
            return self._server.redirect
        finally:
            self.close()

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


_insecure_lock = threading.Lock()
_insecure_users = 0
_insecure_before: str | None = None
_INSECURE = "OAUTHLIB_INSECURE_TRANSPORT"


@contextlib.contextmanager
def allow_loopback_http(*urls: str) -> Iterator[None]:
    """Let oauthlib use plain http for the duration, ONLY when every URL is a loopback one (the sandbox, a test
    fake, the redirect); for any other URL this does nothing and oauthlib keeps refusing http. Counted, so that
    two threads inside it at once never unset it under each other."""
    global _insecure_users, _insecure_before
    plain = [u for u in urls if urlsplit(u).scheme == "http"]
    if not plain or not all(is_loopback(u) for u in plain):
        yield
        return
    with _insecure_lock:
        _insecure_users += 1
        if _insecure_users == 1:
            _insecure_before = os.environ.get(_INSECURE)
            os.environ[_INSECURE] = "1"
    try:
        yield
    finally:
        with _insecure_lock:
            _insecure_users -= 1
            if _insecure_users == 0:
                if _insecure_before is None:
                    os.environ.pop(_INSECURE, None)
                else:
                    os.environ[_INSECURE] = _insecure_before
