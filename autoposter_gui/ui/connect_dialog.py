"""The "Connect Meta" dialog: the pasted-token form; the exchange and discovery run on a worker thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.storage.models import Account
from autoposter_gui.ui import fmt
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.errors import user_message
from autoposter_gui.ui.widgets import MessageLabel, heading, secondary

INTRO = (
    "Paste your Meta app's ID and secret, and a user access token (from the Graph API Explorer, with the "
    "pages_show_list, pages_read_engagement, pages_manage_posts, instagram_basic and instagram_content_publish "
    "permissions). Autoposter exchanges it for a long-lived token, finds your Pages and their Instagram business "
    "accounts, and keeps every token in your system keyring."
)


def _secret_field(parent: QWidget, placeholder: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    toggle = QAction("Show", edit)
    toggle.setCheckable(True)
    toggle.setToolTip("Show or hide what you typed")

    def flip(shown: bool) -> None:
        edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        toggle.setText("Hide" if shown else "Show")

    toggle.toggled.connect(flip)
    edit.addAction(toggle, QLineEdit.ActionPosition.TrailingPosition)
    return edit


class ConnectDialog(QDialog):
    connected = Signal(list)  # the accounts saved

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.accounts: list[Account] = []
        self._busy = False
        self.setWindowTitle("Connect Meta")
        self.setMinimumWidth(520)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Connect your Facebook Page and Instagram account", self))
        intro = secondary(INTRO, self)
        layout.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.app_id_edit = QLineEdit(self)
        self.app_id_edit.setPlaceholderText("e.g. 123456789012345")
        self.app_secret_edit = _secret_field(self, "From App settings → Basic")
        self.token_edit = _secret_field(self, "Paste a user access token")
        form.addRow("App &ID:", self.app_id_edit)
        form.addRow("App &secret:", self.app_secret_edit)
        form.addRow("User &token:", self.token_edit)
        layout.addLayout(form)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress_label = QLabel("Connecting to Meta: exchanging the token and finding your accounts…", self)
        progress_row = QVBoxLayout()
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress)
        layout.addLayout(progress_row)
        self.progress.hide()
        self.progress_label.hide()

        self.error = MessageLabel(self)
        layout.addWidget(self.error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setIcon(QIcon())  # match the other buttons
        self.connect_button = QPushButton("Connect", self)
        self.connect_button.setDefault(True)
        self.buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.demo_button: QPushButton | None = None
        if controller.sandbox_credentials is not None:
            self.demo_button = QPushButton("Use demo credentials", self)
            self.demo_button.setToolTip("Fill in the sandbox's demo app and user token")
            self.buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ResetRole)
            self.demo_button.clicked.connect(self.fill_demo)
        bottom = QHBoxLayout()
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.app_id_edit, self.app_secret_edit, self.token_edit):
            edit.textChanged.connect(self._inputs_changed)
        self._inputs_changed()
        self.app_id_edit.setFocus()

    @Slot()
    def fill_demo(self) -> None:
        if self.controller.sandbox_credentials is None:
            return
        app_id, secret, token = self.controller.sandbox_credentials
        self.app_id_edit.setText(app_id)
        self.app_secret_edit.setText(secret)
        self.token_edit.setText(token)

    @Slot()
    def _inputs_changed(self) -> None:
        filled = all(e.text().strip() for e in (self.app_id_edit, self.app_secret_edit, self.token_edit))
        self.connect_button.setEnabled(filled and not self._busy)
        self.error.clear()

    @property
    def busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.app_id_edit, self.app_secret_edit, self.token_edit):
            widget.setEnabled(not busy)
        if self.demo_button is not None:
            self.demo_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy)
        self._inputs_changed()
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    @Slot()
    def start(self) -> None:
        """Run the exchange and discovery on a worker thread; the dialog stays responsive."""
        if self._busy:
            return
        app_id = self.app_id_edit.text().strip()
        secret = self.app_secret_edit.text().strip()
        token = self.token_edit.text().strip()
        if not (app_id and secret and token):
            self.error.show_message("Fill in all three fields")
            return
        self._set_busy(True)
        controller = self.controller
        controller.tasks.submit(
            lambda: controller.account_service().connect(app_id, secret, token), self._done, self._failed
        )

    def _done(self, result: Any) -> None:
        self._set_busy(False)
        self.accounts = list(result or [])
        if not self.accounts:
            self.error.show_message(
                "No Facebook Pages were found for this token. Check that it has the pages_show_list permission "
                "and that you manage at least one Page."
            )
            return
        self.controller.notice.emit(f"Connected {fmt.plural(len(self.accounts), 'account')}")
        self.connected.emit(self.accounts)
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.error.show_message(user_message(exc))

    def reject(self) -> None:
        # Closing while connecting is fine: the worker finishes and the Accounts tab updates by itself.
        super().reject()
