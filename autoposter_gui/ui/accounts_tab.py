"""The Accounts tab: connected accounts and their token health, "Connect Meta", disconnect, the sandbox switch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.models import AccountStatus
from autoposter_gui.engine.events import TOKEN_CHECK
from autoposter_gui.engine.networks import network_of
from autoposter_gui.engine.views import AccountView
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.accounts_model import AccountColumn, AccountsTableModel
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.errors import show_error, user_message
from autoposter_gui.ui.widgets import EmptyState, heading, read_only_table, secondary

if TYPE_CHECKING:  # the wizard (and the engine's account service under it) loads when it opens, not at start-up
    from autoposter_gui.ui.connect_dialog import ConnectDialog

COLUMN_WIDTHS = {
    AccountColumn.ACCOUNT: 200,
    AccountColumn.KIND: 200,
    AccountColumn.EXTERNAL_ID: 160,
    AccountColumn.STATUS: 150,
    AccountColumn.EXPIRES: 150,
}


class AccountsTab(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = AccountsTableModel(controller.accounts, controller.now, self)
        self.dialog: ConnectDialog | None = None

        intro = secondary(
            "Autoposter publishes to these accounts: Facebook Pages, Instagram business accounts, X accounts and "
            "Google Business Profile locations.",
            self,
        )
        self.connect_button = QPushButton("&Connect…", self)
        self.connect_button.setToolTip("Connect Facebook & Instagram, X or Google Business Profile")
        self.check_button = QPushButton("Check &tokens", self)
        self.check_button.setToolTip("Ask each network now whether the tokens still work and when they expire")
        self.disconnect_button = QPushButton("&Disconnect", self)
        self.disconnect_button.setToolTip("Remove this account's token; its scheduled posts are kept")
        top = QHBoxLayout()
        top.addWidget(intro, 1)

        # ⚠ accounts that need the owner: a token that expires soon, lacks a permission, or no longer works
        self.attention = QFrame(self)
        self.attention.setObjectName("attention")
        self.attention.setStyleSheet(
            "QFrame#attention { background: #fef7e0; border: 1px solid #f2c94c; border-radius: 4px; }"
            "QFrame#attention QLabel { background: transparent; border: 0; }"
        )
        attention_icon = QLabel(self.attention)
        attention_icon.setPixmap(icons.warning_icon().pixmap(20, 20))
        attention_icon.setFixedSize(20, 20)
        self.attention_title = heading("", self.attention, scale=1.0)
        self.attention_text = QLabel(self.attention)
        self.attention_text.setWordWrap(True)
        self.attention_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reconnect_button = QPushButton("&Reconnect…", self.attention)
        self.reconnect_button.setToolTip("Sign in again to give Autoposter fresh tokens")
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.attention_title)
        texts.addWidget(self.attention_text)
        attention_layout = QHBoxLayout(self.attention)
        attention_layout.setContentsMargins(10, 8, 10, 8)
        attention_layout.addWidget(attention_icon, 0, Qt.AlignmentFlag.AlignTop)
        attention_layout.addLayout(texts, 1)
        attention_layout.addWidget(self.reconnect_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.attention.hide()

        self.view = read_only_table(self, self.model, COLUMN_WIDTHS, row_padding=14)
        self.view.horizontalHeader().setStretchLastSection(True)

        self.empty = EmptyState(
            "accounts",
            "No accounts connected",
            "Connect your Facebook Page and Instagram account, X, or Google Business Profile to start posting.",
            self,
            above=1,
            below=1,
        )
        self.loading = EmptyState("accounts", "Loading your accounts…", "", self, above=1, below=1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.loading)

        buttons = QHBoxLayout()
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.disconnect_button)
        buttons.addStretch(1)

        # --- sandbox switch
        self.sandbox_box = QGroupBox("Sandbox", self)
        sandbox_layout = QHBoxLayout(self.sandbox_box)
        if controller.sandbox:
            text_value = (
                "You are in sandbox mode: posts go to a local stand-in for Facebook, Instagram, X and Google, with "
                "demo accounts. Nothing is published for real, and your real posts and accounts are kept apart."
            )
            button_text = "Restart in normal mode"
        else:
            text_value = (
                "Try every feature safely: sandbox mode runs against a local stand-in for Facebook, Instagram, X and "
                "Google with demo accounts, in a separate data folder."
            )
            button_text = "Restart in sandbox mode"
        self.sandbox_label = secondary(text_value, self.sandbox_box)
        self.sandbox_button = QPushButton(button_text, self.sandbox_box)
        sandbox_layout.addWidget(self.sandbox_label, 1)
        sandbox_layout.addWidget(self.sandbox_button, 0, Qt.AlignmentFlag.AlignVCenter)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.attention)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        layout.addSpacing(6)
        layout.addWidget(self.sandbox_box)

        self.connect_button.clicked.connect(self.choose_and_connect)
        self.reconnect_button.clicked.connect(self.reconnect)
        self.disconnect_button.clicked.connect(self.disconnect_selected)
        self.check_button.clicked.connect(self.check_tokens)
        self.sandbox_button.clicked.connect(self.switch_sandbox)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_state)
        controller.bridge.account_changed.connect(self._account_changed)
        controller.accounts_loading_changed.connect(self.model.reload)  # then _update_state
        # The app checks every token as soon as its scheduler starts: until then, and while a check runs,
        # accounts never checked read "Checking…"; the expiry dates show when it ends.
        self._checks = 0
        self.model.checking = controller.scheduler is None
        controller.bridge.notice.connect(self._engine_notice)
        self.model.reload()

    @Slot(str, dict)
    def _engine_notice(self, kind: str, payload: dict[str, Any]) -> None:
        if kind != TOKEN_CHECK:
            return
        self._checks = self._checks + 1 if payload.get("running") else max(0, self._checks - 1)
        self.model.checking = self._checks > 0
        self.model.reload()

    @Slot(int)
    def _account_changed(self, _account_id: int) -> None:
        self.model.reload()

    @Slot()
    def _update_state(self) -> None:
        loading = self.controller.accounts_loading
        if self.model.rowCount():
            self.stack.setCurrentWidget(self.view)
        elif loading is not None:  # not "No accounts connected" before the accounts are known
            self.loading.text.setText(loading)
            self.stack.setCurrentWidget(self.loading)
        else:
            self.stack.setCurrentWidget(self.empty)
        self._update_buttons()
        self._update_attention()

    def _update_attention(self) -> None:
        accounts = self.model.needing_attention()
        self.attention.setVisible(bool(accounts))
        if not accounts:
            return
        verb = "needs" if len(accounts) == 1 else "need"
        self.attention_title.setText(f"{fmt.plural(len(accounts), 'account')} {verb} attention")
        lines = [fmt.account_problem(a) for a in accounts]
        if any(a.status == AccountStatus.CANNOT_POST.value for a in accounts):
            lines.append("Once the permission is granted, press Check tokens (Autoposter also checks once a day).")
        self.attention_text.setText("\n".join(dict.fromkeys(lines)))

    @Slot()
    def _update_buttons(self) -> None:
        account = self.selected_account()
        self.disconnect_button.setEnabled(account is not None and account.status != AccountStatus.DISCONNECTED.value)

    def selected_account(self) -> AccountView | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.account_at(rows[0].row()) if rows else None

    @Slot()
    def choose_and_connect(self) -> ConnectDialog:
        """The Connect wizard from its first page: which network."""
        return self.open_connect_dialog(network=None)

    @Slot()
    def reconnect(self) -> ConnectDialog:
        """The Connect wizard at the network of the first account that needs the owner."""
        accounts = self.model.needing_attention()
        return self.open_connect_dialog(network=network_of(accounts[0].platform) if accounts else None)

    def open_connect_dialog(self, guided: bool = False, network: str | None = "meta") -> ConnectDialog:
        """The Connect wizard at ``network`` (None: the choice of network); ``guided`` starts it at the guide to
        creating a Meta app (Help → Getting Started)."""
        from autoposter_gui.ui.connect_dialog import ConnectDialog

        dialog = ConnectDialog(self.controller, self, guided=guided, network=network)
        dialog.connected.connect(self._connected)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot(list)
    def _connected(self, _accounts: list[AccountView]) -> None:
        self.model.reload()  # the token check right after connecting changes no status: reload for the expiry

    @Slot()
    def check_tokens(self) -> None:
        """The daily token check, now (HTTP: on a worker thread); a tray warning if posts wait for a bad account."""
        controller = self.controller
        self.check_button.setEnabled(False)

        def check() -> Any:
            from autoposter_gui.engine.health import TokenHealthService

            return TokenHealthService(controller.ctx).check_and_notify()

        def done(results: Any) -> None:
            self.check_button.setEnabled(True)
            self.model.reload()
            bad = [r for r in results if r.status is not AccountStatus.CONNECTED]
            if not results:
                controller.notice.emit("No tokens to check")
            elif bad:
                verb = "needs" if len(bad) == 1 else "need"
                controller.notice.emit(f"Tokens checked: {fmt.plural(len(bad), 'account')} {verb} attention")
            else:
                controller.notice.emit("Tokens checked: every account is connected")

        def failed(exc: BaseException) -> None:
            self.check_button.setEnabled(True)
            show_error(self, "Can't check the tokens", user_message(exc))

        controller.tasks.submit(check, done, failed)

    @Slot()
    def disconnect_selected(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        answer = QMessageBox.question(
            self,
            "Disconnect account",
            f"Disconnect {fmt.account_title(account)}?\n\nIts token is removed from the keyring. Posts scheduled "
            "for it are kept and marked as needing attention; reconnect it to publish them.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        account_id = account.id
        controller = self.controller

        def done(flagged: Any) -> None:
            extra = f"; {fmt.plural(int(flagged), 'post')} need attention" if flagged else ""
            controller.notice.emit(f"Disconnected {fmt.account_name(account)}{extra}")

        def failed(exc: BaseException) -> None:
            show_error(self, "Can't disconnect", user_message(exc))

        # The keyring may block (a Secret Service prompt): keep it off the GUI thread.
        controller.tasks.submit(lambda: controller.account_service().disconnect(account_id), done, failed)

    @Slot()
    def switch_sandbox(self) -> None:
        to_sandbox = not self.controller.sandbox
        if to_sandbox:
            text = (
                "Restart Autoposter in sandbox mode?\n\nIt uses demo accounts and a separate data folder. "
                "Your real posts are not published while the sandbox runs."
            )
        else:
            text = "Restart Autoposter in normal mode, with your real accounts?"
        answer = QMessageBox.question(
            self,
            "Switch mode",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.sandbox_switch_requested.emit(to_sandbox)
