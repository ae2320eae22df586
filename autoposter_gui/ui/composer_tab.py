"""The Composer tab: text with a live per-platform counter, image, accounts, time, and the three ways to save."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QImageReader, QKeySequence, QPalette, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError, ValidationError
from autoposter_gui.domain.images import ImageInfo, inspect_image, instagram_problem
from autoposter_gui.domain.models import CANNOT_POST_MESSAGE, AccountStatus, ItemStatus, Platform
from autoposter_gui.domain.validation import (
    IG_MAX_HASHTAGS,
    IG_MAX_MENTIONS,
    char_limit,
    count_hashtags,
    count_mentions,
    is_blank,
    text_problems,
)
from autoposter_gui.engine.posts import PostRequest
from autoposter_gui.engine.views import AccountView as Account
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.fit_panel import PAD, REMEDIES, InstagramFitPanel
from autoposter_gui.ui.queue_model import EDITABLE
from autoposter_gui.ui.when_picker import WhenPicker
from autoposter_gui.ui.widgets import MessageLabel, keep_together, secondary, separator

THUMB_SIZE = QSize(264, 170)
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.gif *.webp *.bmp *.tif *.tiff);;All files (*)"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
SETTINGS_ACCOUNTS = "composer/accounts"
SETTINGS_IMAGE_DIR = "composer/image_dir"
STORED_IMAGE_NAME = "The image as queued"
SCHEDULE, PUBLISH_NOW, DRAFT = "schedule", "now", "draft"
SHAPE_HINT = "Instagram can't use this shape as it is: choose a fix under the text."
QUOTA_TTL = timedelta(minutes=10)  # how long one Instagram quota answer is trusted
log = logging.getLogger(__name__)


class ComposerTab(QWidget):
    saved = Signal(list)  # the ids of the queue items written
    connect_requested = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._image_path: str | None = None
        self._editing: int | None = None
        self._checks: dict[int, QCheckBox] = {}
        self._reasons: list[QLabel] = []  # why an account can't be ticked, under its box
        self._accounts: dict[int, Account] = {}
        self._accounts_loaded = False
        self._image_info: ImageInfo | None = None
        self._thumb_source: str | None = None  # what the thumbnail shows: the image, or its fitted preview
        self._quota: dict[int, tuple[datetime, str | None]] = {}  # IG account id -> (checked at, warning)
        self._quota_pending: set[int] = set()
        self.setAcceptDrops(True)

        # --- editing banner
        self.banner = QFrame(self)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setStyleSheet(
            "QFrame#banner { background: #e8f0fe; border: 1px solid #aecbfa; border-radius: 4px; }"
        )
        self.banner.setObjectName("banner")
        self.banner_label = QLabel(self.banner)
        self.banner_label.setWordWrap(True)
        self.stop_editing_button = QPushButton("Stop editing", self.banner)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 6, 6, 6)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(self.stop_editing_button)
        self.banner.hide()

        # --- text
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setPlaceholderText("What would you like to share?")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMinimumHeight(110)
        self.counter = QLabel(self)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.counter.setWordWrap(True)
        self.counter.setTextFormat(Qt.TextFormat.PlainText)
        self._counter_plain = ""
        self.text_error = MessageLabel(self)
        self.fit_panel = InstagramFitPanel(self)  # under the text, where there is room for two previews
        text_label = QLabel("&Text", self)
        text_label.setBuddy(self.text_edit)
        left = QVBoxLayout()
        left.addWidget(text_label)
        left.addWidget(self.text_edit, 1)
        left.addWidget(self.counter)
        left.addWidget(self.text_error)
        left.addWidget(self.fit_panel)

        # --- accounts
        self.accounts_box = QGroupBox("Post to", self)
        self.accounts_layout = QVBoxLayout(self.accounts_box)
        self.no_accounts = QWidget(self.accounts_box)
        no_layout = QVBoxLayout(self.no_accounts)
        no_layout.setContentsMargins(0, 0, 0, 0)
        no_layout.addWidget(secondary("No accounts are connected yet.", self.no_accounts))
        self.connect_button = QPushButton("Connect an account…", self.no_accounts)
        no_layout.addWidget(self.connect_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.accounts_layout.addWidget(self.no_accounts)
        self.accounts_loading = secondary("", self.accounts_box)  # instead of "No accounts…" until they are known
        self.accounts_layout.addWidget(self.accounts_loading)
        self.accounts_error = MessageLabel(self.accounts_box)
        self.accounts_layout.addWidget(self.accounts_error)
        self.quota_warning = MessageLabel(self.accounts_box)
        self.accounts_layout.addWidget(self.quota_warning)

        # --- image
        self.image_box = QGroupBox("Image", self)
        self.thumb = QLabel(self.image_box)
        self.thumb.setFixedSize(THUMB_SIZE)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_name = QLabel(self.image_box)
        self.image_name.setStyleSheet(f"color: {icons.INK};")
        self.image_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.choose_button = QPushButton("Choose &image…", self.image_box)
        self.remove_button = QPushButton("Remove", self.image_box)
        self.image_error = MessageLabel(self.image_box)
        image_layout = QVBoxLayout(self.image_box)
        image_layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignHCenter)
        image_layout.addWidget(self.image_name)
        image_buttons = QHBoxLayout()
        image_buttons.addWidget(self.choose_button)
        image_buttons.addWidget(self.remove_button)
        image_buttons.addStretch(1)
        image_layout.addLayout(image_buttons)
        image_layout.addWidget(self.image_error)

        # --- when: under the columns, next to the buttons, so a small window never scrolls it away
        self.when_edit = WhenPicker(fmt.default_post_time(controller.now()), self, now=controller.now)
        when_label = QLabel("&When:", self)
        when_label.setBuddy(self.when_edit.time_combo)
        self.when_summary = self.when_edit.show_summary()
        self.zone_label = secondary(f"({fmt.zone()[1]} time)", self)
        self.zone_label.setWordWrap(False)
        self.when_error = MessageLabel(self)
        when_row = QHBoxLayout()
        when_row.addWidget(when_label)
        when_row.addWidget(self.when_edit)
        when_row.addSpacing(4)
        when_row.addWidget(self.when_summary)
        when_row.addWidget(self.zone_label)
        when_row.addStretch(1)

        right = QVBoxLayout()
        right.addWidget(self.accounts_box)
        right.addWidget(self.image_box)
        right.addStretch(1)
        right.setContentsMargins(0, 0, 0, 0)
        right_panel = QWidget(self)
        right_panel.setLayout(right)
        right_panel.setFixedWidth(THUMB_SIZE.width() + 56)

        columns = QHBoxLayout()
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addSpacing(8)
        columns.addWidget(right_panel)
        # A short window scrolls the text and the boxes; the time and the buttons below always stay in sight.
        body = QWidget(self)
        body.setLayout(columns)
        self.body_scroll = QScrollArea(self)
        self.body_scroll.setWidget(body)
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.body_scroll.viewport().setBackgroundRole(QPalette.ColorRole.Window)

        # --- bottom
        self.form_error = MessageLabel(self)
        self.draft_button = QPushButton("Save &draft", self)
        self.draft_button.setToolTip("Keep this post without scheduling it (Ctrl+S)")
        self.now_button = QPushButton("Publish &now", self)
        self.now_button.setToolTip("Publish as soon as possible (Ctrl+Shift+Enter)")
        self.schedule_button = QPushButton("&Schedule", self)
        self.schedule_button.setToolTip("Publish at the chosen time (Ctrl+Enter)")
        self.schedule_button.setDefault(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.form_error, 1)
        bottom.addStretch(0)
        bottom.addSpacing(12)
        bottom.addWidget(self.draft_button)
        bottom.addWidget(self.now_button)
        bottom.addWidget(self.schedule_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.body_scroll, 1)
        layout.addWidget(separator(self))
        layout.addLayout(when_row)
        layout.addWidget(self.when_error)
        layout.addLayout(bottom)

        # --- wiring
        self.text_edit.textChanged.connect(self._text_changed)
        self.choose_button.clicked.connect(self.choose_image)
        self.remove_button.clicked.connect(self.remove_image)
        self.connect_button.clicked.connect(self.connect_requested)
        self.stop_editing_button.clicked.connect(self.stop_editing)
        self.schedule_button.clicked.connect(self.schedule)
        self.now_button.clicked.connect(self.publish_now)
        self.draft_button.clicked.connect(self.save_draft)
        self.when_edit.changed.connect(self.when_error.clear)
        self.fit_panel.fit_changed.connect(self._fit_changed)
        self.fit_panel.previews_ready.connect(self._fit_changed)
        self.fit_panel.use_background(controller.tasks.submit)
        for keys, slot in (
            ("Ctrl+Return", self.schedule),
            ("Ctrl+Enter", self.schedule),
            ("Ctrl+Shift+Return", self.publish_now),
            ("Ctrl+Shift+Enter", self.publish_now),
            (QKeySequence.StandardKey.Save, self.save_draft),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        controller.bridge.account_changed.connect(self._account_changed)
        controller.accounts_loading_changed.connect(self.reload_accounts)
        controller.bridge.items_changed.connect(self._items_changed)

        self._show_thumbnail(None)
        self.reload_accounts()
        self._update_counter()

    # ----- accounts ----------------------------------------------------------------------------------
    @Slot(int)
    def _account_changed(self, _account_id: int) -> None:
        self.reload_accounts()

    def reload_accounts(self) -> None:
        """Rebuild the account checkboxes, keeping what was ticked."""
        accounts = self.controller.accounts()
        previous = {aid for aid, box in self._checks.items() if box.isChecked()}
        if not self._accounts_loaded:
            previous = self._remembered_accounts(accounts)
        for widget in [*self._checks.values(), *self._reasons]:
            self.accounts_layout.removeWidget(widget)
            widget.deleteLater()
        self._checks.clear()
        self._reasons.clear()
        self._accounts = {a.id: a for a in accounts}
        position = 0
        for account in accounts:
            box = QCheckBox(fmt.account_name(account), self.accounts_box)
            box.setIcon(icons.platform_icon(account.platform))
            tip = fmt.account_title(account)
            reason: QLabel | None = None
            if account.status == AccountStatus.CANNOT_POST.value:
                box.setEnabled(False)
                box.setText(f"{fmt.account_name(account)} (can't post)")
                why = account.status_message or CANNOT_POST_MESSAGE
                tip += f": {why}"
                reason = secondary(why, self.accounts_box)  # the reason in plain sight, not only in a tooltip
                reason.setWordWrap(True)
                reason.setContentsMargins(24, 0, 0, 4)
                reason.setToolTip(tip)
            elif account.status == AccountStatus.DISCONNECTED.value:
                box.setEnabled(False)
                box.setText(f"{fmt.account_name(account)} (disconnected)")
                tip += ": disconnected; reconnect it in Accounts to post"
            elif account.status in (AccountStatus.INVALID.value, AccountStatus.NEEDS_ATTENTION.value):
                box.setText(f"{fmt.account_name(account)} (needs attention)")
                tip += f": {account.status_message or 'reconnect it in Accounts'}"
            box.setToolTip(tip)
            box.setChecked(account.id in previous and box.isEnabled())
            box.toggled.connect(self._accounts_toggled)
            self.accounts_layout.insertWidget(position, box)
            position += 1
            self._checks[account.id] = box
            if reason is not None:
                self.accounts_layout.insertWidget(position, reason)
                position += 1
                self._reasons.append(reason)
        loading = self.controller.accounts_loading if not accounts else None
        self.accounts_loading.setText(loading or "")
        self.accounts_loading.setVisible(loading is not None)
        self.no_accounts.setVisible(not accounts and loading is None)
        self._accounts_loaded = bool(accounts)
        if self._editing is not None:
            self._lock_accounts()
        self._update_counter()
        self._update_image_hint()
        if self._quota or self._quota_pending or self.text_edit.toPlainText():
            self._check_quota()  # not while the window first opens: that waits until the owner starts writing

    def _remembered_accounts(self, accounts: list[Account]) -> set[int]:
        raw = self.controller.settings.value(SETTINGS_ACCOUNTS, "")
        remembered = {int(x) for x in str(raw or "").split(",") if x.strip().isdigit()}
        known = {a.id for a in accounts}
        if remembered & known:
            return remembered & known
        blocked = (AccountStatus.DISCONNECTED, AccountStatus.CANNOT_POST)
        first_page = next(
            (a.id for a in accounts if a.platform == Platform.FACEBOOK.value and a.status not in blocked), None
        )
        return {first_page} if first_page is not None else set()

    def selected_account_ids(self) -> list[int]:
        locked = self._editing is not None  # while editing, the boxes are locked on the post's account
        return [aid for aid, box in self._checks.items() if box.isChecked() and (box.isEnabled() or locked)]

    def set_selected_accounts(self, account_ids: list[int]) -> None:
        for aid, box in self._checks.items():
            box.setChecked(aid in account_ids)

    def _selected_platforms(self) -> set[Platform]:
        return {Platform(self._accounts[aid].platform) for aid in self.selected_account_ids()}

    @Slot(bool)
    def _accounts_toggled(self, _checked: bool) -> None:
        self.accounts_error.clear()
        self._update_counter()
        self._update_image_hint()
        self._check_quota()

    def _lock_accounts(self) -> None:
        for box in self._checks.values():
            box.setEnabled(False)

    # ----- text --------------------------------------------------------------------------------------
    @Slot()
    def _text_changed(self) -> None:
        self._update_counter()
        self._check_quota()

    def _update_counter(self) -> None:
        text = self.text_edit.toPlainText()
        platforms = self._selected_platforms()
        length, tags, mentions = len(text), count_hashtags(text), count_mentions(text)
        parts: list[str] = []
        over = False
        if platforms:
            limit = min(char_limit(p) for p in platforms)
            parts.append(f"{length:,} / {limit:,} characters")
            over = length > limit
            if Platform.INSTAGRAM in platforms:
                parts.append(f"{tags} / {IG_MAX_HASHTAGS} hashtags")
                parts.append(f"{mentions} / {IG_MAX_MENTIONS} @-mentions")
                over = over or tags > IG_MAX_HASHTAGS or mentions > IG_MAX_MENTIONS
        else:
            parts.append(fmt.plural(length, "character"))
            if tags:
                parts.append(fmt.plural(tags, "hashtag"))
            if mentions:
                parts.append(fmt.plural(mentions, "@-mention"))
        self._counter_plain = " · ".join(parts)
        # The counter wraps between its parts only, never inside "2,200 characters" or "@-mentions".
        self.counter.setText(" · ".join(keep_together(part) for part in parts))
        self.counter.setStyleSheet(f"color: {icons.RED if over else icons.INK};")
        problems = [] if is_blank(text) else text_problems(text, platforms)
        if problems:
            self.text_error.show_message("\n".join(problems))
        else:
            self.text_error.clear()

    def counter_text(self) -> str:
        """The counter as plain text (the label's parts are held together with non-breaking characters)."""
        return self._counter_plain

    # ----- image -------------------------------------------------------------------------------------
    @property
    def image_path(self) -> str | None:
        return self._image_path

    @Slot()
    def choose_image(self) -> None:
        start = str(self.controller.settings.value(SETTINGS_IMAGE_DIR, "") or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Choose an image", start, IMAGE_FILTER)
        if path:
            self.controller.settings.setValue(SETTINGS_IMAGE_DIR, str(Path(path).parent))
            self.set_image(path)

    def set_image(self, path: str | None) -> None:
        self._image_path = path or None
        self.image_error.clear()
        self._image_info = None
        self.fit_panel.set_source(None)
        self._show_thumbnail(self._image_path)
        if self._image_path is not None:
            try:  # the core's checks, at once: a broken file is reported before anything is scheduled
                self._image_info = inspect_image(self._image_path)
            except ValidationError as exc:
                self.image_error.show_message(str(exc))
        self._update_image_hint()

    @Slot()
    def remove_image(self) -> None:
        self.set_image(None)

    def _show_thumbnail(self, path: str | None) -> None:
        self._thumb_source = path
        self.remove_button.setEnabled(path is not None)
        if path is None:
            self.thumb.setPixmap(icons.image_placeholder(THUMB_SIZE.width(), THUMB_SIZE.height(), "No image"))
            self.image_name.setText("Optional for Facebook, required for Instagram.")
            self.image_name.setToolTip("")
            return
        reader = QImageReader(path)
        reader.setAutoTransform(True)
        size = reader.size()
        # An edited post shows the copy Autoposter kept when it was queued (named by its hash): say so instead.
        name = STORED_IMAGE_NAME if self.controller.posts.is_stored_image(path) else Path(path).name
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            self.thumb.setPixmap(
                icons.image_placeholder(THUMB_SIZE.width(), THUMB_SIZE.height(), "No preview available")
            )
            self.image_name.setText(name)
        else:
            self.thumb.setPixmap(QPixmap.fromImage(image))
            self.image_name.setText(f"{name} · {size.width()}×{size.height()}" if size.isValid() else name)
        self.image_name.setToolTip(path)

    def _ratio_problem(self) -> str | None:
        """Why Instagram would refuse the chosen image's shape (None when fine, or when Instagram is not ticked)."""
        if self._image_info is None or self._editing is not None:
            return None
        if Platform.INSTAGRAM not in self._selected_platforms():
            return None
        return instagram_problem(self._image_info, REMEDIES)

    def _update_image_hint(self) -> None:
        problem = self._ratio_problem()
        if problem is not None and self._image_path is not None:
            self.fit_panel.show_for(self._image_path)
        else:
            self.fit_panel.hide()
        self._show_fit_result()
        fit_message = self.fit_panel.message
        if problem is None:
            fit_message.clear()
        elif self.fit_panel.fit is not None:
            how = "padded" if self.fit_panel.fit == PAD else "cropped"
            fit_message.show_message(
                f"Instagram gets the {how} copy; Facebook gets your original. Your file is not changed.", "hint"
            )
        elif not (fit_message.kind == "error" and fit_message.text()):
            fit_message.show_message(problem, "warning")
        if self.image_error.kind == "error" and self.image_error.text():
            return
        if Platform.INSTAGRAM in self._selected_platforms() and not self._image_path:
            self.image_error.show_message("Instagram posts need an image.", "hint")
        elif problem is not None and self.fit_panel.fit is None:
            self.image_error.show_message(SHAPE_HINT, "hint")
        else:
            self.image_error.clear()  # no problem, or fixed by the chosen fit

    def _show_fit_result(self) -> None:
        """The thumbnail shows what Instagram gets: the padded or cropped copy once a fix is chosen, the original
        otherwise."""
        fitted = self.fit_panel.fitted_preview() if self.fit_choice() is not None else None
        shown = str(fitted) if fitted is not None else self._image_path
        if shown == self._thumb_source:
            return
        self._show_thumbnail(self._image_path)
        if fitted is not None and self._image_path is not None:
            image = QImage(str(fitted))  # not a QPixmap from file: a new padding colour reuses the same path
            if not image.isNull():
                scaled = image.scaled(
                    THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
                self.thumb.setPixmap(QPixmap.fromImage(scaled))
                how = "padded" if self.fit_panel.fit == PAD else "cropped"
                self.image_name.setText(f"{Path(self._image_path).name} · {how} for Instagram")
        self._thumb_source = shown

    @Slot()
    def _fit_changed(self) -> None:
        self._thumb_source = None  # the fit or its colour changed: redraw
        self._update_image_hint()

    def fit_choice(self) -> str | None:
        """``"pad"`` or ``"crop"`` when Instagram needs a fitted copy and the owner chose one."""
        return self.fit_panel.fit if self._ratio_problem() is not None else None

    # ----- Instagram quota ---------------------------------------------------------------------------
    def _check_quota(self) -> None:
        """Ask Meta (on a worker thread) whether a ticked Instagram account's 24-hour limit is used up."""
        now = self.controller.now()
        ig = [aid for aid in self.selected_account_ids() if self._accounts[aid].platform == Platform.INSTAGRAM.value]
        todo = [
            aid
            for aid in ig
            if aid not in self._quota_pending and (aid not in self._quota or now - self._quota[aid][0] > QUOTA_TTL)
        ]
        self._show_quota()
        if not todo:
            return
        self._quota_pending.update(todo)
        repo, posts = self.controller.repo, self.controller.posts

        def work() -> dict[int, str | None]:
            answers: dict[int, str | None] = {}
            for aid in todo:
                account = repo.account(aid)
                if account is not None:
                    found = posts.quota_warnings([account])
                    answers[aid] = found[0] if found else None
            return answers

        def done(answers: dict[int, str | None]) -> None:
            import shiboken6

            if not shiboken6.isValid(self):
                return
            self._quota_pending.difference_update(todo)
            for aid, warning in answers.items():
                self._quota[aid] = (now, warning)
            self._show_quota()

        def failed(exc: BaseException) -> None:
            import shiboken6

            log.info("quota check failed: %s", type(exc).__name__)
            if shiboken6.isValid(self):
                self._quota_pending.difference_update(todo)
                for aid in todo:  # no warning, and no new request on every keystroke either
                    self._quota[aid] = (now, None)

        self.controller.tasks.submit(work, done, failed)

    def quota_warnings(self) -> list[str]:
        """The quota warnings that apply to the ticked accounts (as last checked)."""
        return [
            warning
            for aid in self.selected_account_ids()
            if aid in self._quota and (warning := self._quota[aid][1]) is not None
        ]

    def _show_quota(self) -> None:
        warnings = self.quota_warnings()
        if warnings:
            self.quota_warning.show_message(". ".join(warnings) + ".", "warning")
        else:
            self.quota_warning.clear()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_image(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_image(event.mimeData().urls())
        if path is not None:
            self.set_image(path)
            event.acceptProposedAction()

    @staticmethod
    def _dropped_image(urls: list[QUrl]) -> str | None:
        for url in urls:
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
                return url.toLocalFile()
        return None

    # ----- saving ----------------------------------------------------------------------------------
    @Slot()
    def schedule(self) -> list[int]:
        return self.submit(SCHEDULE)

    @Slot()
    def publish_now(self) -> list[int]:
        return self.submit(PUBLISH_NOW)

    @Slot()
    def save_draft(self) -> list[int]:
        return self.submit(DRAFT)

    def clear_errors(self) -> None:
        for label in (self.text_error, self.accounts_error, self.image_error, self.when_error, self.form_error):
            label.clear()
        self.fit_panel.message.clear()

    def errors(self) -> dict[str, str]:
        """The inline messages shown now, by field (used by tests and accessibility)."""
        shown = {
            "text": self.text_error.text(),
            "accounts": self.accounts_error.text(),
            "image": next(
                (m.text() for m in (self.image_error, self.fit_panel.message) if m.kind == "error" and m.text()), ""
            ),
            "when": self.when_error.text(),
            "form": self.form_error.text(),
        }
        return {k: v for k, v in shown.items() if v}

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Every problem at once, each next to its field (several for one field are listed one a line); the
        first problem's field takes the focus."""
        by_field: dict[str, list[str]] = {}
        for field, message in problems:
            if message not in by_field.setdefault(field, []):
                by_field[field].append(message)
        image = by_field.pop("image", [])
        shape = self._ratio_problem()
        if shape is not None and self.fit_panel.isVisible() and self.fit_panel.fit is None and shape in image:
            image.remove(shape)
            self.fit_panel.message.show_message(shape)  # the shape: said once, next to its two fixes
        if image:
            by_field["image"] = image
        targets = {
            "text": self.text_error,
            "accounts": self.accounts_error,
            "image": self.image_error,
            "when": self.when_error,
        }
        for field, messages in by_field.items():
            targets.get(field, self.form_error).show_message("\n".join(messages))
        first = problems[0][0] if problems else ""
        first_label = targets.get(first)
        if first == "image" and self.fit_panel.message.text():
            first_label = self.fit_panel.message
        body = self.body_scroll.widget()
        if first_label is not None and body is not None and body.isAncestorOf(first_label):
            self.body_scroll.ensureWidgetVisible(first_label)  # a short window scrolls to the first problem
        focus: QWidget | None = {
            "text": self.text_edit,
            "image": self.fit_panel.pad_button if self.fit_panel.message.text() else self.choose_button,
            "when": self.when_edit,
        }.get(first)
        if focus is not None:
            focus.setFocus()

    def _request(self, mode: str, when: datetime | None, zone_name: str) -> PostRequest:
        return PostRequest(
            self.selected_account_ids(),
            self.text_edit.toPlainText(),
            self._image_path,
            when,
            zone_name,
            draft=mode == DRAFT,
            fit=self.fit_choice(),
            fit_color=self.fit_panel.color,
        )

    def _all_problems(self, request: PostRequest, first: ValidationError | None) -> list[tuple[str, str]]:
        """Every problem the core finds with ``request``, plus ``first`` (what stopped the save) if it found none
        like it; "Connect an account first" while there is no account to tick."""
        found = self.controller.posts.problems(request, REMEDIES)
        if first is not None and (first.field or "", first.phrased(REMEDIES)) not in found:
            found.append((first.field or "", first.phrased(REMEDIES)))
        if not self._checks:
            found = [(f, "Connect an account first" if f == "accounts" else m) for f, m in found]
        return found

    def submit(self, mode: str) -> list[int]:
        """Validate with the core's rules and save; on any problem show every one inline and write nothing."""
        self.clear_errors()
        when: datetime | None = None
        zone_name = fmt.zone()[1]
        stopped: ValidationError | None = None
        if mode != PUBLISH_NOW:
            try:
                when, zone_name = self.when_edit.when_utc()  # a time that happens twice asks here, once
            except ValidationError as exc:
                stopped = exc
        request = self._request(mode, when, zone_name)
        ids: list[int] = []
        if stopped is None:
            try:
                if self._editing is not None:
                    ids = [self.controller.posts.update(self._editing, request).id]
                else:
                    ids = [item.id for item in self.controller.posts.create(request)]
            except ValidationError as exc:
                stopped = exc
            except AutoposterError as exc:
                self.form_error.show_message(str(exc))
                return []
        if stopped is not None:
            self.show_problems(self._all_problems(request, stopped))  # all of them, not just the first one met
            return []
        if mode == PUBLISH_NOW:
            self.controller.run_now()
        message = self._saved_message(mode, len(ids), when)
        if mode != DRAFT and self.quota_warnings():
            message += ". " + self.quota_warnings()[0]
        self.controller.notice.emit(message)
        if self._editing is None:
            self.controller.settings.setValue(SETTINGS_ACCOUNTS, ",".join(map(str, self.selected_account_ids())))
        self.clear()
        self.saved.emit(ids)
        return ids

    def _saved_message(self, mode: str, count: int, when: datetime | None) -> str:
        posts = fmt.plural(count, "post")
        if self._editing is not None:
            return "Changes saved"
        if mode == DRAFT:
            return f"Saved {fmt.plural(count, 'draft')}"
        if mode == PUBLISH_NOW or when is None:
            return f"Publishing {posts} now…"
        return f"Scheduled {posts} for {fmt.when_text(when, self.controller.now())}"

    # ----- editing ---------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return bool(self.text_edit.toPlainText().strip() or self._image_path)

    @property
    def editing(self) -> int | None:
        return self._editing

    def _may_discard(self, then: str) -> bool:
        """Ask before unsaved work in the Composer is replaced; True when the owner lets it go."""
        answer = QMessageBox.question(
            self,
            "Discard your draft?",
            f"The Composer has a post you have not saved. Discard it and {then}?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return bool(answer == QMessageBox.StandardButton.Discard)

    def edit_item(self, item_id: int) -> bool:
        """Load a not-yet-published post for editing."""
        item = self.controller.repo.item(item_id)
        if item is None or item.status not in EDITABLE:
            QMessageBox.information(self, "Can't edit this post", "This post is being published or already went out.")
            return False
        if self.is_dirty() and self._editing != item_id and not self._may_discard("edit the selected post"):
            return False
        self.clear()
        self._editing = item.id
        self.text_edit.setPlainText(item.text)
        self.set_image(item.image_path)
        now = self.controller.now()
        start = item.scheduled_at if item.scheduled_at is not None and item.scheduled_at > now else None
        self.when_edit.setDateTime(
            fmt.qdatetime_from_naive(fmt.naive_local(start) if start else fmt.default_post_time(now))
        )
        self.set_selected_accounts([item.account_id])
        self._lock_accounts()
        account = self._accounts.get(item.account_id)
        status = fmt.STATUS_LABELS.get(item.status, item.status).lower()
        self.banner_label.setText(f"Editing a {status} post for <b>{fmt.account_title(account)}</b>.")
        self.banner.show()
        self._update_counter()
        self._update_image_hint()
        self.text_edit.setFocus()
        return True

    @Slot()
    def stop_editing(self) -> None:
        self.clear()

    def duplicate_item(self, item_id: int) -> bool:
        """Start a new post from an existing one (any status): its text, image and account, a fresh time."""
        item = self.controller.repo.item(item_id)
        if item is None:
            return False
        if self.is_dirty() and not self._may_discard("start from the selected post"):
            return False
        self.clear()
        self.text_edit.setPlainText(item.text)
        image = item.image_path if item.image_path and Path(item.image_path).is_file() else None
        self.set_image(image)
        if item.image_path and image is None:  # the stored copy was cleaned up after the grace period
            self.image_error.show_message("The image of that post is no longer kept: choose it again.")
        self.set_selected_accounts([item.account_id])
        self._update_counter()
        self.text_edit.setFocus()
        return True

    @Slot(list)
    def _items_changed(self, item_ids: list[int]) -> None:
        if self._editing is None or self._editing not in item_ids:
            return
        item = self.controller.repo.item(self._editing)
        if item is None or item.status in (ItemStatus.PROCESSING.value, ItemStatus.POSTED.value):
            self.form_error.show_message("This post started publishing, so it can no longer be changed.")
            for button in (self.schedule_button, self.now_button, self.draft_button):
                button.setEnabled(False)

    def clear(self) -> None:
        """Back to an empty post (after saving, or when editing stops)."""
        self._editing = None
        self.banner.hide()
        self.text_edit.clear()
        self.set_image(None)
        self.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.default_post_time(self.controller.now())))
        for button in (self.schedule_button, self.now_button, self.draft_button):
            button.setEnabled(True)
        for aid, box in self._checks.items():
            box.setEnabled(self._accounts[aid].status not in (AccountStatus.DISCONNECTED, AccountStatus.CANNOT_POST))
        self.clear_errors()
        self._update_counter()
        self._update_image_hint()
