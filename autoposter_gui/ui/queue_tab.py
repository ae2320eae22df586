"""The Queue tab: every post with its status, filterable and sortable, with the per-post actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.engine.networks import provider_name
from autoposter_gui.engine.views import QueueRow
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.errors import show_error
from autoposter_gui.ui.queue_model import EDITABLE, QueueColumn, QueueTableModel
from autoposter_gui.ui.widgets import EmptyState, read_only_table

FILTERS: list[tuple[str, tuple[ItemStatus, ...] | None]] = [
    ("All posts", None),
    ("Scheduled", (ItemStatus.SCHEDULED,)),
    ("Drafts", (ItemStatus.DRAFT,)),
    ("Publishing", (ItemStatus.PROCESSING,)),
    ("Posted", (ItemStatus.POSTED,)),
    ("Failed", (ItemStatus.FAILED,)),
    ("Canceled", (ItemStatus.CANCELED,)),
    ("Missed", (ItemStatus.MISSED,)),
]

RESCHEDULABLE = EDITABLE
PUBLISHABLE = frozenset({ItemStatus.DRAFT.value, ItemStatus.SCHEDULED.value, ItemStatus.MISSED.value})
RETRYABLE = frozenset({ItemStatus.FAILED.value, ItemStatus.MISSED.value})
CANCELABLE = frozenset(
    {ItemStatus.SCHEDULED.value, ItemStatus.DRAFT.value, ItemStatus.FAILED.value, ItemStatus.MISSED.value}
)
DELETABLE = frozenset({ItemStatus.DRAFT.value, ItemStatus.CANCELED.value})
DUPLICABLE = frozenset(s.value for s in ItemStatus) - {ItemStatus.PROCESSING.value}

SORT_COLUMN_KEY = "queue/sort_column"  # -1: the default order, upcoming first
SORT_ORDER_KEY = "queue/sort_order"
DEFAULT_ORDER_TEXT = "Upcoming first, then the most recent"

COLUMN_WIDTHS = {
    QueueColumn.STATUS: 120,
    QueueColumn.ACCOUNT: 160,
    QueueColumn.POST: 260,
    QueueColumn.SCHEDULED: 140,
    QueueColumn.ATTEMPTS: 75,
    QueueColumn.NEXT_ATTEMPT: 130,
}


class QueueTab(QWidget):
    edit_requested = Signal(int)
    duplicate_requested = Signal(int)  # a new post prefilled from this one (the main window opens the Composer)
    compose_requested = Signal()
    link_opened = Signal(QUrl)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = QueueTableModel(lambda: controller.reads, controller.now, self)
        self._selected_id: int | None = None
        self._actions_state: tuple[str, bool] | None = None  # (status, has a link) the actions were last set for

        # --- filter row
        self.filter_combo = QComboBox(self)
        for label, _ in FILTERS:
            self.filter_combo.addItem(label)
        self.filter_combo.setToolTip("Show only posts with this status")
        filter_label = QLabel("&Show:", self)
        filter_label.setBuddy(self.filter_combo)
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet(f"color: {icons.INK};")
        self.order_label = QLabel(DEFAULT_ORDER_TEXT, self)
        self.order_label.setStyleSheet(f"color: {icons.INK};")
        self.order_label.setToolTip(
            "Posts still to go out come first, soonest at the top; then drafts; then the rest, latest first.\n"
            "Click a column header to sort by it; a third click comes back to this order."
        )
        self.retry_all_button = QPushButton("Retry all failed", self)
        self.retry_all_button.setToolTip("Try every failed post again now")
        top = QHBoxLayout()
        top.addWidget(filter_label)
        top.addWidget(self.filter_combo)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addSpacing(12)
        top.addWidget(self.order_label)
        top.addStretch(1)
        top.addWidget(self.retry_all_button)

        # --- table
        self.view = read_only_table(self, self.model, COLUMN_WIDTHS)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.view.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(*self._saved_sort())
        header.setStretchLastSection(True)  # "Last error" takes what is left
        self.view.setSortingEnabled(True)  # sorts in SQL (QueueTableModel.sort); -1 = upcoming first
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.order_label.setVisible(header.sortIndicatorSection() < 0)

        self.empty = EmptyState(
            "queue",
            "No posts yet",
            "Write a post in the Composer and schedule it: it shows up here.",
            self,
            button="New post",
        )
        self.empty.button.clicked.connect(self._empty_action)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        # --- actions
        self.edit_action = self._action("&Edit…", self.edit_selected, "Open this post in the Composer", "Ctrl+E")
        self.reschedule_action = self._action(
            "&Reschedule…", self.reschedule_selected, "Pick a new time for this post", "Ctrl+R"
        )
        self.publish_action = self._action("&Publish now", self.publish_selected, "Publish this post right away")
        self.retry_action = self._action("Re&try", self.retry_selected, "Try this failed post again now")
        self.cancel_action = self._action(
            "&Cancel post", self.cancel_selected, "Stop this post from being published", QKeySequence.StandardKey.Delete
        )
        self.delete_action = self._action("&Delete draft", self.delete_selected, "Delete this draft or canceled post")
        self.view_post_action = self._action(
            "&View post", self.view_selected_post, "Open the published post in your browser", "Ctrl+O"
        )
        self.copy_link_action = self._action(
            "Copy &link", self.copy_selected_link, "Copy the link to the published post", QKeySequence.StandardKey.Copy
        )
        self.duplicate_action = self._action(
            "D&uplicate…", self.duplicate_selected, "Open a copy of this post in the Composer as a new post", "Ctrl+D"
        )
        self.view.addActions(
            [
                self.edit_action,
                self.reschedule_action,
                self.cancel_action,
                self.view_post_action,
                self.copy_link_action,
                self.duplicate_action,
            ]
        )
        # A tool bar, not a row of push buttons: when the window is narrow, what does not fit goes into its »
        # menu instead of widening the window (nine actions would need ~830 px).
        self.actions_bar = QToolBar("Post actions", self)
        self.actions_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions_bar.setMovable(False)
        self.actions_bar.setFloatable(False)
        self.actions_bar.setStyleSheet("QToolBar { border: none; spacing: 6px; }")
        self.action_buttons: dict[str, QToolButton] = {}
        self._button_actions: dict[str, QAction] = {
            "edit": self.edit_action,
            "reschedule": self.reschedule_action,
            "publish": self.publish_action,
            "retry": self.retry_action,
            "cancel": self.cancel_action,
            "delete": self.delete_action,
            "view_post": self.view_post_action,
            "copy_link": self.copy_link_action,
            "duplicate": self.duplicate_action,
        }
        for name, action in self._button_actions.items():
            self.actions_bar.addAction(action)
            button = self.actions_bar.widgetForAction(action)
            assert isinstance(button, QToolButton)
            button.setAutoRaise(False)  # drawn as a button: it follows its action's text and state
            self.action_buttons[name] = button

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.actions_bar)

        # --- wiring
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(150)
        self._counts_timer.timeout.connect(self._refresh_counts)
        self.filter_combo.currentIndexChanged.connect(self._filter_changed)
        self.retry_all_button.clicked.connect(self.retry_all_failed)
        self.view.activated.connect(self._activated)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._update_summary)
        self.model.dataChanged.connect(self._data_changed)
        controller.bridge.items_changed.connect(self._on_items_changed)  # batched: one query a burst
        controller.bridge.account_changed.connect(self._on_account_changed)
        self._update_summary()
        self._refresh_counts()
        self._update_actions()

    def _action(self, text: str, slot: Callable[[], None], tip: str, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        action.setIconText(text.replace("&", ""))  # the tool bar's button: no mnemonic, but keep the "…"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        return action

    # ----- sort order ----------------------------------------------------------------------------------
    def _saved_sort(self) -> tuple[int, Qt.SortOrder]:
        """The sort the owner chose last time (per data folder), or the default: upcoming first."""
        settings = self.controller.settings
        try:
            column = int(str(settings.value(SORT_COLUMN_KEY, -1)))
            order = Qt.SortOrder(int(str(settings.value(SORT_ORDER_KEY, 0))))
        except (TypeError, ValueError):
            return -1, Qt.SortOrder.AscendingOrder
        return (column if 0 <= column < self.model.columnCount() else -1), order

    @Slot(int, Qt.SortOrder)
    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        self.controller.settings.setValue(SORT_COLUMN_KEY, column)
        self.controller.settings.setValue(SORT_ORDER_KEY, order.value)
        self.order_label.setVisible(column < 0)

    # ----- selection ---------------------------------------------------------------------------------
    def selected_item(self) -> QueueRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.item_at(rows[0].row()) if rows else None

    def select_item(self, item_id: int) -> bool:
        row = self.model.row_of(item_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)
        return True

    def show_items(self, item_ids: Sequence[int]) -> None:
        """Bring freshly saved posts into view (switching the filter to All if it would hide them)."""
        if not item_ids:
            return
        if not any(self.model.row_of(i) is not None for i in item_ids):
            self.filter_combo.setCurrentIndex(0)
        self.select_item(item_ids[0])

    @Slot()
    def _remember_selection(self) -> None:
        item = self.selected_item()
        self._selected_id = item.id if item else None

    @Slot()
    def _restore_selection(self) -> None:
        if self._selected_id is not None:
            self.select_item(self._selected_id)
        self._update_actions()

    @Slot()
    def _selection_changed(self) -> None:
        self._update_actions()

    @Slot(QModelIndex, QModelIndex)
    def _data_changed(self, top: QModelIndex, bottom: QModelIndex) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows and top.row() <= rows[0].row() <= bottom.row():
            self._update_actions()

    def _update_actions(self) -> None:
        item = self.selected_item()
        status = item.status if item else ""
        has_link = item is not None and _post_url(item.permalink) is not None
        if (status, has_link) == self._actions_state:
            return  # as they are (every reload of the table lands here: keep it cheap)
        self._actions_state = (status, has_link)
        for action, allowed in (
            (self.edit_action, EDITABLE),
            (self.reschedule_action, RESCHEDULABLE),
            (self.publish_action, PUBLISHABLE),
            (self.retry_action, RETRYABLE),
            (self.cancel_action, CANCELABLE),
            (self.delete_action, DELETABLE),
            (self.duplicate_action, DUPLICABLE),
        ):
            action.setEnabled(status in allowed)
        self.view_post_action.setEnabled(has_link)
        self.copy_link_action.setEnabled(has_link)
        # Named by what they do for this post: a canceled post is not a draft, a posted one goes out again.
        for action, text in (
            (self.delete_action, "&Delete" if status == ItemStatus.CANCELED.value else "&Delete draft"),
            (self.duplicate_action, "Post &again…" if status == ItemStatus.POSTED.value else "D&uplicate…"),
        ):
            if action.text() != text:
                action.setText(text)
                action.setIconText(text.replace("&", ""))

    @Slot()
    def _update_summary(self) -> None:
        """Cheap, immediate: the empty state and the count from the model; the database counts follow shortly."""
        total = self.model.total
        label, statuses = FILTERS[max(0, self.filter_combo.currentIndex())]
        if statuses is None:
            self.count_label.setText(fmt.plural(total, "post"))
        if total == 0:
            if statuses is None:
                self.empty.title.setText("No posts yet")
                self.empty.text.setText("Write a post in the Composer and schedule it: it shows up here.")
                self.empty.button.setText("New post")
            else:
                self.empty.title.setText(f"No {label.lower()} posts")
                self.empty.text.setText("Nothing matches this filter right now.")
                self.empty.button.setText("Show all posts")
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.view)
        self._counts_timer.start()

    @Slot()
    def _refresh_counts(self) -> None:
        """COUNT queries, coalesced: a busy tick changes many rows in a burst."""
        reads = self.controller.reads
        if FILTERS[max(0, self.filter_combo.currentIndex())][1] is not None:
            self.count_label.setText(f"{self.model.total:,} of {fmt.plural(reads.count_items(), 'post')}")
        failed = reads.count_items([ItemStatus.FAILED])
        self.retry_all_button.setEnabled(failed > 0)
        self.retry_all_button.setText(f"Retry all failed ({failed:,})" if failed else "Retry all failed")

    @Slot()
    def _empty_action(self) -> None:
        if FILTERS[max(0, self.filter_combo.currentIndex())][1] is None:
            self.compose_requested.emit()
        else:
            self.filter_combo.setCurrentIndex(0)

    @Slot(int)
    def _filter_changed(self, index: int) -> None:
        self.model.set_status_filter(FILTERS[index][1])

    # ----- live updates ----------------------------------------------------------------------------
    @Slot(list)
    def _on_items_changed(self, item_ids: list[int]) -> None:
        self.model.refresh_items(item_ids)
        self._update_summary()

    @Slot(int)
    def _on_account_changed(self, _account_id: int) -> None:
        self.model.reload_accounts()

    # ----- actions -------------------------------------------------------------------------------------
    def _run(self, title: str, work: Callable[[], object]) -> bool:
        try:
            work()
        except AutoposterError as exc:
            show_error(self, title, str(exc))
            return False
        return True

    def _checked_first(self, item_id: int, title: str, then: Callable[[], None]) -> None:
        """Run ``then`` now, or, when the post's last try may have gone out, once its network says it did not (the
        check runs off the GUI thread; if it went out, or the network can't tell, the owner is told and nothing
        changes)."""
        item = self.controller.reads.item(item_id)
        if item is None or item.unconfirmed_attempt_id is None:
            then()
            return
        self.controller.notice.emit(f"Checking with {provider_name(item.platform)} whether the last try went out…")

        def failed(exc: BaseException) -> None:
            show_error(self, title, str(exc) if isinstance(exc, AutoposterError) else "Something went wrong")

        self.controller.tasks.submit(lambda: self.controller.posts.check_first(item_id), lambda _r: then(), failed)

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        """Enter or a double click: edit a post still to come; open a published one."""
        item = self.model.item_at(index.row())
        if item is not None and item.status in EDITABLE:
            item_id = item.id
            self._checked_first(item_id, "Can't edit this post", lambda: self.edit_requested.emit(item_id))
        elif item is not None and item.status == ItemStatus.POSTED.value:
            self.view_selected_post()

    @Slot()
    def view_selected_post(self) -> None:
        item = self.selected_item()
        url = _post_url(item.permalink) if item is not None else None
        if url is not None:
            QDesktopServices.openUrl(url)
            self.link_opened.emit(url)

    @Slot()
    def copy_selected_link(self) -> None:
        item = self.selected_item()
        url = _post_url(item.permalink) if item is not None else None
        if url is not None:
            QGuiApplication.clipboard().setText(url.toString())
            self.controller.notice.emit("Link copied")

    @Slot()
    def duplicate_selected(self) -> None:
        item = self.selected_item()
        if item is not None and item.status in DUPLICABLE:
            self.duplicate_requested.emit(item.id)

    @Slot()
    def edit_selected(self) -> None:
        item = self.selected_item()
        if item is not None and item.status in EDITABLE:
            item_id = item.id
            self._checked_first(item_id, "Can't edit this post", lambda: self.edit_requested.emit(item_id))

    @Slot()
    def reschedule_selected(self) -> None:
        from autoposter_gui.ui.dialogs import RescheduleDialog  # with the time picker: loaded when first needed

        item = self.selected_item()
        if item is None or item.status not in RESCHEDULABLE:
            return
        now = self.controller.now()
        start = item.scheduled_at if item.scheduled_at and item.scheduled_at > now else None
        initial = fmt.naive_local(start) if start else fmt.default_post_time(now)
        item_id = item.id

        def submit(when: datetime, zone: str) -> None:
            self.controller.posts.reschedule(item_id, when, zone)
            self.controller.notice.emit(f"Rescheduled for {fmt.when_text(when, self.controller.now())}")

        dialog = RescheduleDialog(title=item.text, initial=initial, submit=submit, parent=self, now=self.controller.now)
        dialog.exec()

    @Slot()
    def publish_selected(self) -> None:
        from autoposter_gui.ui.dialogs import confirm

        item = self.selected_item()
        if item is None or item.status not in PUBLISHABLE:
            return
        now = self.controller.now()
        planned = item.scheduled_at if item.scheduled_at is not None and item.scheduled_at > now else None
        if planned is not None:
            when = fmt.when_text(planned, now)
            if not confirm(
                self,
                "Publish now",
                f"Publish now instead of {when}?",
                informative=f"“{fmt.preview(item.text, 60)}” goes out right away instead of at its scheduled time.",
                action="Publish now",
                keep="Keep the time",
                default_to_action=True,
            ):
                return
        item_id = item.id
        if self._run("Can't publish this post", lambda: self.controller.publish_now(item_id)):
            was = f" (it was scheduled for {fmt.when_text(planned, now)})" if planned is not None else ""
            self.controller.notice.emit(f"Publishing now…{was}")

    @Slot()
    def retry_selected(self) -> None:
        item = self.selected_item()
        if item is not None and item.status in RETRYABLE:
            item_id = item.id
            if self._run("Can't retry this post", lambda: self.controller.posts.retry(item_id)):
                self.controller.run_now()
                self.controller.notice.emit("Trying again now…")

    @Slot()
    def retry_all_failed(self) -> None:
        from autoposter_gui.ui.dialogs import confirm

        failed = self.controller.reads.count_items([ItemStatus.FAILED])
        if failed == 0:
            return
        if failed > 1 and not confirm(
            self,
            "Retry all failed posts",
            f"Try all {failed:,} failed posts again now?",
            action="Retry all",
            keep="Not now",
            default_to_action=True,
        ):
            return
        ids: list[int] = []
        if self._run("Can't retry", lambda: ids.extend(self.controller.posts.retry_all_failed())):
            self.controller.run_now()
            self.controller.notice.emit(f"Retrying {fmt.plural(len(ids), 'post')}…")

    @Slot()
    def cancel_selected(self) -> None:
        from autoposter_gui.ui.dialogs import confirm

        item = self.selected_item()
        if item is None:
            return
        if item.status in DELETABLE and item.status not in CANCELABLE:
            self.delete_selected()
            return
        if item.status not in CANCELABLE:
            return
        if not confirm(
            self,
            "Cancel post",
            f"Cancel “{fmt.preview(item.text, 60)}”?",
            informative="It will not be published. It stays in the queue: you can reschedule it later.",
            action="Cancel post",
            keep="Keep post",
        ):
            return
        item_id = item.id

        def cancel() -> None:
            if self._run("Can't cancel this post", lambda: self.controller.posts.cancel(item_id)):
                self.controller.notice.emit("Post canceled")

        self._checked_first(item_id, "Can't cancel this post", cancel)

    @Slot()
    def delete_selected(self) -> None:
        from autoposter_gui.ui.dialogs import confirm

        item = self.selected_item()
        if item is None or item.status not in DELETABLE:
            return
        what = "draft" if item.status == ItemStatus.DRAFT.value else "post"
        if not confirm(
            self,
            f"Delete {what}",
            f"Delete “{fmt.preview(item.text, 60)}” for good?",
            informative="This cannot be undone.",
            action=f"Delete {what}",
            keep=f"Keep {what}",
        ):
            return
        item_id = item.id
        if self._run("Can't delete this post", lambda: self.controller.posts.delete_draft(item_id)):
            self.controller.notice.emit("Post deleted")

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        """A right click (which selects the row under it) or the Menu key: the selected post's actions, shown by
        the pointer, or by the selected row when the keyboard asked."""
        item = self.selected_item()
        row = self.model.row_of(item.id) if item is not None else None
        if row is None:
            return
        under = self.view.indexAt(pos)
        at = pos if under.isValid() and under.row() == row else self.view.visualRect(self.model.index(row, 2)).center()
        self.context_menu().popup(self.view.viewport().mapToGlobal(at))

    def context_menu(self) -> QMenu:
        """The selected post's actions (disabled ones stay visible, greyed, so the menu never jumps)."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if self.view_post_action.isEnabled():  # a published post: what can be done with it first
            menu.addActions([self.view_post_action, self.copy_link_action, self.duplicate_action])
            menu.addSeparator()
        menu.addActions([self.edit_action, self.reschedule_action, self.publish_action, self.retry_action])
        if not self.view_post_action.isEnabled():
            menu.addAction(self.duplicate_action)
        menu.addSeparator()
        menu.addActions([self.cancel_action, self.delete_action])
        return menu


def _post_url(permalink: str | None) -> QUrl | None:
    """A published post's web address, when it is one a browser can open."""
    url = QUrl(permalink or "")
    return url if permalink and url.isValid() and url.scheme() in ("http", "https") else None
