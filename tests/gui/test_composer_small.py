"""The Composer and the status bar in a small (700×480) window: every problem readable, the status message whole."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.storage.models import Account
from autoposter_gui.ui import fmt
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.widgets import MessageLabel
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, account_id


def _small(qtbot: Any, window: MainWindow) -> None:
    window.resize(700, 480)
    qtbot.waitUntil(lambda: window.size().width() == 700 and window.size().height() == 480)


def _readable(message: MessageLabel, window: MainWindow, *, scroll_to: bool = True) -> bool:
    """Shown, tall enough for all its wrapped lines, and (scrolled to when ``scroll_to``) wholly inside the
    window."""
    label = message.label
    if not message.isVisible() or label.height() < label.heightForWidth(label.width()):
        return False
    scroll = window.composer.body_scroll
    if scroll.widget() is not None and scroll.widget().isAncestorOf(message):
        if scroll_to:
            scroll.ensureWidgetVisible(message, 0, 0)
        viewport = scroll.viewport()
        top_left = message.mapTo(viewport, QPoint(0, 0))
        if not viewport.rect().contains(QRect(top_left, message.size())):
            return False
    top_left = message.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, message.size()))


def test_every_problem_is_readable_in_a_small_window(
    qtbot: Any, window: MainWindow, ctx: Context, connected: list[Account], clock: FixedClock
) -> None:
    _small(qtbot, window)
    composer = window.composer
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE), account_id(ctx, BAKERY_IG)])
    composer.text_edit.setPlainText("x" * 2201 + " #tag" * 31)  # two text problems, each wrapping at this width
    composer.when_edit.set_naive(fmt.naive_local(clock.now() - timedelta(days=1)))
    composer.schedule()
    qtbot.wait(50)
    assert set(composer.errors()) == {"text", "image", "when"}
    assert _readable(composer.text_error, window, scroll_to=False)  # the first problem: in sight at once
    for message in (composer.text_error, composer.image_error, composer.when_error):
        assert message.label.text().count("\n") >= (1 if message is composer.text_error else 0)
        qtbot.waitUntil(lambda m=message: _readable(m, window), timeout=2000)  # type: ignore[misc]
    assert composer.body_scroll.horizontalScrollBar().maximum() == 0


def test_the_status_message_is_not_cut_in_a_small_window(qtbot: Any, window: MainWindow) -> None:
    _small(qtbot, window)
    status = window.status
    status.badge.show()  # the widest case: the SANDBOX badge and an account needing attention
    status.attention_label.set(None, "1 account needs attention")
    status.attention_label.show()
    message = "Scheduled 2 posts for tomorrow at 09:00"
    window.controller.notice.emit(message)
    qtbot.wait(20)
    shown = [w for w in status.findChildren(QWidget) if w.isVisible() and w.parent() is not None]
    permanent = [w.geometry().left() for w in shown if w.geometry().left() > 0 and w.parentWidget() is status]
    room = min(permanent, default=status.width()) - 8
    assert status.fontMetrics().horizontalAdvance(message) <= room
    window.controller.notice.emit("")
    status.clearMessage()
    qtbot.waitUntil(lambda: status.next_due_label.isVisible() and status.last_tick_label.isVisible())
