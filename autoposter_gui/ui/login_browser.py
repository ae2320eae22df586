"""The embedded Facebook Login browser (QtWebEngine): it stops at the login redirect and hands its URL over.

Imported only through ``ui.webengine.create_login_browser``, when the Connect dialog needs it: QtWebEngine is
heavy, and the rest of the app must start without it.
"""

from __future__ import annotations

import logging
from html import escape

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QProgressBar, QVBoxLayout, QWidget

from autoposter_gui.engine.login import is_redirect
from autoposter_gui.ui.widgets import secondary

log = logging.getLogger(__name__)


class LoginPage(QWebEnginePage):
    """Refuses to load the login redirect (an unreachable Facebook page) and reports its URL instead."""

    redirect_reached = Signal(str)

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)

    def acceptNavigationRequest(self, url: QUrl | str, type: QWebEnginePage.NavigationType, isMainFrame: bool) -> bool:
        text = url.toString() if isinstance(url, QUrl) else str(url)
        if is_redirect(text):  # the token is in the fragment; the page itself is never loaded
            self.redirect_reached.emit(text)
            return False
        return bool(super().acceptNavigationRequest(url, type, isMainFrame))

    def createWindow(self, _type: QWebEnginePage.WebWindowType) -> QWebEnginePage:
        return self  # "Forgot password?" and other pop-ups open in place

    def javaScriptConsoleMessage(
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str, line: int, source: str
    ) -> None:
        log.debug("login page console: %s", message[:200])


class LoginBrowser(QWidget):
    """An address line, a load bar and the page. Each ``start()`` is one login: at most one ``redirect_reached``."""

    redirect_reached = Signal(str)  # the redirect URL, with the token (or the error) in it
    load_failed = Signal(str)  # the URL that did not load
    loaded = Signal(str)
    crashed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._done = False
        self.address = secondary("", self)
        self.address.setWordWrap(False)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(3)
        self.progress.setStyleSheet(
            "QProgressBar { border: 0; background: transparent; } QProgressBar::chunk { background: #1877f2; }"
        )
        # The view first, the profile second: children are destroyed in order, and a profile must outlive its
        # pages. The profile is off the record: no Facebook cookies are kept on disk.
        self.view = QWebEngineView(self)
        self.profile = QWebEngineProfile(self)
        self.page = LoginPage(self.profile, self.view)
        self.view.setPage(self.page)
        self.view.setMinimumHeight(300)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.address)
        layout.addWidget(self.progress)
        layout.addWidget(self.view, 1)

        self.page.redirect_reached.connect(self._redirected, Qt.ConnectionType.QueuedConnection)
        self.view.urlChanged.connect(self._url_changed)
        self.view.loadStarted.connect(self._load_started)
        self.view.loadProgress.connect(self.progress.setValue)
        self.view.loadFinished.connect(self._load_finished)
        self.page.renderProcessTerminated.connect(self._terminated)

    def start(self, url: str) -> None:
        """Open the login dialog at ``url``."""
        self._done = False
        self._show_address(QUrl(url))
        self.view.load(QUrl(url))

    def stop(self) -> None:
        self._done = True
        self.view.stop()

    def show_notice(self, text: str) -> None:
        """Replace the (spent) login page with a short note, e.g. after a refused answer."""
        self.stop()
        self.address.setText("")
        self.view.setHtml(
            '<html><body style="font-family:system-ui,sans-serif;color:#5f6368;text-align:center;padding-top:4em">'
            f"<p>{escape(text)}</p></body></html>"
        )

    @property
    def url(self) -> str:
        return str(self.view.url().toString())

    def _show_address(self, url: QUrl) -> None:
        port = f":{url.port()}" if url.port() > 0 else ""
        shown = f"{url.scheme()}://{url.host()}{port}{url.path()}"
        secure = url.scheme() == "https"
        self.address.setText(shown if secure else f"{shown}   (local page: not encrypted)")
        self.address.setToolTip("The page you are logging in on")

    @Slot(str)
    def _redirected(self, url: str) -> None:
        if self._done:
            return
        self._done = True
        self.view.stop()
        self.redirect_reached.emit(url)

    @Slot(QUrl)
    def _url_changed(self, url: QUrl) -> None:
        text = url.toString()
        if is_redirect(text):  # a backstop: navigations are normally stopped before this
            self._redirected(text)
            return
        if url.scheme() in ("http", "https"):
            self._show_address(url)
        else:
            self.address.clear()  # our own note (a data: URL) or a blank page

    @Slot()
    def _load_started(self) -> None:
        self.progress.setValue(0)
        self.progress.show()

    @Slot(bool)
    def _load_finished(self, ok: bool) -> None:
        self.progress.hide()
        if self._done:
            return  # refusing the redirect ends the load "unsuccessfully": that is the success case
        if ok:
            self.loaded.emit(self.url)
        else:
            self.load_failed.emit(self.url)

    @Slot(QWebEnginePage.RenderProcessTerminationStatus, int)
    def _terminated(self, status: QWebEnginePage.RenderProcessTerminationStatus, code: int) -> None:
        if status != QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus and not self._done:
            log.warning("the login browser's page process ended (%s, %s)", status.name, code)
            self.crashed.emit(f"the built-in browser stopped unexpectedly ({status.name})")
