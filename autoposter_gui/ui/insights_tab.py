"""The Insights tab: per account and period, charts of reach and engagement, top posts, and the best time to post."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.insights import PERIODS, STATE_WORDS, InsightsState
from autoposter_gui.engine.events import INSIGHTS_NOTICE
from autoposter_gui.ui.controller import AppController

if TYPE_CHECKING:
    from autoposter_gui.engine.insights import RefreshStats
    from autoposter_gui.engine.insights_view import InsightsData, InsightsView
    from autoposter_gui.ui.insights_charts import LineChart
from autoposter_gui.ui.insights_heatmap import Heatmap
from autoposter_gui.ui.insights_model import PermalinkRole, TopPostsModel
from autoposter_gui.ui.widgets import EmptyState, read_only_table, secondary

log = logging.getLogger(__name__)
ALL_ACCOUNTS = -1
DEFAULT_PERIOD = "Last 28 days"


class InsightsTab(QWidget):
    """Reads the store only; Refresh fetches from Meta on a background thread (progress in the status bar)."""

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._view_model: InsightsView | None = None  # made once the engine is open (see ``view_model``)
        self.data: InsightsData | None = None
        self.refreshing = False
        self._loaded_once = False

        self.account = QComboBox(self)
        self.period = QComboBox(self)
        self.period.addItems(list(PERIODS))
        self.period.setCurrentText(DEFAULT_PERIOD)
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.setToolTip("Fetch the latest numbers from Meta (each post at most once an hour)")
        self.export_button = QPushButton("Export CSV…", self)
        self.chart_button = QPushButton("Save Chart as PNG…", self)
        self.totals = QLabel(self)
        top = QHBoxLayout()
        for label, widget in (("Account", self.account), ("Period", self.period)):
            top.addWidget(QLabel(label, self))
            top.addWidget(widget)
        top.addWidget(self.totals, 1)
        for button in (self.refresh_button, self.export_button, self.chart_button):
            top.addWidget(button)

        # The charts (QtCharts, a large module) are made when the tab is first shown: start-up never loads them.
        self.reach_chart: LineChart | None = None
        self.engagement_chart: LineChart | None = None
        charts = QWidget(self)
        self._charts_row = QHBoxLayout(charts)
        self._charts_row.setContentsMargins(0, 0, 0, 0)

        self.model = TopPostsModel(self)
        self.table = read_only_table(self, self.model, {0: 52, 1: 150, 2: 260})
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().setDefaultSectionSize(46)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._open_link)
        self.table.clicked.connect(self._clicked)

        self.heatmap = Heatmap(self)
        self.best_label = secondary("", self)
        self.slots_button = QPushButton("Add the Best Times as Posting Slots…", self)
        box = QGroupBox("Best time to post (median engagement; the number is how many posts)", self)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.heatmap, 1)
        best_row = QHBoxLayout()
        best_row.addWidget(self.best_label, 1)
        best_row.addWidget(self.slots_button)
        box_layout.addLayout(best_row)

        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.table)
        lower.addWidget(box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setSizes([620, 480])
        self.content = QSplitter(Qt.Orientation.Vertical, self)
        self.content.addWidget(charts)
        self.content.addWidget(lower)
        self.content.setStretchFactor(0, 2)
        self.content.setStretchFactor(1, 3)
        self.content.setSizes([260, 380])

        self.empty = EmptyState(
            "insights",
            "No published posts yet",
            "About an hour after a post goes out, its reach, views, likes and comments appear here, "
            "then again after a day, a week and four weeks.",
            self,
        )
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        self.account.currentIndexChanged.connect(self.reload)
        self.period.currentIndexChanged.connect(self.reload)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self._export_clicked)
        self.chart_button.clicked.connect(self._chart_clicked)
        self.slots_button.clicked.connect(self.add_best_slots)
        controller.bridge.notice.connect(self._engine_notice)
        controller.bridge.account_changed.connect(self._accounts_changed)
        controller.engine_ready.connect(self._engine_ready)  # the quick start: read once the engine is open

    @property
    def view_model(self) -> InsightsView:
        """What the tab reads, through the engine: made when first needed (the first window has no engine yet)."""
        if self._view_model is None:
            from autoposter_gui.engine.insights_view import InsightsView  # the engine's insights: loaded with it

            self._view_model = InsightsView(self.controller.ctx)
        return self._view_model

    @Slot()
    def _engine_ready(self) -> None:
        if self.isVisible() and not self._loaded_once:
            self._fill_accounts()
            self.reload()

    # ----- loading (the store only) ---------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_charts()
        if not self._loaded_once and self.controller.ready:
            self._fill_accounts()
            self.reload()

    def ensure_charts(self) -> tuple[LineChart, LineChart]:
        if self.reach_chart is None or self.engagement_chart is None:
            from autoposter_gui.ui import insights_charts

            chart = insights_charts.LineChart
            self.reach_chart = chart("Reach and views", ("Reach", "Views"), self)
            self.engagement_chart = chart("Engagement (likes, comments, saves, shares)", ("Engagement",), self)
            self._charts_row.addWidget(self.reach_chart, 1)
            self._charts_row.addWidget(self.engagement_chart, 1)
            if self.data is not None:
                self._draw_charts(self.data)
        return self.reach_chart, self.engagement_chart

    def _draw_charts(self, data: InsightsData) -> None:
        if self.reach_chart is not None and self.engagement_chart is not None:
            self.reach_chart.set_points(data.days, ("reach", "views"))
            self.engagement_chart.set_points(data.days, ("engagement",))

    def _fill_accounts(self) -> None:
        current = self.account.currentData()
        self.account.blockSignals(True)
        self.account.clear()
        self.account.addItem("All accounts", ALL_ACCOUNTS)
        for account_id, label in self.view_model.accounts():
            self.account.addItem(label, account_id)
        index = self.account.findData(current) if current is not None else 0
        self.account.setCurrentIndex(max(0, index))
        self.account.blockSignals(False)

    @Slot(int)
    def _accounts_changed(self, _account_id: int) -> None:
        if self._loaded_once:
            self._fill_accounts()

    def selected_account(self) -> int | None:
        value = self.account.currentData()
        return None if value in (None, ALL_ACCOUNTS) else int(value)

    @Slot()
    def reload(self) -> None:
        self._loaded_once = True
        self.apply(self.view_model.load(self.selected_account(), PERIODS[self.period.currentText()]))

    def apply(self, data: InsightsData) -> None:
        """Show loaded data (the GUI thread's part: models, charts, heatmap)."""
        self.data = data
        self.model.set_rows(data.rows, data.metrics)
        self._draw_charts(data)
        best = self.view_model.best_slots(data)
        self.heatmap.set_grid(data.grid, {(s.weekday, s.minute // 60) for s in best})
        self.best_label.setText(
            "Best so far: " + ", ".join(s.label.title() for s in best) if best else "No numbers yet to compare."
        )
        self.slots_button.setEnabled(bool(best) and self.selected_account() is not None)
        self.slots_button.setToolTip("" if self.selected_account() is not None else "Choose one account first")
        self.export_button.setEnabled(bool(data.rows))
        self.totals.setText(self._totals_text(data))
        self.stack.setCurrentWidget(self.content if data.rows else self.empty)

    @staticmethod
    def _totals_text(data: InsightsData) -> str:
        counts: dict[InsightsState, int] = {}
        for row in data.rows:
            counts[row.state] = counts.get(row.state, 0) + 1
        parts = [f"{len(data.rows)} posts"]
        parts += [f"{n} {STATE_WORDS[s]}" for s, n in counts.items() if s is not InsightsState.OK]
        return "  ·  ".join(parts)

    # ----- refresh (background) -------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        if self.refreshing:
            return
        self.refreshing = True
        self.refresh_button.setEnabled(False)
        self.controller.notice.emit("Refreshing insights…")
        view, account, days = self.view_model, self.selected_account(), PERIODS[self.period.currentText()]
        # Fetched and read on a worker thread: the GUI thread only shows the result.
        self.controller.tasks.submit(
            lambda: view.refresh_and_load(account, days), self._refreshed, self._refresh_failed
        )

    def _refreshed(self, result: tuple[RefreshStats, InsightsData]) -> None:
        stats, data = result
        self.refreshing = False
        self.refresh_button.setEnabled(True)
        text = f"Insights refreshed: {stats.asked} posts" if stats.asked else "Insights are up to date (at most hourly)"
        self.controller.notice.emit(text)
        self.apply(data)

    def _refresh_failed(self, exc: BaseException) -> None:
        self.refreshing = False
        self.refresh_button.setEnabled(True)
        message = str(exc) if isinstance(exc, AutoposterError) else "see the log"
        self.controller.notice.emit(f"Could not refresh insights: {message}")

    @Slot(str, dict)
    def _engine_notice(self, kind: str, payload: dict[str, object]) -> None:
        if kind != INSIGHTS_NOTICE:
            return
        if payload.get("running"):
            self.controller.notice.emit(f"Refreshing insights… {payload.get('done', 0)} of {payload.get('total', 0)}")
        elif self._loaded_once and not self.refreshing:  # the scheduler's tick took snapshots
            self.reload()

    # ----- actions --------------------------------------------------------------------------------
    def export_to(self, path: Path) -> int:
        from autoposter_gui.engine.insights_view import InsightsData, export_csv

        data = self.data or InsightsData([])
        return export_csv(self.model.rows, data.metrics, path)  # in the table's order

    def _export_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export Insights", "insights.csv", "CSV files (*.csv)")
        if name:
            try:
                count = self.export_to(Path(name))
            except OSError as exc:
                QMessageBox.warning(self, "Export Insights", f"Could not write {name}: {exc.strerror}")
                return
            self.controller.notice.emit(f"Exported {count} posts to {name}")

    def _chart_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save Chart", "reach.png", "PNG images (*.png)")
        if name:
            ok = self.ensure_charts()[0].save_png(Path(name))
            self.controller.notice.emit(f"Chart saved to {name}" if ok else f"Could not save the chart to {name}")

    @Slot()
    def add_best_slots(self) -> list[str]:
        account = self.selected_account()
        if account is None or self.data is None:
            return []
        best = self.view_model.best_slots(self.data)
        if not best:
            return []
        shown = ", ".join(s.label.title() for s in best)
        answer = QMessageBox.question(
            self,
            "Add Posting Slots",
            f"Add {shown} to {self.account.currentText()}'s weekly posting slots? The slots it has stay.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return []
        labels = self.view_model.add_slots(account, best)
        self.controller.notice.emit("Posting slots: " + ", ".join(labels))
        return labels

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == self.model.columnCount() - 1:
            self._open_link(index)

    def _open_link(self, index: QModelIndex) -> None:
        url = self.model.data(index, PermalinkRole)
        if isinstance(url, QUrl) and url.isValid():
            QDesktopServices.openUrl(url)
