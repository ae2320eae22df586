"""The Settings dialog's "Email alerts" section: SMTP server, sign-in, addresses, and "Send test email"."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.engine.settings import (
    DEFAULT_PORTS,
    SMTP_FROM,
    SMTP_HOST,
    SMTP_PORT,
    SMTP_SECURITY,
    SMTP_TO,
    SMTP_USERNAME,
    SettingsService,
)
from autoposter_gui.ui.tasks import TaskRunner
from autoposter_gui.ui.widgets import MessageLabel, secondary

SECURITY_LABELS = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "None"}
SAVED_PASSWORD = "Saved in the system keyring (type to change it)"


class EmailAlertsGroup(QGroupBox):
    """Reads and saves through the engine's settings service, like `autoposter settings`; the password goes to the
    keyring only, and only when typed."""

    def __init__(self, service: SettingsService, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Email alerts", parent)
        self.service = service
        self.tasks = tasks
        self.host_edit = QLineEdit(self)
        self.host_edit.setPlaceholderText("smtp.example.com")
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(1, 65535)
        self.port_spin.setAccessibleName("SMTP port")
        self.security_combo = QComboBox(self)
        for value, label in SECURITY_LABELS.items():
            self.security_combo.addItem(label, value)
        self.username_edit = QLineEdit(self)
        self.username_edit.setPlaceholderText("Leave empty if the server needs no sign-in")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.from_edit = QLineEdit(self)
        self.from_edit.setPlaceholderText("autoposter@example.com")
        self.to_edit = QLineEdit(self)
        self.to_edit.setPlaceholderText("you@example.com (several: separate with commas)")
        self.test_button = QPushButton("Send &test email", self)
        self.result = MessageLabel(self)

        self.host_edit.setMinimumWidth(170)
        self.security_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.security_combo.setToolTip(
            "How the connection is secured: STARTTLS (usually port 587), SSL/TLS (port 465) or None (not encrypted)"
        )
        server_row = QHBoxLayout()
        server_row.addWidget(self.host_edit, 1)
        server_row.addWidget(self.port_spin)
        server_row.addWidget(self.security_combo)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(
            secondary(
                "Autoposter emails you when a post fails for good, an account needs reconnecting, or posts were "
                "missed while the computer was off. Alerts within 15 minutes come in one email.",
                self,
            )
        )
        form = QFormLayout()
        outer.addLayout(form)
        server_label = QLabel("&Server:", self)
        server_label.setBuddy(self.host_edit)
        form.addRow(server_label, server_row)
        form.addRow("&Username:", self.username_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&From:", self.from_edit)
        form.addRow("T&o:", self.to_edit)
        form.addRow("", test_row)
        form.addRow(self.result)
        self.security_combo.currentIndexChanged.connect(self._security_changed)
        self.test_button.clicked.connect(self.send_test)
        self.load()

    def load(self) -> None:
        values = self.service.all_plain()
        self.host_edit.setText(values[SMTP_HOST] or "")
        index = self.security_combo.findData(values[SMTP_SECURITY])
        self.security_combo.blockSignals(True)
        self.security_combo.setCurrentIndex(max(0, index))
        self.security_combo.blockSignals(False)
        self.port_spin.setValue(int(values[SMTP_PORT]))
        self.username_edit.setText(values[SMTP_USERNAME] or "")
        self.from_edit.setText(values[SMTP_FROM] or "")
        self.to_edit.setText(values[SMTP_TO] or "")
        self.password_edit.clear()
        try:
            saved = self.service.password_is_set()
        except AutoposterError:
            saved = False
        self.password_edit.setPlaceholderText(SAVED_PASSWORD if saved else "")

    @Slot()
    def _security_changed(self) -> None:
        """Follow the usual port for the security chosen, unless the owner typed another one."""
        if self.port_spin.value() in DEFAULT_PORTS.values():
            self.port_spin.setValue(DEFAULT_PORTS[str(self.security_combo.currentData())])

    def values(self) -> dict[str, str]:
        return {
            SMTP_HOST: self.host_edit.text(),
            SMTP_PORT: str(self.port_spin.value()),
            SMTP_SECURITY: str(self.security_combo.currentData()),
            SMTP_USERNAME: self.username_edit.text(),
            SMTP_FROM: self.from_edit.text(),
            SMTP_TO: self.to_edit.text(),
        }

    def typed_password(self) -> str | None:
        return self.password_edit.text() or None

    def check(self) -> None:
        """Raise ValidationError for the first bad value (nothing is saved)."""
        self.service.check_all(self.values())

    def save(self) -> None:
        """Store every value (checked first) and, when one was typed, the password in the keyring."""
        self.service.set_many(self.values())
        password = self.typed_password()
        if password is not None:
            self.service.set_password(password)
            self.password_edit.clear()
            self.password_edit.setPlaceholderText(SAVED_PASSWORD)

    @Slot()
    def send_test(self) -> None:
        """Send a test email with what the form says now (not saved yet), off the GUI thread."""
        try:
            smtp = self.service.smtp_with(self.values(), self.typed_password())
        except AutoposterError as exc:
            self.result.show_message(str(exc))
            return
        from autoposter_gui.engine.mailer import send

        self.test_button.setEnabled(False)
        self.result.show_message(f"Sending a test email to {', '.join(smtp.recipients) or '…'}…", "hint")
        body = "This is a test email from Autoposter. Email alerts work.\n"

        def sent(_result: object) -> None:
            self.test_button.setEnabled(True)
            self.result.show_message(f"Test email sent to {', '.join(smtp.recipients)}. Check your inbox.", "hint")

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            text = str(exc) if isinstance(exc, AutoposterError) else f"Sending failed ({type(exc).__name__})"
            self.result.show_message(text)

        self.tasks.submit(lambda: send(smtp, "Autoposter test email", body), sent, failed)
