"""The sandbox's X world: the demo account, OAuth codes and rotating grants, tweets (t.co links), media uploads."""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

X_CLIENT_ID = "sandbox-x-client"
X_USER_ID = "1790000000000000001"
X_USERNAME = "sandboxcafe"
X_NAME = "Sandbox Café"
ACCESS_SECONDS = 2 * 3600  # X's access tokens live 2 hours
CODE_SECONDS = 600
MEDIA_SECONDS = 86400
DUPLICATE_SECONDS = 24 * 3600  # an identical text within this window is refused (403 duplicate)
TCO = "https://t.co/"
_URL = re.compile(r"https?://\S+")


@dataclass
class Code:
    client_id: str
    redirect_uri: str
    challenge: str
    method: str
    scope: str
    expires: float


@dataclass
class Grant:
    """One sign-in: its live refresh token, and every refresh token it ever had (reusing an old one revokes it)."""

    id: int
    client_id: str
    scope: str
    refresh: str
    old_refresh: set[str] = field(default_factory=set)
    revoked: bool = False


@dataclass
class Media:
    id: str
    key: str
    media_type: str
    total_bytes: int
    video: bool
    expires: float
    received: dict[int, int] = field(default_factory=dict)  # segment -> bytes
    state: str = "initialized"  # finalized (video processing), succeeded
    polls_left: int = 1
    alt_text: str | None = None


