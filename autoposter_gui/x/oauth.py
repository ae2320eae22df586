"""Connecting X: OAuth 2.0 Authorization Code + PKCE (public client) with a loopback redirect; token refresh."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from autoposter_gui.domain import known_secrets
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import DiscoveredAccount, Platform
from autoposter_gui.networks.loopback import allow_loopback_http
from autoposter_gui.networks.protocol import ConnectError, ConnectResult, Env, Secrets
from autoposter_gui.x import errors, grant, locking
from autoposter_gui.x.client import TIMEOUT, XClient
from autoposter_gui.x.grant import Grant
from autoposter_gui.x.urls import DEFAULT_PORT, SCOPES, Urls, redirect_uri

REFRESH_MARGIN = timedelta(minutes=5)  # refresh an access token this close to its 2-hour expiry


class XConnectFlow:
    """One browser sign-in: ``authorization_url`` to open, then ``finish(redirect_url)``."""

    def __init__(self, env: Env, client_id: str, port: int | None = None) -> None:
        if not client_id.strip():
            raise ConnectError("Give the X app's client id (from X's developer portal, 'Keys and tokens')")
        self.env = env
        self.urls = Urls(env.origin)
        self.client_id = client_id.strip()
        self._redirect = redirect_uri(port if port is not None else DEFAULT_PORT)
        self._oauth = OAuth2Session(self.client_id, redirect_uri=self._redirect, scope=list(SCOPES), pkce="S256")
        with allow_loopback_http(self.urls.authorize):
            self._url, self._state = self._oauth.authorization_url(self.urls.authorize)

    @property
    def authorization_url(self) -> str:
        return str(self._url)

    @property
    def redirect_uri(self) -> str:
        return self._redirect

    def finish(self, redirect_url: str) -> ConnectResult:
        query = {k: v[0] for k, v in parse_qs(urlsplit(redirect_url).query).items()}
        if query.get("state") != self._state:
            raise ConnectError("The answer from X does not belong to this sign-in: start connecting again")
        if "error" in query:
            why = query.get("error_description") or query["error"]
            if query["error"] == "access_denied":
                raise ConnectError("X access was not granted: start connecting again and choose Authorize app")
            raise ConnectError(f"X sign-in failed ({' '.join(why.split())[:160]}): start connecting again")
        code = query.get("code")
        if not code:
            raise ConnectError("X's answer has no authorization code: start connecting again")
        known_secrets.remember(code, getattr(self._oauth, "_code_verifier", None))
        now = self.env.now()
        try:
            with allow_loopback_http(self.urls.token, self._redirect):
                answer = self._oauth.fetch_token(self.urls.token, code=code, include_client_id=True, timeout=TIMEOUT)
            new = Grant.from_answer(dict(answer), self.client_id, now)
        except OAuth2Error as exc:
            why = " ".join(str(exc.description or exc.error).split())[:160]
            raise ConnectError(f"X refused the sign-in ({why}): check the client id and start again") from None
        except requests.RequestException:
            raise ConnectError("Could not reach X to finish signing in: check the connection and try again") from None
        except ValueError:
            raise ConnectError("X's sign-in answer had no access token: start connecting again") from None
        client = XClient(self.urls, self.env.now)  # a plain session: the bearer header is ours
        try:
            me = client.call("GET", "/2/users/me", new.access_token, what="reading the signed-in X account")
        except PublishError as exc:
            raise ConnectError(str(exc)) from None
        finally:
            client.close()
        data = me.get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise ConnectError("X did not say which account signed in: start connecting again")
        user_id, username = str(data["id"]), str(data.get("username") or "")
        try:  # before anything else can fail; never while another process renews this account's old grant
            with locking.account_lock(user_id, self.env.locks, username or None):
                grant.store(self.env.secrets, user_id, new)
        except PublishError as exc:
            raise ConnectError(str(exc)) from None
        account = DiscoveredAccount(
            platform=Platform.X,
            external_id=user_id,
            name=str(data.get("name") or username or user_id),
            access_token=new.access_token,
            username=username or None,
        )
        warnings: tuple[str, ...] = ()
        if new.refresh_token is None:
            warnings = ("X gave no refresh token (offline.access): reconnect every 2 hours",)
        return ConnectResult(accounts=(account,), warnings=warnings)


def refresh(
    http: requests.Session,
    urls: Urls,
    user_id: str,
    old: Grant,
    secrets: Secrets,
    now: Callable[[], datetime],
    username: str | None,
) -> Grant:
    """Trade the refresh token for a new pair and STORE it before returning (the old refresh token is dead now).
    The caller holds ``locking.account_lock(user_id, ...)`` and read ``old`` again inside it."""
    if old.refresh_token is None:
        raise errors.reconnect(username, "the saved X sign-in has no refresh token")
    body = {"grant_type": "refresh_token", "refresh_token": old.refresh_token, "client_id": old.client_id}
    try:
        response = http.post(urls.token, data=body, timeout=TIMEOUT)
    except requests.RequestException:
        raise PublishError(
            ErrorKind.TEMPORARY, ErrorCategory.NETWORK, "Could not reach X to renew its sign-in: it will try again"
        ) from None
    if response.status_code in (400, 401):
        raise errors.reconnect(username, "X refused to renew the sign-in (it was revoked or has expired)")
    if response.status_code != 200:
        raise errors.from_response(response, what="renewing the sign-in", create=False, now=now(), username=username)
    try:
        answer = response.json()
        new = Grant.from_answer(answer, old.client_id, now())
    except (ValueError, AttributeError):
        raise errors.unexpected("renewing the sign-in", create=False) from None
    if new.refresh_token is None:  # X always rotates; if it ever did not, the old one still holds
        new = Grant(new.access_token, old.refresh_token, new.expires_at, new.client_id, new.scope)
    grant.store(secrets, user_id, new)
    return new
