"""How accounts are named in messages to the owner."""

from __future__ import annotations

from typing import Protocol

from autoposter_gui.domain.models import Platform


class Named(Protocol):
    """An account as far as its name goes (an ``Account`` row or a ``WorkAccount``)."""

    @property
    def platform(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def username(self) -> str | None: ...


def account_label(account: Named) -> str:
    kind = "Instagram account" if account.platform == Platform.INSTAGRAM.value else "Facebook Page"
    shown = (
        f"@{account.username}" if account.username and account.platform == Platform.INSTAGRAM.value else account.name
    )
    return f"{kind} {shown}"
