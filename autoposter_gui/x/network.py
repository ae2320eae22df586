"""X as a Network (networks/protocol.py): ``NETWORK``, what the engine and the front ends use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.rules_x import check_post
from autoposter_gui.networks.protocol import AccountRef, Env, Network, OAuthFlow, Post, Session
from autoposter_gui.x.oauth import XConnectFlow
from autoposter_gui.x.publish import XSession
from autoposter_gui.x.urls import DEFAULT_PORT, permalink


class XNetwork:
    key = "x"
    platforms: tuple[str, ...] = ("x",)
    default_port = DEFAULT_PORT  # X wants the exact callback URL registered: a fixed port
    redirect_path = "/callback"

    def label(self, platform: str) -> str:
        return "X"

    def preflight(self, post: Post) -> list[ValidationError]:
        return check_post(post.text, post.media, link=post.link, first_comment=post.first_comment)

    def session(self, env: Env) -> Session:
        return XSession(env)

    def begin_connect(
        self, env: Env, *, client_id: str, client_secret: str | None = None, port: int | None = None
    ) -> OAuthFlow:
        """X treats a desktop app as a public client: ``client_secret`` is not used."""
        return XConnectFlow(env, client_id, port)

    def permalink(self, account: AccountRef, provider_post_id: str, answer: Mapping[str, Any]) -> str | None:
        return permalink(account.username, provider_post_id)


NETWORK: Network = XNetwork()
