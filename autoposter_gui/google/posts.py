"""Local posts: the body from a Post and its options, create once, read the state back, reconcile a doubtful try."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import Checkpoint, MediaKind, PublishResult, SaveCheckpoint
from autoposter_gui.google import media
from autoposter_gui.google.client import Client
from autoposter_gui.networks.protocol import WAIT, Post, Reconciliation

POST_NAME = "google_local_post"  # checkpoint: the created local post's name
PROCESSING_WAIT = timedelta(minutes=2)
SKEW = timedelta(minutes=5)  # clock difference allowed between this machine and Google when reconciling
MAX_PAGES = 10
TYPES = {"standard": "STANDARD", "event": "EVENT", "offer": "OFFER"}
BUTTONS = ("LEARN_MORE", "BOOK", "ORDER", "SHOP", "SIGN_UP", "CALL")
REJECTED = (
    "Google rejected this post under its content policy for Business Profile posts; it will not be posted again "
    "(edit it and post it as a new one)"
)


def _refuse(text: str) -> PublishError:
    return PublishError(ErrorKind.PERMANENT, ErrorCategory.INVALID_REQUEST, text)


def _wall(value: Any, flag: str) -> tuple[dict[str, int], dict[str, int]]:
    """A local wall time "YYYY-MM-DDTHH:MM[:SS]" as Google's Date and TimeOfDay, sent as written."""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise _refuse(f"{flag} must be a local time like 2026-12-24T18:00") from None
    if when.tzinfo is not None:
        raise _refuse(f"{flag} is a local wall time without an offset, like 2026-12-24T18:00")
    date = {"year": when.year, "month": when.month, "day": when.day}
    time = {"hours": when.hour, "minutes": when.minute, "seconds": when.second, "nanos": 0}
    return date, time


def body(post: Post, photo_url: str | None) -> dict[str, Any]:
    """The LocalPost to create (Post.options keys: see CONTRACT.md)."""
    options: Mapping[str, Any] = post.options or {}
    kind = str(options.get("google_type") or "standard").lower()
    if kind not in TYPES:
        raise _refuse(f"Unknown Google post type {kind!r}; use standard, event or offer")
    answer: dict[str, Any] = {"summary": post.text, "topicType": TYPES[kind]}
    if photo_url:
        answer["media"] = [{"mediaFormat": "PHOTO", "sourceUrl": photo_url}]
    button = options.get("button")
    if button and kind != "offer":  # Google ignores callToAction on an offer
        action = str(button).upper()
        if action not in BUTTONS:
            raise _refuse(f"Unknown button {button!r}; use one of {', '.join(BUTTONS)}")
        cta: dict[str, str] = {"actionType": action}
        if action != "CALL" and options.get("button_url"):
            cta["url"] = str(options["button_url"])
        answer["callToAction"] = cta
    if kind in ("event", "offer"):
        start_date, start_time = _wall(options.get("event_start"), "--event-start")
        end_date, end_time = _wall(options.get("event_end"), "--event-end")
        schedule = {"startDate": start_date, "startTime": start_time, "endDate": end_date, "endTime": end_time}
        answer["event"] = {"title": str(options.get("event_title") or ""), "schedule": schedule}
    if kind == "offer":
        offer = {
            "couponCode": options.get("offer_code"),
            "termsConditions": options.get("offer_terms"),
            "redeemOnlineUrl": options.get("offer_url"),
        }
        answer["offer"] = {k: str(v) for k, v in offer.items() if v}
    return answer


def settle(answer: Mapping[str, Any]) -> PublishResult:
    """The outcome of a created (or re-read) local post from its ``state``."""
    name = str(answer.get("name") or "")
    state = str(answer.get("state") or "LIVE")
    if state == "REJECTED":
        raise PublishError(ErrorKind.PERMANENT, ErrorCategory.SPAM, REJECTED, extra={"provider_post_id": name})
    if state == "PROCESSING":
        raise PublishError(
            ErrorKind.TEMPORARY,
            ErrorCategory.MEDIA_NOT_READY,
            "Google is still reviewing the post; it will be checked again in a few minutes",
            retry_after=PROCESSING_WAIT,
            extra={WAIT: "processing", "provider_post_id": name},
        )
    url = answer.get("searchUrl")
    return PublishResult(name, str(url) if url else None, extra={"state": state})


def publish(
    client: Client, parent: str, post: Post, checkpoint: Checkpoint, save: SaveCheckpoint, resume: str | None
) -> PublishResult:
    """Create the local post once (photo first), or read back the one a try already made."""
    made = resume or checkpoint.get(POST_NAME)
    if isinstance(made, str) and made:
        if checkpoint.get(POST_NAME) != made:  # a post found by reconciling: a later try must read it, not make one
            save(POST_NAME, made)
        return settle(client.call("GET", f"{client.origins.posts}/v4/{made}"))
    images = [m for m in post.media if m.kind is MediaKind.IMAGE]
    url = media.photo_url(client, parent, images[0].path, checkpoint, save) if images else None
    answer = client.call("POST", f"{client.origins.posts}/v4/{parent}/localPosts", json=body(post, url), create=True)
    name = answer.get("name")
    if not isinstance(name, str) or not name:
        raise PublishError(
            ErrorKind.TEMPORARY,
            ErrorCategory.UNKNOWN,
            "Google's answer named no post; it will be checked before anything is sent again",
            ambiguous=True,
        )
    save(POST_NAME, name)
    return settle(answer)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _found(answer: Mapping[str, Any]) -> Reconciliation:
    state = str(answer.get("state") or "LIVE")
    if state in ("PROCESSING", "REJECTED"):  # publish(resume=name) reads it again: waits, or fails for good
        return Reconciliation(CheckResult.READY_CONTAINER, container=str(answer.get("name")))
    return Reconciliation(CheckResult.FOUND, found=settle(answer))


def reconcile(
    client: Client,
    parent: str,
    post: Post,
    attempt: AttemptFacts,
    used_ids: set[str],
    now: Callable[[], datetime] | None = None,
) -> Reconciliation:
    """Did ``attempt`` create ``post``? Its checkpointed name is read back; else the location's posts are listed,
    from the attempt's start on Google's clock (measured from the answer's Date header against ``now``: this
    machine's clock may be hours off) less SKEW."""
    try:
        made = attempt.checkpoint.get(POST_NAME)
        if isinstance(made, str) and made:
            return _found(client.call("GET", f"{client.origins.posts}/v4/{made}"))
        started = attempt.started_at if attempt.started_at.tzinfo else attempt.started_at.replace(tzinfo=UTC)
        since, wanted = started - SKEW, normalise(post.text)
        url = f"{client.origins.posts}/v4/{parent}/localPosts"
        page: str | None = None
        for _ in range(MAX_PAGES):
            params = {"pageSize": "100", **({"pageToken": page} if page else {})}
            answer = client.call("GET", url, params=params)
            if page is None and now is not None and client.server_time is not None:
                since = started + (client.server_time - now()) - SKEW  # the start on Google's clock
            older = False
            for local in answer.get("localPosts") or []:
                created = _parse_time(local.get("createTime"))
                if created is None or created < since:
                    older = True
                    continue
                name = str(local.get("name") or "")
                if name and name not in used_ids and normalise(str(local.get("summary") or "")) == wanted:
                    return _found(local)
            page = answer.get("nextPageToken") or None
            if not page or older:
                break
        return Reconciliation(CheckResult.NOT_FOUND)
    except PublishError as exc:
        return Reconciliation(CheckResult.UNKNOWN, error=exc)
