"""The dialog for posts missed while Autoposter wasn't running (or the computer slept): publish, reschedule or skip
them (ui/missed_posts.py brings it up)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.engine.catchup import MISSED_WHILE
from autoposter_gui.engine.networks import providers
from autoposter_gui.engine.views import ItemView
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.missed_posts import MissedPosts  # the notice's listener: kept importable from here
from autoposter_gui.ui.when_picker import WhenPicker
from autoposter_gui.ui.widgets import MessageLabel, heading, secondary

if TYPE_CHECKING:
    pass

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def missed_title(count: int, reason: str | None = None) -> str:
    """``3 posts were missed while Autoposter wasn't running`` (the catch-up's reason), or without a reason (posts
    left missed last time, or missed at different times) ``3 posts were missed``."""
    while_ = MISSED_WHILE.get(reason or "")
    return f"{fmt.plural(count, 'post was', 'posts were')} missed" + (f" {while_}" if while_ else "")


def missed_intro(count: int, grace_hours: int) -> str:
    """Why they were held and what to do, in the singular or the plural."""
    late = f"more than {fmt.plural(grace_hours, 'hour')} ago" if grace_hours else "before Autoposter could publish"
    if count == 1:
        return (
            f"It came due {late}, so Autoposter held it instead of posting it late without asking. "
            "Choose what to do with it."
        )
    return (
        f"They came due {late}, so Autoposter held them instead of posting them late without asking. "
        "Choose what to do with the ticked posts."
    )


class MissedPostsDialog(QDialog):
    """Lists the missed posts (all ticked); the buttons act on the ticked ones through the core's PostService."""

    def __init__(
        self,
        controller: AppController,
        ids: Sequence[int],
        parent: QWidget | None = None,
        *,
        reason: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.reason = reason  # why they were missed (engine.catchup); None: left missed from an earlier time
        self._finished = False
        self.setWindowTitle("Missed posts")
        self.setWindowIcon(icons.status_icon(ItemStatus.MISSED.value))
        self.setMinimumWidth(560)

        self.title = heading("", self)
        self.title.setWordWrap(True)
        self.intro = secondary("", self)
        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        self.list.setMinimumHeight(150)
        self.list.setAccessibleName("Missed posts")

        self.when_edit = WhenPicker(fmt.default_post_time(controller.now()), self, now=controller.now)
        when_label = QLabel("Or pick a new &time:", self)
        when_label.setBuddy(self.when_edit.time_combo)
        self.reschedule_button = QPushButton("&Reschedule", self)
        self.reschedule_button.setToolTip(f"Publish the ticked posts at this time ({fmt.zone()[1]})")
        when_row = QHBoxLayout()
        when_row.addWidget(when_label)
        when_row.addWidget(self.when_edit)
        when_row.addWidget(self.reschedule_button)
        when_row.addStretch(1)

        self.error = MessageLabel(self)
        self.skip_button = QPushButton("&Skip", self)
        self.skip_button.setToolTip("Don't publish the ticked posts (they stay in the Queue as canceled)")
        self.later_button = QPushButton("Decide &later", self)
        self.later_button.setToolTip("Keep them as missed; find them in the Queue under “Missed”")
        self.publish_button = QPushButton("&Publish now", self)
        self.publish_button.setToolTip("Publish the ticked posts right away")
        for button in (self.skip_button, self.later_button, self.reschedule_button):
            button.setAutoDefault(False)
        self.publish_button.setDefault(True)  # Enter publishes: what the owner scheduled them for
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.publish_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(when_row)
        layout.addWidget(self.error)
        layout.addSpacing(4)
        layout.addLayout(buttons)

        self.publish_button.clicked.connect(self.publish_now)
        self.reschedule_button.clicked.connect(self.reschedule)
        self.skip_button.clicked.connect(self.skip)
        self.later_button.clicked.connect(self.reject)
        self.list.itemChanged.connect(self._update_buttons)
        controller.bridge.items_changed.connect(self._items_changed)
        self.set_ids(ids)
        self.list.setFocus()

    # ----- content -------------------------------------------------------------------------------------
    def ids(self) -> list[int]:
        return [int(self.list.item(row).data(ID_ROLE)) for row in range(self.list.count())]

    def checked_ids(self) -> list[int]:
        return [
            int(self.list.item(row).data(ID_ROLE))
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, ids: Sequence[int]) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in ids else Qt.CheckState.Unchecked)

    def set_ids(self, ids: Sequence[int]) -> None:
        """Show these posts (merged with those already listed; posts no longer missed drop out)."""
        known = set(self.ids())
        for item_id in ids:
            if item_id in known:
                continue
            row = self.controller.reads.item(item_id)
            if row is None or row.status != ItemStatus.MISSED.value:
                continue
            self.list.addItem(self._entry(row))
            known.add(item_id)
        self._drop_settled()
        self._update_title()

    def _entry(self, row: ItemView) -> QListWidgetItem:
        account = self.controller.reads.account(row.account_id)
        due = fmt.when_text(row.scheduled_at, self.controller.now())
        text = f"{fmt.account_name(account)} · was due {due}\n{fmt.preview(row.text, 80)}"
        entry = QListWidgetItem(icons.platform_icon(row.platform), text)
        entry.setData(ID_ROLE, row.id)
        entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        entry.setCheckState(Qt.CheckState.Checked)
        entry.setToolTip(f"{fmt.account_title(account)}, due {fmt.full_time(row.scheduled_at)}")
        return entry

    def _drop_settled(self) -> None:
        """Remove posts that are no longer missed (acted on here or in the Queue)."""
        for row in reversed(range(self.list.count())):
            item = self.controller.reads.item(int(self.list.item(row).data(ID_ROLE)))
            if item is None or item.status != ItemStatus.MISSED.value:
                self.list.takeItem(row)

    def _update_title(self) -> None:
        count = self.list.count()
        self.title.setText(missed_title(count, self.reason))
        self.intro.setText(missed_intro(count, self.controller.preferences.grace_hours))
        self._update_buttons()

    @Slot()
    def _update_buttons(self, *_args: Any) -> None:
        any_checked = bool(self.checked_ids())
        for button in (self.publish_button, self.reschedule_button, self.skip_button):
            button.setEnabled(any_checked)

    @Slot(list)
    def _items_changed(self, item_ids: list[int]) -> None:
        if not set(self.ids()).isdisjoint(item_ids):
            self._drop_settled()
            self._update_title()
            if not self.list.count() and self.isVisible():
                self.accept()

    # ----- choices -------------------------------------------------------------------------------------
    def _act(self, work: Callable[[list[int]], str]) -> None:
        self.error.clear()
        self._drop_settled()
        ids = self.checked_ids()
        if not ids:
            self._update_title()
            return
        try:
            message = work(ids)
        except AutoposterError as exc:
            self.error.show_message(str(exc))
            return
        finally:
            self._drop_settled()
            self._update_title()
        self.controller.notice.emit(message)
        if not self.list.count():
            self.accept()

    @Slot()
    def publish_now(self) -> None:
        def work(ids: list[int]) -> str:
            self.controller.posts.publish_missed(ids)
            self.controller.run_now()
            return f"Publishing {fmt.plural(len(ids), 'missed post')} now…"

        self._act(work)

    @Slot()
    def reschedule(self) -> None:
        def work(ids: list[int]) -> str:
            when, zone = self.when_edit.when_utc()  # DST: a gap is refused, a time that happens twice asks
            for item_id in ids:
                self.controller.posts.reschedule(item_id, when, zone)
            return f"Rescheduled {fmt.plural(len(ids), 'post')} for {fmt.when_text(when, self.controller.now())}"

        self._act(work)

    @Slot()
    def skip(self) -> None:
        def work(ids: list[int]) -> str:
            self.controller.posts.skip(ids)
            return f"Skipped {fmt.plural(len(ids), 'missed post')}; they stay in the Queue as canceled"

        self._act_checked(work)

    def _act_checked(self, work: Callable[[list[int]], str]) -> None:
        """``_act`` once Meta said that none of the ticked posts whose last try may have gone out did (after a
        restore, say); the check runs off the GUI thread, and a post that went out leaves the list as posted."""
        reads = self.controller.reads
        unsure = [i for i in self.checked_ids() if (item := reads.item(i)) and item.unconfirmed_attempt_id is not None]
        if not unsure:
            self._act(work)
            return
        self.error.clear()
        for button in (self.publish_button, self.reschedule_button, self.skip_button):
            button.setEnabled(False)
        who = providers(item.platform for i in unsure if (item := reads.item(i)))
        self.controller.notice.emit(f"Checking with {who} whether these posts already went out…")

        def check() -> None:
            for item_id in unsure:
                self.controller.posts.check_first(item_id)

        def failed(exc: BaseException) -> None:
            self._drop_settled()
            self._update_title()
            self.error.show_message(str(exc) if isinstance(exc, AutoposterError) else f"Could not check with {who}")

        self.controller.tasks.submit(check, lambda _result: self._act(work), failed)

    def done(self, result: int) -> None:
        if not self._finished:
            self._finished = True
            with contextlib.suppress(RuntimeError, TypeError):
                self.controller.bridge.items_changed.disconnect(self._items_changed)
        super().done(result)


__all__ = ["MissedPosts", "MissedPostsDialog", "missed_intro", "missed_title"]
