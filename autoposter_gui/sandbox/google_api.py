"""A fake of Google Business Profile: OAuth pages (auto-approving), accounts, locations, media and local posts.

It serves Google's real paths on the sandbox's one origin (``AUTOPOSTER_GOOGLE_URL`` points there): ``/o/oauth2/auth``,
``/token``, ``/v1/accounts``, ``/v1/accounts/{a}/locations``, ``/v4/accounts/{a}/locations/{l}/media:startUpload``,
``/upload/v1/media/{ref}``, ``/v4/.../media``, ``/v4/.../localPosts`` (and one of them). In memory only.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

CLIENT_ID = "sandbox-gbp-client.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-sandbox-gbp-secret-0001"
SCOPE = "https://www.googleapis.com/auth/business.manage"
ACCOUNT = "accounts/1001"
ACCOUNT_NAME = "Sandbox Bakery"
LOCATIONS = {"2001": "Sandbox Bakery — High St", "2002": "Sandbox Bakery — Market Sq"}
CIDS = {"2001": "9001001001001001001", "2002": "9002002002002002002"}
ACCESS_SECONDS = 3600
MAX_SUMMARY = 1500
STATES = ("LIVE", "PROCESSING", "REJECTED")
BUTTONS = ("BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL")
TOPICS = ("STANDARD", "EVENT", "OFFER")
_LOCATION_PATH = re.compile(r"^/v4/accounts/(\d+)/locations/(\d+)/(media:startUpload|media|localPosts)(?:/([\w-]+))?$")
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
_STATUS.update({409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"})

Answer = tuple[int, str, bytes, dict[str, str]]
_JSON = "application/json; charset=UTF-8"


def owns(path: str) -> bool:
    """Is ``path`` one of Google's (or this fake's control path)?"""
    return path in ("/o/oauth2/auth", "/token") or path.startswith(
        ("/v1/accounts", "/v4/accounts/", "/upload/v1/media/", "/_sandbox/google")
    )


def endpoint(method: str, path: str) -> str:
    """The fault-matching name of a Google call (see faults.GOOGLE_ENDPOINTS); "" for the control path."""
    if path == "/o/oauth2/auth":
        return "google_auth"
    if path == "/token":
        return "google_token"
    if path == "/v1/accounts":
        return "google_accounts"
    if path.startswith("/v1/accounts"):
        return "google_locations"
    if path.startswith("/upload/v1/media/"):
        return "google_upload"
    match = _LOCATION_PATH.match(path)
    if match is None:
        return ""
    if match.group(3) == "media:startUpload":
        return "google_start_upload"
    if match.group(3) == "media":
        return "google_media_create"
    if method == "POST":
        return "google_local_post_create"
    return "google_local_post_get" if match.group(4) else "google_local_posts_list"


def google_error(status: int, message: str, google_status: str | None = None, **more: Any) -> Answer:
    body = {"error": {"code": status, "message": message, "status": google_status or _STATUS.get(status, "UNKNOWN")}}
    body["error"].update(more)
    return status, _JSON, json.dumps(body).encode(), {}


def _ok(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, _JSON, json.dumps(payload, ensure_ascii=False).encode(), headers or {}


def _bad(message: str, field_name: str | None = None) -> Answer:
    details = []
    if field_name:
        violation = {"field": field_name, "description": message}
        details = [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}]
    return google_error(400, "Request contains an invalid argument.", details=details)


@dataclass
class _Code:
    challenge: str
    redirect_uri: str


@dataclass
class GoogleWorld:
    """The fake's state (guarded by ``GoogleApi.lock``)."""

    codes: dict[str, _Code] = field(default_factory=dict)
    access: dict[str, float] = field(default_factory=dict)  # token -> expiry (sandbox clock)
    refresh: set[str] = field(default_factory=set)
    refs: dict[str, int] = field(default_factory=dict)  # dataRef resourceName -> bytes received (-1: none yet)
    media: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    reads_left: dict[str, int] = field(default_factory=dict)  # PROCESSING post -> GETs before it goes LIVE
    post_state: str = "LIVE"  # the state a new local post gets
    processing_reads: int = 1
    calls: list[str] = field(default_factory=list)


