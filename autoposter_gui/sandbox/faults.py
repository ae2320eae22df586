"""Fault injection for the sandbox: a queue of faults, each consumed by the next matching request."""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

FAULT_KINDS = ("error", "html", "hang_after_commit", "hang_before", "reset", "latency", "late_commit", "revoke")

# Endpoint names a fault can match, besides "*" (every Graph call) and "/path/glob" patterns.
GRAPH_ENDPOINTS = (
    "oauth",
    "debug_token",
    "me",
    "me_accounts",
    "page",
    "ig_user",
    "feed_post",
    "feed_get",
    "photos_post",
    "photo_images",
    "media_post",
    "media_get",
    "media_publish",
    "container_status",
    "publishing_limit",
    "permalink",
    "video_reels",
    "videos_post",
    "video_upload",
    "video_status",
    "comments_post",
    "comments_get",
    "post_update",
    "post_delete",
    "scheduled_posts",
    "batch",
    "insights",
    "post_metrics",
    "node",
    "edge",
)
PAGE_ENDPOINTS = ("sandbox_index", "sandbox_post", "sandbox_ig", "sandbox_media", "login_dialog", "login_confirm")
# X's endpoints (x_api.classify); "*" does not cover them: name them, or use a "/2/..." glob.
X_ENDPOINTS = (
    "x_authorize",
    "x_token",
    "x_me",
    "x_tweet_create",
    "x_user_tweets",
    "x_media_init",
    "x_media_append",
    "x_media_finalize",
    "x_media_status",
    "x_media_metadata",
    "x_other",
)
# Google Business Profile's calls (sandbox/google_api.py); "*" does not match them: name them, or a "/path/glob".
GOOGLE_ENDPOINTS = (
    "google_auth",
    "google_token",
    "google_accounts",
    "google_locations",
    "google_start_upload",
    "google_upload",
    "google_media_create",
    "google_local_post_create",
    "google_local_post_get",
    "google_local_posts_list",
)
ENDPOINTS = GRAPH_ENDPOINTS + PAGE_ENDPOINTS + X_ENDPOINTS + GOOGLE_ENDPOINTS

DEFAULT_HANG_SECONDS = 300.0
DEFAULT_LATE_COMMIT_SECONDS = 30.0
DEFAULT_LATENCY_MS = 1000

DEFAULT_MESSAGES: dict[int, str] = {
    -2: "Timeout. Please try again.",
    -1: "Instagram server error. Please try again.",
    1: "An unknown error has occurred.",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "(#4) Application request limit reached",
    9: "(#9) Application request limit reached",
    10: "(#10) Application does not have permission for this action",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    100: "(#100) Invalid parameter",
    102: "Session key invalid or no longer valid",
    190: "Error validating access token: The session has been invalidated because the user changed their "
    "password or Facebook has changed the session for security reasons.",
    200: "(#200) Permissions error",
    368: "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
    506: "(#506) Duplicate status message",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    9004: "Media download has failed.: The media URI doesn't meet our requirements.",
    9007: "Media ID is not available",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.",
}


