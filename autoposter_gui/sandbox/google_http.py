"""Serving the Google fake on the sandbox's HTTP handler: reading the request, injected faults, the answer."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from .faults import Fault
from .forms import parse_query
from .google_api import Answer, GoogleApi, endpoint, google_error

_TEXT = "text/html"


def _fault_answer(fault: Fault, name: str) -> Answer:
    """An ``error`` fault as Google would say it: an OAuth error on /token, a JSON error elsewhere."""
    status = fault.http_status or 400
    google_status = fault.type if fault.type != "OAuthException" else None
    message = fault.message or "Injected sandbox fault"
    if name == "google_token":
        oauth = {"error": google_status or "invalid_grant", "error_description": message}
        answer: Answer = (status, "application/json", json.dumps(oauth).encode(), {})
    else:
        answer = google_error(status, message, google_status)
    return answer[0], answer[1], answer[2], {**answer[3], **fault.headers}


def serve(handler: Any, api: GoogleApi) -> None:
    """Answer one request to a Google path (``handler`` is the sandbox server's request handler)."""
    owner = handler.server.owner
    split = urlsplit(handler.path)
    try:
        body = handler._read_body()
    except (ValueError, OSError):
        handler.close_connection = True
        handler._send(google_error(400, "unreadable request body"))
        return
    if split.path.startswith("/_sandbox/google"):
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            payload = None
        handler._send(api.control(handler.command, split.path[len("/_sandbox/google") :].strip("/"), payload))
        return
    name = endpoint(handler.command, split.path)
    fault = owner._faults.take(handler.command, name, split.path) if name else None
    stop = owner._stop_event
    kind = fault.kind if fault is not None else ""
    if fault is not None:
        if kind == "latency" and stop.wait(fault.delay_seconds):
            handler._abort(reset=False)
            return
        if kind == "error":
            handler._send(_fault_answer(fault, name))
            return
        if kind == "html":
            page = fault.body if fault.body is not None else "<html><body><h1>502 Bad Gateway</h1></body></html>"
            handler._send((fault.status, _TEXT, page.encode(), dict(fault.headers)))
            return
        if kind == "hang_before":
            stop.wait(fault.delay_seconds)
            handler._abort(reset=False)
            return
        if kind == "reset" and not fault.after_commit:
            handler._abort(reset=True)
            return
        if kind == "revoke" and not fault.after_commit:
            api.revoke()
    headers = {key.title(): value for key, value in handler.headers.items()}
    answer = api.handle(handler.command, split.path, parse_query(split.query), headers, body)
    if kind == "hang_after_commit":
        stop.wait(fault.delay_seconds if fault is not None else 0)
        handler._abort(reset=False)
        return
    if kind in ("reset", "late_commit"):  # late_commit: done at once here, the connection dropped all the same
        handler._abort(reset=True)
        return
    if kind == "revoke":
        api.revoke()
    handler._send(answer)
