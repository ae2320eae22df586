"""X's error answers and transport failures as classified PublishErrors, each with a plain sentence."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError

DUPLICATE_MESSAGE = "X refuses a post identical to a recent one: change the words"
DEFAULT_RATE_WAIT = timedelta(minutes=15)  # X's rate-limit windows are 15 minutes
MIN_RATE_WAIT = timedelta(seconds=30)
MEDIA_INVALID = "media_invalid"  # extra key: X refused the post's media ids (expired): upload them again


def _json(response: requests.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _detail(body: Mapping[str, Any]) -> str:
    """X's own short explanation (problem ``detail``, else the first ``errors[].message``), one line, trimmed."""
    text = body.get("detail")
    errors = body.get("errors")
    if not isinstance(text, str) and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        text = errors[0].get("message") or errors[0].get("detail")
    if not isinstance(text, str):
        text = body.get("error_description") if isinstance(body.get("error_description"), str) else ""
    return " ".join(str(text).split())[:200].rstrip(".")


def reconnect(username: str | None, why: str) -> PublishError:
    """The owner must connect X again (a dead or refused sign-in)."""
    who = f" (@{username})" if username else ""
    return PublishError(ErrorKind.PERMANENT, ErrorCategory.TOKEN, f"Reconnect X{who}: {why}", http_status=401, extra={})


def rate_wait(response: requests.Response, now: datetime) -> timedelta:
    """How long until X's window resets (``x-rate-limit-reset``, epoch seconds), at least 30 s."""
    reset = response.headers.get("x-rate-limit-reset", "")
    if reset.strip().isdigit():
        wait = timedelta(seconds=int(reset) - now.timestamp())
        return max(wait, MIN_RATE_WAIT)
    return DEFAULT_RATE_WAIT


def media_ids_refused(body: Mapping[str, Any]) -> bool:
    """X's 400 for unknown or expired media ids (``errors[].parameters`` names ``media.media_ids``)."""
    errors = body.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            params = error.get("parameters")
            message = str(error.get("message") or "").lower()
            if (isinstance(params, dict) and "media.media_ids" in params) or "media id" in message:
                return True
    return False


def from_response(
    response: requests.Response, *, what: str, create: bool, now: datetime, username: str | None = None
) -> PublishError:
    """One HTTP error answer. ``what`` names the call for the sentence ("publishing the post", "uploading a photo")."""
    status = response.status_code
    body = _json(response)
    detail = _detail(body)
    if status == 429:
        wait = rate_wait(response, now)
        minutes = max(1, round(wait.total_seconds() / 60))
        return PublishError(
            ErrorKind.TEMPORARY,
            ErrorCategory.THROTTLED,
            f"X's rate limit was reached while {what}: it will try again in about {minutes} min",
            http_status=429,
            retry_after=wait,
        )
    if status == 401:
        return reconnect(username, "X no longer accepts the saved sign-in")
    if status == 403 and "duplicate" in detail.lower():
        return PublishError(ErrorKind.PERMANENT, ErrorCategory.DUPLICATE, DUPLICATE_MESSAGE, http_status=403)
    if status == 403:
        said = f" ({detail})" if detail else ""
        return PublishError(
            ErrorKind.PERMANENT,
            ErrorCategory.PERMISSION,
            f"X refused {what}{said}: check the account and the app's permissions in X's developer portal",
            http_status=403,
        )
    if status >= 500:
        return PublishError(
            ErrorKind.TEMPORARY,
            ErrorCategory.TRANSIENT,
            f"X had a server problem while {what} (HTTP {status}): it will try again",
            http_status=status,
            ambiguous=create,
        )
    extra = {MEDIA_INVALID: "1"} if status == 400 and media_ids_refused(body) else {}
    said = f": {detail}" if detail else ""
    category = ErrorCategory.MEDIA_INVALID if extra else ErrorCategory.INVALID_REQUEST
    return PublishError(ErrorKind.PERMANENT, category, f"X refused {what}{said}", http_status=status, extra=extra)


def from_exception(exc: requests.RequestException, *, what: str, create: bool) -> PublishError:
    """A timeout or a dropped connection. Ambiguous on the create call unless the request provably never left."""
    never_sent = isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and "NewConnectionError" in repr(exc)
    )
    kind = "timed out" if isinstance(exc, requests.Timeout) else "lost the connection"
    return PublishError(
        ErrorKind.TEMPORARY,
        ErrorCategory.NETWORK,
        f"X {kind} while {what}: it will try again",
        ambiguous=create and not never_sent,
    )


def unexpected(what: str, *, create: bool) -> PublishError:
    """A 2xx answer without the fields we rely on."""
    return PublishError(
        ErrorKind.TEMPORARY,
        ErrorCategory.UNKNOWN,
        f"X gave an unexpected answer while {what}: it will try again",
        ambiguous=create,
    )
