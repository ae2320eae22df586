"""How accounts are named in messages to the owner, and as their network sees them."""

from __future__ import annotations

from typing import Protocol

from autoposter_gui.domain.models import Platform
from autoposter_gui.networks.protocol import AccountRef


class Named(Protocol):
    """An account as far as its name goes (an ``Account`` row or a ``WorkAccount``)."""

    @property
    def platform(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def username(self) -> str | None: ...


# What an account is called, per platform, and the platforms whose accounts go by their @username.
KINDS = {
    Platform.FACEBOOK.value: "Facebook Page",
    Platform.INSTAGRAM.value: "Instagram account",
    Platform.X.value: "X account",
    Platform.GOOGLE.value: "Google Business Profile",
}
_BY_USERNAME = frozenset({Platform.INSTAGRAM.value, Platform.X.value})


def account_label(account: Named) -> str:
    kind = KINDS.get(account.platform, "Facebook Page")
    shown = f"@{account.username}" if account.username and account.platform in _BY_USERNAME else account.name
    return f"{kind} {shown}"


class Stored(Named, Protocol):
    """An account row (``Account``, ``WorkAccount``, ``AccountView``) as far as its network needs it."""

    @property
    def id(self) -> int: ...

    @property
    def external_id(self) -> str: ...

    @property
    def page_id(self) -> str | None: ...


def account_ref(account: Stored) -> AccountRef:
    """The account as its network sees it."""
    a = account
    return AccountRef(a.id, a.platform, a.external_id, a.name, a.username, a.page_id)
