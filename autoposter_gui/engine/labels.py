"""How accounts are named in messages to the owner."""

from __future__ import annotations

from typing import Protocol

from autoposter_gui.domain.models import Platform
from autoposter_gui.engine.networks import platform_label


class Named(Protocol):
    """An account as far as its name goes (an ``Account`` row or a ``WorkAccount``)."""

    @property
    def platform(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def username(self) -> str | None: ...


def account_label(account: Named) -> str:
    """``Facebook Page Sandbox Bakery``, ``Instagram account @bakery``, ``X account @cafe``."""
    platform = account.platform
    kind = "Facebook Page" if platform == Platform.FACEBOOK.value else f"{platform_label(platform)} account"
    shown = f"@{account.username}" if account.username and platform != Platform.FACEBOOK.value else account.name
    return f"{kind} {shown}"
