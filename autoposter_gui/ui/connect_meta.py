"""The Connect wizard's Meta steps: the App ID and secret (checked with Meta, stored ones reused), a pasted token,
finding the accounts and saving the ones ticked; and the wizard's sizing. ConnectDialog (ui/connect_dialog.py)
adds the navigation, Facebook Login in the webview and the other networks."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRect, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from autoposter_gui.domain.errors import AutoposterError, ValidationError
from autoposter_gui.domain.models import AccountStatus, DiscoveredAccount
from autoposter_gui.engine.accounts import AccountCheck, AppCheck, Discovery, ScopeCheck, assess, token_shape_problem
from autoposter_gui.engine.reads import account_view
from autoposter_gui.engine.views import AccountView
from autoposter_gui.ui import fmt
from autoposter_gui.ui.connect_flow import ConnectFlow, Step
from autoposter_gui.ui.connect_pages.common import masked
from autoposter_gui.ui.connect_pages.meta import (
    AppPage,
    ChecklistRow,
    ChoosePage,
    LoginPage,
    PastePage,
    WorkingPage,
)
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.errors import user_message
from autoposter_gui.ui.setup_guide import APPS_URL, GuidePage, app_settings_url
from autoposter_gui.ui.widgets import MessageLabel

log = logging.getLogger(__name__)


class MetaSteps(QDialog):
    """The part of the wizard that talks to Meta through the engine (always on worker threads)."""

    connected = Signal(list)  # the accounts saved

    # Set up by ConnectDialog.__init__ (and _build_meta_pages).
    controller: AppController
    flow: ConnectFlow
    stack: QStackedWidget
    error: MessageLabel
    next_button: QPushButton
    live_page: GuidePage
    accounts: list[AccountView]
    discovery: Discovery | None
    rows: list[ChecklistRow]
    app_check: AppCheck | None
    scope_check: ScopeCheck | None
    _stored: tuple[str | None, str | None]
    _busy: bool
    _closed: bool
    _came_from: Step
    app_heading: QLabel
    help_label: QLabel
    stored_label: QLabel
    app_result: MessageLabel
    paste_needs_app: MessageLabel
    app_id_edit: QLineEdit
    app_secret_edit: QLineEdit
    token_edit: QLineEdit
    rows_widget: QWidget
    rows_layout: QVBoxLayout
    rows_scroll: QScrollArea

    @property
    def step(self) -> Step:
        return Step(self.stack.currentIndex())

    def _go(self, step: Step) -> None:
        raise NotImplementedError  # ConnectDialog's

    def _update_next(self) -> None:
        raise NotImplementedError  # ConnectDialog's

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
