"""The Composer's account picker: one checkbox per account, why one can't be ticked, and Instagram's quota warning."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import shiboken6
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from autoposter_gui.domain.models import CANNOT_POST_MESSAGE, AccountStatus, Platform
from autoposter_gui.engine.views import AccountView as Account
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.widgets import MessageLabel, secondary

SETTINGS_ACCOUNTS = "composer/accounts"
QUOTA_TTL = timedelta(minutes=10)  # how long one Instagram quota answer is trusted
log = logging.getLogger(__name__)


class AccountPicker(QGroupBox):
    """ "Post to": the accounts to tick. ``changed`` fires when the ticked set changes (by the owner or a reload)."""

    changed = Signal()
    connect_requested = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__("Post to", parent)
        self.controller = controller
        self.locked = False  # while a queued post is edited, the boxes stay on its account
        self.checks: dict[int, QCheckBox] = {}
        self.reasons: list[QLabel] = []  # why an account can't be ticked, under its box
        self.accounts: dict[int, Account] = {}
        self._loaded = False
        self._quota: dict[int, tuple[datetime, str | None]] = {}  # IG account id -> (checked at, warning)
        self._quota_pending: set[int] = set()

        self.box_layout = QVBoxLayout(self)
        self.no_accounts = QWidget(self)
        no_layout = QVBoxLayout(self.no_accounts)
        no_layout.setContentsMargins(0, 0, 0, 0)
        no_layout.addWidget(secondary("No accounts are connected yet.", self.no_accounts))
        self.connect_button = QPushButton("Connect an account…", self.no_accounts)
        no_layout.addWidget(self.connect_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.box_layout.addWidget(self.no_accounts)
        self.loading = secondary("", self)  # instead of "No accounts…" until they are known
        self.box_layout.addWidget(self.loading)
        self.error = MessageLabel(self)
        self.box_layout.addWidget(self.error)
        self.quota_warning = MessageLabel(self)
        self.box_layout.addWidget(self.quota_warning)
        self.connect_button.clicked.connect(self.connect_requested)

    def reload(self, *, check_quota: bool) -> None:
        """Rebuild the checkboxes, keeping what was ticked."""
        accounts = self.controller.accounts()
        previous = {aid for aid, box in self.checks.items() if box.isChecked()}
        if not self._loaded:
            previous = self._remembered(accounts)
        for widget in [*self.checks.values(), *self.reasons]:
            self.box_layout.removeWidget(widget)
            widget.hide()  # not painted over the new rows until it is deleted
            widget.deleteLater()
        self.checks.clear()
        self.reasons.clear()
        self.accounts = {a.id: a for a in accounts}
        position = 0
        for account in accounts:
            box, reason = self._box(account)
            box.setChecked(account.id in previous and box.isEnabled())
            box.toggled.connect(self._toggled)
            self.box_layout.insertWidget(position, box)
            position += 1
            self.checks[account.id] = box
            if reason is not None:
                self.box_layout.insertWidget(position, reason)
                position += 1
                self.reasons.append(reason)
        loading = self.controller.accounts_loading if not accounts else None
        self.loading.setText(loading or "")
        self.loading.setVisible(loading is not None)
        self.no_accounts.setVisible(not accounts and loading is None)
        self._loaded = bool(accounts)
        if self.locked:
            self.lock()
        self.changed.emit()
        if check_quota or self._quota or self._quota_pending:
            self.check_quota()  # not while the window first opens: that waits until the owner starts writing

    def _box(self, account: Account) -> tuple[QCheckBox, QLabel | None]:
        box = QCheckBox(fmt.account_name(account), self)
        box.setIcon(icons.platform_icon(account.platform))
        tip = fmt.account_title(account)
        reason: QLabel | None = None
        if account.status == AccountStatus.CANNOT_POST.value:
            box.setEnabled(False)
            box.setText(f"{fmt.account_name(account)} (can't post)")
            why = account.status_message or CANNOT_POST_MESSAGE
            tip += f": {why}"
            reason = secondary(why, self)  # the reason in plain sight, not only in a tooltip
            reason.setWordWrap(True)
            reason.setContentsMargins(24, 0, 0, 4)
            reason.setToolTip(tip)
        elif account.status == AccountStatus.DISCONNECTED.value:
            box.setEnabled(False)
            box.setText(f"{fmt.account_name(account)} (disconnected)")
            tip += ": disconnected; reconnect it in Accounts to post"
        elif account.status in (AccountStatus.INVALID.value, AccountStatus.NEEDS_ATTENTION.value):
            box.setText(f"{fmt.account_name(account)} (needs attention)")
            tip += f": {account.status_message or 'reconnect it in Accounts'}"
        box.setToolTip(tip)
        return box, reason

    def _remembered(self, accounts: list[Account]) -> set[int]:
        raw = self.controller.settings.value(SETTINGS_ACCOUNTS, "")
        remembered = {int(x) for x in str(raw or "").split(",") if x.strip().isdigit()}
        known = {a.id for a in accounts}
        if remembered & known:
            return remembered & known
        blocked = (AccountStatus.DISCONNECTED, AccountStatus.CANNOT_POST)
        first_page = next(
            (a.id for a in accounts if a.platform == Platform.FACEBOOK.value and a.status not in blocked), None
        )
        return {first_page} if first_page is not None else set()

    def remember(self) -> None:
        """The ticked accounts become the next new post's default."""
        self.controller.settings.setValue(SETTINGS_ACCOUNTS, ",".join(map(str, self.selected_ids())))

    def selected_ids(self) -> list[int]:
        return [aid for aid, box in self.checks.items() if box.isChecked() and (box.isEnabled() or self.locked)]

    def set_selected(self, account_ids: list[int]) -> None:
        for aid, box in self.checks.items():
            box.setChecked(aid in account_ids)

    def platforms(self) -> set[Platform]:
        return {Platform(self.accounts[aid].platform) for aid in self.selected_ids()}

    @Slot(bool)
    def _toggled(self, _checked: bool) -> None:
        self.error.clear()
        self.changed.emit()
        self.check_quota()

    def lock(self) -> None:
        self.locked = True
        for box in self.checks.values():
            box.setEnabled(False)

    def unlock(self) -> None:
        self.locked = False
        for aid, box in self.checks.items():
            box.setEnabled(self.accounts[aid].status not in (AccountStatus.DISCONNECTED, AccountStatus.CANNOT_POST))

    # ----- Instagram quota ---------------------------------------------------------------------------
    def check_quota(self) -> None:
        """Ask Meta (on a worker thread) whether a ticked Instagram account's 24-hour limit is used up."""
        now = self.controller.now()
        ig = [aid for aid in self.selected_ids() if self.accounts[aid].platform == Platform.INSTAGRAM.value]
        todo = [
            aid
            for aid in ig
            if aid not in self._quota_pending and (aid not in self._quota or now - self._quota[aid][0] > QUOTA_TTL)
        ]
        self._show_quota()
        if not todo:
            return
        self._quota_pending.update(todo)
        reads, posts = self.controller.reads, self.controller.posts

        def work() -> dict[int, str | None]:
            answers: dict[int, str | None] = {}
            for aid in todo:
                account = reads.account(aid)
                if account is not None:
                    found = posts.quota_warnings([account])
                    answers[aid] = found[0] if found else None
            return answers

        def done(answers: dict[int, str | None]) -> None:
            if not shiboken6.isValid(self):
                return
            self._quota_pending.difference_update(todo)
            for aid, warning in answers.items():
                self._quota[aid] = (now, warning)
            self._show_quota()

        def failed(exc: BaseException) -> None:
            log.info("quota check failed: %s", type(exc).__name__)
            if shiboken6.isValid(self):
                self._quota_pending.difference_update(todo)
                for aid in todo:  # no warning, and no new request on every keystroke either
                    self._quota[aid] = (now, None)

        self.controller.tasks.submit(work, done, failed)

    def quota_warnings(self) -> list[str]:
        """The quota warnings that apply to the ticked accounts (as last checked)."""
        return [
            warning
            for aid in self.selected_ids()
            if aid in self._quota and (warning := self._quota[aid][1]) is not None
        ]

    def _show_quota(self) -> None:
        warnings = self.quota_warnings()
        if warnings:
            self.quota_warning.show_message(". ".join(warnings) + ".", "warning")
        else:
            self.quota_warning.clear()
