"""The sandbox's fake of X's API and OAuth pages, served on X's real paths (/2/..., /i/oauth2/authorize).

Auto-approving sign-in with PKCE checked at the token call, rotating refresh tokens (an old one used again revokes
the grant), 2-hour access tokens on the sandbox clock, tweets with t.co links, duplicate refusals, the v2 media
upload (video processing pending, then succeeded), and the sandbox's fault queue on every X endpoint.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from .faults import Fault, FaultQueue
from .forms import FormError, Upload, parse_body, parse_query
from .x_state import (
    MEDIA_SECONDS,
    X_CLIENT_ID,
    X_NAME,
    X_USER_ID,
    X_USERNAME,
    Media,
    XState,
)

Answer = tuple[int, str, bytes, dict[str, str]]
_JSON = "application/json; charset=utf-8"
_HTML = "text/html; charset=utf-8"
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."


@dataclass(frozen=True)
class Drop:
    """Close the connection without an answer (``reset``: a TCP RST)."""

    reset: bool


def owns(path: str) -> bool:
    """Whether a request path is X's (the sandbox serves Graph, X and Google side by side)."""
    return path.startswith("/2/") or path == "/i/oauth2/authorize"


def classify(method: str, path: str) -> str:
    """The fault-queue endpoint name of an X call (faults.X_ENDPOINTS)."""
    parts = [p for p in path.split("/") if p]
    if path == "/i/oauth2/authorize":
        return "x_authorize"
    if parts == ["2", "oauth2", "token"]:
        return "x_token"
    if parts == ["2", "users", "me"]:
        return "x_me"
    if parts == ["2", "tweets"]:
        return "x_tweet_create"
    if len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "tweets":
        return "x_user_tweets"
    if parts == ["2", "media", "upload", "initialize"]:
        return "x_media_init"
    if len(parts) == 5 and parts[:3] == ["2", "media", "upload"] and parts[4] in ("append", "finalize"):
        return f"x_media_{parts[4]}"
    if parts == ["2", "media", "upload"]:
        return "x_media_status"
    if parts == ["2", "media", "metadata"]:
        return "x_media_metadata"
    return "x_other"


def _json(status: int, value: Any, headers: Mapping[str, str] | None = None) -> Answer:
    body = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    return status, _JSON, body, {"x-rate-limit-limit": "100", **(headers or {})}


def problem(status: int, title: str, detail: str, headers: Mapping[str, str] | None = None) -> Answer:
    """X's problem answer (``title``, ``detail``, ``type``, ``status``)."""
    return _json(status, {"title": title, "detail": detail, "type": "about:blank", "status": status}, headers)


