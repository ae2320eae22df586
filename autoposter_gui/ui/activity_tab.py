"""The Activity tab: every delivery attempt, newest first, with a "View Post →" link to published posts."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.ui import icons
from autoposter_gui.ui.activity_model import ActivityColumn, ActivityTableModel
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.widgets import EmptyState, read_only_table, secondary

COLUMN_WIDTHS = {
    ActivityColumn.TIME: 130,
    ActivityColumn.ACCOUNT: 160,
    ActivityColumn.POST: 230,
    ActivityColumn.OUTCOME: 150,
    ActivityColumn.DETAILS: 260,  # errors are long: elided here, whole in the tooltip (narrower in a small window)
    ActivityColumn.LINK: 110,
}


class ActivityTab(QWidget):
    link_opened = Signal(QUrl)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = ActivityTableModel(lambda: controller.reads, controller.now, self)

        self.view = read_only_table(self, self.model, COLUMN_WIDTHS)
        self.view.setWordWrap(False)
        self.view.setMouseTracking(True)
        # The post's text takes the room that is left (Details holds a short note for most rows).
        self.view.horizontalHeader().setSectionResizeMode(ActivityColumn.POST, QHeaderView.ResizeMode.Stretch)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.viewport().installEventFilter(self)

        self.empty = EmptyState(
            "activity",
            "No activity yet",
            "Each time Autoposter publishes a post, or tries to, it is recorded here with a link to the post.",
            self,
        )

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        self.summary = QLabel(self)
        self.summary.setStyleSheet(f"color: {icons.INK};")
        top = QHBoxLayout()
        top.addWidget(secondary("Every delivery attempt, newest first.", self), 1)
        top.addWidget(self.summary)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        self.view.clicked.connect(self._clicked)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.installEventFilter(self)
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._update_state)
        controller.bridge.attempts_recorded.connect(self.model.refresh_attempts)  # batched: one query a burst
        controller.bridge.items_changed.connect(self.model.refresh_items)
        controller.bridge.account_changed.connect(self._accounts_changed)
        controller.bridge.notice.connect(self._engine_notice)
        if controller.ready:
            self._use_insights(refresh=False)
        else:  # the quick start: the insights' numbers are read once the engine is open
            controller.engine_ready.connect(self._use_insights)
        self.model.reload()

    @Slot()
    def _use_insights(self, refresh: bool = True) -> None:
        """Show each post's metric summary ("412 reached · 37 likes"): the engine's insights, once it is open."""
        from autoposter_gui.engine.insights_view import InsightsView  # the engine's insights: loaded with it

        self.model.summaries_source = InsightsView(self.controller.ctx).summaries
        if refresh:
            self.model.refresh_summaries()

    @Slot(str, dict)
    def _engine_notice(self, kind: str, payload: dict[str, object]) -> None:
        if kind == "insights" and not payload.get("running"):
            self.model.refresh_summaries()

    @Slot()
    def _update_state(self) -> None:
        rows = self.model.rowCount()
        self.stack.setCurrentWidget(self.view if rows else self.empty)
        more = "+" if self.model.canFetchMore() else ""
        self.summary.setText(f"{rows:,}{more} attempt{'s' if rows != 1 or more else ''}" if rows else "")

    @Slot(int)
    def _accounts_changed(self, _account_id: int) -> None:
        self.model.reload_accounts()

    def open_link(self, row: int) -> bool:
        url = self.model.permalink(row)
        if url is None:
            return False
        QDesktopServices.openUrl(url)
        self.link_opened.emit(url)
        return True

    @Slot(QModelIndex)
    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == ActivityColumn.LINK:
            self.open_link(index.row())

    @Slot(QModelIndex)
    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() != ActivityColumn.LINK:  # a click on the link itself already opened it
            self.open_link(index.row())

    def _fit_columns(self) -> None:
        """The post's text stretches; Details gives up to half the spare width to it when the window is small."""
        header = self.view.horizontalHeader()
        fixed = sum(
            header.sectionSize(c) for c in ActivityColumn if c not in (ActivityColumn.POST, ActivityColumn.DETAILS)
        )
        spare = self.view.viewport().width() - fixed
        header.resizeSection(ActivityColumn.DETAILS, max(120, min(COLUMN_WIDTHS[ActivityColumn.DETAILS], spare // 2)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A pointing hand over "View Post →" links, like a browser; Enter opens the selected row's post; columns fit
        the width."""
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.view.currentIndex().isValid():
                self.open_link(self.view.currentIndex().row())
                return True
        if watched is self.view.viewport() and event.type() == QEvent.Type.MouseMove:
            assert isinstance(event, QMouseEvent)
            index = self.view.indexAt(event.position().toPoint())
            on_link = (
                index.isValid() and index.column() == ActivityColumn.LINK and bool(self.model.permalink(index.row()))
            )
            shape = Qt.CursorShape.PointingHandCursor if on_link else Qt.CursorShape.ArrowCursor
            self.view.viewport().setCursor(shape)
        return super().eventFilter(watched, event)