class GoogleApi:
    """The fake itself: ``handle`` answers one request; the rest are controls for tests and the sandbox CLI."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.lock = threading.Lock()
        self.world = GoogleWorld()
        self._ids = itertools.count(1)

    # ----- controls -----

    def reset(self) -> None:
        with self.lock:
            self.world = GoogleWorld()

    def configure(self, post_state: str | None = None, processing_reads: int | None = None) -> dict[str, Any]:
        """The state new local posts get (LIVE, PROCESSING, REJECTED), and how many reads a PROCESSING one takes."""
        with self.lock:
            if post_state is not None:
                if post_state not in STATES:
                    raise ValueError(f"unknown post state {post_state!r}; known: {', '.join(STATES)}")
                self.world.post_state = post_state
            if processing_reads is not None:
                self.world.processing_reads = max(0, int(processing_reads))
            return {"post_state": self.world.post_state, "processing_reads": self.world.processing_reads}

    def reject(self, name: str) -> bool:
        """Google's review turns the local post ``name`` down (REJECTED on its next read)."""
        with self.lock:
            for post in self.world.posts:
                if post["name"] == name:
                    post["state"] = "REJECTED"
                    self.world.reads_left.pop(name, None)
                    return True
            return False

    def revoke(self) -> None:
        """The owner removed the app's access: every token dies (calls answer 401, refreshes invalid_grant)."""
        with self.lock:
            self.world.access.clear()
            self.world.refresh.clear()

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.world.access = dict.fromkeys(self.world.access, 0.0)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "posts": [dict(p) for p in self.world.posts],
                "media": [dict(m) for m in self.world.media],
                "calls": list(self.world.calls),
                "post_state": self.world.post_state,
            }

    def control(self, method: str, name: str, payload: Any) -> Answer:
        """``GET /_sandbox/google`` (state), ``POST /_sandbox/google/{config,reject,revoke,reset}``."""
        args = payload if isinstance(payload, dict) else {}
        try:
            if method == "GET" and name == "":
                return _ok(self.snapshot())
            if method == "POST" and name == "config":
                return _ok(self.configure(args.get("post_state"), args.get("processing_reads")))
            if method == "POST" and name == "reject":
                return _ok({"rejected": self.reject(str(args.get("name", "")))})
            if method == "POST" and name in ("revoke", "reset"):
                self.revoke() if name == "revoke" else self.reset()
                return _ok({"ok": True})
        except (ValueError, TypeError) as exc:
            return _ok({"error": str(exc)}, 400)
        return _ok({"error": f"no control {method} /_sandbox/google/{name}"}, 404)

    # ----- requests -----

    def _stamp(self) -> str:
        return datetime.fromtimestamp(self.now(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def handle(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> Answer:
        with self.lock:
            self.world.calls.append(f"{method} {path}")
            if path == "/o/oauth2/auth":
                return self._authorize(query)
            if path == "/token":
                return self._token(body, headers)
            token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if self.world.access.get(token, 0.0) <= self.now():
                return google_error(401, "Request had invalid authentication credentials.")
            if path == "/v1/accounts" and method == "GET":
                return _ok({"accounts": [{"name": ACCOUNT, "accountName": ACCOUNT_NAME, "type": "PERSONAL"}]})
            if path == f"/v1/{ACCOUNT}/locations" and method == "GET":
                return self._locations(query)
            if path.startswith("/v1/accounts"):
                return google_error(403, "The caller does not have permission")
            if path.startswith("/upload/v1/media/") and method == "POST":
                return self._upload(path.removeprefix("/upload/v1/media/"), query, body)
            match = _LOCATION_PATH.match(path)
            if match is None:
                return google_error(404, "Requested entity was not found.")
            account, location, kind, item = match.groups()
            if f"accounts/{account}" != ACCOUNT:
                return google_error(403, "The caller does not have permission")
            if location not in LOCATIONS:
                return google_error(404, "Requested entity was not found.")
            parent = f"{ACCOUNT}/locations/{location}"
            if kind == "media:startUpload" and method == "POST":
                ref = f"AF1QipSandbox{next(self._ids):06d}"
                self.world.refs[ref] = -1
                return _ok({"resourceName": ref})
            if kind == "media" and method == "POST" and item is None:
                return self._media(parent, body)
            if kind == "localPosts" and method == "POST" and item is None:
                return self._create(parent, location, body)
            if kind == "localPosts" and method == "GET":
                return self._read(f"{parent}/localPosts/{item}") if item else self._list(parent, query)
            return google_error(404, "Requested entity was not found.")

    def _authorize(self, query: Mapping[str, str]) -> Answer:
        redirect = query.get("redirect_uri", "")
        host = urlsplit(redirect).hostname
        if query.get("client_id") != CLIENT_ID:
            return 401, "text/html", b"<h1>Error 401: invalid_client</h1><p>The OAuth client was not found.</p>", {}
        if not redirect.startswith("http://") or host not in ("127.0.0.1", "localhost", "::1"):
            return 400, "text/html", b"<h1>Error 400: redirect_uri_mismatch</h1>", {}
        answer: dict[str, str] = {"state": query.get("state", "")}
        if SCOPE not in query.get("scope", "").split():
            answer["error"] = "invalid_scope"
        elif query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            answer["error"] = "invalid_request"
        else:
            code = f"4/sandbox-code-{next(self._ids):06d}"
            self.world.codes[code] = _Code(query["code_challenge"], redirect)
            answer.update(code=code, scope=SCOPE)
        sep = "&" if "?" in redirect else "?"
        return 302, "text/html", b"", {"Location": f"{redirect}{sep}{urlencode(answer)}"}

    def _token(self, body: bytes, headers: Mapping[str, str]) -> Answer:
        from urllib.parse import parse_qsl

        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return _ok({"error": "invalid_client", "error_description": "Unauthorized"}, 401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            code = self.world.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if code is None or code.challenge != challenge or code.redirect_uri != form.get("redirect_uri"):
                return _ok({"error": "invalid_grant", "error_description": "Bad Request"}, 400)
            refresh = f"1//sandbox-refresh-{next(self._ids):06d}"
            self.world.refresh.add(refresh)
            return _ok({**self._access(), "refresh_token": refresh})
        if grant == "refresh_token":
            if form.get("refresh_token") not in self.world.refresh:
                return _ok({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, 400)
            return _ok(self._access())
        return _ok({"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}, 400)

    def _access(self) -> dict[str, Any]:
        token = f"ya29.sandbox-access-{next(self._ids):06d}"
        self.world.access[token] = self.now() + ACCESS_SECONDS
        return {"access_token": token, "expires_in": ACCESS_SECONDS - 1, "scope": SCOPE, "token_type": "Bearer"}

    def _locations(self, query: Mapping[str, str]) -> Answer:
        if not query.get("readMask"):
            return _bad("readMask is required", "read_mask")
        size = int(query.get("pageSize") or 10)
        start = int(query.get("pageToken") or 0)
        every = [{"name": f"locations/{lid}", "title": title} for lid, title in LOCATIONS.items()]
        answer: dict[str, Any] = {"locations": every[start : start + size]}
        if start + size < len(every):
            answer["nextPageToken"] = str(start + size)
        return _ok(answer)

    def _upload(self, ref: str, query: Mapping[str, str], body: bytes) -> Answer:
        if query.get("upload_type") != "media":
            return _bad("upload_type must be media", "upload_type")
        if ref not in self.world.refs:
            return google_error(404, "Requested entity was not found.")
        if not body:
            return _bad("The upload has no bytes", "media")
        self.world.refs[ref] = len(body)
        return _ok({"resourceName": ref})

    def _media(self, parent: str, body: bytes) -> Answer:
        item = json.loads(body or b"{}")
        ref = str((item.get("dataRef") or {}).get("resourceName") or "")
        if item.get("mediaFormat") != "PHOTO":
            return _bad("Only PHOTO media items are supported here", "media_format")
        if not (item.get("locationAssociation") or {}).get("category"):
            return _bad("locationAssociation.category is required", "location_association")
        if self.world.refs.get(ref, -1) <= 0:
            return _bad("dataRef names no uploaded bytes", "data_ref")
        made = {
            "name": f"{parent}/media/{ref}",
            "mediaFormat": "PHOTO",
            "locationAssociation": item["locationAssociation"],
            "googleUrl": f"https://lh3.googleusercontent.com/p/{ref}",
            "createTime": self._stamp(),
        }
        self.world.media.append(made)
        return _ok(made)

    def _create(self, parent: str, location: str, body: bytes) -> Answer:
        try:
            post = json.loads(body or b"{}")
        except ValueError:
            return _bad("Invalid JSON payload received.")
        problem = _check(post, {m["googleUrl"] for m in self.world.media})
        if problem is not None:
            return _bad(*problem)
        lpsid = f"{next(self._ids):019d}"
        stamp = self._stamp()
        post.update(
            name=f"{parent}/localPosts/{lpsid}",
            state=self.world.post_state,
            createTime=stamp,
            updateTime=stamp,
            searchUrl=f"https://local.google.com/place?id={CIDS[location]}&use=posts&lpsid={lpsid}",
        )
        for item in post.get("media") or []:
            item["googleUrl"] = item.get("sourceUrl")
        self.world.posts.append(post)
        if post["state"] == "PROCESSING":
            self.world.reads_left[post["name"]] = self.world.processing_reads
        return _ok(post)

    def _read(self, name: str) -> Answer:
        for post in self.world.posts:
            if post["name"] == name:
                left = self.world.reads_left.get(name)
                if left is not None:
                    if left <= 0:
                        post["state"] = "LIVE"
                        del self.world.reads_left[name]
                    else:
                        self.world.reads_left[name] = left - 1
                return _ok(post)
        return google_error(404, "Requested entity was not found.")

    def _list(self, parent: str, query: Mapping[str, str]) -> Answer:
        size = min(int(query.get("pageSize") or 20), 100)
        start = int(query.get("pageToken") or 0)
        mine = [p for p in reversed(self.world.posts) if p["name"].startswith(f"{parent}/")]
        answer: dict[str, Any] = {"localPosts": mine[start : start + size]}
        if start + size < len(mine):
            answer["nextPageToken"] = str(start + size)
        return _ok(answer)


def _check(post: Mapping[str, Any], photos: set[str]) -> tuple[str, str] | None:
    """What Google would refuse in a LocalPost: (description, field), or None."""
    topic = post.get("topicType")
    if topic not in TOPICS:
        return "topicType must be STANDARD, EVENT or OFFER", "topic_type"
    if len(str(post.get("summary") or "")) > MAX_SUMMARY:
        return f"The summary is longer than {MAX_SUMMARY} characters", "summary"
    cta = post.get("callToAction")
    if cta is not None:
        if cta.get("actionType") not in BUTTONS:
            return "Unknown call to action type", "call_to_action.action_type"
        if cta["actionType"] != "CALL" and not cta.get("url"):
            return "A call to action needs a url", "call_to_action.url"
    if topic in ("EVENT", "OFFER"):
        event = post.get("event") or {}
        schedule = event.get("schedule") or {}
        if not event.get("title"):
            return "An event needs a title", "event.title"
        if not schedule.get("startDate") or not schedule.get("endDate"):
            return "An event needs a start and an end date", "event.schedule"
    if topic != "OFFER" and post.get("offer"):
        return "offer is only for OFFER posts", "offer"
    for item in post.get("media") or []:
        if item.get("mediaFormat") != "PHOTO" or item.get("sourceUrl") not in photos:
            return "The media sourceUrl can't be fetched", "media.source_url"
    return None
