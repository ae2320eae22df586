"""The Connect wizard's browser sign-in page (X, Google Business Profile): the app's client ID (and secret), the
system browser, "Waiting for …" with Cancel, then the account found or a checklist of locations to keep.

The sign-in itself is the engine's BrowserConnect (the same service as ``autoposter connect-x``), always run off
the GUI thread. Nothing is saved until the provider sent the owner back and the owner kept what was found."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.models import DiscoveredAccount
from autoposter_gui.engine.browser_connect import BrowserConnect
from autoposter_gui.engine.reads import account_view
from autoposter_gui.engine.views import AccountView
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.connect_pages.common import Page, copy_row, link_button, link_label, secret_field
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.errors import user_message
from autoposter_gui.ui.widgets import MessageLabel, heading, secondary

log = logging.getLogger(__name__)

CANCELLED = "Connecting was cancelled: nothing was saved."


@dataclass(frozen=True)
class SignInSpec:
    """What differs between the networks that sign in through the browser."""

    key: str  # the registry's key
    label: str  # "X", "Google Business Profile"
    button: str  # "Sign in with X"
    intro: str
    secret: bool = False  # a confidential client (Google's installed app): a client secret too
    callback: str | None = None  # the exact redirect to register (X's fixed loopback port)
    note: str = ""  # rich text under the form (Google: the API is granted on request)
    choose: bool = False  # several accounts may come back: the owner keeps some (Google's locations)
    noun: str = "account"


def default_open(url: str) -> None:
    QDesktopServices.openUrl(QUrl(url))


class SignInPage(Page):
    """One network's sign-in. States: the form; waiting for the browser; the checklist (``choose``); done."""

    busy_changed = Signal(bool)
    changed = Signal()  # what the dialog's Next can do changed (typed text, ticks, state)
    saved = Signal(list)  # the AccountViews saved

    def __init__(
        self, controller: AppController, spec: SignInSpec, parent: QWidget, *, sandbox: tuple[str, str | None] | None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.spec = spec
        self.open_url: Callable[[str], None] = default_open  # tests fetch the URL instead of opening a browser
        self.port: int | None = None  # None: the network's own (X's fixed callback port)
        self.signin: BrowserConnect | None = None
        self.found: list[DiscoveredAccount] = []
        self.boxes: list[QCheckBox] = []
        self.accounts: list[AccountView] = []
        self.state = "form"
        self._closed = False
        layout = self.column
        layout.addWidget(heading(f"Connect {spec.label}", self))
        layout.addWidget(secondary(spec.intro, self))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.client_id_edit = QLineEdit(self)
        self.client_id_edit.setPlaceholderText("From your app's OAuth settings")
        form.addRow("Client &ID:", self.client_id_edit)
        self.client_secret_edit: QLineEdit | None = None
        if spec.secret:
            self.client_secret_edit = secret_field(self, "From the same OAuth client")
            form.addRow("Client &secret:", self.client_secret_edit)
        self.callback_edit: QLineEdit | None = None
        self.copy_button: QPushButton | None = None
        if spec.callback is not None:
            row, self.callback_edit, self.copy_button = copy_row(
                spec.callback, self, f"Register exactly this callback URL in your {spec.label} app"
            )
            form.addRow("Callback URL:", row)
        layout.addSpacing(4)
        layout.addLayout(form)
        kept = "Both are" if spec.secret else "It is"
        layout.addWidget(secondary(f"{kept} kept in your system keyring, never in Autoposter's files.", self))
        if spec.note:
            layout.addWidget(link_label(spec.note, self))

        self.waiting = QWidget(self)
        waiting = QVBoxLayout(self.waiting)
        waiting.setContentsMargins(0, 8, 0, 0)
        self.waiting_label = secondary(
            f"Waiting for {spec.label}… Finish signing in in your browser, then come back here.", self.waiting
        )
        self.progress = QProgressBar(self.waiting)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        buttons = QHBoxLayout()
        self.reopen_link = link_button("Open the sign-in page again", self.waiting)
        self.reopen_link.clicked.connect(self._reopen)
        self.cancel_button = QPushButton("Cancel sign-in", self.waiting)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.reopen_link)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        waiting.addWidget(self.waiting_label)
        waiting.addWidget(self.progress)
        waiting.addLayout(buttons)
        self.waiting.hide()
        layout.addWidget(self.waiting)

        self.result = QWidget(self)
        self.result.setBackgroundRole(QPalette.ColorRole.Base)
        self.result.setAutoFillBackground(True)
        self.result_layout = QVBoxLayout(self.result)
        self.result_layout.setContentsMargins(8, 6, 8, 6)
        self.result_title = secondary("", self.result)
        self.result_layout.addWidget(self.result_title)
        self.result.hide()
        layout.addWidget(self.result)
        self.error = MessageLabel(self)
        layout.addWidget(self.error)
        layout.addStretch(1)

        if sandbox is not None:  # a new owner can click straight through the sandbox
            self.client_id_edit.setText(sandbox[0])
            if self.client_secret_edit is not None and sandbox[1]:
                self.client_secret_edit.setText(sandbox[1])
        for edit in (self.client_id_edit, self.client_secret_edit):
            if edit is not None:
                edit.textChanged.connect(self._typed)

    # ----- what the dialog asks ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.state in ("starting", "waiting", "saving")

    def next_label(self) -> str:
        if self.state == "choose":
            count = len(self.chosen())
            noun = self.spec.noun
            return f"&Connect {fmt.plural(count, noun)}" if count else "&Connect"
        if self.state == "done":
            return "&Done"
        return f"&{self.spec.button}…"

    def can_go_on(self) -> bool:
        if self.state == "choose":
            return bool(self.chosen())
        if self.state == "done":
            return True
        return not self.busy and bool(self.client_id_edit.text().strip())

    def chosen(self) -> list[DiscoveredAccount]:
        return [found for found, box in zip(self.found, self.boxes, strict=True) if box.isChecked()]

    def go_on(self) -> None:
        """The dialog's Next: sign in, or keep the ticked locations."""
        if self.state == "choose":
            self.save_chosen()
        elif self.state in ("form", "failed"):
            self.start()

    # ----- signing in ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Bind the loopback, open the sign-in page in the browser, wait for it off the GUI thread."""
        if self.busy:
            return
        client_id = self.client_id_edit.text()
        secret = self.client_secret_edit.text() if self.client_secret_edit is not None else None
        ctx, key, port = self.controller.ctx, self.spec.key, self.port
        self._clear_result()
        self._set_state("starting")
        self.controller.tasks.submit(
            lambda: BrowserConnect(ctx, key, client_id=client_id, client_secret=secret, port=port),
            self._started,
            self._failed,
        )

    def _started(self, result: Any) -> None:
        connect: BrowserConnect = result
        if self._closed:
            connect.close()
            return
        self.signin = connect
        self._set_state("waiting")
        self.open_url(connect.url)

        def finish() -> list[DiscoveredAccount] | list[AccountView]:
            try:
                if self.spec.choose:
                    return connect.finish()
                return [account_view(a) for a in connect.wait()]
            finally:
                connect.close()

        self.controller.tasks.submit(finish, self._finished, self._failed)

    @Slot()
    def _reopen(self) -> None:
        if self.signin is not None and self.state == "waiting":
            self.open_url(self.signin.url)

    @Slot()
    def cancel(self) -> None:
        """Stop waiting for the browser (the wait ends with "Connecting was cancelled")."""
        if self.signin is not None and self.state == "waiting":
            self.signin.cancel()

    def _finished(self, result: Any) -> None:
        if self.spec.choose:
            self.found = list(result)
            if self._closed:
                self._forget()
                return
            self._show_checklist()
        else:
            self._done(list(result))

    def _failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        text = user_message(exc)
        if self.state == "saving":  # the locations are still found: keep the checklist, try again
            self._set_state("choose")
            self.error.show_message(text, "error")
            return
        self.signin = None
        cancelled = text == "Connecting was cancelled"
        self._set_state("failed")
        self.error.show_message(CANCELLED if cancelled else text, "hint" if cancelled else "error")

    def _show_checklist(self) -> None:
        self._clear_result()
        self.result_title.setText(
            f"{self.spec.label} found {fmt.plural(len(self.found), self.spec.noun)}. Untick the ones Autoposter "
            "should not post to:"
        )
        for found in self.found:
            box = QCheckBox(found.name, self.result)
            box.setIcon(icons.platform_icon(found.platform.value))
            box.setIconSize(QSize(18, 18))
            box.setChecked(True)
            box.toggled.connect(self.changed)
            self.result_layout.addWidget(box)
            self.boxes.append(box)
        self.result.show()
        self._set_state("choose")
        if self.boxes:
            self.boxes[0].setFocus()

    def save_chosen(self) -> None:
        connect, chosen = self.signin, self.chosen()
        if connect is None or not chosen or self.busy:
            return
        dropped = [f for f in self.found if f not in chosen]
        self._set_state("saving")
        self.controller.tasks.submit(
            lambda: [account_view(a) for a in connect.save(chosen, dropped=dropped)], self._done, self._failed
        )

    def _done(self, accounts: list[AccountView]) -> None:
        self.accounts = accounts
        self.signin = None
        self.found = []
        self.saved.emit(accounts)
        if self._closed:
            return
        self._clear_result()
        names = ", ".join(fmt.account_name(a) for a in accounts)
        self.result_title.setText(f"✓ Connected {names}" if accounts else f"{self.spec.label} found no account.")
        self.result.show()
        self._set_state("done")

    # ----- closing -------------------------------------------------------------------------------------
    def close_page(self) -> None:
        """The dialog is closing: stop waiting; secrets of locations found but not kept leave the keyring."""
        self._closed = True
        if self.signin is not None and self.state == "waiting":
            self.signin.cancel()
        elif self.state == "choose":
            self._forget()

    def _forget(self) -> None:
        connect, found = self.signin, list(self.found)
        self.signin, self.found = None, []
        if connect is not None and found:
            self.controller.tasks.submit(lambda: connect.forget(found), None, lambda _e: None)

    # ----- helpers -------------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        was = self.busy
        self.state = state
        self.waiting.setVisible(state in ("starting", "waiting"))
        for edit in (self.client_id_edit, self.client_secret_edit):
            if edit is not None:
                edit.setEnabled(state in ("form", "failed"))
        if self.busy != was:
            self.busy_changed.emit(self.busy)
        self.changed.emit()

    def _clear_result(self) -> None:
        self.error.clear()
        for box in self.boxes:
            box.setParent(None)
            box.deleteLater()
        self.boxes = []
        self.result.hide()

    @Slot()
    def _typed(self) -> None:
        self.error.clear()
        if self.state == "failed":
            self.state = "form"
        self.changed.emit()
