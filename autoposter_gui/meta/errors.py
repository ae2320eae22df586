"""Turns Graph API answers and requests exceptions into classified, token-free PublishErrors."""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.networks.redact import redact

if TYPE_CHECKING:  # requests (and urllib3) load with the first Graph client, not at start-up
    import requests

TEMPORARY = ErrorKind.TEMPORARY
PERMANENT = ErrorKind.PERMANENT

QUOTA_RETRY_AFTER = timedelta(hours=1)  # Meta gives no reset time for the IG daily publishing limit
SPAM_RETRY_AFTER = timedelta(hours=1)
MAX_DETAIL_CHARS = 300

USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")

_RECONNECT = "Reconnect your account in Autoposter"
_TOKEN_MESSAGES: dict[int | None, str] = {
    None: f"{_RECONNECT}: the access token was revoked or expired.",
    458: f"{_RECONNECT}: the Autoposter app was removed from your Facebook account.",
    459: "Log in at facebook.com to pass the security checkpoint, then reconnect in Autoposter.",
    460: f"{_RECONNECT}: the Facebook password was changed, which revoked the access token.",
    463: f"{_RECONNECT}: the access token has expired.",
    464: "Confirm your Facebook account at facebook.com, then reconnect in Autoposter.",
    467: f"{_RECONNECT}: the access token is no longer valid (you logged out or the session ended).",
}

_TRANSIENT_MSG = "Facebook had a temporary problem; Autoposter will retry automatically."
_AMBIGUOUS_SUFFIX = " It is not known whether the post went out, so Autoposter will check before retrying."


@dataclass(frozen=True)
class _Rule:
    kind: ErrorKind
    category: ErrorCategory
    message: str


_PERMISSION = _Rule(
    PERMANENT,
    ErrorCategory.PERMISSION,
    "Facebook refused: Autoposter lacks a permission for this Page or Instagram account. Reconnect and grant "
    "all requested permissions (you need the 'Create content' or 'Manage' task on the Page).",
)
_THROTTLED = _Rule(
    TEMPORARY,
    ErrorCategory.THROTTLED,
    "Facebook is limiting how many requests Autoposter may make right now; it will retry later on its own.",
)
_TRANSIENT = _Rule(TEMPORARY, ErrorCategory.TRANSIENT, _TRANSIENT_MSG)
_NOT_READY = _Rule(
    TEMPORARY,
    ErrorCategory.MEDIA_NOT_READY,
    "Instagram has not finished processing the image yet; Autoposter will try again.",
)
_MEDIA_FETCH = _Rule(
    TEMPORARY,
    ErrorCategory.MEDIA_FETCH,
    "Instagram could not fetch the image; Autoposter will try again. If it keeps failing, try another image.",
)
_ASPECT = _Rule(
    PERMANENT,
    ErrorCategory.MEDIA_INVALID,
    "Instagram rejected the image's shape: use an aspect ratio from 4:5 (portrait) to 1.91:1 (landscape).",
)
_TOO_BIG = _Rule(
    PERMANENT,
    ErrorCategory.MEDIA_INVALID,
    "Instagram rejected the image because it is too large: use a JPEG under 8 MB.",
)
_QUOTA = _Rule(
    TEMPORARY,
    ErrorCategory.QUOTA,
    "The Instagram account reached its daily publishing limit; Autoposter will retry later.",
)
_EXPIRED = _Rule(
    TEMPORARY,
    ErrorCategory.CONTAINER_EXPIRED,
    "The prepared Instagram upload expired; Autoposter will upload the image again.",
)
_SPAM = _Rule(
    TEMPORARY,
    ErrorCategory.SPAM,
    "Facebook temporarily blocked this post as possible spam; Autoposter will wait and retry. If it keeps "
    "happening, post less often or change the text.",
)
_DUPLICATE = _Rule(
    PERMANENT,
    ErrorCategory.DUPLICATE,
    "Facebook rejected this as a duplicate post; change the text",
)
_INVALID = _Rule(
    PERMANENT,
    ErrorCategory.INVALID_REQUEST,
    "Facebook rejected the request as invalid; check the post, the image and the account, then try again.",
)
_UNKNOWN = _Rule(
    PERMANENT,
    ErrorCategory.UNKNOWN,
    "Facebook refused the post with an unexpected error; check the post and the account, then try again.",
)

# IG subcodes are unique, so they are looked up first.
_BY_SUBCODE: dict[int, _Rule] = {
    2207027: _NOT_READY,
    2207052: _MEDIA_FETCH,
    2207009: _ASPECT,
    2207004: _TOO_BIG,
    2207042: _QUOTA,
    2207001: _TRANSIENT,
    2207003: _TRANSIENT,
    2207020: _EXPIRED,
}

