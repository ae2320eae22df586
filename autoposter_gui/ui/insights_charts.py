"""The Insights tab's line charts (Qt's own QtCharts): reach and views, and engagement, by day of publishing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from autoposter_gui.engine.insights_view import DayPoint, day_start

SERIES_COLORS = ("#1a73e8", "#12b5cb", "#e37400")


class LineChart(QChartView):
    """One chart of daily sums; ``set_points`` redraws it, ``save_png`` writes what is shown."""

    def __init__(self, title: str, names: Sequence[str], parent: QWidget | None = None) -> None:
        self.chart_ = QChart()
        super().__init__(self.chart_, parent)
        self.names = list(names)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(190)
        chart = self.chart_
        chart.setTitle(title)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.x_axis = QDateTimeAxis()
        self.x_axis.setFormat("d MMM")
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%d")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series: list[QLineSeries] = []
        for name, color in zip(self.names, SERIES_COLORS, strict=False):
            series = QLineSeries()
            series.setName(name)
            series.setPointsVisible(True)
            series.setPen(QPen(QColor(color), 2))
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
            self.series.append(series)

    def set_points(self, days: Sequence[DayPoint], fields: Sequence[str]) -> None:
        """One point per day for each series: the DayPoint field named in ``fields`` (same order as the names)."""
        top = 0
        for series, name in zip(self.series, fields, strict=True):
            series.clear()
            for point in days:
                value = int(getattr(point, name))
                top = max(top, value)
                series.append(float(_ms(point.day)), float(value))
        if days:
            first = QDateTime.fromMSecsSinceEpoch(_ms(days[0].day))
            last = QDateTime.fromMSecsSinceEpoch(_ms(days[-1].day))
            if first == last:
                first, last = first.addDays(-1), last.addDays(1)
            self.x_axis.setRange(first, last)
        self.y_axis.setRange(0, max(10, int(top * 1.1) + 1))
        self.y_axis.applyNiceNumbers()

    def point_counts(self) -> list[int]:
        return [s.count() for s in self.series]

    def save_png(self, path: Path) -> bool:
        return bool(self.grab().save(str(path), "PNG"))


def _ms(day: date) -> int:
    return int(day_start(day).timestamp() * 1000)
