"""Posts missed while Autoposter wasn't running: listens for the core's "missed" notice and brings up the dialog
(its module, with the time picker, loads when it is first shown)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QWidget

from autoposter_gui.ui.controller import AppController

if TYPE_CHECKING:
    from autoposter_gui.ui.missed_dialog import MissedPostsDialog
    from autoposter_gui.ui.tray import TrayController


class MissedPosts(QObject):
    """Listens for the core's "missed" notice: a tray notification, then the dialog (one at a time)."""

    def __init__(
        self,
        controller: AppController,
        tray: TrayController | None = None,
        parent_widget: Callable[[], QWidget | None] = lambda: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.tray = tray
        self._parent_widget = parent_widget
        self.dialog: MissedPostsDialog | None = None
        self._reminded = False
        controller.bridge.notice.connect(self._notice)
        controller.bridge.tick_finished.connect(self._first_tick)

    @Slot(dict)
    def _first_tick(self, _summary: dict[str, Any]) -> None:
        """Posts left missed last time ("Decide later", then quit) are brought up again once per start."""
        if self._reminded:
            return
        self._reminded = True
        self.controller.bridge.tick_finished.disconnect(self._first_tick)
        if self.dialog is None and self.controller.posts.missed_ids():
            self.show_missed()

    @Slot(str, dict)
    def _notice(self, kind: str, payload: dict[str, Any]) -> None:
        if kind == "missed":
            self.show_missed([int(i) for i in payload.get("ids", [])], reason=payload.get("reason"))

    def show_missed(self, ids: Sequence[int] = (), *, reason: str | None = None) -> MissedPostsDialog | None:
        """Notify and open (or update) the dialog with every post that is missed now."""
        still = set(self.controller.posts.missed_ids())  # the notice's ids, and any missed earlier and left
        missed = [i for i in dict.fromkeys([*ids, *sorted(still)]) if i in still]
        if not missed:
            return None
        if not set(missed) <= set(ids):  # also some missed earlier: the reason is not theirs
            reason = None
        from autoposter_gui.ui.missed_dialog import MissedPostsDialog, missed_title

        if self.tray is not None:
            self.tray.notify(
                missed_title(len(missed), reason),
                "Choose whether to publish it now, reschedule it or skip it."
                if len(missed) == 1
                else "Choose whether to publish them now, reschedule them or skip them.",
                warning=True,
                kind="warnings",
            )
        if self.dialog is None:
            self.dialog = MissedPostsDialog(self.controller, missed, self._parent_widget(), reason=reason)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.finished.connect(self._closed)
        else:
            if reason != self.dialog.reason:  # posts missed for different reasons: say neither
                self.dialog.reason = None
            self.dialog.set_ids(missed)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    @Slot()
    def _closed(self) -> None:
        self.dialog = None