_BY_CODE: dict[int, _Rule] = {
    10: _PERMISSION,
    3: _PERMISSION,
    4: _THROTTLED,
    17: _THROTTLED,
    32: _THROTTLED,
    613: _THROTTLED,
    80001: _THROTTLED,
    80002: _THROTTLED,
    1: _TRANSIENT,
    2: _TRANSIENT,
    -1: _TRANSIENT,
    -2: _TRANSIENT,
    368: _SPAM,
    506: _DUPLICATE,
    9007: _NOT_READY,
    9004: _MEDIA_FETCH,
    36003: _ASPECT,
    36000: _TOO_BIG,
    9: _QUOTA,
    100: _INVALID,
}


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _lower_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}


def _percentages(entry: Mapping[str, Any]) -> list[float]:
    out: list[float] = []
    for key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct"):
        value = entry.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value))
    return out


def parse_usage_headers(headers: Mapping[str, str] | None) -> tuple[float | None, timedelta | None]:
    """Read Meta's rate-limit headers: (highest usage percent, longest estimated time to regain access).

    Usage is None when no usable header was present. Malformed headers are ignored.
    """
    lowered = _lower_headers(headers)
    usage: float | None = None
    regain_minutes = 0.0
    for name in USAGE_HEADERS:
        raw = lowered.get(name)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            continue
        entries: list[Mapping[str, Any]] = []
        if name == "x-business-use-case-usage" and isinstance(parsed, dict):
            for value in parsed.values():
                if isinstance(value, list):
                    entries.extend(e for e in value if isinstance(e, dict))
        elif isinstance(parsed, dict):
            entries.append(parsed)
        for entry in entries:
            for pct in _percentages(entry):
                usage = pct if usage is None else max(usage, pct)
            regain = entry.get("estimated_time_to_regain_access")
            if isinstance(regain, int | float) and not isinstance(regain, bool):
                regain_minutes = max(regain_minutes, float(regain))
    return usage, (timedelta(minutes=regain_minutes) if regain_minutes > 0 else None)


def _detail(error: Mapping[str, Any]) -> str | None:
    for key in ("error_user_msg", "message"):
        value = error.get(key)
        if isinstance(value, str) and value.strip():
            text = redact(" ".join(value.split()))
            if len(text) > MAX_DETAIL_CHARS:
                text = text[: MAX_DETAIL_CHARS - 1] + "…"
            return text
    return None


def _with_detail(base: str, detail: str | None) -> str:
    if not detail:
        return base
    sep = "" if base.endswith((".", "!", "?")) else "."
    return f"{base}{sep} Facebook said: {detail}"


def _http_only(status: int, headers: Mapping[str, str] | None, *, is_write: bool) -> PublishError:
    """An answer without a Graph error object (an HTML gateway page, empty or garbled body)."""
    _, regain = parse_usage_headers(headers)
    if status == 429:
        return PublishError(
            TEMPORARY,
            ErrorCategory.THROTTLED,
            _THROTTLED.message,
            http_status=status,
            retry_after=regain,
        )
    # A 4xx other than a request timeout means the request was refused before anything was done.
    refused = 400 <= status < 500 and status != 408
    ambiguous = is_write and not refused
    if status >= 500:
        base = f"Facebook is temporarily unavailable (HTTP {status}); Autoposter will retry automatically."
    elif 200 <= status < 300:
        base = "Facebook sent an answer Autoposter could not read; Autoposter will retry automatically."
    else:
        base = f"Facebook sent an unexpected answer (HTTP {status}); Autoposter will retry automatically."
    return PublishError(
        TEMPORARY,
        ErrorCategory.TRANSIENT,
        base + (_AMBIGUOUS_SUFFIX if ambiguous else ""),
        http_status=status,
        retry_after=regain,
        ambiguous=ambiguous,
    )