@dataclass
class Tweet:
    id: str
    text: str  # as sent
    created: float
    media_ids: list[str]
    shown: str = ""  # as X returns it: links to t.co, HTML-escaped, a media link at the end
    urls: list[dict[str, Any]] = field(default_factory=list)


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def iso(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class XState:
    """Everything the fake X remembers (under ``lock`` of the caller, XApi)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.ids = itertools.count(1860000000000000001)
        self.codes: dict[str, Code] = {}
        self.grants: dict[int, Grant] = {}
        self.refresh_index: dict[str, int] = {}  # every refresh token ever issued -> grant
        self.access: dict[str, tuple[int, float]] = {}  # access token -> grant, expiry
        self.tweets: list[Tweet] = []
        self.media: dict[str, Media] = {}
        self.video_polls = 1
        self.calls: list[str] = []

    def next_id(self) -> str:
        return str(next(self.ids))

    # ----- OAuth -----

    def issue_code(self, client_id: str, redirect_uri: str, challenge: str, method: str, scope: str, now: float) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = Code(client_id, redirect_uri, challenge, method, scope, now + CODE_SECONDS)
        return code

    def new_tokens(self, grant: Grant, now: float) -> dict[str, Any]:
        access = "xat-" + secrets.token_urlsafe(24)
        self.access[access] = (grant.id, now + ACCESS_SECONDS)
        answer: dict[str, Any] = {
            "token_type": "bearer",
            "expires_in": ACCESS_SECONDS,
            "access_token": access,
            "scope": grant.scope,
        }
        if "offline.access" in grant.scope.split():
            answer["refresh_token"] = grant.refresh
        return answer

    def exchange_code(self, params: dict[str, str], now: float) -> dict[str, Any] | str:
        """The token answer, or an error description."""
        code = self.codes.pop(params.get("code", ""), None)
        if code is None or code.expires < now:
            return "Value passed for the authorization code was invalid."
        if params.get("client_id") != code.client_id or params.get("redirect_uri") != code.redirect_uri:
            return "Value passed for the authorization code was invalid."
        verifier = params.get("code_verifier", "")
        wanted = s256(verifier) if code.method == "S256" else verifier
        if not verifier or wanted != code.challenge:
            return "Value passed for the code_verifier was invalid."
        gid = len(self.grants) + 1
        grant = Grant(gid, code.client_id, code.scope, "xrt-" + secrets.token_urlsafe(24))
        self.grants[gid] = grant
        self.refresh_index[grant.refresh] = gid
        return self.new_tokens(grant, now)

    def refresh(self, params: dict[str, str], now: float) -> dict[str, Any] | str:
        token = params.get("refresh_token", "")
        gid = self.refresh_index.get(token)
        grant = self.grants.get(gid) if gid is not None else None
        if grant is None or grant.revoked or params.get("client_id") != grant.client_id:
            return "Value passed for the token was invalid."
        if token != grant.refresh:  # an old, rotated refresh token: X revokes the whole grant
            self.revoke_grant(grant)
            return "Value passed for the token was invalid."
        grant.old_refresh.add(grant.refresh)
        grant.refresh = "xrt-" + secrets.token_urlsafe(24)
        self.refresh_index[grant.refresh] = grant.id
        return self.new_tokens(grant, now)

    def revoke_grant(self, grant: Grant) -> None:
        grant.revoked = True
        for token in [t for t, (gid, _exp) in self.access.items() if gid == grant.id]:
            del self.access[token]

    def authorized(self, header: str, now: float) -> bool:
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        entry = self.access.get(token)
        if entry is None:
            return False
        grant = self.grants.get(entry[0])
        return grant is not None and not grant.revoked and now < entry[1]

    def expire_access(self, token: str | None = None) -> int:
        """Expire one access token (or all of them) now; returns how many."""
        names = [token] if token is not None and token in self.access else list(self.access) if token is None else []
        for name in names:
            gid, _exp = self.access[name]
            self.access[name] = (gid, 0.0)
        return len(names)

    # ----- tweets -----

    def shorten(self, tweet: Tweet) -> None:
        """X's display text: every URL becomes a t.co link; media add one more link at the end."""
        shown, urls = "", []
        last = 0
        for match in _URL.finditer(tweet.text):
            shown += tweet.text[last : match.start()]
            short = TCO + hashlib.sha1(f"{tweet.id}{match.group()}".encode()).hexdigest()[:10]
            urls.append(
                {
                    "start": len(shown),
                    "end": len(shown) + len(short),
                    "url": short,
                    "expanded_url": match.group(),
                    "display_url": match.group().split("://", 1)[1][:26],
                }
            )
            shown += short
            last = match.end()
        shown += tweet.text[last:]
        if tweet.media_ids:
            short = TCO + hashlib.sha1(f"{tweet.id}media".encode()).hexdigest()[:10]
            shown = f"{shown} {short}" if shown else short
            first = self.media.get(tweet.media_ids[0])
            kind = "video" if first is not None and first.video else "photo"
            urls.append(
                {
                    "start": len(shown) - len(short),
                    "end": len(shown),
                    "url": short,
                    "expanded_url": f"https://x.com/{X_USERNAME}/status/{tweet.id}/{kind}/1",
                    "display_url": "pic.x.com/" + short[-10:],
                    "media_key": first.key if first else "",
                }
            )
        tweet.shown, tweet.urls = html.escape(shown, quote=False), urls

    def duplicate(self, text: str, now: float) -> bool:
        return bool(text) and any(t.text == text and now - t.created < DUPLICATE_SECONDS for t in self.tweets)

    def add_tweet(self, text: str, media_ids: list[str], now: float) -> Tweet:
        tweet = Tweet(self.next_id(), text, now, media_ids)
        self.shorten(tweet)
        self.tweets.append(tweet)
        return tweet

    def tweet_json(self, tweet: Tweet, fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": tweet.id, "text": tweet.shown, "edit_history_tweet_ids": [tweet.id]}
        if "created_at" in fields:
            out["created_at"] = iso(tweet.created)
        if "entities" in fields and tweet.urls:
            out["entities"] = {"urls": tweet.urls}
        if "attachments" in fields and tweet.media_ids:
            out["attachments"] = {"media_keys": [self.media[m].key for m in tweet.media_ids if m in self.media]}
        return out

    def usable_media(self, media_id: str, now: float) -> bool:
        media = self.media.get(media_id)
        return media is not None and media.state == "succeeded" and now < media.expires

    def snapshot(self) -> dict[str, Any]:
        return {
            "tweets": [
                {
                    "id": t.id,
                    "text": t.text,
                    "shown": t.shown,
                    "created_time": iso(t.created),
                    "media_ids": t.media_ids,
                    "permalink": f"https://x.com/{X_USERNAME}/status/{t.id}",
                }
                for t in self.tweets
            ],
            "media": {
                m.id: {"state": m.state, "bytes": sum(m.received.values()), "alt_text": m.alt_text}
                for m in self.media.values()
            },
            "grants": [
                {"id": g.id, "revoked": g.revoked, "refreshes": len(g.old_refresh)} for g in self.grants.values()
            ],
            "calls": list(self.calls),
        }
