"""One browser sign-in: the authorization URL, the code exchange, and the discovery of accounts and locations."""

from __future__ import annotations

from typing import Any

import requests
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.known_secrets import remember
from autoposter_gui.domain.models import DiscoveredAccount, Platform
from autoposter_gui.google.client import Client, Origins
from autoposter_gui.google.oauth import SCOPE, Grant, free_port, redirect_params, secret_key
from autoposter_gui.networks.loopback import allow_loopback_http
from autoposter_gui.networks.protocol import ConnectError, ConnectResult, Env

READ_MASK = "name,title,storeCode"
MAX_PAGES = 50


class GoogleFlow:
    """An OAuthFlow for Google Business Profile (google-auth-oauthlib's Flow with PKCE on a loopback port)."""

    def __init__(self, env: Env, client_id: str, client_secret: str | None, port: int | None) -> None:
        if not client_id.strip():
            raise ConnectError("Give the OAuth client id of your Google Cloud project (a desktop app client)")
        if not client_secret or not client_secret.strip():
            raise ConnectError("Give the OAuth client secret of your Google Cloud project's desktop app client")
        remember(client_secret)
        self._env = env
        self._origins = Origins.of(env.origin)
        self._client_id = client_id.strip()
        self._client_secret = client_secret.strip()
        config = {
            "installed": {
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "auth_uri": self._origins.auth_uri,
                "token_uri": self._origins.token_uri,
                "redirect_uris": ["http://127.0.0.1"],
            }
        }
        self._redirect_uri = f"http://127.0.0.1:{port or free_port()}/"
        self._flow = Flow.from_client_config(
            config, scopes=[SCOPE], redirect_uri=self._redirect_uri, autogenerate_code_verifier=True
        )
        # offline: a refresh token; consent: Google sends it again on a reconnect.
        with allow_loopback_http(self._origins.auth_uri):
            self._url, self._state = self._flow.authorization_url(access_type="offline", prompt="consent")

    @property
    def authorization_url(self) -> str:
        return str(self._url)

    @property
    def redirect_uri(self) -> str:
        return self._redirect_uri

    def finish(self, redirect_url: str) -> ConnectResult:
        params = redirect_params(redirect_url)
        if "error" in params:
            raise ConnectError(
                f"Google sign-in did not complete ({params['error']}); run the connection again and allow "
                "Autoposter to manage your Business Profile"
            )
        if params.get("state") != self._state:
            raise ConnectError("The sign-in answer does not belong to this connection attempt; start it again")
        code = params.get("code")
        if not code:
            raise ConnectError("Google's redirect carried no authorization code; start the connection again")
        token = self._exchange(code)
        refresh_token = token.get("refresh_token")
        access = token.get("access_token")
        if not isinstance(access, str) or not isinstance(refresh_token, str) or not refresh_token:
            raise ConnectError(
                "Google gave no refresh token; remove Autoposter under your Google account's third-party access "
                "(myaccount.google.com/permissions) and connect again"
            )
        remember(access, refresh_token)
        return self._discover(access, refresh_token)

    def _exchange(self, code: str) -> dict[str, Any]:
        try:
            with allow_loopback_http(self._origins.token_uri):
                token = self._flow.fetch_token(
                    code=code, include_client_id=True
                )  # id+secret in the body, as Google documents
        except OAuth2Error as exc:
            what = exc.error or "refused"
            hint = (
                "check the client id and secret"
                if what in ("invalid_client", "unauthorized_client")
                else "start the connection again"
            )
            raise ConnectError(f"Google refused the sign-in code ({what}); {hint}") from None
        except Warning as changed:  # oauthlib: Google granted other scopes than asked (more, or fewer)
            granted = getattr(changed, "new_scope", None) or []
            if SCOPE not in granted or getattr(changed, "token", None) is None:
                raise ConnectError(
                    "Google sign-in did not let Autoposter manage your Business Profile; connect again and allow it"
                ) from None
            return dict(changed.token)  # type: ignore[attr-defined]
        except requests.RequestException:
            raise ConnectError(
                "Google's sign-in service could not be reached; check the connection and retry"
            ) from None
        return dict(token)

    def _discover(self, access: str, refresh_token: str) -> ConnectResult:
        with requests.Session() as http:
            client = Client(http, self._origins, access)
            try:
                accounts = _pages(client, f"{self._origins.accounts}/v1/accounts", {"pageSize": "20"}, "accounts")
                found: list[DiscoveredAccount] = []
                for account in accounts:
                    name = str(account.get("name") or "")
                    if not name.startswith("accounts/"):
                        continue
                    url = f"{self._origins.info}/v1/{name}/locations"
                    for location in _pages(client, url, {"readMask": READ_MASK, "pageSize": "100"}, "locations"):
                        found.extend(self._store(name, location, refresh_token))
            except PublishError as exc:
                raise ConnectError(str(exc).replace("the post will be tried again", "try again later")) from None
        if not found:
            raise ConnectError(
                "This Google account manages no Business Profile location; sign in with an owner or manager"
            )
        return ConnectResult(tuple(found))

    def _store(self, account: str, location: dict[str, Any], refresh_token: str) -> list[DiscoveredAccount]:
        resource = str(location.get("name") or "")
        digits = resource.rsplit("/", 1)[-1]
        if not resource.startswith("locations/") or not digits:
            return []
        blob = Grant(self._client_id, self._client_secret, refresh_token, account, resource).dumps()
        remember(blob)
        self._env.secrets.set(secret_key(digits), blob)
        title = str(location.get("title") or resource)
        # access_token carries the keyring blob: an engine that stores it under account:google:<id> stores it whole.
        return [DiscoveredAccount(Platform.GOOGLE, digits, title, blob, page_id=account)]


def _pages(client: Client, url: str, params: dict[str, str], field: str) -> list[dict[str, Any]]:
    """Every item of a paged list (``nextPageToken``)."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        query = dict(params)
        if token:
            query["pageToken"] = token
        body = client.call("GET", url, params=query)
        items.extend(item for item in body.get(field) or [] if isinstance(item, dict))
        token = body.get("nextPageToken") or None
        if not token:
            break
    return items
