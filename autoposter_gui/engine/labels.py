"""How accounts are named in messages to the owner."""

from __future__ import annotations

from autoposter_gui.domain.models import Platform
from autoposter_gui.storage.models import Account


def account_label(account: Account) -> str:
    kind = "Instagram account" if account.platform == Platform.INSTAGRAM.value else "Facebook Page"
    shown = (
        f"@{account.username}" if account.username and account.platform == Platform.INSTAGRAM.value else account.name
    )
    return f"{kind} {shown}"
