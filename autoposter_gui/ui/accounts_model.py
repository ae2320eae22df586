"""The Accounts table model: connected Pages and Instagram accounts with status and token expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Slot
from PySide6.QtGui import QColor

from autoposter_gui.domain.models import AccountStatus, Platform
from autoposter_gui.engine.networks import provider_name
from autoposter_gui.engine.views import AccountView
from autoposter_gui.ui import fmt, icons

AccountIdRole = int(Qt.ItemDataRole.UserRole) + 20
Index = QModelIndex | QPersistentModelIndex
ATTENTION = (AccountStatus.NEEDS_ATTENTION.value, AccountStatus.INVALID.value, AccountStatus.CANNOT_POST.value)
BLOCKED = (AccountStatus.INVALID.value, AccountStatus.CANNOT_POST.value)  # shown in red: nothing can go out
# Accounts whose short access tokens renew themselves with the stored sign-in (no expiry the owner must act on).
RENEWING = (Platform.X.value, Platform.GOOGLE.value)


class AccountColumn(IntEnum):
    ACCOUNT = 0
    KIND = 1
    EXTERNAL_ID = 2
    STATUS = 3
    EXPIRES = 4
    CONNECTED = 5


# What kind of account a row is, where the network's name alone doesn't say it.
KINDS = {
    Platform.FACEBOOK.value: "Facebook Page",
    Platform.INSTAGRAM.value: "Instagram business account",
    Platform.X.value: "X account",
    Platform.GOOGLE.value: "Google Business Profile location",
}

HEADERS = {
    AccountColumn.ACCOUNT: "Account",
    AccountColumn.KIND: "Type",
    AccountColumn.EXTERNAL_ID: "ID",
    AccountColumn.STATUS: "Status",
    AccountColumn.EXPIRES: "Token expires",
    AccountColumn.CONNECTED: "Connected",
}


class AccountsTableModel(QAbstractTableModel):
    """A handful of rows: reloaded whole whenever an account changes."""

    def __init__(
        self, accounts: Callable[[], list[AccountView]], now: Callable[[], datetime], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._load = accounts
        self._now = now
        self._rows: list[AccountView] = []
        self.checking = False  # a token check is under way: accounts never checked show "Checking…"

    @Slot()
    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._load()
        self.endResetModel()

    def needing_attention(self) -> list[AccountView]:
        """Accounts whose token expires soon, lacks a permission or no longer works, or that can't post."""
        return [a for a in self._rows if a.status in ATTENTION]

    def account_at(self, row: int) -> AccountView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AccountColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(AccountColumn(section)) if 0 <= section < len(AccountColumn) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        account = self._rows[index.row()]
        column = AccountColumn(index.column())
        if role == AccountIdRole:
            return account.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(account, column)
        if role == Qt.ItemDataRole.ForegroundRole and column is AccountColumn.STATUS and account.status in ATTENTION:
            return QColor(icons.RED if account.status in BLOCKED else "#b06000")
        if role == Qt.ItemDataRole.DecorationRole:
            if column is AccountColumn.ACCOUNT:
                return icons.platform_icon(account.platform)
            if column is AccountColumn.STATUS:
                return icons.account_status_icon(account.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is AccountColumn.STATUS:
                return account.status_message or fmt.ACCOUNT_STATUS_LABELS.get(account.status)
            if column is AccountColumn.EXPIRES:
                if account.token_expires_at is not None:
                    return fmt.full_time(account.token_expires_at)
                if account.token_checked_at is not None:
                    checked = fmt.full_time(account.token_checked_at)
                    return f"{provider_name(account.platform)} reports no expiry date (checked {checked})"
            if column is AccountColumn.CONNECTED:
                return fmt.full_time(account.connected_at)
            if column is AccountColumn.ACCOUNT and account.page_id and account.platform == Platform.INSTAGRAM.value:
                return f"Linked to the Facebook Page {account.page_id}"
        return None

    def _display(self, account: AccountView, column: AccountColumn) -> str:
        if column is AccountColumn.ACCOUNT:
            return fmt.account_name(account)
        if column is AccountColumn.KIND:
            return KINDS.get(account.platform) or fmt.platform_label(account.platform)
        if column is AccountColumn.EXTERNAL_ID:
            return account.external_id
        if column is AccountColumn.STATUS:
            return fmt.ACCOUNT_STATUS_LABELS.get(account.status, account.status.title())
        if column is AccountColumn.EXPIRES:
            if account.status in (AccountStatus.DISCONNECTED.value, AccountStatus.INVALID.value):
                return "—"  # no token, or one that no longer works
            if account.token_expires_at is None:
                # Page tokens made from a long-lived user token don't expire (debug_token says 0).
                if account.token_checked_at is not None:
                    # X's and Google's short access tokens renew themselves with the stored sign-in.
                    return "Renews itself" if account.platform in RENEWING else "Never"
                return "Checking…" if self.checking else "Not checked yet"
            return fmt.when_text(account.token_expires_at, self._now())
        return fmt.when_text(account.connected_at, self._now())
