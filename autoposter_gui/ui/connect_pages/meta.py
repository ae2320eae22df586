"""The Connect wizard's Meta pages: the App ID and secret, Facebook Login, a pasted token, progress, the checklist."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.models import DiscoveredAccount, Platform
from autoposter_gui.engine.accounts import AccountCheck
from autoposter_gui.engine.login import SCOPES
from autoposter_gui.ui import icons
from autoposter_gui.ui.connect_pages.common import Page, link_button, link_label, secret_field
from autoposter_gui.ui.setup_guide import CREATE_APP_DOCS_URL, USE_CASE
from autoposter_gui.ui.widgets import MessageLabel, heading, secondary

CREATE_APP_URL = CREATE_APP_DOCS_URL
EXPLORER_URL = "https://developers.facebook.com/tools/explorer/"


def account_title(found: DiscoveredAccount) -> str:
    if found.platform is Platform.INSTAGRAM:
        return f"@{found.username or found.name} — Instagram business account"
    return f"{found.name} — Facebook Page"


class ChecklistRow(QFrame):
    """One account found: a checkbox with its name, and ✅ ready or its problems in plain words."""

    def __init__(self, check: AccountCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = check
        self.checkbox = QCheckBox(account_title(check.account), self)
        self.checkbox.setIcon(icons.platform_icon(check.account.platform.value))
        self.checkbox.setIconSize(QSize(18, 18))
        self.checkbox.setChecked(check.ready)
        font = self.checkbox.font()
        font.setBold(True)
        self.checkbox.setFont(font)
        status_icon = QLabel(self)
        status_icon.setFixedSize(16, 16)
        icon = icons.account_status_icon("connected") if check.ready else icons.warning_icon()
        status_icon.setPixmap(icon.pixmap(16, 16))
        text = "Ready to publish" if check.ready else "\n".join(check.problems)
        self.status = QLabel(text, self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if not check.ready:
            self.status.setStyleSheet("color: #b06000;")
            self.setToolTip("This account can't publish until this is fixed; you can still connect it")
        status_row = QHBoxLayout()
        status_row.setContentsMargins(26, 0, 0, 0)
        status_row.setSpacing(6)
        status_row.addWidget(status_icon, 0, Qt.AlignmentFlag.AlignTop)
        status_row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addWidget(self.checkbox)
        layout.addLayout(status_row)

    @property
    def ready(self) -> bool:
        return self.check.ready


class AppPage(Page):
    """APP: the Meta app's ID and secret (what the keyring holds shows masked), Check, and the other ways on."""

    def __init__(self, parent: QWidget, *, demo: bool) -> None:
        super().__init__(parent)
        layout = self.column
        self.app_heading = heading("Connect your Facebook Page and Instagram account", self)
        layout.addWidget(self.app_heading)
        layout.addWidget(
            secondary(
                "Autoposter publishes through your own Meta app. Enter its App ID and App Secret: you find both "
                "in Meta's App Dashboard, under App settings → Basic.",
                self,
            )
        )
        scopes = ", ".join(SCOPES)
        self.help_label = link_label(
            f"Your app needs the use case “{USE_CASE}” with these permissions: {scopes}. "
            f'See also <a href="{CREATE_APP_URL}">Meta\'s help on creating an app</a>.',
            self,
        )
        self.guide_link = link_button("New to Meta apps? Follow the step-by-step &guide…", self)
        self.guide_link.setToolTip("Create your Meta app with Autoposter's help, one step at a time")
        guide_row = QHBoxLayout()
        guide_row.addWidget(self.guide_link)
        guide_row.addStretch(1)
        layout.addLayout(guide_row)
        layout.addWidget(self.help_label)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.app_id_edit = QLineEdit(self)
        self.app_id_edit.setPlaceholderText("e.g. 123456789012345")
        self.app_secret_edit = secret_field(self, "A 32-character code from App settings → Basic")
        form.addRow("App &ID:", self.app_id_edit)
        form.addRow("App &Secret:", self.app_secret_edit)
        layout.addSpacing(4)
        layout.addLayout(form)
        self.stored_label = secondary("", self)
        self.stored_label.hide()
        layout.addWidget(self.stored_label)
        layout.addWidget(secondary("Both are kept in your system keyring, never in Autoposter's files.", self))
        check_row = QHBoxLayout()
        self.settings_button = QPushButton("Open the app's s&ettings", self)
        self.settings_button.setToolTip("App settings → Basic of the app whose ID you entered, in your browser")
        self.app_check_button = QPushButton("C&heck", self)
        self.app_check_button.setToolTip("Ask Meta whether this App ID and App Secret belong together")
        for button in (self.settings_button, self.app_check_button):
            button.setAutoDefault(False)  # Enter stays "Next"
        check_row.addWidget(self.settings_button)
        check_row.addStretch(1)
        check_row.addWidget(self.app_check_button)
        layout.addLayout(check_row)
        self.app_result = MessageLabel(self)
        layout.addWidget(self.app_result)
        row = QHBoxLayout()
        self.paste_link = link_button("Paste a token instead…", self)
        self.paste_link.setToolTip("For computers where the login window doesn't work: use a token from Meta's tools")
        row.addWidget(self.paste_link)
        row.addStretch(1)
        self.demo_button: QPushButton | None = None
        if demo:
            self.demo_button = QPushButton("Use the demo app", self)
            self.demo_button.setToolTip("Fill in the sandbox's demo App ID and App Secret")
            row.addWidget(self.demo_button)
        layout.addLayout(row)
        layout.addStretch(1)


