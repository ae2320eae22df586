"""The sandbox HTTP server: a fake Graph API on 127.0.0.1 with fault injection and a JSON control API."""

from __future__ import annotations

import contextlib
import email.utils
import itertools
import json
import re
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from . import google_api, google_http, pages, world, x_api
from .faults import GRAPH_ENDPOINTS, Fault, FaultQueue
from .forms import FormError, Upload, header_params, parse_body, parse_query
from .graph import SCALED_WIDTH, GraphApi, GraphError, GraphRequest, fault_error, fbtrace_id, scaled_jpeg
from .store import SandboxStore, meta_time
from .uploads import StreamedBody, spool_body, spool_multipart
from .video import is_streamed
from .world import SandboxCredentials, World

DEFAULT_PORT = 8765
DEFAULT_GRAPH_VERSION = "v24.0"
MAX_BODY_BYTES = 64 * 1024 * 1024
IDLE_TIMEOUT_SECONDS = 120.0

_VERSION_RE = re.compile(r"^/(v\d+(?:\.\d+)?)(?=/|$)")
_MEDIA_RE = re.compile(r"^(\d+)(?:_(\d+))?\.jpg$")
_BAD_GATEWAY_HTML = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
    "<hr><center>proxygen</center></body></html>"
)
_HTML = "text/html; charset=utf-8"
_JSON = "application/json; charset=UTF-8"