@dataclass
class Fault:
    """One injected fault. ``match`` is an endpoint name, ``a|b`` alternatives, "*" or a "/path/glob".

    Kinds: ``error`` (a Graph error answer), ``html`` (an HTML error page), ``hang_before`` (hang, then close
    without doing anything), ``hang_after_commit`` (do the call, then hang and close without answering), ``reset``
    (a TCP reset, before or ``after_commit``), ``latency`` (answer late), ``late_commit`` (hold the connection
    ``hang_seconds``, reset it without answering, and do the call ``seconds`` after it came in, as Meta sometimes
    commits a dropped request), ``revoke``
    (revoke the tokens of ``target``, or of the account the call concerns: before the call, so it answers 190, or
    ``after_commit``; later calls with those tokens answer 190 until a reconnect hands out new ones).
    ``skip`` lets that many matching calls through untouched before the fault fires.
    """

    kind: str
    match: str = "*"
    method: str = "*"
    times: int = 1
    skip: int = 0
    name: str | None = None  # a free label, shown in the pending list (e.g. to tell when one fault was consumed)
    # kind "error" (and "html" for http_status)
    code: int = 1
    subcode: int | None = None
    http_status: int | None = None
    is_transient: bool | None = None
    message: str | None = None
    type: str = "OAuthException"
    error_user_title: str | None = None
    error_user_msg: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # kind "html"
    body: str | None = None
    # kinds "hang_after_commit", "hang_before" (default 300 s), "late_commit" (default 30 s) and "latency"
    # (alternative to ms)
    seconds: float | None = None
    # kind "late_commit": how long the connection stays open, unanswered, before the reset (a client killed
    # meanwhile never learns of the drop)
    hang_seconds: float = 0.0
    # kinds "reset" and "revoke"
    after_commit: bool = False
    # kind "revoke": a token, a Page / IG id, or "user" (the user's tokens and every Page token); None: the account
    # the call concerns
    target: str | None = None
    # kind "latency"
    ms: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        self.method = self.method.upper()
        if self.times < 1:
            raise ValueError("times must be at least 1")
        if self.skip < 0:
            raise ValueError("skip must not be negative")
        if (self.seconds is not None and self.seconds < 0) or self.hang_seconds < 0:
            raise ValueError("seconds must not be negative")
        for alternative in self.match.split("|"):
            if alternative != "*" and not alternative.startswith("/") and alternative not in ENDPOINTS:
                raise ValueError(f"unknown endpoint {alternative!r}; known: {', '.join(ENDPOINTS)}")

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Fault:
        """Build a fault from a JSON-like spec, checking names and types; raises ValueError."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(spec) - set(known))
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(unknown)}")
        if "kind" not in spec:
            raise ValueError("a fault needs a 'kind'")
        checks: dict[str, tuple[type, ...]] = {
            "kind": (str,),
            "match": (str,),
            "method": (str,),
            "times": (int,),
            "skip": (int,),
            "name": (str, type(None)),
            "code": (int,),
            "subcode": (int, type(None)),
            "http_status": (int, type(None)),
            "is_transient": (bool, type(None)),
            "message": (str, type(None)),
            "type": (str,),
            "error_user_title": (str, type(None)),
            "error_user_msg": (str, type(None)),
            "headers": (dict,),
            "body": (str, type(None)),
            "seconds": (int, float, type(None)),
            "hang_seconds": (int, float),
            "after_commit": (bool,),
            "target": (str, type(None)),
            "ms": (int, type(None)),
        }
        for key, value in spec.items():
            allowed = checks[key]
            if isinstance(value, bool) and bool not in allowed:
                raise ValueError(f"fault key {key!r} has the wrong type")
            if not isinstance(value, allowed):
                raise ValueError(f"fault key {key!r} has the wrong type")
        values = dict(spec)
        if values.get("headers") is not None:
            values["headers"] = {str(k): str(v) for k, v in values["headers"].items()}
        for key in ("seconds", "hang_seconds"):
            if isinstance(values.get(key), int):
                values[key] = float(values[key])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, method: str, endpoint: str, path: str) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        for alternative in self.match.split("|"):
            if alternative == "*":
                if endpoint in GRAPH_ENDPOINTS:
                    return True
            elif alternative.startswith("/"):
                if fnmatch.fnmatchcase(path, alternative):
                    return True
            elif alternative == endpoint:
                return True
        return False

    @property
    def status(self) -> int:
        if self.http_status is not None:
            return self.http_status
        return 502 if self.kind == "html" else 400

    @property
    def delay_seconds(self) -> float:
        """How long a hang or latency fault waits, or a late commit is delayed."""
        if self.kind == "latency":
            if self.ms is not None:
                return self.ms / 1000
            return self.seconds if self.seconds is not None else DEFAULT_LATENCY_MS / 1000
        if self.kind == "late_commit":
            return self.seconds if self.seconds is not None else DEFAULT_LATE_COMMIT_SECONDS
        return self.seconds if self.seconds is not None else DEFAULT_HANG_SECONDS

    def error_message(self) -> str:
        if self.message is not None:
            return self.message
        return DEFAULT_MESSAGES.get(self.code, "An unknown error has occurred.")


class FaultQueue:
    """Thread-safe FIFO of faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> int:
        with self._lock:
            count = len(self._faults)
            self._faults.clear()
            return count

    def take(self, method: str, endpoint: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching this request (a fault still skipping lets it through)."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(method, endpoint, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        del self._faults[index]
                    return fault
            return None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_dict() for f in self._faults]