class LoginPage(Page):
    """LOGIN: Facebook's login dialog in the embedded browser (added to ``browser_box`` when first needed)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        layout = self.column
        layout.addWidget(heading("Log in with Facebook", self))
        self.login_intro = secondary(
            "Log in and allow Autoposter to manage your Pages. Facebook hands the access token straight back to "
            "Autoposter; your password stays with Facebook.",
            self,
        )
        layout.addWidget(self.login_intro)
        self.browser_box = QVBoxLayout()
        layout.addLayout(self.browser_box, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Trouble logging in here?", self))
        self.login_paste_link = link_button("Paste a token instead…", self)
        row.addWidget(self.login_paste_link)
        row.addStretch(1)
        layout.addLayout(row)


class PastePage(Page):
    """PASTE: a user token from the Graph API Explorer."""

    def __init__(self, parent: QWidget, *, demo: bool) -> None:
        super().__init__(parent)
        layout = self.column
        layout.addWidget(heading("Paste a user access token", self))
        scopes = ", ".join(SCOPES)
        self.paste_help = link_label(
            f'Open Meta\'s <a href="{EXPLORER_URL}">Graph API Explorer</a>, pick your app under “Meta App”, add '
            f"these permissions: {scopes}, then click “Generate Access Token” and copy the token here. "
            "Autoposter exchanges it for a long-lived one.",
            self,
        )
        layout.addWidget(self.paste_help)
        self.paste_needs_app = MessageLabel(self)
        layout.addWidget(self.paste_needs_app)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.token_edit = secret_field(self, "Paste the user access token (it starts with EAA)")
        form.addRow("User &token:", self.token_edit)
        layout.addSpacing(4)
        layout.addLayout(form)
        self.demo_token_button: QPushButton | None = None
        if demo:
            row = QHBoxLayout()
            row.addStretch(1)
            self.demo_token_button = QPushButton("Use the demo token", self)
            self.demo_token_button.setToolTip("Fill in the sandbox's demo user token")
            row.addWidget(self.demo_token_button)
            layout.addLayout(row)
        layout.addStretch(1)


class WorkingPage(Page):
    """WORKING: the exchange and the discovery run."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        layout = self.column
        layout.addWidget(heading("Finding your accounts…", self))
        self.progress_label = secondary(
            "Exchanging the token for a long-lived one, then finding your Pages, their Instagram business accounts "
            "and the permissions you granted.",
            self,
        )
        layout.addWidget(self.progress_label)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        layout.addSpacing(8)
        layout.addWidget(self.progress)
        layout.addStretch(1)


class ChoosePage(Page):
    """CHOOSE: the accounts found, as a checklist (``rows_layout`` ends with a stretch)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        layout = self.column
        layout.addWidget(heading("Choose the accounts to connect", self))
        layout.addWidget(
            secondary(
                "Accounts that are ready to publish are selected. An account with a problem can't publish until "
                "it is fixed on Facebook; connect again afterwards.",
                self,
            )
        )
        self.rows_widget = QWidget(self)
        self.rows_widget.setBackgroundRole(QPalette.ColorRole.Base)  # reads as a list
        self.rows_widget.setAutoFillBackground(True)
        self.rows_layout = QVBoxLayout(self.rows_widget)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(2)
        self.rows_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setWidget(self.rows_widget)
        scroll.setMinimumHeight(80)
        self.rows_scroll = scroll
        layout.addWidget(scroll, 1)