def invalid(message: str, parameter: str | None = None) -> Answer:
    error: dict[str, Any] = {"message": message}
    if parameter is not None:
        error["parameters"] = {parameter: []}
    return _json(
        400,
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


UNAUTHORIZED = problem(401, "Unauthorized", "Unauthorized")


class XApi:
    """The fake X: ``serve`` answers one request (or says to drop it)."""

    def __init__(self, now: Callable[[], float], on_error: Callable[[str], None] | None = None) -> None:
        self.now = now
        self.lock = threading.Lock()
        self.state = XState()
        self.on_error = on_error

    def reset(self) -> None:
        with self.lock:
            self.state.reset()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "account": {"id": X_USER_ID, "username": X_USERNAME, "name": X_NAME},
                "client_id": X_CLIENT_ID,
                **self.state.snapshot(),
            }

    # ----- one request -----

    def serve(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        faults: FaultQueue,
        stop: threading.Event,
    ) -> Answer | Drop:
        endpoint = classify(method, path)
        with self.lock:
            self.state.calls.append(f"{method} {path}")
        fault = faults.take(method, endpoint, path)
        if fault is not None:
            early = self._fault_before(fault, method, path, query, headers, body, stop)
            if early is not None:
                return early
        answer = self._answer(method, path, query, headers, body)
        if fault is not None and fault.kind == "hang_after_commit":
            stop.wait(fault.delay_seconds)
            return Drop(reset=False)
        if fault is not None and fault.kind == "reset":
            return Drop(reset=True)
        if fault is not None and fault.kind == "revoke" and fault.after_commit:
            self.revoke_all()
        return answer

    def _fault_before(
        self,
        fault: Fault,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        stop: threading.Event,
    ) -> Answer | Drop | None:
        if fault.kind == "latency":
            return Drop(reset=False) if stop.wait(fault.delay_seconds) else None
        if fault.kind == "error":
            status = fault.http_status or 400
            extra = dict(fault.headers)
            if status == 429:
                extra.setdefault("x-rate-limit-reset", str(int(self.now()) + 900))
                extra.setdefault("x-rate-limit-remaining", "0")
                return problem(429, "Too Many Requests", fault.message or "Too Many Requests", extra)
            titles = {401: "Unauthorized", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}
            title = titles.get(status, "Bad Request")
            return problem(status, title, fault.message or title, extra)
        if fault.kind == "html":
            html = fault.body if fault.body is not None else "<html><body><h1>Over capacity</h1></body></html>"
            return fault.status, "text/html", html.encode(), dict(fault.headers)
        if fault.kind == "hang_before":
            stop.wait(fault.delay_seconds)
            return Drop(reset=False)
        if fault.kind == "reset" and not fault.after_commit:
            return Drop(reset=True)
        if fault.kind == "late_commit":
            self._late(fault, method, path, query, headers, body, stop)
            if fault.hang_seconds:
                stop.wait(fault.hang_seconds)
            return Drop(reset=True)
        if fault.kind == "revoke" and not fault.after_commit:
            self.revoke_all()
        return None

    def _late(
        self,
        fault: Fault,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        stop: threading.Event,
    ) -> None:
        """Carry the dropped request out ``fault.seconds`` later (as X may commit a request it never answered)."""
        delay = fault.delay_seconds

        def commit() -> None:
            if not stop.wait(delay):
                self._answer(method, path, query, headers, body)

        threading.Thread(target=commit, name="sandbox-x-late-commit", daemon=True).start()

    def revoke_all(self) -> None:
        with self.lock:
            for grant in self.state.grants.values():
                self.state.revoke_grant(grant)

    def _answer(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        endpoint = classify(method, path)
        params = parse_query(query)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        payload: Any = None
        files: dict[str, Upload] = {}
        try:
            if content_type.startswith("application/json") and body:
                payload = json.loads(body)
            elif body:
                form, files = parse_body(content_type, body)
                params.update(form)
        except (ValueError, FormError):
            return invalid("The request body could not be read.")
        try:
            with self.lock:
                now = self.now()
                if endpoint == "x_authorize" and method == "GET":
                    return self._authorize(params, now)
                if endpoint == "x_token" and method == "POST":
                    return self._token(params, now)
                if endpoint == "x_other":
                    return problem(404, "Not Found Error", f"Could not find {path}")
                if not self.state.authorized(auth, now):
                    return UNAUTHORIZED
                return self._api(endpoint, method, path, params, payload, files, now)
        except Exception:
            if self.on_error is not None:
                self.on_error(traceback.format_exc())
            return problem(500, "Internal Server Error", "Internal error")

    # ----- OAuth -----

    def _authorize(self, params: dict[str, str], now: float) -> Answer:
        redirect = params.get("redirect_uri", "")
        target = urlsplit(redirect)
        if params.get("client_id") != X_CLIENT_ID:
            page = "<html><body><h1>Something went wrong</h1><p>You weren't able to give access to the App.</p>"
            return 400, _HTML, (page + "</body></html>").encode(), {}
        if target.scheme != "http" or target.hostname not in ("127.0.0.1", "localhost") or target.path != "/callback":
            page = "<html><body><h1>Something went wrong</h1><p>The redirect URI is not registered.</p></body></html>"
            return 400, _HTML, page.encode(), {}
        state = params.get("state", "")
        challenge, method = params.get("code_challenge", ""), params.get("code_challenge_method", "plain")
        if params.get("response_type") != "code" or not challenge or method not in ("S256", "plain"):
            answer = {"error": "invalid_request", "state": state}
        else:
            scope = " ".join(params.get("scope", "").split())
            code = self.state.issue_code(X_CLIENT_ID, redirect, challenge, method, scope, now)
            answer = {"state": state, "code": code}
        return 302, _HTML, b"", {"Location": f"{redirect}?{urlencode(answer)}", "Cache-Control": "no-store"}

    def _token(self, params: dict[str, str], now: float) -> Answer:
        grant_type = params.get("grant_type")
        if grant_type == "authorization_code":
            result = self.state.exchange_code(params, now)
        elif grant_type == "refresh_token":
            result = self.state.refresh(params, now)
        else:
            result = "Missing or unsupported grant_type."
        if isinstance(result, str):
            return _json(400, {"error": "invalid_request", "error_description": result})
        return _json(200, result)

    # ----- the API -----

    def _api(
        self,
        endpoint: str,
        method: str,
        path: str,
        params: dict[str, str],
        payload: Any,
        files: dict[str, Upload],
        now: float,
    ) -> Answer:
        state = self.state
        parts = [p for p in path.split("/") if p]
        if endpoint == "x_me" and method == "GET":
            return _json(200, {"data": {"id": X_USER_ID, "name": X_NAME, "username": X_USERNAME}})
        if endpoint == "x_tweet_create" and method == "POST":
            return self._create(payload, now)
        if endpoint == "x_user_tweets" and method == "GET":
            return self._timeline(parts[2], params)
        if endpoint == "x_media_init" and method == "POST":
            if not isinstance(payload, dict):
                return invalid("Send a JSON body.")
            total, media_type = payload.get("total_bytes"), payload.get("media_type")
            if not isinstance(total, int) or total <= 0 or not isinstance(media_type, str):
                return invalid("media_type and a positive total_bytes are required.", "total_bytes")
            media_id = state.next_id()
            video = media_type.startswith("video/")
            key = f"{'7' if video else '3'}_{media_id}"
            state.media[media_id] = Media(media_id, key, media_type, total, video, now + MEDIA_SECONDS)
            return _json(200, {"data": {"id": media_id, "media_key": key, "expires_after_secs": MEDIA_SECONDS}})
        if endpoint in ("x_media_append", "x_media_finalize") and method == "POST":
            media = state.media.get(parts[3])
            if media is None or media.expires <= now:
                return invalid("The media id was not found or has expired.", "media_id")
            if endpoint == "x_media_append":
                chunk = files.get("media")
                segment = params.get("segment_index", "")
                if chunk is None or not segment.isdigit():
                    return invalid("media and segment_index are required.", "media")
                media.received[int(segment)] = len(chunk.data)
                return _json(200, {"data": {"expires_at": int(media.expires)}})
            if sum(media.received.values()) != media.total_bytes:
                return invalid("Segments do not add up to provided total file size.", "media_id")
            data: dict[str, Any] = {
                "id": media.id,
                "media_key": media.key,
                "size": media.total_bytes,
                "expires_after_secs": int(media.expires - now),
            }
            if media.video:
                media.state, media.polls_left = "finalized", state.video_polls
                data["processing_info"] = {"state": "pending", "check_after_secs": 1}
            else:
                media.state = "succeeded"
            return _json(200, {"data": data})
        if endpoint == "x_media_status" and method == "GET":
            media = state.media.get(params.get("media_id", ""))
            if params.get("command") != "STATUS" or media is None:
                return invalid("Unknown media id or command.", "media_id")
            if media.state == "finalized" and media.polls_left > 0:
                media.polls_left -= 1
                info: dict[str, Any] = {"state": "in_progress", "check_after_secs": 1, "progress_percent": 50}
            else:
                if media.state == "finalized":
                    media.state = "succeeded"
                info = {"state": "succeeded" if media.state == "succeeded" else "pending", "progress_percent": 100}
            return _json(200, {"data": {"id": media.id, "media_key": media.key, "processing_info": info}})
        if endpoint == "x_media_metadata" and method == "POST":
            target = payload.get("id") if isinstance(payload, dict) else None
            meta = payload.get("metadata") if isinstance(payload, dict) else None
            alt = meta.get("alt_text") if isinstance(meta, dict) else None
            if not isinstance(target, str) or target not in state.media or not isinstance(alt, dict):
                return invalid("id and metadata.alt_text are required.", "id")
            state.media[target].alt_text = str(alt.get("text") or "")
            return _json(200, {"data": {"id": target, "associated_metadata": {"alt_text": alt}}})
        return problem(405, "Method Not Allowed", f"{method} is not allowed on {path}")

    def _create(self, payload: Any, now: float) -> Answer:
        if not isinstance(payload, dict):
            return invalid("Send a JSON body.")
        text = payload.get("text") or ""
        media = payload.get("media")
        media_ids = media.get("media_ids") if isinstance(media, dict) else []
        if not isinstance(text, str) or not isinstance(media_ids, list):
            return invalid("text must be a string and media.media_ids a list.", "text")
        if not text and not media_ids:
            return invalid("Post text or media is required.", "text")
        ids = [str(m) for m in media_ids]
        if len(ids) > 4 or not all(self.state.usable_media(m, now) for m in ids):
            return invalid("Your media IDs are invalid.", "media.media_ids")
        if self.state.duplicate(text, now):
            return problem(403, "Forbidden", DUPLICATE_DETAIL)
        tweet = self.state.add_tweet(text, ids, now)
        return _json(201, {"data": {"id": tweet.id, "text": tweet.shown, "edit_history_tweet_ids": [tweet.id]}})

    def _timeline(self, user_id: str, params: dict[str, str]) -> Answer:
        from datetime import datetime

        if user_id != X_USER_ID:
            return _json(200, {"meta": {"result_count": 0}})
        tweets = sorted(self.state.tweets, key=lambda t: t.created, reverse=True)
        start = params.get("start_time")
        if start:
            since = datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp()
            tweets = [t for t in tweets if t.created >= since]
        size = max(5, min(100, int(params.get("max_results", "10") or 10)))
        offset = int(params.get("pagination_token", "0") or 0)
        page = tweets[offset : offset + size]
        fields = set(params.get("tweet.fields", "").split(","))
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
        if offset + size < len(tweets):
            meta["next_token"] = str(offset + size)
        answer: dict[str, Any] = {"meta": meta}
        if page:
            answer["data"] = [self.state.tweet_json(t, fields) for t in page]
        return _json(200, answer)

    # ----- control (/_sandbox/x/...) -----

    def control(self, method: str, name: str, payload: Any) -> tuple[int, Any]:
        if name == "state" and method == "GET":
            return 200, self.snapshot()
        if name == "expire_token" and method == "POST":
            token = payload.get("token") if isinstance(payload, dict) else None
            with self.lock:
                count = self.state.expire_access(token if isinstance(token, str) else None)
            return 200, {"success": True, "expired": count}
        if name == "revoke" and method == "POST":
            self.revoke_all()
            return 200, {"success": True}
        if name == "video_polls" and method == "POST":
            polls = payload.get("polls") if isinstance(payload, dict) else None
            if not isinstance(polls, int) or polls < 0:
                raise ValueError('send {"polls": N}: STATUS calls that answer in_progress before succeeded')
            with self.lock:
                self.state.video_polls = polls
            return 200, {"success": True, "polls": polls}
        return 404, {"error": f"unknown control call {method} /_sandbox/x/{name}"}
