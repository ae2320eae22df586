"""The calendar's view: the painted grid made interactive (click, double-click, drag to move, drops, keys, tooltips)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QHelpEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip

from autoposter_gui.domain.handoff import HELD, HELD_LABEL
from autoposter_gui.engine.calendar import MOVABLE, CalendarRow
from autoposter_gui.ui import fmt
from autoposter_gui.ui.calendar_grid import (
    ITEM_MIME,
    MONTH,
    PALETTE,
    WEEK,
    CalendarGrid,
    Chip,
    _local,
    item_mime,
)

__all__ = ["ITEM_MIME", "MONTH", "PALETTE", "WEEK", "CalendarView", "Chip", "item_mime"]


class CalendarView(CalendarGrid):
    """Chips are selected with a click or the arrows, edited with a double-click or Enter, moved by dragging; a
    click on an empty slot asks for a new post there; drafts dropped from the list are scheduled."""

    activated = Signal(int)  # double-click or Enter on a chip: edit it, or open a published post
    move_requested = Signal(int, object)  # item id, the local wall-clock time (naive) it was dropped on
    compose_requested = Signal(object)  # a click on an empty slot: the local time (naive) to write a post for
    step_requested = Signal(int)  # PageUp / PageDown: -1 / +1 week or month

    # ----- mouse -------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        pos = event.position().toPoint()
        chip = self.chip_at(pos)
        if event.button() == Qt.MouseButton.LeftButton and chip is not None and chip.row is not None:
            self.select(chip.row.id)
            self._press = (chip.row.id, pos) if chip.row.status in MOVABLE else None
        else:
            self._press = None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self._press is not None and self._drag is None:
            if (pos - self._press[1]).manhattanLength() >= QApplication.startDragDistance():
                self._drag = (self._press[0], pos)
        elif self._drag is not None:
            self._drag = (self._drag[0], pos)
        if self._drag is not None:
            self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        drag, press = self._drag, self._press
        self._drag = self._press = None
        if drag is not None:
            self.viewport().update()
            self.drop(drag[0], pos)
        elif press is None and event.button() == Qt.MouseButton.LeftButton and self.chip_at(pos) is None:
            when = self.time_at(pos)
            if when is not None:
                self.compose_requested.emit(self._half_hour(when))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        chip = self.chip_at(event.position().toPoint())
        if chip is not None and chip.row is not None:
            self.activated.emit(chip.row.id)

    @staticmethod
    def _half_hour(when: datetime) -> datetime:
        return when.replace(minute=when.minute // 30 * 30)

    def drop(self, item_id: int, pos: QPoint) -> bool:
        """Ask for ``item_id`` to move to the time under ``pos`` (a month day keeps the post's time of day)."""
        row = next((r for r in self.rows if r.id == item_id), None)
        keep = _local(row.scheduled_at).time() if row is not None and row.scheduled_at is not None else None
        when = self.time_at(pos, keep)
        if when is None:
            return False
        self.move_requested.emit(item_id, when)
        return True

    # ----- drops from the drafts list ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(ITEM_MIME):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(ITEM_MIME):
            self._drag = (-1, event.position().toPoint())
            self.viewport().update()
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QEvent) -> None:
        self._drag = None
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:
        self._drag = None
        raw = bytes(event.mimeData().data(ITEM_MIME).data()).decode() if event.mimeData().hasFormat(ITEM_MIME) else ""
        if raw.isdigit() and self.drop(int(raw), event.position().toPoint()):
            event.acceptProposedAction()
        self.viewport().update()

    # ----- keyboard and tooltips ---------------------------------------------------------------------
    def select(self, item_id: int | None) -> None:
        self.selected = item_id
        self.viewport().update()

    def _ordered(self) -> list[CalendarRow]:
        shown = {c.row.id for c in self.chips if c.row is not None}
        return [r for r in self.rows if r.id in shown]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        rows = self._ordered()
        ids = [r.id for r in rows]
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down) and rows:
            if self.selected not in ids:
                self.select(ids[0])
                return
            here = rows[ids.index(self.selected)]
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                step = -1 if key == Qt.Key.Key_Up else 1
                self.select(ids[max(0, min(len(ids) - 1, ids.index(here.id) + step))])
            else:
                self.select(self._day_neighbour(rows, here, -1 if key == Qt.Key.Key_Left else 1))
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected in ids:
            self.activated.emit(self.selected)
        elif key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.step_requested.emit(-1 if key == Qt.Key.Key_PageUp else 1)
        else:
            super().keyPressEvent(event)

    @staticmethod
    def _day_neighbour(rows: list[CalendarRow], here: CalendarRow, step: int) -> int:
        """The post nearest in time of day on the closest other day in direction ``step`` (itself if none)."""
        assert here.scheduled_at is not None
        mine = _local(here.scheduled_at)
        others = [(r, _local(r.scheduled_at)) for r in rows if r.scheduled_at is not None]
        ahead = {t.date() for _, t in others if (t.date() - mine.date()).days * step > 0}
        days = sorted(ahead, key=lambda d: abs((d - mine.date()).days))
        if not days:
            return here.id
        target = days[0]
        same = [(r, t) for r, t in others if t.date() == target]
        seconds = mine.hour * 3600 + mine.minute * 60
        return min(same, key=lambda rt: abs(rt[1].hour * 3600 + rt[1].minute * 60 - seconds))[0].id

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def tooltip_at(self, pos: QPoint) -> str | None:
        chip = self.chip_at(pos)
        if chip is not None and chip.row is None:
            return f"{chip.more} more posts in this {'hour' if self.mode == WEEK else 'day'}; the Queue lists them"
        if chip is not None and chip.row is not None:
            row = chip.row
            status = fmt.STATUS_LABELS.get(row.status, row.status)
            shown = fmt.full_time(row.scheduled_at)
            note = self.series_note(row.id, row.series_id)
            series = f"\n↻ {note}" if note else ""
            if row.handoff == HELD:
                status = f"{HELD_LABEL}: Meta publishes it, even with this computer off"
            return f"{shown} · {self.labels.get(row.account_id, '')} · {status}{series}\n{fmt.preview(row.text, 200)}"
        when = self.time_at(pos)
        if when is None or self.mode != WEEK:
            return None
        names = {
            self.labels.get(a, "")
            for a, m in self.markers
            if _local(m).date() == when.date() and _local(m).hour == when.hour
        }
        return "Posting slot of " + ", ".join(sorted(names)) if names else None
