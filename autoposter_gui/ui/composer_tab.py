"""The Composer tab: wires the caption, accounts, image, time and fit widgets to the engine's PostService."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
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
from autoposter_gui.domain.handoff import offline_note
from autoposter_gui.domain.models import ItemStatus, MediaKind, Platform
from autoposter_gui.engine.labels import account_label
from autoposter_gui.ui import fmt
from autoposter_gui.ui.composer_accounts import AccountPicker
from autoposter_gui.ui.composer_caption import CaptionEditor
from autoposter_gui.ui.composer_editing import RICH_NOTE, fill_from, is_rich, may_discard
from autoposter_gui.ui.composer_extras import PostExtras
from autoposter_gui.ui.composer_footer import ComposerFooter, EditingBanner
from autoposter_gui.ui.composer_media import THUMB_SIZE, MediaBox, dropped_media
from autoposter_gui.ui.composer_preview import PostPreview
from autoposter_gui.ui.composer_problems import ProblemDisplay
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.fit_panel import REMEDIES, InstagramFitPanel
from autoposter_gui.ui.queue_model import EDITABLE
from autoposter_gui.ui.snippets import SnippetsButton

if TYPE_CHECKING:  # the engine's post service: loaded with the engine, after the first window
    from autoposter_gui.engine.posts import PostRequest
    from autoposter_gui.ui import composer_planning

SCHEDULE, PUBLISH_NOW, DRAFT = "schedule", "now", "draft"


class ComposerTab(QWidget):
    saved = Signal(list)  # the ids of the queue items written
    connect_requested = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._editing: int | None = None
        self._rich_locked = False  # an edited post with several photos, a video, a comment or a link
        # A duplicated Google post's options (type, button, event, offer), kept for a new post to Google accounts.
        self.carried_options: dict[str, str | None] = {}
        self.setAcceptDrops(True)

        self.banner = EditingBanner(self)
        self.banner_label, self.stop_editing_button = self.banner.label, self.banner.stop_button

        # --- the parts, each its own widget (the names below are kept for tests and the main window)
        self.caption = CaptionEditor(self)
        self.text_edit, self.counter, self.text_error = self.caption.text_edit, self.caption.counter, self.caption.error
        self.extras = PostExtras(self)
        self.comment_edit, self.link_edit = self.extras.comment_edit, self.extras.link_edit
        self.fit_panel = InstagramFitPanel(self)  # under the text, where there is room for two previews
        self.picker = AccountPicker(controller, self)
        self.accounts_box = self.picker
        self._checks, self._reasons = self.picker.checks, self.picker.reasons
        self.no_accounts, self.connect_button = self.picker.no_accounts, self.picker.connect_button
        self.accounts_loading, self.accounts_error = self.picker.loading, self.picker.error
        self.quota_warning = self.picker.quota_warning
        self.image_box = MediaBox(controller, self.fit_panel, self)
        self.media_strip = self.image_box.strip
        self.preview = PostPreview(self.image_box.loader, self)
        self.thumb, self.image_name, self.image_error = (
            self.image_box.thumb,
            self.image_box.image_name,
            self.image_box.error,
        )
        self.choose_button, self.remove_button = self.image_box.choose_button, self.image_box.remove_button
        left = QVBoxLayout()
        left.addWidget(self.caption)
        left.addWidget(self.extras)
        left.addWidget(self.fit_panel)
        left.addWidget(self.preview)
        left.addStretch(1)

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
        self.queue_button, self.repeat_button = self.footer.queue_button, self.footer.repeat_button
        self.snippets_button = SnippetsButton(controller, self.text_edit, self.caption)
        self.caption.tools.addWidget(self.snippets_button)

        self.problems = ProblemDisplay(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.body_scroll, 1)
        layout.addWidget(self.footer)

        # --- wiring
        self.caption.changed.connect(self._text_changed)
        self.picker.changed.connect(self._accounts_changed)
        self.when_edit.changed.connect(self.update_handoff_note)
        self.image_box.changed.connect(self._media_changed)
        self.image_box.loader.loaded.connect(self.refresh_preview)
        self.extras.changed.connect(self._extras_changed)
        self.picker.connect_requested.connect(self.connect_requested)
        self.stop_editing_button.clicked.connect(self.stop_editing)
        self.schedule_button.clicked.connect(self.schedule)
        self.now_button.clicked.connect(self.publish_now)
        self.draft_button.clicked.connect(self.save_draft)
        self.queue_button.clicked.connect(self.add_to_queue)
        self.repeat_button.clicked.connect(self.repeat)
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
        controller.engine_ready.connect(self.update_handoff_note)
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
        self._extras_changed()

    @Slot()
    def _media_changed(self) -> None:
        self._extras_changed()

    @Slot()
    def update_handoff_note(self) -> None:
        """Say which ticked accounts' posts go out with this computer off, and which need it on."""
        if not self.controller.ready:  # the first window comes before the engine's settings: said once they open
            self.footer.handoff_note.setVisible(False)
            return
        now = self.controller.now()
        try:
            due: datetime | None = fmt.wall_time_to_utc(fmt.qdatetime_from_naive(self.when_edit.naive()))[0]
        except Exception:  # a time that does not exist or happens twice: said when the post is scheduled
            due = None
        accounts = [self.picker.accounts[aid] for aid in self.selected_account_ids()]
        note = offline_note(
            [(account_label(a), a.platform) for a in accounts],
            self.image_box.media(),
            due,
            now,
            enabled=self.controller.engine_settings.handoff,
            first_comment=bool(self.extras.first_comment()),
        )
        self.footer.handoff_note.setText(note)
        self.footer.handoff_note.setVisible(bool(note))

    @Slot()
    def _extras_changed(self) -> None:
        self.extras.update_for(self._selected_platforms(), bool(self.image_box.media()))
        self.refresh_preview()
        self.update_handoff_note()

    @Slot()
    def refresh_preview(self) -> None:
        """Draw the post as each ticked network will show it."""
        accounts = [self.picker.accounts[aid] for aid in self.selected_account_ids()]
        page = next((a for a in accounts if a.platform == Platform.FACEBOOK.value), None)
        insta = next((a for a in accounts if a.platform == Platform.INSTAGRAM.value), None)
        names = (
            page.name if page is not None else "Your Page",
            (insta.username or insta.name) if insta is not None else "your.account",
        )
        media = self.image_box.media()
        self.preview.show_post(
            self.text_edit.toPlainText(), media, self.extras.link(), self._selected_platforms(), names
        )

    def quota_warnings(self) -> list[str]:
        """The quota warnings that apply to the ticked accounts (as last checked)."""
        return self.picker.quota_warnings()

    # ----- text --------------------------------------------------------------------------------------
    @Slot()
    def _text_changed(self) -> None:
        self._update_counter()
        self.picker.check_quota()
        self.refresh_preview()

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
        self.image_box.choose_images()

    @Slot()
    def remove_image(self) -> None:
        self.image_box.set_image(None)

    def fit_choice(self) -> str | None:
        """``"pad"`` or ``"crop"`` when Instagram needs a fitted copy and the owner chose one."""
        return self.image_box.fit_choice()

    def _update_image_hint(self) -> None:
        self.image_box.set_context(self._selected_platforms(), self._editing is not None)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_media(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        found = dropped_media(event.mimeData().urls())
        if found:
            self.image_box.add(found)
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

    @Slot()
    def add_to_queue(self) -> list[int]:
        from autoposter_gui.ui import composer_planning  # the planner loads with its first use

        return composer_planning.add_to_queue(self)

    @Slot()
    def repeat(self, dialog: composer_planning.RepeatDialog | None = None) -> list[int]:
        from autoposter_gui.ui import composer_planning

        return composer_planning.repeat(self, dialog)

    def clear_errors(self) -> None:
        self.problems.clear()

    def errors(self) -> dict[str, str]:
        """The inline messages shown now, by field (used by tests and accessibility)."""
        return self.problems.shown()

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Every problem at once, each next to its field; the first problem's field takes the focus."""
        self.problems.show(problems)

    def _request(self, mode: str, when: datetime | None, zone_name: str) -> PostRequest:
        from autoposter_gui.engine.posts import PostRequest

        media = self.image_box.media()
        simple = len(media) == 1 and media[0].kind is MediaKind.IMAGE and not media[0].alt_text
        return PostRequest(
            self.selected_account_ids(),
            self.text_edit.toPlainText(),
            self.image_path,
            when,
            zone_name,
            draft=mode == DRAFT,
            fit=self.fit_choice(),
            fit_color=self.fit_panel.color,
            media=() if simple or not media else media,  # one plain image: stored exactly as before rich posts
            first_comment=self.extras.first_comment(),
            link=self.extras.link(),
            options=self._options(),
        )

    def _options(self) -> dict[str, str | None] | None:
        """A duplicated Google post's options, while only Google accounts are ticked (other networks take none)."""
        platforms = self._selected_platforms()
        return (self.carried_options or None) if platforms == {Platform.GOOGLE} else None

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
        if self._editing is not None and not self._rich_locked and is_rich(self.image_box.media(), None, None):
            self.form_error.show_message(
                "A queued post keeps one image; to post several photos or a video, Duplicate it instead"
            )
            return []
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
        extras = self.extras.first_comment() or self.extras.link()
        return bool(self.text_edit.toPlainText().strip() or self.image_box.media() or extras)

    @property
    def editing(self) -> int | None:
        return self._editing

    def edit_item(self, item_id: int) -> bool:
        """Load a not-yet-published post for editing."""
        item = self.controller.reads.item(item_id)
        if item is None or item.status not in EDITABLE:
            QMessageBox.information(self, "Can't edit this post", "This post is being published or already went out.")
            return False
        if self.is_dirty() and self._editing != item_id and not may_discard(self, "edit the selected post"):
            return False
        self.clear()
        self._editing = item.id
        self.picker.lock()
        self.image_box.set_context(self._selected_platforms(), True)
        self._rich_locked = fill_from(self, item, editing=True)
        self.image_box.set_editable(not self._rich_locked)
        for button in (self.queue_button, self.repeat_button):
            button.setEnabled(False)  # an edit changes this one post; a new time is picked above
        self.extras.set_editable(False)  # the engine's update changes the text, the one image and the time
        now = self.controller.now()
        start = item.scheduled_at if item.scheduled_at is not None and item.scheduled_at > now else None
        self.when_edit.setDateTime(
            fmt.qdatetime_from_naive(fmt.naive_local(start) if start else fmt.default_post_time(now))
        )
        account = self.picker.accounts.get(item.account_id)
        status = fmt.STATUS_LABELS.get(item.status, item.status).lower()
        note = RICH_NOTE if self._rich_locked else ""
        self.banner_label.setText(f"Editing a {status} post for <b>{fmt.account_title(account)}</b>.{note}")
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
        item = self.controller.reads.item(item_id)
        if item is None:
            return False
        if self.is_dirty() and not may_discard(self, "start from the selected post"):
            return False
        self.clear()
        fill_from(self, item, editing=False)
        self._update_counter()
        self.text_edit.setFocus()
        return True

    @Slot(list)
    def _items_changed(self, item_ids: list[int]) -> None:
        if self._editing is None or self._editing not in item_ids:
            return
        item = self.controller.reads.item(self._editing)
        if item is None or item.status in (ItemStatus.PROCESSING.value, ItemStatus.POSTED.value):
            self.form_error.show_message("This post started publishing, so it can no longer be changed.")
            for button in (self.schedule_button, self.now_button, self.draft_button):
                button.setEnabled(False)

    def clear(self) -> None:
        """Back to an empty post (after saving, or when editing stops)."""
        self._editing = None
        self.banner.hide()
        self.text_edit.clear()
        self.extras.clear()
        self.extras.set_editable(True)
        self._rich_locked = False
        self.carried_options = {}
        self.image_box.set_editable(True)
        self.set_image(None)
        self.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.default_post_time(self.controller.now())))
        for button in (self.schedule_button, self.now_button, self.draft_button, self.queue_button, self.repeat_button):
            button.setEnabled(True)
        self.picker.unlock()
        self.clear_errors()
        self._update_counter()
        self._update_image_hint()