def classify_error_object(
    error: Mapping[str, Any],
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    is_write: bool = False,
) -> PublishError:
    """Classify a Graph ``{"error": {...}}`` object (also used for ``debug_token``'s embedded error)."""
    code = _as_int(error.get("code"))
    subcode = _as_int(error.get("error_subcode"))
    is_transient = error.get("is_transient") is True
    trace = error.get("fbtrace_id")
    fbtrace_id = trace if isinstance(trace, str) else None
    detail = _detail(error)
    _, regain = parse_usage_headers(headers)
    extra: dict[str, str] = {}

    rule: _Rule | None
    if code in (190, 102):
        message = _TOKEN_MESSAGES.get(subcode, _TOKEN_MESSAGES[None])
        rule = _Rule(PERMANENT, ErrorCategory.TOKEN, message)
    elif code is not None and 200 <= code <= 299:
        rule = _PERMISSION
    else:
        rule = _BY_SUBCODE.get(subcode) if subcode is not None else None
        if rule is None and code is not None:
            rule = _BY_CODE.get(code)
    if rule is None or (is_transient and rule.category in (ErrorCategory.UNKNOWN, ErrorCategory.INVALID_REQUEST)):
        server_side = is_transient or (status is not None and status >= 500)
        rule = _TRANSIENT if server_side else _UNKNOWN

    retry_after: timedelta | None = None
    if rule.category is ErrorCategory.THROTTLED:
        retry_after = regain
    elif rule.category is ErrorCategory.QUOTA:
        retry_after = max(regain or QUOTA_RETRY_AFTER, QUOTA_RETRY_AFTER)
    elif rule.category is ErrorCategory.SPAM:
        retry_after = max(regain or SPAM_RETRY_AFTER, SPAM_RETRY_AFTER)

    # A server-side failure of a write may still have been committed by Meta (codes 1/2 are known to do that).
    ambiguous = is_write and rule.category is ErrorCategory.TRANSIENT
    message = rule.message
    if rule.category is ErrorCategory.MEDIA_NOT_READY and detail and "already been published" in detail.lower():
        # media_publish on a container that is already PUBLISHED: the post exists; the caller must look it up.
        ambiguous = is_write
        extra["reason"] = "already_published"
        message = "Instagram says this post was already published; Autoposter will look it up."
    if ambiguous and rule.category is ErrorCategory.TRANSIENT:
        message += _AMBIGUOUS_SUFFIX

    return PublishError(
        rule.kind,
        rule.category,
        _with_detail(message, detail),
        code=code,
        subcode=subcode,
        http_status=status,
        fbtrace_id=fbtrace_id,
        retry_after=retry_after,
        ambiguous=ambiguous,
        extra=extra,
    )


def classify_response(
    status: int, body_text: str, headers: Mapping[str, str] | None, *, is_write: bool
) -> PublishError:
    """Classify a failed Graph answer. ``body_text`` is parsed, never copied into the error."""
    try:
        parsed: object = json.loads(body_text) if body_text else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict):
            return classify_error_object(error, status=status, headers=headers, is_write=is_write)
    return _http_only(status, headers, is_write=is_write)


def _chain(exc: BaseException) -> list[object]:
    """The exception, its arguments, causes and urllib3 reasons, flattened (bounded)."""
    seen: list[object] = []
    stack: list[object] = [exc]
    while stack and len(seen) < 30:
        item = stack.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        if isinstance(item, BaseException):
            stack.extend(item.args)
            stack.append(item.__cause__)
            stack.append(item.__context__)
            stack.append(getattr(item, "reason", None))
    return seen


def _not_sent_types() -> tuple[type[BaseException], ...]:
    """Failures that prove the request never left this machine."""
    import urllib3.exceptions

    return (
        urllib3.exceptions.NewConnectionError,  # refused, DNS failure (NameResolutionError subclasses it)
        urllib3.exceptions.ConnectTimeoutError,
        urllib3.exceptions.ProxyError,
        ConnectionRefusedError,
        socket.gaierror,
    )


def classify_exception(exc: requests.RequestException, *, is_write: bool) -> PublishError:
    """Classify a requests failure. The exception text (it may hold a URL with a token) is never used."""
    import requests

    not_sent = _not_sent_types()
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return PublishError(
            TEMPORARY,
            ErrorCategory.NETWORK,
            "Could not reach Facebook (the connection timed out); check the internet connection. "
            "Autoposter will retry automatically.",
        )
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return PublishError(
            TEMPORARY,
            ErrorCategory.NETWORK,
            "Facebook did not answer in time; Autoposter will retry automatically."
            + (_AMBIGUOUS_SUFFIX if is_write else ""),
            ambiguous=is_write,
        )
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return PublishError(
            PERMANENT,
            ErrorCategory.INVALID_REQUEST,
            "The Graph API address is invalid; check the AUTOPOSTER_GRAPH_URL setting.",
        )
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return PublishError(
            TEMPORARY,
            ErrorCategory.TRANSIENT,
            "The answer from Facebook was cut off; Autoposter will retry automatically."
            + (_AMBIGUOUS_SUFFIX if is_write else ""),
            ambiguous=is_write,
        )
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError) or any(
        isinstance(item, not_sent) for item in _chain(exc)
    ):
        return PublishError(
            TEMPORARY,
            ErrorCategory.NETWORK,
            "Could not connect to Facebook; check the internet connection. Autoposter will retry automatically.",
        )
    # A reset or aborted connection (or anything unknown): the request may have been sent.
    return PublishError(
        TEMPORARY,
        ErrorCategory.NETWORK,
        "The connection to Facebook was interrupted; Autoposter will retry automatically."
        + (_AMBIGUOUS_SUFFIX if is_write else ""),
        ambiguous=is_write,
    )


def unexpected_answer(what: str, *, is_write: bool) -> PublishError:
    """A 2xx answer that lacks a field Autoposter needs (e.g. no id after a post)."""
    return PublishError(
        TEMPORARY,
        ErrorCategory.TRANSIENT,
        f"Facebook's answer had no {what}; Autoposter will retry automatically."
        + (_AMBIGUOUS_SUFFIX if is_write else ""),
        ambiguous=is_write,
    )
