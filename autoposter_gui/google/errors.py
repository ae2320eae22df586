"""Google's JSON errors ({error: {code, status, message, details}}) and failed connections, classified."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import requests

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.known_secrets import mask

RECONNECT = "Reconnect Google Business Profile"
DEFAULT_RETRY = timedelta(minutes=1)
APPROVAL = (
    "Google refused the call: the Business Profile API must be approved and enabled for your Google Cloud "
    "project (request access from Google, then enable the Business Profile APIs in the Cloud console)"
)
NOT_MANAGER = (
    "Google refused the call: the connected Google account is not an owner or manager of this Business Profile "
    "location (add it as a manager in Business Profile, or reconnect with the right account)"
)
_API_OFF = re.compile(r"has not been used|is disabled|not been enabled|SERVICE_DISABLED|not approved|quota of 0", re.I)
_MAX_DETAIL = 200


def _error_body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def plain(message: str) -> str:
    """Google's message made safe and short: one line, secrets masked, capped."""
    text = " ".join(mask(message).split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _violations(error: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for detail in error.get("details") or []:
        if not isinstance(detail, dict):
            continue
        for violation in detail.get("fieldViolations") or []:
            if isinstance(violation, dict):
                field, text = violation.get("field"), violation.get("description")
                if text:
                    found.append(f"{field}: {text}" if field else str(text))
    return found


def _reasons(error: dict[str, Any]) -> str:
    return " ".join(str(d.get("reason", "")) for d in error.get("details") or [] if isinstance(d, dict))


def _retry_after(response: requests.Response, error: dict[str, Any]) -> timedelta:
    header = response.headers.get("Retry-After", "")
    if header.strip().isdigit():
        return timedelta(seconds=int(header.strip()))
    for detail in error.get("details") or []:
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        if isinstance(delay, str) and delay.endswith("s"):
            try:
                return timedelta(seconds=float(delay[:-1]))
            except ValueError:
                pass
    return DEFAULT_RETRY


def classify(response: requests.Response, *, create: bool = False) -> PublishError:
    """The PublishError for a non-2xx answer. ``create``: it answered the call that makes the post."""
    status = response.status_code
    error = _error_body(response)
    message = str(error.get("message") or "")
    google_status = str(error.get("status") or "")
    code = int(error["code"]) if isinstance(error.get("code"), int) else None

    def make(kind: ErrorKind, category: ErrorCategory, text: str, **more: Any) -> PublishError:
        return PublishError(kind, category, text, code=code, http_status=status, **more)

    if status == 401 or google_status == "UNAUTHENTICATED":
        return make(ErrorKind.PERMANENT, ErrorCategory.TOKEN, f"{RECONNECT}: Google no longer accepts this sign-in")
    if status == 403 or google_status == "PERMISSION_DENIED":
        api_off = _API_OFF.search(f"{message} {_reasons(error)}") is not None
        return make(ErrorKind.PERMANENT, ErrorCategory.PERMISSION, APPROVAL if api_off else NOT_MANAGER)
    if status == 429 or google_status == "RESOURCE_EXHAUSTED":
        return make(
            ErrorKind.TEMPORARY,
            ErrorCategory.THROTTLED,
            "Google's Business Profile API limit was reached; the post will be tried again later",
            retry_after=_retry_after(response, error),
        )
    if status >= 500:
        return make(
            ErrorKind.TEMPORARY,
            ErrorCategory.TRANSIENT,
            f"Google's servers had a problem (HTTP {status}); the post will be tried again",
            ambiguous=create,
        )
    if status == 404 or google_status == "NOT_FOUND":
        return make(
            ErrorKind.PERMANENT,
            ErrorCategory.INVALID_REQUEST,
            "Google can't find this Business Profile location or post (was it removed?); reconnect Google "
            "Business Profile to refresh the list of locations",
        )
    details = _violations(error) or ([message] if message else [])
    said = plain("; ".join(details)) if details else f"HTTP {status}"
    return make(ErrorKind.PERMANENT, ErrorCategory.INVALID_REQUEST, f"Google refused the post: {said}")


def transport(exc: requests.RequestException, *, create: bool = False) -> PublishError:
    """A timeout or dropped connection: ambiguous on the create call unless the request provably never left."""
    never_sent = isinstance(exc, requests.ConnectTimeout)
    what = "timed out" if isinstance(exc, requests.Timeout) else "failed"
    return PublishError(
        ErrorKind.TEMPORARY,
        ErrorCategory.NETWORK,
        f"The connection to Google {what}; the post will be checked and tried again",
        ambiguous=create and not never_sent,
    )


def unexpected(what: str) -> PublishError:
    """Google answered 2xx without a field we rely on."""
    return PublishError(
        ErrorKind.TEMPORARY, ErrorCategory.UNKNOWN, f"Google's answer had no {what}; the post will be tried again"
    )
