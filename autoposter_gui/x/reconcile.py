"""Did an attempt publish? Read the account's tweets since the attempt started and match the text, t.co in mind."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.models import PublishResult
from autoposter_gui.networks.protocol import AccountRef, Post, Reconciliation
from autoposter_gui.x.urls import permalink

# Asked of X (``start_time``): the attempt's start less this much, for a wrong clock on either side. Wide is safe:
# X refuses an identical post made recently (403 duplicate), so an older identical one is not a plausible mix-up.
SKEW_MARGIN = timedelta(hours=1)
MAX_PAGES = 5
_URL = re.compile(r"https?://\S+")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def normalise(text: str) -> str:
    """Compare texts as X keeps them: NFC, entities unescaped, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", html.unescape(text)).split())


def masked(text: str) -> str:
    """Every URL as one placeholder (ours become t.co links on X)."""
    return _URL.sub("\x00url", normalise(text))


def expanded(tweet: dict[str, Any]) -> str:
    """The tweet's text with each t.co link put back to the URL it stands for; media links (pic.x.com) dropped."""
    text = str(tweet.get("text") or "")
    entities = tweet.get("entities")
    urls = entities.get("urls") if isinstance(entities, dict) else None
    for url in urls if isinstance(urls, list) else []:
        if not isinstance(url, dict) or not isinstance(url.get("url"), str):
            continue
        target = url.get("expanded_url")
        is_media = bool(url.get("media_key")) or (
            isinstance(target, str) and re.search(r"/status/\d+/(photo|video)/\d+$", target) is not None
        )
        replacement = "" if is_media else (target if isinstance(target, str) else url["url"])
        text = text.replace(url["url"], replacement)
    return text


def matches(post_text: str, tweet: dict[str, Any]) -> bool:
    wanted = normalise(post_text)
    got = normalise(expanded(tweet))
    return got == wanted or masked(got) == masked(wanted)


def _created(tweet: dict[str, Any]) -> datetime | None:
    value = tweet.get("created_at")
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def find_tweet(
    call: Callable[..., dict[str, Any]],
    account: AccountRef,
    post: Post,
    attempt: AttemptFacts,
    used_ids: set[str],
    offset: Callable[[], timedelta | None] = lambda: None,
) -> Reconciliation:
    """The oldest tweet of the account since the attempt (less the margin) with the post's text, not in
    ``used_ids``. UNKNOWN (never raises) when X can't be asked. ``offset``: X's clock minus ours as last measured
    (None: unknown); when it was unknown and the answer shows X's clock behind ours, X is asked once more with
    the start on X's clock (this machine's clock may be hours off)."""
    started = _aware(attempt.started_at)
    known = offset()
    start = started + (known or timedelta(0)) - SKEW_MARGIN
    found = _find(call, account, post, start, used_ids)
    measured = offset()
    if found.check is CheckResult.NOT_FOUND and known is None and measured is not None:
        corrected = started + measured - SKEW_MARGIN
        if corrected < start:
            found = _find(call, account, post, corrected, used_ids)
    return found


def _find(
    call: Callable[..., dict[str, Any]], account: AccountRef, post: Post, start: datetime, used_ids: set[str]
) -> Reconciliation:
    params = {
        "start_time": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "max_results": "100",
        "tweet.fields": "created_at,entities",
    }
    best: tuple[datetime, str] | None = None
    try:
        for _page in range(MAX_PAGES):
            answer = call(
                "GET", f"/2/users/{account.external_id}/tweets", "checking whether the post went out", params=params
            )
            data = answer.get("data")
            for tweet in data if isinstance(data, list) else []:
                if not isinstance(tweet, dict) or str(tweet.get("id")) in used_ids or not tweet.get("id"):
                    continue
                created = _created(tweet) or datetime.max.replace(tzinfo=UTC)
                if matches(post.text, tweet) and (best is None or created < best[0]):
                    best = (created, str(tweet["id"]))
            meta = answer.get("meta")
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if not isinstance(token, str) or not token:
                break
            params = {**params, "pagination_token": token}
    except PublishError as err:
        return Reconciliation(CheckResult.UNKNOWN, error=err)
    if best is None:
        return Reconciliation(CheckResult.NOT_FOUND)
    return Reconciliation(CheckResult.FOUND, found=PublishResult(best[1], permalink(account.username, best[1])))
