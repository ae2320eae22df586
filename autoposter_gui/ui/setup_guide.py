"""The Connect wizard's step-by-step guide to creating a Meta app: the text and links of each step, and its page."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from autoposter_gui.engine.accounts import REQUESTED_SCOPES as SCOPES
from autoposter_gui.ui.widgets import MessageLabel, heading, secondary

APPS_URL = "https://developers.facebook.com/apps"
CREATE_APP_DOCS_URL = "https://developers.facebook.com/docs/development/create-an-app/"
USE_CASE = "Manage everything on your Page"


def app_settings_url(app_id: str) -> str:
    """The app's App settings → Basic page (where the App ID, the App Secret and the App Mode are)."""
    return f"https://developers.facebook.com/apps/{app_id.strip()}/settings/basic/"


@dataclass(frozen=True)
class GuideStep:
    """One step of the guide: what to do, in numbered items (plain text; ``{scopes}`` is filled in)."""

    title: str
    intro: str
    items: tuple[str, ...]
    after: str = ""


CREATE = GuideStep(
    "Step 1 of 4: create your Meta app",
    "Autoposter publishes through a Meta app of your own: it is free, and only you use it. Creating it takes about "
    "five minutes on Meta's developer site.",
    (
        "Click “Open Meta for Developers” below and log in with the Facebook account that manages your Page. "
        "If Meta asks, register as a developer (confirm your phone number or email).",
        "Click “Create App”. Give it a name you'll recognise, such as “Autoposter for my shop”, and your email.",
        f"When Meta asks what the app should do, pick the use case “{USE_CASE}” (it uses Facebook Login for Business).",
        "If Meta asks for a business portfolio, pick yours, or choose to connect one later. Click “Create app”.",
    ),
    "There is nothing for Autoposter to check yet. Click Next when the app's dashboard is open.",
)
USE_CASE_STEP = GuideStep(
    "Step 2 of 4: add the permissions, and find the App ID and App Secret",
    "Tell Meta what Autoposter may do with your Page and Instagram account.",
    (
        f"In your app's dashboard, open “Use cases”, then “Customize” next to “{USE_CASE}”.",
        "Under Permissions, click “Add” next to each of these: {scopes}.",
        "In the left menu, open App settings → Basic. The App ID is at the top. Click “Show” next to App Secret "
        "(Meta asks for your Facebook password). Keep that page open: the next step asks for both.",
    ),
    "Autoposter checks the permissions at “Test connection”: Meta tells it which ones you allowed.",
)
LIVE = GuideStep(
    "Step 4 of 4: put the app Live",
    "While an app is in development mode, its posts are seen only by the app's admins, not by your customers.",
    (
        "On your app's App settings → Basic page, fill in a Privacy Policy URL (your shop's website privacy page) "
        "and a category, then click “Save changes”.",
        "At the top of the App Dashboard, switch “App Mode” from Development to Live.",
        "Click “Check” below, then “Test connection”: you log in with Facebook, allow the permissions, and "
        "Autoposter lists the Pages and Instagram accounts it can publish to.",
    ),
)


def step_html(step: GuideStep) -> str:
    """The numbered checklist of a step, as rich text."""
    scopes = ", ".join(f"<b>{escape(s)}</b>" for s in SCOPES)
    items = "".join(f"<li>{escape(item).replace('{scopes}', scopes)}</li>" for item in step.items)
    return f"<ol style='margin-left: 0px; -qt-list-indent: 1'>{items}</ol>"


class GuidePage(QWidget):
    """A guide step: a heading, a short explanation, the numbered checklist, buttons that open Meta's pages,
    and (where Autoposter can check something) a Check button with its result."""

    def __init__(self, step: GuideStep, parent: QWidget | None = None, *, check: bool = False) -> None:
        super().__init__(parent)
        self.step = step
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading(step.title, self))
        layout.addWidget(secondary(step.intro, self))
        self.checklist = QLabel(step_html(step), self)
        self.checklist.setTextFormat(Qt.TextFormat.RichText)
        self.checklist.setWordWrap(True)
        self.checklist.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.checklist)
        self.links = QHBoxLayout()
        layout.addLayout(self.links)
        self.check_button: QPushButton | None = None
        if check:
            self.check_button = QPushButton("C&heck", self)
            self.check_button.setToolTip("Ask Meta what it can tell about your app")
            self.check_button.setAutoDefault(False)
            self.links.addStretch(1)
            self.links.addWidget(self.check_button)
        else:
            self.links.addStretch(1)
        self.result = MessageLabel(self)
        layout.addWidget(self.result)
        if step.after:
            layout.addWidget(secondary(step.after, self))
        layout.addStretch(1)
        self.link_buttons: dict[str, QPushButton] = {}

    def add_link(self, key: str, text: str, url: str | None = None) -> QPushButton:
        """A button that opens a page of Meta's in the browser (``url`` None: the caller connects it)."""
        button = QPushButton(text, self)
        button.setToolTip(url or "Opens in your web browser")
        button.setAutoDefault(False)  # Enter stays "Next", even after a click here
        if url is not None:
            button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl(url)))
        self.links.insertWidget(len(self.link_buttons), button)
        self.link_buttons[key] = button
        return button
