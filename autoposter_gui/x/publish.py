"""An X session: usable access tokens (refreshed and rotated safely), publishing a post, reconciling one."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import requests

from autoposter_gui.domain.decide import AttemptFacts
from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.models import Checkpoint, PublishResult, SaveCheckpoint
from autoposter_gui.networks.protocol import AccountRef, Env, Post, Reconciliation
from autoposter_gui.x import errors, grant, locking, oauth
from autoposter_gui.x.client import XClient, is_auth_refusal
from autoposter_gui.x.media import MediaUploader
from autoposter_gui.x.reconcile import find_tweet
from autoposter_gui.x.urls import Urls, permalink

CREATE_WHAT = "publishing the post"


class XSession:
    """One worker thread's connection to X (one HTTP session)."""

    def __init__(self, env: Env, sleep: Callable[[float], None] = time.sleep) -> None:
        self.env = env
        self.urls = Urls(env.origin)
        self.http = requests.Session()
        self.client = XClient(self.urls, env.now, self.http)
        self.sleep = sleep

    # ----- tokens -----

    def access_token(self, account: AccountRef) -> str | None:
        # A grant that is not about to expire is used as read (a runner tick's cached copy: one keyring read per
        # tick, not one per post); only a refresh needs the lock and the keyring read afresh under it.
        cached = grant.load(self.env.secrets, account.external_id)
        if cached is not None and not cached.expires_within(self.env.now(), oauth.REFRESH_MARGIN):
            return cached.access_token
        with self._lock(account):
            saved = self._reload(account)
            if saved is None:
                return None
            if not saved.expires_within(self.env.now(), oauth.REFRESH_MARGIN):
                return saved.access_token
            return self._refresh_locked(account, saved).access_token

    def renewed_token(self, account: AccountRef, refused: str) -> str:
        """A new access token after X refused ``refused`` (401); one another thread got meanwhile counts."""
        with self._lock(account):
            saved = self._reload(account)
            if saved is None:
                raise errors.reconnect(account.username, "the X sign-in is no longer saved on this computer")
            if saved.access_token != refused and not saved.expires_within(self.env.now(), oauth.REFRESH_MARGIN):
                return saved.access_token
            return self._refresh_locked(account, saved).access_token

    def _lock(self, account: AccountRef) -> AbstractContextManager[None]:
        """The account's lock across threads and processes (a refresh token is single-use): x/locking.py."""
        return locking.account_lock(account.external_id, self.env.locks, account.username)

    def _reload(self, account: AccountRef) -> grant.Grant | None:
        """The grant as the keyring holds it now (under the lock): another thread or process may have rotated it."""
        return grant.load(self.env.secrets, account.external_id, fresh=True)

    def _refresh_locked(self, account: AccountRef, saved: grant.Grant) -> grant.Grant:
        return oauth.refresh(
            self.http, self.urls, account.external_id, saved, self.env.secrets, self.env.now, account.username
        )

    def _caller(self, account: AccountRef, token: str) -> Callable[..., dict[str, Any]]:
        """``call(method, path, what, create=False, **kw)``: a 401 renews the token once and repeats the call once
        (a 401 created nothing); a second 401 means reconnect."""
        current = [token]

        def call(method: str, path: str, what: str, create: bool = False, **kwargs: Any) -> dict[str, Any]:
            def once() -> dict[str, Any]:
                return self.client.call(
                    method, path, current[0], what=what, create=create, username=account.username, **kwargs
                )

            try:
                return once()
            except PublishError as err:
                if not is_auth_refusal(err):
                    raise
            current[0] = self.renewed_token(account, current[0])
            try:
                return once()
            except PublishError as err:
                if is_auth_refusal(err):
                    raise errors.reconnect(account.username, "X refused the renewed sign-in") from None
                raise

        return call

    # ----- publishing -----

    def publish(
        self,
        account: AccountRef,
        token: str,
        post: Post,
        checkpoint: Checkpoint,
        save: SaveCheckpoint,
        resume: str | None = None,
    ) -> PublishResult:
        call = self._caller(account, token)
        uploader = MediaUploader(call, checkpoint, save, self.env.now, self.sleep)
        media_ids = uploader.upload_all(post.media)
        try:
            answer = self._create(call, post.text, media_ids)
        except PublishError as err:
            if err.extra.get(errors.MEDIA_INVALID) != "1" or not media_ids:
                raise
            # A saved media id expired (or X forgot it): nothing was created; upload again and create once more.
            media_ids = uploader.upload_all(post.media, fresh=True)
            answer = self._create(call, post.text, media_ids)
        data = answer.get("data")
        tweet_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(tweet_id, str | int) or not str(tweet_id):
            raise errors.unexpected(CREATE_WHAT, create=True)
        return PublishResult(str(tweet_id), permalink(account.username, str(tweet_id)))

    @staticmethod
    def _create(call: Callable[..., dict[str, Any]], text: str, media_ids: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text} if text else {}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        return call("POST", "/2/tweets", CREATE_WHAT, create=True, json=body)

    # ----- reconciling -----

    def reconcile(
        self, account: AccountRef, token: str, post: Post, attempt: AttemptFacts, used_ids: set[str]
    ) -> Reconciliation:
        offset = lambda: self.client.clock_offset  # noqa: E731
        return find_tweet(self._caller(account, token), account, post, attempt, used_ids, offset)

    def close(self) -> None:
        self.client.close()
