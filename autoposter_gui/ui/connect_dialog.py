"""The Connect wizard: which network, then Meta's steps (a guide to creating the Meta app, its ID and secret,
Facebook Login in a webview or a pasted token, a checklist of the accounts found) or a browser sign-in (X, Google
Business Profile). The pages are in ui/connect_pages/; where Next and Back lead is ui/connect_flow.py."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QShowEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from autoposter_gui.domain.errors import AutoposterError, ValidationError
from autoposter_gui.domain.models import AccountStatus, DiscoveredAccount
from autoposter_gui.engine.accounts import AccountCheck, AppCheck, Discovery, ScopeCheck, assess, token_shape_problem
from autoposter_gui.engine.login import DIALOG_ORIGIN, LoginError, login_url, new_state, parse_login_redirect
from autoposter_gui.engine.networks import choices
from autoposter_gui.engine.reads import account_view
from autoposter_gui.engine.views import AccountView
from autoposter_gui.ui import fmt
from autoposter_gui.ui.connect_flow import SIGN_IN_STEPS, ConnectFlow, Step
from autoposter_gui.ui.connect_pages.browser import SignInPage
from autoposter_gui.ui.connect_pages.common import MASK as MASK
from autoposter_gui.ui.connect_pages.common import masked as masked
from autoposter_gui.ui.connect_pages.meta import CREATE_APP_URL as CREATE_APP_URL
from autoposter_gui.ui.connect_pages.meta import EXPLORER_URL as EXPLORER_URL
from autoposter_gui.ui.connect_pages.meta import (
    AppPage,
    ChecklistRow,
    ChoosePage,
    LoginPage,
    PastePage,
    WorkingPage,
)
from autoposter_gui.ui.connect_pages.network import NetworkPage
from autoposter_gui.ui.connect_pages.sign_in import sign_in_spec
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.errors import user_message
from autoposter_gui.ui.setup_guide import (
    APPS_URL,
    CREATE,
    CREATE_APP_DOCS_URL,
    LIVE,
    USE_CASE_STEP,
    GuidePage,
    app_settings_url,
)
from autoposter_gui.ui.webengine import WebViewUnavailable, create_login_browser
from autoposter_gui.ui.widgets import MessageLabel

if TYPE_CHECKING:
    from autoposter_gui.ui.login_browser import LoginBrowser

log = logging.getLogger(__name__)
TITLES = {Step.NETWORK: "Connect an account", Step.X: "Connect X", Step.GOOGLE: "Connect Google Business Profile"}


class ConnectDialog(QDialog):
    """Step by step: NETWORK (which one) → Meta: APP (ID + secret) → LOGIN (webview) or PASTE (token) → WORKING →
    CHOOSE (checklist); X or GOOGLE: a browser sign-in page.

    ``network`` is where it starts: a registry key ("meta", "x", "google"), or None for the choice of network. The
    network and the keyring are only touched on worker threads. ``handle_redirect`` is where the webview's
    redirect arrives; tests feed it URLs directly.
    """

    connected = Signal(list)  # the accounts saved
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

    def _build_meta_pages(self, *, demo: bool) -> None:
        """Meta's five working pages, their widgets named on the dialog as before the split (tests use them)."""
        app = AppPage(self, demo=demo)
        self.app_heading, self.help_label, self.guide_link = app.app_heading, app.help_label, app.guide_link
        self.app_id_edit, self.app_secret_edit, self.stored_label = (
            app.app_id_edit,
            app.app_secret_edit,
            app.stored_label,
        )
        self.settings_button, self.app_check_button, self.app_result = (
            app.settings_button,
            app.app_check_button,
            app.app_result,
        )
        self.paste_link, self.demo_button = app.paste_link, app.demo_button
        self.guide_link.clicked.connect(self.start_guide)
        self.settings_button.clicked.connect(self.open_app_settings)
        self.app_check_button.clicked.connect(lambda: self.check_app())
        self.paste_link.clicked.connect(self.choose_paste)
        if self.demo_button is not None:
            self.demo_button.clicked.connect(self.fill_demo)
        login = LoginPage(self)
        self.login_intro, self.browser_box, self.login_paste_link = (
            login.login_intro,
            login.browser_box,
            login.login_paste_link,
        )
        self.login_paste_link.clicked.connect(self.choose_paste)
        paste = PastePage(self, demo=demo)
        self.paste_help, self.paste_needs_app, self.token_edit = (
            paste.paste_help,
            paste.paste_needs_app,
            paste.token_edit,
        )
        self.demo_token_button = paste.demo_token_button
        if self.demo_token_button is not None:
            self.demo_token_button.clicked.connect(self.fill_demo_token)
        working = WorkingPage(self)
        self.progress_label, self.progress = working.progress_label, working.progress
        choose = ChoosePage(self)
        self.rows_widget, self.rows_layout, self.rows_scroll = (
            choose.rows_widget,
            choose.rows_layout,
            choose.rows_scroll,
        )
        for page in (app, login, paste, working, choose):
            self.stack.addWidget(page)

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

    def _fit_height(self) -> None:
        """As tall as the current page needs at the current width (wrapped text included): no grey voids.

        QStackedWidget sizes itself for its tallest page, so the current page is measured here instead.
        """
        page = self.stack.currentWidget()
        layout = self.layout()
        if page is None or layout is None or self.step is Step.LOGIN:
            return
        layout.activate()
        if not self.isVisible():
            self.adjustSize()
            return
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)
        width = self.stack.width()
        if self.step is Step.CHOOSE:  # the whole checklist, without a scroll bar, while it fits
            inner = width - 2 * self.rows_scroll.frameWidth()
            rows = self.rows_widget
            content = rows.heightForWidth(inner) if rows.hasHeightForWidth() else rows.sizeHint().height()
            wanted = content + 2 * self.rows_scroll.frameWidth()
            self.rows_scroll.setMinimumHeight(max(80, min(wanted, int(area.height() * 0.55))))
            page_layout = page.layout()
            if page_layout is not None:
                page_layout.activate()
        need = page.heightForWidth(width) if page.hasHeightForWidth() else page.sizeHint().height()
        need = max(need, page.minimumSizeHint().height())
        height = min(self.height() - self.stack.height() + need, area.height())
        center_y = self.geometry().center().y()  # shrink (or grow) around the middle, on the screen
        top = min(max(center_y - height // 2, area.top()), area.bottom() - height)
        self.setGeometry(QRect(self.x(), top, self.width(), height))

    def _fit_soon(self) -> None:
        QTimer.singleShot(0, self, self._fit_height)  # not after the dialog is gone

    def show_error(self, text: str, kind: str = "error") -> None:
        """The message under the page; the dialog grows to show it in full."""
        self.error.show_message(text, kind)
        self._fit_soon()

    def _grow_for_browser(self) -> None:
        """Facebook's login page needs room: grow, and keep the whole dialog on the screen."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(max(self.width(), 680), max(self.height(), 720))
            return
        area = screen.availableGeometry()
        width = min(max(self.width(), 680), int(area.width() * 0.9))
        height = min(max(self.height(), 720), int(area.height() * 0.9))
        parent = self.parentWidget()
        center = parent.window().frameGeometry().center() if parent is not None else area.center()
        left = min(max(center.x() - width // 2, area.left()), area.right() - width)
        top = min(max(center.y() - height // 2, area.top()), area.bottom() - height)
        self.setGeometry(QRect(left, top, width, height))

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
        if page is not None:
            self.next_button.setText(page.next_label())
            self.next_button.setEnabled(page.can_go_on())
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

    @Slot()
    def start_guide(self) -> None:
        """From the app's page: the guide from its first step."""
        self.flow.guided = True
        self.error.clear()
        self._go(Step.CREATE)
        self.next_button.setFocus()

    # ----- the guide's checks ----------------------------------------------------------------------------
    @Slot()
    def open_app_settings(self) -> None:
        """The app's App settings → Basic in the browser (Meta's list of apps while no App ID is known)."""
        app_id = self.app_credentials()[0]
        QDesktopServices.openUrl(QUrl(app_settings_url(app_id) if app_id else APPS_URL))

    def _run_app_check(self, done: Any) -> None:
        app_id, secret = self.app_credentials()
        if not app_id or not secret:
            self._go(Step.APP)
            self.show_error(
                "Enter your Meta app's App ID and App Secret first: both are in your app's App settings → Basic"
            )
            (self.app_secret_edit if app_id else self.app_id_edit).setFocus()
            return
        controller = self.controller
        self._set_busy(True)
        self.error.clear()

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            if self._closed:
                return
            self.app_check = None
            if self.step is Step.LIVE and not isinstance(exc, ValidationError):
                self.live_page.result.show_message(user_message(exc), "error")  # e.g. offline: stay, try again
            else:
                if self.step is not Step.APP:
                    self._go(Step.APP)
                self.app_result.show_message(user_message(exc), "error")
            self._fit_soon()

        def succeeded(result: Any) -> None:
            self._set_busy(False)
            if not self._closed:
                self.app_check = result
                done(result)

        controller.tasks.submit(lambda: controller.account_service().check_app(app_id, secret), succeeded, failed)

    @Slot()
    def check_app(self, then: Step | None = None) -> None:
        """Check the App ID and App Secret with Meta; say who the app is, or exactly what is wrong."""
        if self._busy:
            return

        def done(check: AppCheck) -> None:
            self.app_result.show_message(
                f"✓ Meta knows your app “{check.name}”: the App ID and App Secret belong together.", "hint"
            )
            if then is not None:
                self._go(then)
                self._show_live(check)
            self._fit_soon()

        self._run_app_check(done)

    @Slot()
    def check_live(self) -> None:
        """Check the app again on the Live step: is it in Live mode?"""
        if not self._busy:
            self._run_app_check(self._show_live)

    def _show_live(self, check: AppCheck) -> None:
        result = self.live_page.result
        if check.live is True:
            result.show_message(f"✓ “{check.name}” is Live: your customers will see its posts.", "hint")
        elif check.live is False:
            result.show_message(check.live_problem or "", "warning")
        else:
            result.show_message(
                "Meta doesn't tell Autoposter whether the app is Live. Look at the “App Mode” switch at the top of "
                "the App Dashboard: it must say Live.",
                "hint",
            )
        self._fit_soon()

    # ----- app credentials -------------------------------------------------------------------------------
    def _load_stored(self) -> None:
        """Read what the keyring already holds (off the GUI thread: a keyring may prompt)."""
        controller = self.controller
        controller.tasks.submit(lambda: controller.account_service().stored_app(), self._stored_loaded, lambda _e: None)

    def _stored_loaded(self, stored: Any) -> None:
        app_id, secret = stored
        self._stored = (app_id or None, secret or None)
        if app_id and secret:
            self.app_id_edit.setPlaceholderText(f"Stored: {masked(app_id)}")
            self.app_secret_edit.setPlaceholderText(f"Stored: {masked(secret)}")
            self.stored_label.setText("Your App ID and App Secret are stored. Leave the fields empty to keep them.")
            self.stored_label.show()
            self._update_next()
            if self.step is Step.PASTE:
                self._update_paste_notice()
            self._fit_soon()

    def _has_app(self) -> bool:
        app_id, secret = self.app_credentials()
        return bool(app_id and secret)

    def _update_paste_notice(self) -> None:
        """The paste page says first when the App ID and App Secret are still missing (the token needs them)."""
        if self._has_app():
            self.paste_needs_app.clear()
        else:
            self.paste_needs_app.show_message(
                "First enter your Meta app's App ID and App Secret: click “< Back”. The token is exchanged with "
                "them, so it can't be used without them.",
                "warning",
            )
        self._fit_soon()

    @property
    def has_stored_credentials(self) -> bool:
        return bool(self._stored[0] and self._stored[1])

    def app_credentials(self) -> tuple[str, str]:
        """What was typed, else what the keyring holds."""
        typed_id, typed_secret = self.app_id_edit.text().strip(), self.app_secret_edit.text().strip()
        if typed_id or typed_secret:
            return typed_id, typed_secret
        return self._stored[0] or "", self._stored[1] or ""

    def _require_app(self) -> tuple[str, str] | None:
        app_id, secret = self.app_credentials()
        if not app_id or not secret:
            self._go(Step.APP)
            self.show_error("Enter your Meta app's App ID and App Secret first")
            (self.app_secret_edit if app_id else self.app_id_edit).setFocus()
            return None
        return app_id, secret

    @Slot()
    def fill_demo(self) -> None:
        if self.controller.sandbox_credentials is None:
            return
        app_id, secret, _token = self.controller.sandbox_credentials
        self.app_id_edit.setText(app_id)
        self.app_secret_edit.setText(secret)

    @Slot()
    def fill_demo_token(self) -> None:
        if self.controller.sandbox_credentials is None:
            return
        self.token_edit.setText(self.controller.sandbox_credentials[2])

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

    # ----- pasted token ----------------------------------------------------------------------------------
    @Slot()
    def choose_paste(self) -> None:
        self.error.clear()
        self._go(Step.PASTE)
        self.token_edit.setFocus()

    @Slot()
    def start_paste(self) -> None:
        token = self.token_edit.text().strip()
        problem = token_shape_problem(token)
        if problem is not None:
            self.show_error(problem)
            self.token_edit.setFocus()
            return
        creds = self._require_app()
        if creds is None:
            return
        self._discover(creds[0], creds[1], token, came_from=Step.PASTE)

    # ----- exchange, discovery and the checklist ---------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        self._update_next()

    def _discover(self, app_id: str, secret: str, user_token: str, *, came_from: Step) -> None:
        if self._busy:
            return
        self._came_from = came_from
        self.error.clear()
        self._set_busy(True)
        self._go(Step.WORKING)
        controller = self.controller

        def work() -> tuple[Discovery, list[AccountCheck], ScopeCheck | None]:
            service = controller.account_service()
            discovery = service.discover(app_id, secret, user_token)
            scopes = service.granted_scopes(app_id, secret, discovery.user_token)
            return discovery, assess(discovery, scopes), None if scopes is None else ScopeCheck.of(scopes)

        controller.tasks.submit(work, self._discovered, self._discovery_failed)

    def _discovered(self, result: Any) -> None:
        self._set_busy(False)
        if self._closed:
            return
        discovery, checks, scope_check = result
        self.discovery = discovery
        self.scope_check = scope_check
        self.show_checklist(checks)
        if scope_check is not None and scope_check.problem:
            self.show_error(scope_check.problem, "warning")
        elif not checks:
            self.show_error(
                "No Facebook Pages were found. Check that you allowed Autoposter to see your Pages "
                "(pages_show_list) and that you manage at least one Page."
            )

    def _discovery_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if self._closed:
            return
        # A login token is spent; a wrong App Secret is the usual cause, so go back to the app's page.
        self._go(Step.PASTE if self._came_from is Step.PASTE else Step.APP)
        self.show_error(user_message(exc))

    def show_checklist(self, checks: Sequence[AccountCheck]) -> None:
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        for check in checks:
            row = ChecklistRow(check, self.rows_widget)
            row.checkbox.toggled.connect(self._update_next)
            self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
            self.rows.append(row)
        self._go(Step.CHOOSE)

    def chosen(self) -> list[DiscoveredAccount]:
        return [row.check.account for row in self.rows if row.checkbox.isChecked()]

    @Slot()
    def save_chosen(self) -> None:
        """Store the app, the tokens and the chosen accounts; check their tokens; publish what was held."""
        chosen, discovery = self.chosen(), self.discovery
        if not chosen or discovery is None or self._busy:
            return
        app_id, secret = self.app_credentials()
        controller = self.controller
        self._set_busy(True)

        def work() -> list[AccountView]:
            from autoposter_gui.engine.health import TokenHealthService

            saved = [account_view(a) for a in controller.account_service().save(app_id, secret, discovery, chosen)]
            try:
                TokenHealthService(controller.ctx).check_all()  # the expiry and ✅ show at once
            except AutoposterError as exc:
                log.info("token check after connecting skipped: %s", exc)
            return saved

        controller.tasks.submit(work, self._saved, self._save_failed)

    def _saved(self, result: Any) -> None:
        self._set_busy(False)
        self.accounts = list(result or [])
        scheduler = self.controller.scheduler
        if scheduler is not None and not scheduler.state.paused:
            scheduler.run_now()  # posts held for a dead token go out now
        names = ", ".join(fmt.account_name(a) for a in self.accounts[:3])
        more = f" and {len(self.accounts) - 3} more" if len(self.accounts) > 3 else ""
        cannot = [fmt.account_name(a) for a in self.accounts if a.status == AccountStatus.CANNOT_POST.value]
        blocked = f"; {', '.join(cannot)} can't post yet (see Accounts)" if cannot else ""
        self.controller.notice.emit(f"Connected {names}{more}{blocked}")
        self.connected.emit(self.accounts)
        if not self._closed:
            super().accept()

    def _save_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_error(user_message(exc))

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