Answer = tuple[int, str, bytes, dict[str, str]]  # status, content type, body, extra headers


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], owner: SandboxServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call socket.getfqdn(), a possibly slow DNS lookup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away
        self.owner._record_internal_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle on, the body waits for the client's delayed ACK
    # (40 ms on Linux) on every keep-alive request. Meta's servers don't add that; neither may the sandbox.
    disable_nagle_algorithm = True
    server_version = "SandboxGraph/1.0"
    sys_version = ""
    timeout = IDLE_TIMEOUT_SECONDS
    server: _HTTPServer

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header in the sandbox's clock (so a clock skew shows in it, as a client measures it)."""
        if timestamp is None:
            timestamp = self.server.owner._store_now()
        return email.utils.formatdate(timestamp, usegmt=True)

    def setup(self) -> None:
        super().setup()
        self.server.owner._connection_opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.owner._connection_closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.log_requests:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    # ----- plumbing -----

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length_header = self.headers.get("Content-Length")
        if not length_header:
            return b""
        length = int(length_header)
        if length < 0 or length > MAX_BODY_BYTES:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length)

    def _send(self, answer: Answer) -> None:
        status, content_type, body, headers = answer
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _abort(self, *, reset: bool) -> None:
        """Close without answering: a FIN, or a TCP RST when ``reset``."""
        self.close_connection = True
        if reset:
            with contextlib.suppress(OSError):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()

    # ----- one request -----

    def _handle(self) -> None:
        owner = self.server.owner
        split = urlsplit(self.path)
        if google_api.owns(split.path):
            google_http.serve(self, owner.google)
            return
        version_match = _VERSION_RE.match(split.path)
        version = version_match.group(1) if version_match else None
        path = (split.path[version_match.end() :] if version_match else split.path) or "/"
        self._stream: StreamedBody | None = None
        streamed_form: dict[str, str] = {}
        try:
            if is_streamed(self.command, [unquote(s) for s in path.split("/") if s]):
                # A video: to a file as it arrives, never whole in memory.
                body, streamed_form = self._read_stream(owner._store.upload_dir(), path)
            else:
                body = self._read_body()
        except (ValueError, FormError, OSError):
            self.close_connection = True
            self._send((400, _JSON, _json_bytes({"error": "unreadable request body"}), {}))
            return
        try:
            self._handle_read(owner, split.query, path, version, body, streamed_form)
        finally:
            if self._stream is not None:
                self._stream.discard()  # moved into the store if the call took it

    def _read_stream(self, directory: Path, path: str) -> tuple[bytes, dict[str, str]]:
        """Spool a video body: a byte upload whole, a multipart one part by part (``source`` is the file); any
        other body of ``POST /{page}/videos`` is read as usual."""
        mime, params = header_params(self.headers.get("Content-Type", ""))
        store = self.server.owner._store
        with store.lock:
            keep = store.config.keep_uploads
        if mime == "multipart/form-data":
            boundary = params.get("boundary", "")
            form, files = spool_multipart(self.rfile, self.headers, directory, boundary, keep=keep)
            source = files.pop("source", None)
            for other in files.values():
                other.discard()
            self._stream = source
            return b"", form
        if path.rstrip("/").endswith("/videos"):
            return self._read_body(), {}
        self._stream = spool_body(self.rfile, self.headers, directory, keep=keep)
        return b"", {}

    def _handle_read(
        self, owner: SandboxServer, query: str, path: str, version: str | None, body: bytes, form: dict[str, str]
    ) -> None:
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            status, payload = owner._control(self.command, path, body)
            self._send((status, _JSON, _json_bytes(payload), {}))
            return
        if x_api.owns(path):
            outcome = owner.x.serve(
                self.command, path, query, dict(self.headers), body, owner._faults, owner._stop_event
            )
            if isinstance(outcome, x_api.Drop):
                self._abort(reset=outcome.reset)
            else:
                self._send(outcome)
            return

        segments = [unquote(s) for s in path.split("/") if s]
        params = parse_query(query)
        params.update(form)
        files: dict[str, Upload] = {}
        form_error: FormError | None = None
        if body:
            try:
                form, files = parse_body(self.headers.get("Content-Type", ""), body)
                params.update(form)
            except FormError as exc:
                form_error = exc
        api = owner._api
        store = owner._store
        endpoint = api.classify(self.command, segments, params)
        is_graph = endpoint in GRAPH_ENDPOINTS
        with store.lock:
            if is_graph:
                store.log_call(self.command, path)
            latency_ms = store.config.latency_ms
        stop = owner._stop_event
        if latency_ms and stop.wait(latency_ms / 1000):
            self._abort(reset=False)
            return

        fault = owner._faults.take(self.command, endpoint, path)
        if fault is not None:
            if fault.kind == "latency":
                if stop.wait(fault.delay_seconds):
                    self._abort(reset=False)
                    return
            elif fault.kind == "error":
                error = fault_error(fault)
                headers = owner._graph_headers(api.account_for(segments), version)
                headers.update(error.response_headers())
                headers.update(fault.headers)
                self._send((fault.status, _JSON, _json_bytes(error.body()), headers))
                return
            elif fault.kind == "html":
                html = fault.body if fault.body is not None else _BAD_GATEWAY_HTML
                self._send((fault.status, "text/html", html.encode(), dict(fault.headers)))
                return
            elif fault.kind == "hang_before":
                stop.wait(fault.delay_seconds)
                self._abort(reset=False)
                return
            elif fault.kind == "reset" and not fault.after_commit:
                self._abort(reset=True)
                return
            elif fault.kind == "late_commit":
                # The connection drops with no answer; Meta carries the request out later all the same.
                if is_graph and form_error is None:
                    owner._late_commit(self._graph_request(segments, params, files, path), endpoint, fault)
                if fault.hang_seconds:
                    stop.wait(fault.hang_seconds)
                self._abort(reset=True)
                return
            elif fault.kind == "revoke" and not fault.after_commit:
                owner._revoke_for(fault, api.account_for(segments), params)  # this very call then answers 190

        if is_graph:
            answer = self._graph(endpoint, segments, params, files, path, version, form_error)
        else:
            answer = self._page(endpoint, segments, params)

        if fault is not None and fault.kind == "hang_after_commit":
            stop.wait(fault.delay_seconds)
            self._abort(reset=False)
            return
        if fault is not None and fault.kind == "reset":
            self._abort(reset=True)
            return
        if fault is not None and fault.kind == "revoke" and fault.after_commit:
            owner._revoke_for(fault, api.account_for(segments), params)
        self._send(answer)

    def _graph(
        self,
        endpoint: str,
        segments: list[str],
        params: dict[str, str],
        files: dict[str, Upload],
        path: str,
        version: str | None,
        form_error: FormError | None,
    ) -> Answer:
        owner = self.server.owner
        api = owner._api
        try:
            if form_error is not None:
                raise GraphError(100, f"(#100) Could not parse the request body: {form_error}")
            response = api.handle(self._graph_request(segments, params, files, path))
            status, payload, extra = response.status, response.body, {}
        except GraphError as exc:
            status, payload, extra = exc.status, exc.body(), exc.response_headers()
        except Exception:
            owner._record_internal_error(traceback.format_exc())
            error = GraphError(1, "An unknown error has occurred.", status=500, is_transient=True)
            status, payload, extra = error.status, error.body(), {}
        headers = owner._graph_headers(api.account_for(segments), version)
        headers.update(extra)
        return status, _JSON, _json_bytes(payload), headers

    def _graph_request(
        self, segments: list[str], params: dict[str, str], files: dict[str, Upload], path: str
    ) -> GraphRequest:
        return GraphRequest(
            method=self.command,
            path=path,
            segments=segments,
            params=params,
            files=files,
            headers={k: v for k, v in self.headers.items()},
            stream=self._stream,
        )

    def _page(self, endpoint: str, segments: list[str], params: dict[str, str]) -> Answer:
        owner = self.server.owner
        store = owner._store
        if endpoint in ("login_dialog", "login_confirm"):
            return self._login(endpoint, params)
        if self.command != "GET":
            return 405, _HTML, pages.not_found_page("method not allowed").encode(), {}
        item = segments[2] if len(segments) >= 3 else ""
        with store.lock:
            if endpoint == "sandbox_index":
                return 200, _HTML, pages.index_page(store).encode(), {}
            if endpoint in ("sandbox_post", "sandbox_ig"):
                post = store.post_by_id(item)
                platform = "facebook" if endpoint == "sandbox_post" else "instagram"
                if post is not None and post.platform == platform:
                    return 200, _HTML, pages.post_page(store, post).encode(), {}
                return 404, _HTML, pages.not_found_page(item).encode(), {}
            match = _MEDIA_RE.match(item)
            photo = store.photos.get(match.group(1)) if match else None
            data = store.image_bytes(photo.id) if photo is not None else None
        if match is None or photo is None or data is None:
            return 404, _HTML, pages.not_found_page(item).encode(), {}
        if match.group(2) is not None:
            if int(match.group(2)) != SCALED_WIDTH or photo.width <= SCALED_WIDTH:
                return 404, _HTML, pages.not_found_page(item).encode(), {}
            data = scaled_jpeg(data, SCALED_WIDTH)
        return 200, "image/jpeg", data, {"Cache-Control": "public, max-age=86400"}

    def _login(self, endpoint: str, params: dict[str, str]) -> Answer:
        """The fake Facebook Login dialog; Continue redirects with the user token in the URL fragment."""
        if params.get("client_id") != world.APP_ID:
            text = "The provided app ID does not look like a valid app ID."
            return 200, _HTML, pages.login_error_page("Invalid App ID", text).encode(), {}
        redirect = params.get("redirect_uri", "")
        if redirect != pages.LOGIN_REDIRECT_URI:
            text = "The redirect URI is not on the app's list of valid OAuth redirect URIs."
            return 200, _HTML, pages.login_error_page("URL blocked", text).encode(), {}
        if params.get("response_type", "token") != "token":
            text = "The sandbox's login dialog only supports response_type=token."
            return 200, _HTML, pages.login_error_page("Unsupported response type", text).encode(), {}
        if endpoint == "login_dialog":
            page = pages.login_dialog_page(world.APP_NAME, world.USER_NAME, params)
            return 200, _HTML, page.encode(), {"Cache-Control": "no-store"}
        state = params.get("state")
        if params.get("choice") == "continue":
            store = self.server.owner._store
            with store.lock:
                token, now = store.current_short_user_token(), int(store.now())
            answer = {
                "access_token": token,
                "data_access_expiration_time": str(now + world.DATA_ACCESS_SECONDS),
                "expires_in": str(world.SHORT_LIVED_SECONDS),
            }
            if state is not None:
                answer["state"] = state
            location = f"{redirect}#{urlencode(answer)}"
        else:
            denied = {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
            }
            if state is not None:
                denied["state"] = state
            location = f"{redirect}?{urlencode(denied)}#_=_"
        return 302, _HTML, b"", {"Location": location, "Cache-Control": "no-store"}


