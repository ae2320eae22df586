"""Meta (Facebook Pages and Instagram business accounts) as a networks.protocol.Network: ``NETWORK``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import Platform
from autoposter_gui.domain.validation import PostDraft, post_problems
from autoposter_gui.meta import login
from autoposter_gui.meta.client import GRAPH_VERSION
from autoposter_gui.meta.session import MetaSession
from autoposter_gui.networks.capabilities import LoginResult
from autoposter_gui.networks.protocol import AccountRef, ConnectError, Env, Network, OAuthFlow, Post

_LABELS = {Platform.FACEBOOK.value: "Facebook", Platform.INSTAGRAM.value: "Instagram"}


class MetaNetwork:
    """Facebook and Instagram through the Graph API; connected with the owner's own app (capabilities.AppConnect)
    and Facebook Login in an embedded browser (capabilities.BrowserLogin)."""

    key = "meta"
    platforms: tuple[str, ...] = (Platform.FACEBOOK.value, Platform.INSTAGRAM.value)
    default_port = 0  # no loopback sign-in (see begin_connect)
    redirect_path = "/"
    dialog_origin = login.DIALOG_ORIGIN
    scopes: tuple[str, ...] = login.SCOPES
    api_version = GRAPH_VERSION

    def label(self, platform: str) -> str:
        return _LABELS[platform]

    def preflight(self, post: Post) -> list[ValidationError]:
        """The domain's post rules for Facebook or Instagram (text, media, link, first comment), time aside."""
        draft = PostDraft(
            post.text,
            (Platform(post.platform),),
            None,
            None,
            media=post.media,
            first_comment=post.first_comment,
            link=post.link,
        )
        return post_problems(draft, datetime.now(UTC), require_future=False)[0]

    def session(self, env: Env) -> MetaSession:
        return MetaSession(env)

    def begin_connect(
        self, env: Env, *, client_id: str, client_secret: str | None = None, port: int | None = None
    ) -> OAuthFlow:
        raise ConnectError(
            "Meta connects with your own app's App ID, App Secret and a user token (the Connect wizard, or "
            "`autoposter connect`), not with a browser sign-in"
        )

    def permalink(self, account: AccountRef, provider_post_id: str, answer: Mapping[str, Any]) -> str | None:
        """The link Meta gave (``permalink_url`` on Facebook, ``permalink`` on Instagram), else a Page post's
        canonical address."""
        given = answer.get("permalink_url") or answer.get("permalink")
        if isinstance(given, str) and given:
            return given
        if account.platform == Platform.FACEBOOK.value:
            return f"https://www.facebook.com/{provider_post_id}"
        return None

    # ----- BrowserLogin (no HTTP) -----
    def new_state(self) -> str:
        return login.new_state()

    def login_url(self, app_id: str, state: str, *, dialog_origin: str | None = None) -> str:
        return login.login_url(app_id, state, dialog_origin=dialog_origin or login.DIALOG_ORIGIN)

    def is_redirect(self, url: str) -> bool:
        return login.is_redirect(url)

    def parse_login_redirect(self, url: str, expected_state: str) -> LoginResult:
        return login.parse_login_redirect(url, expected_state)


NETWORK: Network = MetaNetwork()
