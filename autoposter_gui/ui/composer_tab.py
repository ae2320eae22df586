"""The Composer tab: wires the caption, accounts, image, time and fit widgets to the engine's PostService."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError, ValidationError
from autoposter_gui.domain.models import ItemStatus, Platform
from autoposter_gui.engine.posts import PostRequest
from autoposter_gui.ui import fmt
from autoposter_gui.ui.composer_accounts import AccountPicker
from autoposter_gui.ui.composer_caption import CaptionEditor
from autoposter_gui.ui.composer_footer import ComposerFooter, EditingBanner
from autoposter_gui.ui.composer_media import THUMB_SIZE, ImageBox, dropped_image
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.fit_panel import REMEDIES, InstagramFitPanel
from autoposter_gui.ui.queue_model import EDITABLE

SCHEDULE, PUBLISH_NOW, DRAFT = "schedule", "now", "draft"


class ComposerTab(QWidget):
    saved = Signal(list)  # the ids of the queue items written
    connect_requested = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._editing: int | None = None
        self.setAcceptDrops(True)

        self.banner = EditingBanner(self)
        self.banner_label, self.stop_editing_button = self.banner.label, self.banner.stop_button

        # --- the parts, each its own widget (the names below are kept for tests and the main window)
        self.caption = CaptionEditor(self)
        self.text_edit, self.counter, self.text_error = self.caption.text_edit, self.caption.counter, self.caption.error
        self.fit_panel = InstagramFitPanel(self)  # under the text, where there is room for two previews
        self.picker = AccountPicker(controller, self)
        self.accounts_box = self.picker
        self._checks, self._reasons = self.picker.checks, self.picker.reasons
        self.no_accounts, self.connect_button = self.picker.no_accounts, self.picker.connect_button
        self.accounts_loading, self.accounts_error = self.picker.loading, self.picker.error
        self.quota_warning = self.picker.quota_warning
        self.image_box = ImageBox(controller, self.fit_panel, self)
        self.thumb, self.image_name, self.image_error = (
            self.image_box.thumb,
            self.image_box.image_name,
            self.image_box.error,
        )
        self.choose_button, self.remove_button = self.image_box.choose_button, self.image_box.remove_button
        left = QVBoxLayout()
        left.addWidget(self.caption, 1)
        left.addWidget(self.fit_panel)

        right = QVBoxLayout()
        right.addWidget(self.picker)
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

        # --- the time and the buttons: always in sight
        self.footer = ComposerFooter(fmt.default_post_time(controller.now()), controller.now, self)
        self.when_edit, self.when_summary = self.footer.when_edit, self.footer.when_summary
        self.when_error, self.form_error = self.footer.when_error, self.footer.form_error
        self.schedule_button, self.now_button, self.draft_button = self.footer.buttons()

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.body_scroll, 1)
        layout.addWidget(self.footer)

        # --- wiring
        self.caption.changed.connect(self._text_changed)
        self.picker.changed.connect(self._accounts_changed)
        self.picker.connect_requested.connect(self.connect_requested)
        self.stop_editing_button.clicked.connect(self.stop_editing)
        self.schedule_button.clicked.connect(self.schedule)
        self.now_button.clicked.connect(self.publish_now)
        self.draft_button.clicked.connect(self.save_draft)
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

        self.reload_accounts()
        self._update_counter()

    # ----- accounts ----------------------------------------------------------------------------------
    @Slot(int)
    def _account_changed(self, _account_id: int) -> None:
        self.reload_accounts()

    def reload_accounts(self) -> None:
        """Rebuild the account checkboxes, keeping what was ticked."""
        self.picker.reload(check_quota=bool(self.text_edit.toPlainText()))

    def selected_account_ids(self) -> list[int]:
        return self.picker.selected_ids()

    def set_selected_accounts(self, account_ids: list[int]) -> None:
        self.picker.set_selected(account_ids)

    def _selected_platforms(self) -> set[Platform]:
        return self.picker.platforms()

    @Slot()
    def _accounts_changed(self) -> None:
        self._update_counter()
        self.image_box.set_context(self._selected_platforms(), self._editing is not None)

    def quota_warnings(self) -> list[str]:
        """The quota warnings that apply to the ticked accounts (as last checked)."""
        return self.picker.quota_warnings()

    # ----- text --------------------------------------------------------------------------------------
    @Slot()
    def _text_changed(self) -> None:
        self._update_counter()
        self.picker.check_quota()

    def _update_counter(self) -> None:
        self.caption.update_counter(self._selected_platforms())

    def counter_text(self) -> str:
        """The counter as plain text (the label's parts are held together with non-breaking characters)."""
        return self.caption.counter_text()

    # ----- image -------------------------------------------------------------------------------------
    @property
    def image_path(self) -> str | None:
        return self.image_box.path

    def set_image(self, path: str | None) -> None:
        self.image_box.set_image(path)

    @Slot()
    def choose_image(self) -> None:
        self.image_box.choose_image()

    @Slot()
    def remove_image(self) -> None:
        self.image_box.remove_image()

    def fit_choice(self) -> str | None:
        """``"pad"`` or ``"crop"`` when Instagram needs a fitted copy and the owner chose one."""
        return self.image_box.fit_choice()

    def _update_image_hint(self) -> None:
        self.image_box.set_context(self._selected_platforms(), self._editing is not None)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_image(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_image(event.mimeData().urls())
        if path is not None:
            self.set_image(path)
            event.acceptProposedAction()

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
        shape = self.image_box.ratio_problem()
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
            self._scroll_to(first_label)  # a short window scrolls to the first problem
        focus: QWidget | None = {
            "text": self.text_edit,
            "image": self.fit_panel.pad_button if self.fit_panel.message.text() else self.choose_button,
            "when": self.when_edit,
        }.get(first)
        if focus is not None:
            focus.setFocus()

    def _scroll_to(self, widget: QWidget) -> None:
        """Scroll ``widget`` wholly into sight once the messages just shown have their wrapped height (scrolling at
        once used the old, one-line height and cut the message's last lines off)."""

        def scroll() -> None:
            if shiboken6.isValid(widget) and widget.isVisible():
                self.body_scroll.ensureWidgetVisible(widget, 0, 8)

        body = self.body_scroll.widget()
        layout = body.layout() if body is not None else None
        if layout is not None:
            layout.activate()
        scroll()
        QTimer.singleShot(0, scroll)

    def _request(self, mode: str, when: datetime | None, zone_name: str) -> PostRequest:
        return PostRequest(
            self.selected_account_ids(),
            self.text_edit.toPlainText(),
            self.image_path,
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
            self.picker.remember()
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
        return bool(self.text_edit.toPlainText().strip() or self.image_path)

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
        self.picker.lock()
        self.image_box.set_context(self._selected_platforms(), True)
        self.text_edit.setPlainText(item.text)
        self.set_image(item.image_path)
        now = self.controller.now()
        start = item.scheduled_at if item.scheduled_at is not None and item.scheduled_at > now else None
        self.when_edit.setDateTime(
            fmt.qdatetime_from_naive(fmt.naive_local(start) if start else fmt.default_post_time(now))
        )
        self.set_selected_accounts([item.account_id])
        account = self.picker.accounts.get(item.account_id)
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
        self.picker.unlock()
        self.clear_errors()
        self._update_counter()
        self._update_image_hint()
