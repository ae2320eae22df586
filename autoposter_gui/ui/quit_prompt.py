"""The question before the owner's Quit when posts are about to go out: keep running, or quit anyway."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QMessageBox, QPushButton, QSizePolicy, QSpacerItem, QWidget

from autoposter_gui import APP_NAME
from autoposter_gui.ui import fmt

if TYPE_CHECKING:  # the engine's post service: named here, loaded with the engine
    from autoposter_gui.engine.posts import DuePost, DueSoon

SOON = timedelta(hours=1)  # with a tray: ask only when a post goes out within this time
LISTED = 5  # posts named in the question; the rest are counted
MIN_WIDTH = 720


def _due_text(post: DuePost, now: datetime) -> str:
    if post.publishing:
        return "publishing now"
    if post.due_at is None or post.due_at <= now:
        return "due now"
    minutes = max(1, round((post.due_at - now).total_seconds() / 60))
    return f"{fmt.clock_time(post.due_at)} (in {fmt.plural(minutes, 'min', 'min')})"


def post_lines(due: DueSoon, now: datetime) -> list[str]:
    """One line a post (``14:05 (in 3 min) · Facebook Page Bakery · “Fresh bread…”``), then "and N more"."""
    lines = [f"• {_due_text(p, now)} · {p.account} · “{fmt.preview(p.text, 40)}”" for p in due.posts[:LISTED]]
    if due.total > len(lines):
        lines.append(f"and {due.total - len(lines)} more")
    return lines


class QuitPrompt(QMessageBox):
    """Non-blocking (``open()``): ``quit_button`` quits, ``keep_button`` (also Esc and Enter) keeps the app.

    ``tray``: whether the app can keep running in the tray; without one, "keep" keeps the window open.
    """

    def __init__(self, due: DueSoon, now: datetime, *, tray: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Quit")
        self.setTextFormat(Qt.TextFormat.PlainText)
        count = fmt.plural(due.total, "post")
        if due.publishing:
            self.setText(f"{APP_NAME} is publishing now")
            explain = (
                f"If you quit, {APP_NAME} first finishes the posts it has started (nothing is posted twice), "
                "then quits. Posts not started yet wait until you start it again."
            )
        elif tray:
            is_are = "is" if due.total == 1 else "are"
            self.setText(f"{count} {is_are} due in the next hour")
            explain = f"{APP_NAME} publishes only while it is running. If you quit, they wait until you start it again."
        else:
            is_are = "is" if due.total == 1 else "are"
            self.setText(f"{count} {is_are} waiting to be published")
            explain = (
                f"{APP_NAME} publishes only while it is running, and no system tray is available to keep it "
                "running in the background. If you quit, they wait until you start it again."
            )
        self.setInformativeText("\n".join([*post_lines(due, now), "", explain]))
        grid = self.layout()
        if isinstance(grid, QGridLayout):  # QMessageBox wraps at ~350 px: give the list room, one line a post
            grid.addItem(
                QSpacerItem(MIN_WIDTH, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding),
                grid.rowCount(),
                0,
                1,
                grid.columnCount(),
            )
        self.keep_button: QPushButton = self.addButton(
            "Keep running in the tray" if tray else f"Keep {APP_NAME} open", QMessageBox.ButtonRole.RejectRole
        )
        self.quit_button: QPushButton = self.addButton("Quit anyway", QMessageBox.ButtonRole.DestructiveRole)
        self.setDefaultButton(self.keep_button)
        self.setEscapeButton(self.keep_button)

    def quit_chosen(self) -> bool:
        return self.clickedButton() is self.quit_button
