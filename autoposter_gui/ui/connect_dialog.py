"""The Connect wizard: which network, then Meta's steps (a guide to creating the Meta app, its ID and secret,
Facebook Login in a webview or a pasted token, a checklist of the accounts found) or a browser sign-in (X, Google
Business Profile). The pages are in ui/connect_pages/; where Next and Back lead is ui/connect_flow.py."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from autoposter_gui.engine.accounts import AppCheck, Discovery, ScopeCheck
from autoposter_gui.engine.login import DIALOG_ORIGIN, LoginError, login_url, new_state, parse_login_redirect
from autoposter_gui.engine.networks import choices
from autoposter_gui.engine.views import AccountView
from autoposter_gui.ui import fmt
from autoposter_gui.ui.connect_flow import SIGN_IN_STEPS, ConnectFlow, Step
from autoposter_gui.ui.connect_meta import MetaSteps
from autoposter_gui.ui.connect_pages.browser import SignInPage
from autoposter_gui.ui.connect_pages.common import MASK as MASK
from autoposter_gui.ui.connect_pages.common import masked as masked
from autoposter_gui.ui.connect_pages.meta import CREATE_APP_URL as CREATE_APP_URL
from autoposter_gui.ui.connect_pages.meta import EXPLORER_URL as EXPLORER_URL
from autoposter_gui.ui.connect_pages.meta import (
    ChecklistRow,
)
from autoposter_gui.ui.connect_pages.network import NetworkPage
from autoposter_gui.ui.connect_pages.sign_in import sign_in_spec
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.setup_guide import (
    APPS_URL,
    CREATE,
    CREATE_APP_DOCS_URL,
    LIVE,
    USE_CASE_STEP,
    GuidePage,
)
from autoposter_gui.ui.webengine import WebViewUnavailable, create_login_browser
from autoposter_gui.ui.widgets import MessageLabel

if TYPE_CHECKING:
    from autoposter_gui.ui.login_browser import LoginBrowser

log = logging.getLogger(__name__)
TITLES = {Step.NETWORK: "Connect an account", Step.X: "Connect X", Step.GOOGLE: "Connect Google Business Profile"}


class ConnectDialog(MetaSteps):
    """Step by step: NETWORK (which one) → Meta: APP (ID + secret) → LOGIN (webview) or PASTE (token) → WORKING →
    CHOOSE (checklist); X or GOOGLE: a browser sign-in page.

    ``network`` is where it starts: a registry key ("meta", "x", "google"), or None for the choice of network. The
    network and the keyring are only touched on worker threads. ``handle_redirect`` is where the webview's
    redirect arrives; tests feed it URLs directly.
    """

    step_changed = Signal(int)

    def __init__(
        self,
        controller: AppController,
        parent: QWidget | None = None,
        *,
        dialog_origin: str | None = None,
        guided: bool = False,
        network: str | None = "meta",
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.accounts: list[AccountView] = []
        self.dialog_origin = dialog_origin or (controller.config.graph_origin if controller.sandbox else None)
        self.browser: LoginBrowser | None = None
        self.webview_error: str | None = None
        self.discovery: Discovery | None = None
        self.rows: list[ChecklistRow] = []
        self._state = ""
        self._stored: tuple[str | None, str | None] = (None, None)
        self._busy = False
        self._closed = False
        self._came_from = Step.APP
        self.flow = ConnectFlow(guided, chooser=network is None and not guided)
        self.app_check: AppCheck | None = None
        self.scope_check: ScopeCheck | None = None
        self.setWindowTitle("Connect Meta")
        self.setMinimumWidth(600)

        self.stack = QStackedWidget(self)
        self._build_meta_pages(demo=controller.sandbox_credentials is not None)
        self.create_page = GuidePage(CREATE, self)
        self.create_page.add_link("apps", "Open Meta for &Developers", APPS_URL)
        self.create_page.add_link("docs", "Meta's help on creating an app", CREATE_APP_DOCS_URL)
        self.stack.addWidget(self.create_page)
        self.use_case_page = GuidePage(USE_CASE_STEP, self)
        self.use_case_page.add_link("apps", "Open &my apps", APPS_URL)
        self.stack.addWidget(self.use_case_page)
        self.live_page = GuidePage(LIVE, self, check=True)
        self.live_page.add_link("settings", "Open the app's &settings").clicked.connect(self.open_app_settings)
        assert self.live_page.check_button is not None
        self.live_page.check_button.clicked.connect(lambda: self.check_live())
        self.stack.addWidget(self.live_page)
        self.network_page = NetworkPage(choices(), self)
        self.network_page.chosen.connect(self.choose_network)
        self.stack.addWidget(self.network_page)
        self.sign_in_pages: dict[str, SignInPage] = {}
        for key in SIGN_IN_STEPS:  # in the order of their steps
            page = SignInPage(controller, sign_in_spec(key), self, sandbox=controller.sandbox_clients.get(key))
            page.changed.connect(self._update_next)
            page.busy_changed.connect(self._sign_in_busy)
            page.saved.connect(self._signed_in)
            self.sign_in_pages[key] = page
            self.stack.addWidget(page)
        self.x_page, self.google_page = self.sign_in_pages["x"], self.sign_in_pages["google"]

        self.error = MessageLabel(self)
        self.back_button = QPushButton("< &Back", self)
        self.back_button.setAutoDefault(False)  # as in a wizard: Enter is always Next
        self.cancel_button = QPushButton("Cancel", self)
        self.next_button = QPushButton(self)
        self.next_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(self.back)
        self.cancel_button.clicked.connect(self.reject)
        self.next_button.clicked.connect(self.next)
        for edit in (self.app_id_edit, self.app_secret_edit, self.token_edit):
            edit.textChanged.connect(self._inputs_changed)
        first = self.flow.first if network is None or guided else self.flow.start(network)
        self._go(first)
        if first is Step.NETWORK:
            self.network_page.list.setFocus()
        elif first is Step.APP:
            self.app_id_edit.setFocus()
        else:
            self.next_button.setFocus()
        self._load_stored()

    # ----- navigation ------------------------------------------------------------------------------------
    @property
    def guided(self) -> bool:
        """True once the guide to creating a Meta app is shown (Back and Next then walk its steps)."""
        return self.flow.guided

    @property
    def step(self) -> Step:
        return Step(self.stack.currentIndex())

    @property
    def busy(self) -> bool:
        page = self.sign_in_page
        return self._busy or (page is not None and page.busy)

    @property
    def sign_in_page(self) -> SignInPage | None:
        """The browser sign-in page shown (X, Google), or None on the other steps."""
        page = self.stack.currentWidget()
        return page if isinstance(page, SignInPage) else None

    def _go(self, step: Step) -> None:
        if self.step is Step.LOGIN and step is not Step.LOGIN and self.browser is not None:
            self.browser.stop()
        for index in range(self.stack.count()):  # only the current page counts for the dialog's size
            policy = QSizePolicy.Policy.Preferred if index == step else QSizePolicy.Policy.Ignored
            page = self.stack.widget(index)
            assert page is not None
            page.setSizePolicy(policy, policy)
        self.stack.setCurrentIndex(step)
        self.setWindowTitle(TITLES.get(step, "Connect Meta"))
        self.back_button.setVisible(self.flow.before(step) is not None)
        self.next_button.setVisible(step not in (Step.WORKING, Step.LOGIN))
        if step is Step.APP:
            self.app_heading.setText(
                "Step 3 of 4: enter the App ID and App Secret"
                if self.guided
                else "Connect your Facebook Page and Instagram account"
            )
            self.guide_link.setVisible(not self.guided)
            self.help_label.setVisible(not self.guided)  # the guide's steps said it all
        if step is Step.PASTE:
            self._update_paste_notice()
        if step in (Step.CREATE, Step.USE_CASE, Step.LIVE):
            self.next_button.setFocus()  # a hidden button (Back on the first step) must not keep the focus
        self._update_next()
        if step is Step.LOGIN:
            self._grow_for_browser()
        else:
            self._fit_soon()
        self.step_changed.emit(int(step))

    def _update_next(self) -> None:
        step = self.step
        self.next_button.setToolTip("")
        self.settings_button.setEnabled(bool(self.app_id_edit.text().strip() or self._stored[0]))
        self.app_check_button.setEnabled(not self._busy)
        if self.live_page.check_button is not None:
            self.live_page.check_button.setEnabled(not self._busy)
        self.next_button.setText(self.flow.next_label(step))
        self.next_button.setEnabled(not self._busy)
        page = self.sign_in_page
        self.back_button.setEnabled(not self.busy)
        self.cancel_button.setVisible(page is None or page.state != "done")
        if page is not None:
            self.next_button.setText(page.next_label())
            self.next_button.setEnabled(page.can_go_on())
            done = page.state == "done"  # connected: only Done is left
            self.back_button.setVisible(not done and self.flow.before(step) is not None)
        elif step is Step.NETWORK:
            self.next_button.setEnabled(self.network_page.current is not None)
        elif step is Step.APP and self.guided:
            self.next_button.setToolTip("Checks the App ID and App Secret with Meta, then goes on")
        elif step is Step.LIVE:
            self.next_button.setToolTip("Log in with Facebook and find the accounts Autoposter can publish to")
        elif step is Step.LOGIN:
            self.next_button.setToolTip("Open Facebook's login page again")
        elif step is Step.PASTE:
            ready = bool(self.token_edit.text().strip()) and self._has_app()
            self.next_button.setEnabled(ready and not self._busy)
        elif step is Step.CHOOSE:
            count = len(self.chosen())
            self.next_button.setText(f"&Connect {fmt.plural(count, 'account')}" if count else "&Connect")
            self.next_button.setEnabled(count > 0 and not self._busy)

    @Slot()
    def _inputs_changed(self) -> None:
        self.error.clear()
        if self.sender() is not self.token_edit:
            self.app_result.clear()  # an earlier check was about other values
            self.app_check = None
        self._update_next()

    @Slot()
    def next(self) -> None:
        step = self.step
        after = self.flow.after(step)
        if after is not None:
            self._go(after)
            if after is Step.APP:
                self.app_id_edit.setFocus()
        elif step is Step.APP and self.guided:
            self.check_app(then=Step.LIVE)
        elif step in (Step.APP, Step.LOGIN, Step.LIVE):
            self.start_login()
        elif step is Step.PASTE:
            self.start_paste()
        elif step is Step.CHOOSE:
            self.save_chosen()
        elif step is Step.NETWORK:
            current = self.network_page.current
            if current is not None:
                self.choose_network(current)
        elif (page := self.sign_in_page) is not None:
            if page.state == "done":
                self.accept()
            else:
                page.go_on()

    @Slot(str)
    def choose_network(self, key: str) -> None:
        """From the choice of network: that network's first step."""
        self.error.clear()
        self.network_page.select(key)
        step = self.flow.start(key)
        self._go(step)
        if step is Step.APP:
            self.app_id_edit.setFocus()
        elif step in (Step.X, Step.GOOGLE):
            self.sign_in_pages[key].client_id_edit.setFocus()

    @Slot(bool)
    def _sign_in_busy(self, busy: bool) -> None:
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        self._update_next()
        self._fit_soon()

    @Slot(list)
    def _signed_in(self, accounts: list[AccountView]) -> None:
        """A browser sign-in saved accounts: say so, publish what waited for them; Google's checklist closes."""
        self.accounts = list(accounts)
        scheduler = self.controller.scheduler
        if accounts and scheduler is not None and not scheduler.state.paused:
            scheduler.run_now()
        if accounts:
            names = ", ".join(fmt.account_name(a) for a in accounts[:3])
            more = f" and {len(accounts) - 3} more" if len(accounts) > 3 else ""
            self.controller.notice.emit(f"Connected {names}{more}")
        self.connected.emit(self.accounts)
        if self._closed:
            return
        self._fit_soon()
        page = self.sign_in_page
        if page is not None and page.spec.choose:
            super().accept()
        else:
            self.next_button.setFocus()

    @Slot()
    def back(self) -> None:
        if self.busy:
            return
        self.error.clear()
        before = self.flow.before(self.step)
        if before is not None:
            self._go(before)

    # ----- Facebook Login in the webview -----------------------------------------------------------------
    @Slot()
    def start_login(self) -> None:
        """Open Facebook's login dialog in the embedded browser (or fall back to pasting a token)."""
        creds = self._require_app()
        if creds is None or self._busy:
            return
        self.error.clear()
        browser = self._ensure_browser()
        if browser is None:
            self._go(Step.PASTE)
            self.show_error(
                f"Logging in from here isn't possible on this computer: {self.webview_error}. Paste a token instead.",
                "warning",
            )
            self.token_edit.setFocus()
            return
        self._state = new_state()
        self._came_from = Step.LOGIN
        browser.start(login_url(creds[0], self._state, dialog_origin=self.dialog_origin or DIALOG_ORIGIN))
        self._go(Step.LOGIN)
        browser.view.setFocus()

    def _ensure_browser(self) -> LoginBrowser | None:
        if self.browser is not None or self.webview_error is not None:
            return self.browser
        try:
            browser = create_login_browser(self.stack.widget(Step.LOGIN))
        except WebViewUnavailable as exc:
            self.webview_error = str(exc)
            return None
        browser.redirect_reached.connect(self.handle_redirect)
        browser.load_failed.connect(self._login_load_failed)
        browser.loaded.connect(self._login_loaded)
        browser.crashed.connect(self._browser_crashed)
        self.browser_box.addWidget(browser, 1)
        self.browser = browser
        return browser

    @Slot(str)
    def handle_redirect(self, url: str) -> None:
        """The login came back: read the token (the state must match this attempt), then find the accounts.

        A refused answer stores nothing; the owner may log in again or paste a token.
        """
        expected, self._state = self._state, ""  # one answer per attempt: a replayed redirect is refused
        try:
            result = parse_login_redirect(url, expected)
        except LoginError as exc:
            log.info("login answer refused: %s", exc)
            if self.step is not Step.LOGIN:
                self._go(Step.LOGIN)
            if self.browser is not None:
                self.browser.show_notice("This login attempt is over. Click “Try again” to log in again.")
            self.next_button.show()  # "Try again"
            self.show_error(str(exc))
            return
        creds = self.app_credentials()
        self._discover(creds[0], creds[1], result.access_token, came_from=Step.LOGIN)

    @Slot(str)
    def _login_load_failed(self, url: str) -> None:
        if self.step is Step.LOGIN:
            self.next_button.show()  # "Try again"
            self.show_error(
                "Facebook's login page didn't load. Check your internet connection and try again, or paste a "
                "token instead.",
                "warning",
            )

    @Slot(str)
    def _login_loaded(self, _url: str) -> None:
        if self.step is Step.LOGIN and self.error.kind == "warning":
            self.error.clear()

    @Slot(str)
    def _browser_crashed(self, reason: str) -> None:
        self.webview_error = reason
        if self.browser is not None:
            self.browser.hide()
            self.browser.deleteLater()
            self.browser = None
        if self.step is Step.LOGIN:
            self._go(Step.PASTE)
            self.show_error(f"Logging in from here stopped working: {reason}. Paste a token instead.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_soon()  # wrapped labels only know their height once the dialog has its width

    # ----- closing ---------------------------------------------------------------------------------------
    def done(self, result: int) -> None:
        self._closed = True
        if self.browser is not None:
            self.browser.stop()
        for page in self.sign_in_pages.values():
            page.close_page()  # stop waiting for the browser; forget locations found but not kept
        super().done(result)

    def reject(self) -> None:
        # Closing while connecting is fine: a save in progress finishes and the Accounts tab updates by itself.
        super().reject()
