"""The calendar's custom-painted week and month grid: chips in their time slots, slot markers, drag to move."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QToolTip, QWidget

from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.engine.calendar import MOVABLE, CalendarRow
from autoposter_gui.ui import fmt, icons

WEEK, MONTH = "week", "month"
ITEM_MIME = "application/x-autoposter-item-id"
GUTTER, HEADER, HOUR_H, LINE_H = 48, 26, 44, 18
MAX_SIDE_BY_SIDE = 4  # chips in one hour of one day, side by side; more become "+N"
SNAP_MINUTES = 15
PALETTE = ("#1a73e8", "#e8710a", "#188038", "#9334e6", "#d01884", "#12b5cb", "#b06000", "#5f6368")
DEFAULT_DRAFT_TIME = time(9, 0)  # a draft dropped on a month day goes out at 09:00 that day


class Chip:
    """One painted box: a post (``row``) or an overflow box of ``more`` posts; ``rect`` in content coordinates."""

    __slots__ = ("more", "rect", "row")

    def __init__(self, rect: QRect, row: CalendarRow | None, more: int = 0) -> None:
        self.rect, self.row, self.more = rect, row, more


def item_mime(item_id: int) -> QMimeData:
    data = QMimeData()
    data.setData(ITEM_MIME, str(item_id).encode())
    return data


def _local(moment: datetime) -> datetime:
    return moment.astimezone(fmt.zone()[0]).replace(tzinfo=None)


class CalendarView(QAbstractScrollArea):
    """Paints only what is visible of the rows it is given (the tab reads just the visible range from the engine)."""

    activated = Signal(int)  # double-click or Enter on a chip: edit it, or open a published post
    move_requested = Signal(int, object)  # item id, the local wall-clock time (naive) it was dropped on
    compose_requested = Signal(object)  # a click on an empty slot: the local time (naive) to write a post for
    step_requested = Signal(int)  # PageUp / PageDown: -1 / +1 week or month

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = WEEK
        self.first: date = date.today()
        self.today: date = date.today()
        self.rows: list[CalendarRow] = []
        self.markers: list[tuple[int, datetime]] = []
        self.colors: dict[int, QColor] = {}
        self.labels: dict[int, str] = {}
        self.selected: int | None = None
        self.series_note: Callable[[int, str | None], str | None] = lambda _id, _series: None
        self.chips: list[Chip] = []
        self.thumbs: dict[str, QPixmap] = {}
        self._status_pixmaps: dict[str, QPixmap] = {}
        self._press: tuple[int, QPoint] | None = None
        self._drag: tuple[int, QPoint] | None = None  # the item dragged and where the pointer is
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.viewport().setAcceptDrops(True)
        self.setAcceptDrops(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalScrollBar().setSingleStep(HOUR_H // 2)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)

    # ----- what is shown -----------------------------------------------------------------------------
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(7 if self.mode == WEEK else 42)]

    def utc_range(self) -> tuple[datetime, datetime]:
        """The shown days, local midnight to local midnight, as UTC moments (what the tab reads)."""
        zone = fmt.zone()[0]
        days = self.days()
        start = datetime.combine(days[0], time()).replace(tzinfo=zone).astimezone(UTC)
        end = datetime.combine(days[-1] + timedelta(days=1), time()).replace(tzinfo=zone).astimezone(UTC)
        return start, end

    def set_range(self, mode: str, first: date, today: date) -> None:
        self.mode, self.first, self.today = mode, first, today
        self._update_scrollbar()

    def set_rows(self, rows: Sequence[CalendarRow], markers: Sequence[tuple[int, datetime]]) -> None:
        self.rows, self.markers = list(rows), list(markers)
        self.layout_chips()
        self.viewport().update()

    def scroll_to_hour(self, hour: int) -> None:
        self.verticalScrollBar().setValue(hour * HOUR_H)

    # ----- geometry ----------------------------------------------------------------------------------
    def _update_scrollbar(self) -> None:
        bar = self.verticalScrollBar()
        if self.mode == WEEK:
            bar.setRange(0, max(0, 24 * HOUR_H - (self.viewport().height() - HEADER)))
            bar.setPageStep(max(1, self.viewport().height() - HEADER))
        else:
            bar.setRange(0, 0)

    def _column_width(self) -> float:
        left = GUTTER if self.mode == WEEK else 0
        return max(1.0, (self.viewport().width() - left) / 7)

    def _cell_height(self) -> float:
        return max(LINE_H * 2.0, (self.viewport().height() - HEADER) / 6)

    def _offset(self) -> int:
        return self.verticalScrollBar().value() if self.mode == WEEK else 0

    def cell_rect(self, day_index: int, hour: int = 0) -> QRect:
        """Content coordinates of a week column's hour cell, or of a month day's cell."""
        cw = self._column_width()
        if self.mode == WEEK:
            x = GUTTER + int(day_index * cw)
            return QRect(x, HEADER + hour * HOUR_H, int((day_index + 1) * cw) - int(day_index * cw), HOUR_H)
        ch = self._cell_height()
        row, col = divmod(day_index, 7)
        x, y = int(col * cw), HEADER + int(row * ch)
        return QRect(x, y, int((col + 1) * cw) - x, HEADER + int((row + 1) * ch) - y)

    def layout_chips(self) -> None:
        """Place every row's chip (content coordinates): by day and hour in a week, by day in a month."""
        self.chips = []
        groups: dict[tuple[int, int], list[CalendarRow]] = {}
        count = len(self.days())
        for row in self.rows:
            when = row.scheduled_at
            if when is None:
                continue
            local = _local(when)
            index = (local.date() - self.first).days
            if 0 <= index < count:
                groups.setdefault((index, local.hour if self.mode == WEEK else 0), []).append(row)
        for (index, hour), rows in groups.items():
            cell = self.cell_rect(index, hour)
            if self.mode == WEEK:
                self._layout_week_cell(cell, rows)
            else:
                self._layout_month_cell(cell, rows)

    def _layout_week_cell(self, cell: QRect, rows: list[CalendarRow]) -> None:
        shown = rows if len(rows) <= MAX_SIDE_BY_SIDE else rows[: MAX_SIDE_BY_SIDE - 1]
        boxes = len(shown) + (len(rows) > len(shown))
        width = (cell.width() - 2) / boxes
        for n, row in enumerate(shown):
            self.chips.append(Chip(QRect(cell.x() + 1 + int(n * width), cell.y() + 1, int(width) - 1, HOUR_H - 2), row))
        if len(rows) > len(shown):
            x = cell.x() + 1 + int(len(shown) * width)
            self.chips.append(Chip(QRect(x, cell.y() + 1, int(width) - 1, HOUR_H - 2), None, len(rows) - len(shown)))

    def _layout_month_cell(self, cell: QRect, rows: list[CalendarRow]) -> None:
        room = max(1, (cell.height() - LINE_H - 2) // LINE_H)
        shown = rows if len(rows) <= room else rows[: room - 1]
        y = cell.y() + LINE_H
        for row in shown:
            self.chips.append(Chip(QRect(cell.x() + 2, y, cell.width() - 4, LINE_H - 2), row))
            y += LINE_H
        if len(rows) > len(shown):
            self.chips.append(Chip(QRect(cell.x() + 2, y, cell.width() - 4, LINE_H - 2), None, len(rows) - len(shown)))

    def _content(self, pos: QPoint) -> QPoint:
        return QPoint(pos.x(), pos.y() + self._offset() if pos.y() >= HEADER else pos.y())

    def chip_at(self, pos: QPoint) -> Chip | None:
        """The chip under a viewport position."""
        if pos.y() < HEADER:
            return None
        point = self._content(pos)
        return next((c for c in self.chips if c.rect.contains(point)), None)

    def chip_center(self, item_id: int) -> QPoint | None:
        """Where a post's chip is, in viewport coordinates (tests, keyboard)."""
        chip = next((c for c in self.chips if c.row is not None and c.row.id == item_id), None)
        return None if chip is None else chip.rect.center() - QPoint(0, self._offset())

    def time_at(self, pos: QPoint, keep: time | None = None) -> datetime | None:
        """The local wall-clock time (naive) under a viewport position: in a week, snapped to 15 minutes; in a month,
        that day at ``keep`` (the dragged post's own time of day)."""
        if pos.y() < HEADER or pos.x() < (GUTTER if self.mode == WEEK else 0):
            return None
        point = self._content(pos)
        cw = self._column_width()
        if self.mode == WEEK:
            index = min(6, int((point.x() - GUTTER) / cw))
            minutes = int((point.y() - HEADER) * 60 / HOUR_H)
            minutes = max(0, min(24 * 60 - SNAP_MINUTES, minutes // SNAP_MINUTES * SNAP_MINUTES))
            return datetime.combine(self.first + timedelta(days=index), time(minutes // 60, minutes % 60))
        col = min(6, int(point.x() / cw))
        row = min(5, int((point.y() - HEADER) / self._cell_height()))
        return datetime.combine(self.first + timedelta(days=row * 7 + col), keep or DEFAULT_DRAFT_TIME)

    # ----- painting ----------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbar()
        self.layout_chips()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        painter.fillRect(event.rect(), palette.base())
        offset = self._offset()
        exposed = event.rect().translated(0, offset)
        painter.save()
        painter.setClipRect(QRect(0, HEADER, self.viewport().width(), self.viewport().height() - HEADER))
        painter.translate(0, -offset)
        self._paint_grid(painter, exposed)
        self._paint_markers(painter, exposed)
        for chip in self.chips:
            if chip.rect.intersects(exposed):
                self._paint_chip(painter, chip)
        self._paint_drop_target(painter)
        painter.restore()
        self._paint_header(painter)
        painter.end()

    def _paint_header(self, painter: QPainter) -> None:
        painter.fillRect(QRect(0, 0, self.viewport().width(), HEADER), self.palette().window())
        painter.setPen(self.palette().text().color())
        cw = self._column_width()
        left = GUTTER if self.mode == WEEK else 0
        for n in range(7):
            day = self.first + timedelta(days=n)
            label = day.strftime("%a %d") if self.mode == WEEK else day.strftime("%a")
            font = painter.font()
            font.setBold(self.mode == WEEK and day == self.today)
            painter.setFont(font)
            rect = QRect(left + int(n * cw), 0, int(cw), HEADER)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
        font = painter.font()
        font.setBold(False)
        painter.setFont(font)

    def _paint_grid(self, painter: QPainter, exposed: QRect) -> None:
        line = QColor(self.palette().mid().color())
        line.setAlpha(90)
        text = self.palette().placeholderText().color()
        width = self.viewport().width()
        if self.mode == WEEK:
            first_hour = max(0, (exposed.top() - HEADER) // HOUR_H)
            last_hour = min(23, (exposed.bottom() - HEADER) // HOUR_H)
            today = (self.today - self.first).days
            if 0 <= today < 7:
                top, bottom = self.cell_rect(today, 0), self.cell_rect(today, 23)
                painter.fillRect(top.united(bottom), QColor(26, 115, 232, 14))
            for hour in range(first_hour, last_hour + 1):
                y = HEADER + hour * HOUR_H
                painter.setPen(QPen(line))
                painter.drawLine(GUTTER, y, width, y)
                painter.setPen(text)
                painter.drawText(QRect(0, y, GUTTER - 6, LINE_H), Qt.AlignmentFlag.AlignRight, f"{hour:02d}:00")
            painter.setPen(QPen(line))
            for n in range(8):
                x = GUTTER + int(n * self._column_width())
                painter.drawLine(x, exposed.top(), x, exposed.bottom())
            return
        for index, day in enumerate(self.days()):
            cell = self.cell_rect(index)
            if not cell.intersects(exposed):
                continue
            if day == self.today:
                painter.fillRect(cell, QColor(26, 115, 232, 20))
            painter.setPen(QPen(line))
            painter.drawRect(cell)
            in_month = day.month == (self.first + timedelta(days=15)).month
            painter.setPen(self.palette().text().color() if in_month else text)
            painter.drawText(cell.adjusted(4, 1, -4, 0), Qt.AlignmentFlag.AlignLeft, str(day.day))

    def _paint_markers(self, painter: QPainter, exposed: QRect) -> None:
        """The accounts' posting slots, faint: a dashed outline in the week, a dot in the month."""
        for account_id, moment in self.markers:
            local = _local(moment)
            index = (local.date() - self.first).days
            if not 0 <= index < len(self.days()):
                continue
            color = QColor(self.colors.get(account_id, QColor(PALETTE[-1])))
            color.setAlpha(70)
            if self.mode == WEEK:
                cell = self.cell_rect(index, local.hour)
                y = cell.y() + int(local.minute * HOUR_H / 60)
                rect = QRect(cell.x() + 2, y, cell.width() - 4, max(6, HOUR_H // 4))
                if rect.intersects(exposed):
                    painter.setPen(QPen(color, 1, Qt.PenStyle.DashLine))
                    painter.setBrush(QColor(color.red(), color.green(), color.blue(), 18))
                    painter.drawRect(rect)
            else:
                cell = self.cell_rect(index)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                painter.drawEllipse(cell.right() - 10 - (account_id % 4) * 7, cell.y() + 5, 5, 5)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _status_pixmap(self, status: str) -> QPixmap:
        if status not in self._status_pixmaps:
            self._status_pixmaps[status] = icons.status_icon(status).pixmap(14, 14)
        return self._status_pixmaps[status]

    def _paint_chip(self, painter: QPainter, chip: Chip) -> None:
        rect = chip.rect
        if chip.row is None:
            painter.setPen(self.palette().text().color())
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"+{chip.more} more")
            return
        row = chip.row
        base = QColor(self.colors.get(row.account_id, QColor(PALETTE[-1])))
        fill = QColor(base)
        fill.setAlpha(60 if row.status != ItemStatus.CANCELED.value else 25)
        painter.setPen(QPen(base.darker(130), 2 if row.id == self.selected else 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 3, 3)
        painter.fillRect(QRect(rect.x(), rect.y(), 3, rect.height()), base)
        x = rect.x() + 5
        painter.drawPixmap(x, rect.y() + 2, self._status_pixmap(row.status))
        x += 16
        thumb = self.thumbs.get(row.image_path) if row.image_path else None
        if thumb is not None and rect.height() >= 16 and rect.width() > 60:
            side = min(rect.height() - 4, 28)
            painter.drawPixmap(QRect(x, rect.y() + 2, side, side), thumb)
            x += side + 3
        painter.setPen(self.palette().text().color())
        when = row.scheduled_at
        label = (fmt.clock_time(when) + " " if when is not None else "") + " ".join(row.text.split())
        if row.series_id:
            label = "↻ " + label
        text_rect = QRect(x, rect.y(), rect.right() - x - 2, rect.height())
        elided = painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, text_rect.width())
        flags = Qt.AlignmentFlag.AlignLeft | (
            Qt.AlignmentFlag.AlignTop if rect.height() > LINE_H else Qt.AlignmentFlag.AlignVCenter
        )
        painter.drawText(text_rect, int(flags), elided)

    def _paint_drop_target(self, painter: QPainter) -> None:
        if self._drag is None:
            return
        when = self.time_at(self._drag[1])
        if when is None:
            return
        index = (when.date() - self.first).days
        cell = self.cell_rect(index, when.hour)
        if self.mode == WEEK:
            cell = QRect(cell.x(), cell.y() + int(when.minute * HOUR_H / 60), cell.width(), HOUR_H // 2)
        painter.setPen(QPen(QColor("#1a73e8"), 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(cell.adjusted(1, 1, -1, -1))

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
