"""NETWORK: Google Business Profile as the networks protocol sees it (connect, session, preflight, permalink)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

import requests

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError, ValidationError
from autoposter_gui.domain.models import Checkpoint, PublishResult, SaveCheckpoint
from autoposter_gui.domain.rules_google import google_problems
from autoposter_gui.google import posts
from autoposter_gui.google.client import Client, Origins
from autoposter_gui.google.connect import GoogleFlow
from autoposter_gui.google.errors import RECONNECT
from autoposter_gui.google.oauth import AccessToken, Grant, refresh, secret_key
from autoposter_gui.networks.protocol import AccountRef, Env, Network, OAuthFlow, Post, Reconciliation

EARLY = timedelta(minutes=5)  # refresh an access token this long before it expires


class GoogleSession:
    """One worker's connection: an HTTP session and the access tokens it refreshed (in memory only)."""

    def __init__(self, env: Env) -> None:
        self._env = env
        self._origins = Origins.of(env.origin)
        self._http = requests.Session()
        self._tokens: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

    def _grant(self, account: AccountRef) -> Grant | None:
        stored = self._env.secrets.get(secret_key(account.external_id))
        return Grant.loads(stored) if stored else None

    def _refreshed(self, account: AccountRef, grant: Grant) -> str:
        token = refresh(self._http, self._origins, grant, self._env.now())
        if token.rotated:  # kept before anything else happens
            kept = replace(grant, refresh_token=token.rotated)
            self._env.secrets.set(secret_key(account.external_id), kept.dumps())
        with self._lock:
            self._tokens[account.external_id] = token
        return token.value

    def access_token(self, account: AccountRef) -> str | None:
        grant = self._grant(account)
        if grant is None:
            return None
        with self._lock:
            cached = self._tokens.get(account.external_id)
        if cached is not None and cached.expires_at - EARLY > self._env.now():
            return cached.value
        return self._refreshed(account, grant)

    def _client(self, account: AccountRef, token: str) -> tuple[Client, str]:
        grant = self._grant(account)
        if grant is None:
            raise PublishError(
                ErrorKind.PERMANENT, ErrorCategory.NOT_CONNECTED, f"{RECONNECT}: no sign-in is stored for it"
            )
        parent = f"{account.page_id or grant.account}/locations/{account.external_id}"
        return Client(self._http, self._origins, token, lambda: self._refreshed(account, grant)), parent

    def publish(
        self,
        account: AccountRef,
        token: str,
        post: Post,
        checkpoint: Checkpoint,
        save: SaveCheckpoint,
        resume: str | None = None,
    ) -> PublishResult:
        client, parent = self._client(account, token)
        return posts.publish(client, parent, post, checkpoint, save, resume)

    def reconcile(
        self, account: AccountRef, token: str, post: Post, attempt: AttemptFacts, used_ids: set[str]
    ) -> Reconciliation:
        try:
            client, parent = self._client(account, token)
        except PublishError as exc:
            return Reconciliation(CheckResult.UNKNOWN, error=exc)
        return posts.reconcile(client, parent, post, attempt, used_ids, self._env.now)

    def close(self) -> None:
        self._http.close()


class GoogleNetwork:
    """Google Business Profile: one account row per location."""

    key = "google"
    platforms: tuple[str, ...] = ("google",)
    default_port = 0  # Google's loopback redirect may use any free port
    redirect_path = "/"

    def label(self, platform: str) -> str:
        return "Google Business Profile"

    def preflight(self, post: Post) -> list[ValidationError]:
        return google_problems(post.text, post.media, post.link, post.first_comment)

    def session(self, env: Env) -> GoogleSession:
        return GoogleSession(env)

    def begin_connect(
        self, env: Env, *, client_id: str, client_secret: str | None = None, port: int | None = None
    ) -> OAuthFlow:
        return GoogleFlow(env, client_id, client_secret, port)

    def permalink(self, account: AccountRef, provider_post_id: str, answer: Mapping[str, Any]) -> str | None:
        url = answer.get("searchUrl")
        return str(url) if url else None


NETWORK: Network = GoogleNetwork()
