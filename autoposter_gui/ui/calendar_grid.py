"""The calendar's grid: the week or month laid out, chips in their time slots, painted (only what is exposed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QMimeData, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from autoposter_gui.domain.handoff import HELD
from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.engine.calendar import CalendarRow
from autoposter_gui.ui import fmt, icons

WEEK, MONTH = "week", "month"
ITEM_MIME = "application/x-autoposter-item-id"
GUTTER, HEADER, HOUR_H, LINE_H = 48, 26, 44, 18
MAX_SIDE_BY_SIDE = 4  # chips in one hour of one day, side by side; more become "+N"
SNAP_MINUTES = 15
PALETTE = ("#1a73e8", "#e8710a", "#188038", "#9334e6", "#d01884", "#12b5cb", "#b06000", "#5f6368")
DEFAULT_DRAFT_TIME = time(9, 0)  # a draft dropped on a month day goes out at 09:00 that day
_STATUS_PIXMAPS: dict[str, QPixmap] = {}  # the status icons at chip size, drawn once per run


class Chip:
    """One painted box: a post (``row``) or an overflow box of ``more`` posts; ``rect`` in content coordinates."""

    __slots__ = ("elided", "label", "more", "rect", "row")

    def __init__(self, rect: QRect, row: CalendarRow | None, more: int = 0, label: str = "") -> None:
        self.rect, self.row, self.more, self.label = rect, row, more, label
        self.elided: tuple[int, str] | None = None  # (width, text): elided once, painted many times


def item_mime(item_id: int) -> QMimeData:
    data = QMimeData()
    data.setData(ITEM_MIME, str(item_id).encode())
    return data


def _local(moment: datetime) -> datetime:
    return moment.astimezone(fmt.zone()[0]).replace(tzinfo=None)


class CalendarGrid(QAbstractScrollArea):
    """The rows of the visible range laid out as chips and painted: only what is exposed is drawn (the tab reads just
    the visible range from the engine)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = WEEK
        self.first: date = date.today()
        self.today: date = date.today()
        self.rows: list[CalendarRow] = []
        self.markers: list[tuple[int, datetime]] = []
        self._colors: dict[int, QColor] = {}
        self.labels: dict[int, str] = {}
        self.selected: int | None = None
        self.series_note: Callable[[int, str | None], str | None] = lambda _id, _series: None
        self.chips: list[Chip] = []
        self._times: dict[int, datetime] = {}  # each row's local wall-clock time (naive), computed once
        self._marks: list[tuple[int, datetime]] = []  # the slot markers' accounts and local times
        self._clock_labels: dict[tuple[int, int], str] = {}
        self._laid_out = QSize()
        self._styles: dict[tuple[int, bool, bool], tuple[QPen, QColor, QColor]] = {}  # per account: pen, fill, stripe
        self.thumbs: dict[str, QPixmap] = {}
        self._press: tuple[int, QPoint] | None = None
        self._drag: tuple[int, QPoint] | None = None  # the item dragged and where the pointer is
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.viewport().setAcceptDrops(True)
        self.setAcceptDrops(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalScrollBar().setSingleStep(HOUR_H // 2)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)

    @property
    def colors(self) -> dict[int, QColor]:
        """Each account's colour (by account id)."""
        return self._colors

    @colors.setter
    def colors(self, colors: dict[int, QColor]) -> None:
        self._colors = colors
        self._styles.clear()

    # ----- what is shown -----------------------------------------------------------------------------
    @property
    def day_count(self) -> int:
        return 7 if self.mode == WEEK else 42

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.day_count)]

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
        self._times = {r.id: _local(r.scheduled_at) for r in self.rows if r.scheduled_at is not None}
        self._marks = [(account_id, _local(moment)) for account_id, moment in self.markers]
        self.layout_chips()
        self.viewport().update()

    def place(self, row: CalendarRow) -> None:
        """One post moved (or a draft scheduled): put it at its new time at once and repaint just the cells it left
        and entered (the tab reads the whole range again a moment later)."""
        old = self._cell_of(row.id)
        self.rows = [r for r in self.rows if r.id != row.id]
        if row.scheduled_at is not None:
            self._times[row.id] = _local(row.scheduled_at)
            self.rows.append(row)
            self.rows.sort(key=lambda r: (self._times.get(r.id, datetime.min), r.id))
        self.layout_chips()
        new = self._cell_of(row.id)
        dirty = (old or QRect()).united(new or QRect())
        if not dirty.isEmpty():
            offset = self._offset()
            self.viewport().repaint(dirty.translated(0, -offset).adjusted(-2, -2, 2, 2))

    def _cell_of(self, item_id: int) -> QRect | None:
        local = self._times.get(item_id)
        if local is None:
            return None
        index = (local.date() - self.first).days
        if not 0 <= index < self.day_count:
            return None
        return self.cell_rect(index, local.hour if self.mode == WEEK else 0)

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
        self._laid_out = self.viewport().size()
        groups: dict[tuple[int, int], list[CalendarRow]] = {}
        count = self.day_count
        for row in self.rows:
            local = self._times.get(row.id)
            if local is None:
                continue
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
        shown = rows if len(rows) <= MAX_SIDE_BY_SIDE else self._keep_selected(rows, MAX_SIDE_BY_SIDE - 1)
        boxes = len(shown) + (len(rows) > len(shown))
        width = (cell.width() - 2) / boxes
        for n, row in enumerate(shown):
            rect = QRect(cell.x() + 1 + int(n * width), cell.y() + 1, int(width) - 1, HOUR_H - 2)
            self.chips.append(Chip(rect, row, 0, self._label(row)))
        if len(rows) > len(shown):
            x = cell.x() + 1 + int(len(shown) * width)
            self.chips.append(Chip(QRect(x, cell.y() + 1, int(width) - 1, HOUR_H - 2), None, len(rows) - len(shown)))

    def _layout_month_cell(self, cell: QRect, rows: list[CalendarRow]) -> None:
        room = max(1, (cell.height() - LINE_H - 2) // LINE_H)
        shown = rows if len(rows) <= room else self._keep_selected(rows, room - 1)
        y = cell.y() + LINE_H
        for row in shown:
            self.chips.append(Chip(QRect(cell.x() + 2, y, cell.width() - 4, LINE_H - 2), row, 0, self._label(row)))
            y += LINE_H
        if len(rows) > len(shown):
            self.chips.append(Chip(QRect(cell.x() + 2, y, cell.width() - 4, LINE_H - 2), None, len(rows) - len(shown)))

    def _keep_selected(self, rows: list[CalendarRow], room: int) -> list[CalendarRow]:
        """The first ``room`` rows of a crowded cell, the selected post (the one just dropped) always among them."""
        shown = rows[:room]
        if room > 0 and self.selected is not None and all(r.id != self.selected for r in shown):
            chosen = next((r for r in rows if r.id == self.selected), None)
            if chosen is not None:
                shown = sorted([*shown[: room - 1], chosen], key=lambda r: (self._times.get(r.id, datetime.min), r.id))
        return shown

    def _label(self, row: CalendarRow) -> str:
        """ "↻ 09:30 Fresh bread…": the series mark, the local time (the locale's format) and the text on one line;
        "Ⓜ" marks a post held by Meta's scheduler (it goes out with this computer off)."""
        local = self._times[row.id]
        key = (local.hour, local.minute)
        clock = self._clock_labels.get(key)
        if clock is None:
            clock = self._clock_labels[key] = fmt.clock_time(local.replace(tzinfo=fmt.zone()[0]))
        text = " ".join(row.text[:120].split())
        held = "Ⓜ " if row.handoff == HELD else ""
        return held + ("↻ " if row.series_id else "") + clock + " " + text

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
        if self.viewport().size() != self._laid_out:  # the first show after a resize() needs no second layout
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
        text_pen = self.palette().text().color()
        for chip in self.chips:
            if chip.rect.intersects(exposed):
                self._paint_chip(painter, chip, text_pen)
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
        for account_id, local in self._marks:
            index = (local.date() - self.first).days
            if not 0 <= index < self.day_count:
                continue
            cell = self.cell_rect(index, local.hour if self.mode == WEEK else 0)
            if not cell.intersects(exposed):
                continue
            color = QColor(self._colors.get(account_id, QColor(PALETTE[-1])))
            color.setAlpha(70)
            if self.mode == WEEK:
                y = cell.y() + int(local.minute * HOUR_H / 60)
                rect = QRect(cell.x() + 2, y, cell.width() - 4, max(6, HOUR_H // 4))
                painter.setPen(QPen(color, 1, Qt.PenStyle.DashLine))
                painter.setBrush(QColor(color.red(), color.green(), color.blue(), 18))
                painter.drawRect(rect)
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                painter.drawEllipse(cell.right() - 10 - (account_id % 4) * 7, cell.y() + 5, 5, 5)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _status_pixmap(self, status: str) -> QPixmap:
        if status not in _STATUS_PIXMAPS:
            _STATUS_PIXMAPS[status] = icons.status_icon(status).pixmap(14, 14)
        return _STATUS_PIXMAPS[status]

    def _style(self, account_id: int, selected: bool, faint: bool) -> tuple[QPen, QColor, QColor]:
        key = (account_id, selected, faint)
        style = self._styles.get(key)
        if style is None:
            base = QColor(self._colors.get(account_id, QColor(PALETTE[-1])))
            fill = QColor(base)
            fill.setAlpha(25 if faint else 60)
            style = self._styles[key] = (QPen(base.darker(130), 2 if selected else 1), fill, base)
        return style

    def _paint_chip(self, painter: QPainter, chip: Chip, text_pen: QColor) -> None:
        rect = chip.rect
        if chip.row is None:
            painter.setPen(self.palette().text().color())
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"+{chip.more} more")
            return
        row = chip.row
        pen, fill, base = self._style(row.account_id, row.id == self.selected, row.status == ItemStatus.CANCELED.value)
        painter.setPen(pen)
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
        painter.setPen(text_pen)
        text_rect = QRect(x, rect.y(), rect.right() - x - 2, rect.height())
        if chip.elided is None or chip.elided[0] != text_rect.width():
            width = text_rect.width()
            chip.elided = (width, painter.fontMetrics().elidedText(chip.label, Qt.TextElideMode.ElideRight, width))
        elided = chip.elided[1]
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