class SandboxServer:
    """A local fake Graph API. ``start()`` serves on a background thread; ``stop()`` returns promptly."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency_ms: int = 0,
        container_polls: int = 1,
        state_path: Path | None = None,
        log_requests: bool = False,
        extra_pages: int = 0,
    ) -> None:
        """``extra_pages`` adds that many publishable Pages, each with a linked Instagram account (see world.py)."""
        self.host = host
        self._requested_port = port
        self.log_requests = log_requests
        self._store = SandboxStore(
            Path(state_path) if state_path is not None else None,
            latency_ms=latency_ms,
            container_polls=container_polls,
            extra_pages=extra_pages,
        )
        self._faults = FaultQueue()
        self.google = google_api.GoogleApi(self._store_now)  # Google Business Profile's fake, on the same origin
        self._api = GraphApi(self._store, self._base_url)
        self._api.insights.take_fault = self._faults.take  # a batch's requests can fail one by one
        self.x = x_api.XApi(self._store_now, self._record_internal_error)  # X's paths (/2/..., /i/oauth2/...)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self._port: int | None = None
        # Requests a late_commit fault dropped, to be carried out later: id -> (endpoint, path, due real time).
        self._late: dict[int, tuple[str, str, float]] = {}
        self._late_ids = itertools.count(1)
        self._late_lock = threading.Lock()

    # ----- lifecycle -----

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            raise RuntimeError("the sandbox server is already running")
        self._stop_event = threading.Event()
        httpd = _HTTPServer((self.host, self._requested_port), self)
        self._httpd = httpd
        self._port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-graph", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd = self._httpd
        if httpd is None:
            return
        self._stop_event.set()  # wakes hung and delayed requests
        httpd.shutdown()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._store.state_path is None:
            with self._store.lock:
                self._store.drop_uploads()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        if self._httpd is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the sandbox server has not been started")
        return self._port

    @property
    def url(self) -> str:
        """e.g. http://127.0.0.1:8765 (the value for AUTOPOSTER_GRAPH_URL)."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    def _base_url(self) -> str:
        if self._port is None:
            host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
            return f"http://{host}:{self._requested_port}"
        return self.url

    # ----- the demo world -----

    @property
    def world(self) -> World:
        """The Pages and Instagram accounts this server serves (the demo ones plus any ``extra_pages``)."""
        return self._store.world

    @property
    def credentials(self) -> SandboxCredentials:
        """The app and the current short-lived user token (a new one after the user token is revoked)."""
        with self._store.lock:
            return SandboxCredentials(world.APP_ID, world.APP_SECRET, self._store.current_short_user_token())

    def page_token(self, page_id: str) -> str:
        """The current Page token of a Page (what GET /me/accounts hands out)."""
        if page_id not in self._store.world.pages_by_id:
            raise KeyError(page_id)
        with self._store.lock:
            return self._store.current_page_token(page_id)

    def state(self) -> dict[str, Any]:
        """posts, calls, connections, photos, containers, tokens, config, faults, late_commits, clock_offset,
        clock_skew, internal_errors, url."""
        with self._store.lock:
            snapshot = self._store.snapshot(self._base_url())
        snapshot["faults"] = self._faults.pending()
        with self._late_lock:
            pending = sorted(self._late.values(), key=lambda entry: entry[2])
        snapshot["late_commits"] = [
            {"endpoint": endpoint, "path": path, "seconds_left": round(max(0.0, due - time.time()), 3)}
            for endpoint, path, due in pending
        ]
        snapshot["url"] = self._base_url()
        snapshot["x"] = self.x.snapshot()
        return snapshot

    def reset(self) -> None:
        """Fresh demo world: no posts, no faults, no pending late commits, no revocations, no clock skew."""
        self._faults.clear()
        self.google.reset()
        self.x.reset()
        with self._late_lock:
            self._late.clear()
        with self._store.lock:
            self._store.reset()
            self._store.connections = 0

    def revoke(self, token_or_account_id: str) -> list[str]:
        """Revoke a token, or the tokens of a user/Page/IG id; the next use answers code 190 subcode 460."""
        with self._store.lock:
            return self._store.revoke(token_or_account_id)

    def set_page_tasks(self, page_id: str, tasks: Sequence[str]) -> None:
        """Change the user's tasks on a Page, as a Page admin would: without "CREATE_CONTENT" (or "MANAGE") its
        posts are refused with #200, and /me/accounts lists the new tasks."""
        with self._store.lock:
            self._store.set_page_tasks(page_id, tasks)

    def inject_fault(self, fault: Fault | Mapping[str, Any] | None = None, /, **spec: Any) -> Fault:
        """Queue a fault: ``inject_fault(kind="error", match="feed_post", code=2, is_transient=True)``."""
        if fault is None:
            fault = Fault.from_dict(spec)
        elif not isinstance(fault, Fault):
            fault = Fault.from_dict({**fault, **spec})
        elif spec:
            raise TypeError("pass either a Fault or keyword arguments")
        self._faults.add(fault)
        return fault

    def clear_faults(self) -> int:
        return self._faults.clear()

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change latency_ms, container_polls, quota_total, duplicate_check, usage_percent, regain_access_minutes,
        app_live (the demo app's mode, read by the Connect guide)."""
        with self._store.lock:
            self._store.config.update(changes)
            return asdict(self._store.config)

    def set_insights_state(self, target: str, state: str | None) -> None:
        """Force an insights state on a post or a whole account (post id or account id): ``empty``,
        ``not_enough_viewers``, ``too_few_followers`` or ``no_permission``; None goes back to real numbers."""
        from .insights import STATES

        if state is not None and state not in STATES:
            raise ValueError(f"unknown insights state {state!r}; known: {', '.join(STATES)}")
        with self._store.lock:
            if state is None:
                self._store.insights_states.pop(target, None)
            else:
                self._store.insights_states[target] = state

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's clock forward (duplicate window, quota window, container and token expiry)."""
        with self._store.lock:
            self._store.clock_offset += seconds

    def set_clock(self, when: datetime) -> None:
        """Make the sandbox's clock (before any skew) read ``when`` now, and run on from there.

        A test that runs the app with ``run-due --as-of`` moves the sandbox along, so both agree that time passed.
        """
        if when.tzinfo is None:
            raise ValueError("set_clock needs an aware datetime")
        with self._store.lock:
            self._store.clock_offset = when.timestamp() - time.time()

    def set_clock_skew(self, seconds: float) -> None:
        """Make Meta's clock wrong by ``seconds`` (negative: behind this machine).

        Every time the sandbox stores or reports (``created_time``, ``timestamp``, token expiry, the ``Date``
        header) is off by that much, as when the machine running Autoposter has a wrong clock.
        """
        with self._store.lock:
            self._store.clock_skew = float(seconds)

    def vanish_at_go_live(self, post_id: str) -> bool:
        """Make a scheduled post disappear at its time instead of going out (Meta's reported failure)."""
        from .scheduled import mark_vanish

        with self._store.lock:
            return mark_vanish(self._store, post_id)

    def now(self) -> datetime:
        """The sandbox's (Meta's) clock, skew included."""
        return datetime.fromtimestamp(self._store_now(), UTC)

    def add_manual_post(self, account_id: str, text: str, created_time: datetime | None = None) -> dict[str, Any]:
        """A post the owner made by hand (on facebook.com, or in the Instagram app), at ``created_time``.

        ``account_id`` is a Page id (a feed post) or an Instagram id (a media); ``created_time`` is in Meta's
        clock (default: now) and may lie in the past. The post is listed like any other and marked ``manual`` in
        ``state()``, so a checker can tell it from the posts the app made. Returns its entry in ``state()["posts"]``.
        """
        store = self._store
        if account_id in store.world.pages_by_id:
            platform = "facebook"
        elif account_id in store.world.ig_accounts:
            platform = "instagram"
        else:
            raise ValueError(f"unknown account {account_id!r}: use a Page id or an Instagram account id")
        if created_time is not None and created_time.tzinfo is None:
            raise ValueError("created_time must carry a time zone")
        with store.lock:
            ts = created_time.timestamp() if created_time is not None else None
            post = store.add_post(platform, account_id, text, created_ts=ts, manual=True)
            store.save()
            entry: dict[str, Any] = next(p for p in store.snapshot(self._base_url())["posts"] if p["id"] == post.id)
        return entry

    # ----- internals used by the handler -----

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._conns_lock:
            self._conns.add(conn)
        with self._store.lock:
            self._store.connections += 1

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._conns_lock:
            self._conns.discard(conn)

    def _store_now(self) -> float:
        with self._store.lock:
            return self._store.now()

    def _late_commit(self, request: GraphRequest, endpoint: str, fault: Fault) -> None:
        """Carry out a dropped request ``fault.seconds`` from now, unless the server stops or is reset first."""
        delay = fault.delay_seconds
        with self._late_lock:
            late_id = next(self._late_ids)
            self._late[late_id] = (endpoint, request.path, time.time() + delay)
        stop = self._stop_event

        def commit() -> None:
            if stop.wait(delay):
                return
            with self._late_lock:
                if late_id not in self._late:  # reset meanwhile
                    return
                try:
                    self._api.handle(request)
                except GraphError:
                    pass  # e.g. a token revoked meanwhile or a container already published: nothing lands
                except Exception:
                    self._record_internal_error(traceback.format_exc())
                finally:
                    del self._late[late_id]

        threading.Thread(target=commit, name="sandbox-late-commit", daemon=True).start()

    def _revoke_for(self, fault: Fault, account_id: str | None, params: Mapping[str, str]) -> None:
        """A revoke fault fired: revoke its target, else the account the call concerns, else the token it used."""
        target = fault.target
        if target == "user":
            target = world.USER_ID
        if target is None:
            target = account_id or params.get("access_token")
        if target:
            self.revoke(target)

    def _record_internal_error(self, text: str) -> None:
        with self._store.lock:
            self._store.internal_errors.append(text)
        if self.log_requests:
            sys.stderr.write(text)
            sys.stderr.flush()

    def _graph_headers(self, account_id: str | None, version: str | None) -> dict[str, str]:
        with self._store.lock:
            pct = self._store.config.usage_percent
            regain = self._store.config.regain_access_minutes
        headers = {
            "X-App-Usage": json.dumps(
                {"call_count": pct, "total_cputime": pct, "total_time": pct}, separators=(",", ":")
            ),
            "x-fb-trace-id": fbtrace_id(),
            "x-fb-rev": "1000000",
            "facebook-api-version": version or DEFAULT_GRAPH_VERSION,
            "Cache-Control": "private, no-cache, no-store, must-revalidate",
            "Access-Control-Allow-Origin": "*",
        }
        if account_id is not None:
            usage_type = "pages" if account_id in self._store.world.pages_by_id else "instagram"
            headers["X-Business-Use-Case-Usage"] = json.dumps(
                {
                    account_id: [
                        {
                            "type": usage_type,
                            "call_count": pct,
                            "total_cputime": pct,
                            "total_time": pct,
                            "estimated_time_to_regain_access": regain,
                        }
                    ]
                },
                separators=(",", ":"),
            )
        return headers

    def _control(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        name = path[len("/_sandbox") :].strip("/")
        try:
            payload: Any = json.loads(body) if body.strip() else None
        except ValueError:
            return 400, {"error": "the body is not JSON"}
        try:
            if name == "state" and method == "GET":
                return 200, self.state()
            if name.startswith("x/"):
                return self.x.control(method, name[2:], payload)
            if name == "reset" and method == "POST":
                self.reset()
                return 200, {"success": True}
            if name == "faults":
                if method == "GET":
                    return 200, {"faults": self._faults.pending()}
                if method == "DELETE":
                    return 200, {"success": True, "cleared": self.clear_faults()}
                if method == "POST":
                    specs = payload if isinstance(payload, list) else [payload]
                    if not all(isinstance(s, dict) for s in specs):
                        raise ValueError("a fault is a JSON object (or send a list of them)")
                    faults = [Fault.from_dict(s) for s in specs]
                    for fault in faults:
                        self._faults.add(fault)
                    return 200, {"success": True, "queued": len(faults), "faults": self._faults.pending()}
            if name == "revoke" and method == "POST":
                target = (payload.get("token") or payload.get("account_id")) if isinstance(payload, dict) else None
                if not isinstance(target, str):
                    raise ValueError('send {"token": ...} or {"account_id": ...}')
                return 200, {"success": True, "revoked": self.revoke(target)}
            if name == "page_tasks" and method == "POST":
                usage = 'send {"page_id": ..., "tasks": ["CREATE_CONTENT", ...]}'
                if not isinstance(payload, dict):
                    raise ValueError(usage)
                page_id, tasks = payload.get("page_id"), payload.get("tasks")
                if not isinstance(page_id, str) or not isinstance(tasks, list):
                    raise ValueError(usage)
                if not all(isinstance(t, str) for t in tasks):
                    raise ValueError(usage)
                self.set_page_tasks(page_id, tasks)
                return 200, {"success": True, "page_id": page_id, "tasks": tasks}
            if name == "config":
                if method == "GET":
                    return 200, self.configure()
                if method == "POST":
                    if not isinstance(payload, dict):
                        raise ValueError("send a JSON object of settings")
                    return 200, {"success": True, "config": self.configure(**payload)}
            if name == "credentials" and method == "GET":
                return 200, asdict(self.credentials)
            if name == "insights" and method == "POST":
                if not isinstance(payload, dict) or not isinstance(payload.get("target"), str):
                    raise ValueError('send {"target": post or account id, "state": "not_enough_viewers" or null}')
                self.set_insights_state(payload["target"], payload.get("state"))
                return 200, {"success": True}
            if name == "clock" and method == "POST":
                return 200, self._control_clock(payload)
            if name == "vanish" and method == "POST":
                post_id = payload.get("post_id") if isinstance(payload, dict) else None
                if not isinstance(post_id, str):
                    raise ValueError('send {"post_id": ...} of a scheduled post')
                if not self.vanish_at_go_live(post_id):
                    raise ValueError(f"{post_id} is not a scheduled post")
                return 200, {"success": True, "post_id": post_id}
            if name == "manual_post" and method == "POST":
                if not isinstance(payload, dict):
                    raise ValueError('send {"account_id": ..., "text": ..., "created_time": ISO8601 (optional)}')
                account_id, text, created = payload.get("account_id"), payload.get("text"), payload.get("created_time")
                if not isinstance(account_id, str) or not isinstance(text, str):
                    raise ValueError('send {"account_id": ..., "text": ..., "created_time": ISO8601 (optional)}')
                if created is not None and not isinstance(created, str):
                    raise ValueError("created_time must be an ISO 8601 string with a time zone")
                when = datetime.fromisoformat(created) if created is not None else None
                return 200, {"success": True, "post": self.add_manual_post(account_id, text, when)}
        except (ValueError, TypeError) as exc:
            return 400, {"error": str(exc)}
        return 404, {"error": f"unknown control call {method} {path}"}

    def _control_clock(self, payload: Any) -> dict[str, Any]:
        """POST /_sandbox/clock with any of {"advance_seconds": N, "set_time": ISO8601, "skew_seconds": N}."""
        usage = 'send {"advance_seconds": N}, {"set_time": ISO8601} or {"skew_seconds": N}'
        known = {"advance_seconds", "set_time", "skew_seconds"}
        if not isinstance(payload, dict) or not payload or set(payload) - known:
            raise ValueError(usage)
        for key in ("advance_seconds", "skew_seconds"):
            value = payload.get(key)
            if key in payload and (not isinstance(value, int | float) or isinstance(value, bool)):
                raise ValueError(usage)
        if "set_time" in payload and not isinstance(payload["set_time"], str):
            raise ValueError(usage)
        when = datetime.fromisoformat(payload["set_time"]) if "set_time" in payload else None
        if when is not None and when.tzinfo is None:
            raise ValueError("set_time must carry a time zone")
        if when is not None:
            self.set_clock(when)
        if "advance_seconds" in payload:
            self.advance_clock(float(payload["advance_seconds"]))
        if "skew_seconds" in payload:
            self.set_clock_skew(float(payload["skew_seconds"]))
        with self._store.lock:
            offset, skew, now = self._store.clock_offset, self._store.clock_skew, self._store.now()
        return {"success": True, "clock_offset": offset, "clock_skew": skew, "now": meta_time(now)}


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    state_path: Path | None = None,
    *,
    latency_ms: int = 0,
    container_polls: int = 1,
    log_requests: bool = False,
    json_output: bool = False,
    extra_pages: int = 0,
) -> None:
    """Run the sandbox in the foreground until Ctrl+C, printing the URL and the demo credentials.

    With ``json_output`` the first line printed is one JSON object (url, app_id, app_secret, user_token, pages,
    state_path, env) instead of the text below.
    """
    server = SandboxServer(
        host,
        port,
        latency_ms=latency_ms,
        container_polls=container_polls,
        state_path=state_path,
        log_requests=log_requests,
        extra_pages=extra_pages,
    )
    server.start()
    try:  # from here on: Ctrl+C may come while the banner is still being written
        creds = server.credentials
        lines = [
            f"Autoposter sandbox (fake Graph API) running at {server.url}",
            f"  Published posts:   {server.url}/sandbox/",
            f"  App ID:            {creds.app_id}",
            f"  App secret:        {creds.app_secret}",
            f"  User token:        {creds.user_token}",
            f"  Pages:             {', '.join(f'{p.name} ({p.id})' for p in server.world.pages)}",
            f"  State file:        {state_path if state_path is not None else '(none: in memory)'}",
            "Point Autoposter at it and connect the demo accounts (the secret comes in on stdin, never in `ps`):",
            f"  export AUTOPOSTER_GRAPH_URL={server.url}",
            f"  echo {creds.app_secret} | autoposter connect --app-id {creds.app_id} --app-secret - "
            f"--user-token {creds.user_token}",
            "Press Ctrl+C to stop.",
        ]
        if json_output:
            info = {
                "url": server.url,
                **asdict(creds),
                "pages": [{"id": p.id, "name": p.name} for p in server.world.pages],
                "state_path": str(state_path) if state_path is not None else None,
                "env": {"AUTOPOSTER_GRAPH_URL": server.url},
            }
            print(json.dumps(info), flush=True)
        else:
            print("\n".join(lines), flush=True)
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopping the sandbox.", flush=True)
    finally:
        server.stop()
