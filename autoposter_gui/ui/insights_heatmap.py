"""The best-time heatmap: weekday × hour, median engagement per slot, with the number of posts behind each cell."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from autoposter_gui.domain.insights import HeatCell

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEFT, TOP = 40, 18


class Heatmap(QWidget):
    """7 rows × 24 columns; darker is better. A cell with posts shows how many; an empty cell stays blank."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid: list[list[HeatCell]] = []
        self.best: set[tuple[int, int]] = set()
        self.setMinimumHeight(7 * 18 + TOP + 4)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(LEFT + 24 * 28, TOP + 7 * 24 + 4)

    def set_grid(self, grid: list[list[HeatCell]], best: set[tuple[int, int]]) -> None:
        self.grid = grid
        self.best = best
        self.setToolTip("")
        self.update()

    def cell_rect(self, weekday: int, hour: int) -> QRectF:
        w = max(8.0, (self.width() - LEFT - 2) / 24)
        h = max(10.0, (self.height() - TOP - 2) / 7)
        return QRectF(LEFT + hour * w, TOP + weekday * h, w - 1, h - 1)

    def cell_at(self, point: QPointF) -> HeatCell | None:
        for row in self.grid:
            for cell in row:
                if self.cell_rect(cell.weekday, cell.hour).contains(point):
                    return cell
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, small.pointSizeF() * 0.75))
        p.setFont(small)
        p.setPen(text)
        for hour in range(0, 24, 3):
            r = self.cell_rect(0, hour)
            p.drawText(QRectF(r.left(), 0, r.width() * 3, TOP - 2), Qt.AlignmentFlag.AlignLeft, f"{hour:02d}h")
        for day, name in enumerate(DAYS):
            r = self.cell_rect(day, 0)
            p.drawText(QRectF(0, r.top(), LEFT - 6, r.height()), Qt.AlignmentFlag.AlignVCenter, name)
        top = max((c.median or 0.0 for row in self.grid for c in row), default=0.0) or 1.0
        for row in self.grid:
            for cell in row:
                r = self.cell_rect(cell.weekday, cell.hour)
                if cell.median is None:
                    p.fillRect(r, QColor(128, 128, 128, 28))
                    continue
                strength = 0.15 + 0.85 * (cell.median / top)
                p.fillRect(r, QColor(26, 115, 232, int(255 * strength)))
                if (cell.weekday, cell.hour) in self.best:
                    p.setPen(QColor("#e37400"))
                    p.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5))
                p.setPen(QColor("white") if strength > 0.55 else text)
                p.drawText(r, Qt.AlignmentFlag.AlignCenter, str(cell.posts))
        p.end()

    def event(self, e: object) -> bool:
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QHelpEvent
        from PySide6.QtWidgets import QToolTip

        if isinstance(e, QHelpEvent) and e.type() == QEvent.Type.ToolTip:
            cell = self.cell_at(QPointF(e.pos()))
            if cell is not None and cell.median is not None:
                word = "post" if cell.posts == 1 else "posts"
                QToolTip.showText(
                    e.globalPos(),
                    f"{DAYS[cell.weekday]} {cell.hour:02d}:00 — median engagement {cell.median:g} "
                    f"({cell.posts} {word})",
                    self,
                )
            else:
                QToolTip.hideText()
            return True
        return super().event(e)  # type: ignore[arg-type]
