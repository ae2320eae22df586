"""The Insights tab's top-posts table model: thumbnail, date, text, each metric (states as words), permalink."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QImageReader, QPixmap

from autoposter_gui.domain.insights import STATE_WORDS, InsightsState

if TYPE_CHECKING:
    from autoposter_gui.engine.insights import InsightsRow

THUMB = 40
SortRole = int(Qt.ItemDataRole.UserRole) + 20
PermalinkRole = int(Qt.ItemDataRole.UserRole) + 21
Index = QModelIndex | QPersistentModelIndex
LINK_TEXT = "View Post →"
METRIC_TITLES = {
    "reach": "Reach",
    "views": "Views",
    "likes": "Likes",
    "reactions": "Reactions",
    "comments": "Comments",
    "saved": "Saves",
    "shares": "Shares",
    "clicks": "Clicks",
    "total_interactions": "Interactions",
}
FIXED = ("", "Date", "Post")  # thumbnail, date, text; then one column per metric, then the link


class TopPostsModel(QAbstractTableModel):
    """Rows as the engine gives them; a metric cell of a post without numbers shows its state in words."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[InsightsRow] = []
        self.metrics: list[str] = []
        self._thumbs: dict[str, QPixmap | None] = {}
        self._sorted_by: tuple[int, Qt.SortOrder] = (1, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: Sequence[InsightsRow], metrics: Sequence[str]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.metrics = list(metrics)
        self._sort_rows()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here, in one Python sort (a proxy model would call ``data()`` thousands of times)."""
        self._sorted_by = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._sort_rows()
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        column, order = self._sorted_by
        self.rows.sort(key=lambda row: self._sort_key(row, column), reverse=order == Qt.SortOrder.DescendingOrder)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIXED) + len(self.metrics) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.header(section)

    def header(self, column: int) -> str:
        if column < len(FIXED):
            return FIXED[column]
        metric = self.metric_of(column)
        return METRIC_TITLES.get(metric, metric) if metric else "Link"

    def metric_of(self, column: int) -> str | None:
        index = column - len(FIXED)
        return self.metrics[index] if 0 <= index < len(self.metrics) else None

    def text(self, row: InsightsRow, column: int) -> str:
        """What a cell shows (the CSV export and the tests read the same)."""
        if column == 1:
            return row.published_at.astimezone().strftime("%a %d %b %Y %H:%M")
        if column == 2:
            return " ".join(row.text.split())[:120]
        metric = self.metric_of(column)
        if metric is not None:
            if row.state is not InsightsState.OK:
                return STATE_WORDS[row.state]
            value = row.metrics.get(metric)
            return "—" if value is None else f"{value:,}"
        if column == self.columnCount() - 1:
            return LINK_TEXT if row.permalink else ""
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == SortRole:
            return self._sort_key(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self._thumb(row.image_path)
        if role == Qt.ItemDataRole.SizeHintRole and column == 0:
            return QSize(THUMB + 8, THUMB + 6)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return row.text
        if role == Qt.ItemDataRole.ForegroundRole and self.metric_of(column) and row.state is not InsightsState.OK:
            return QColor("#80868b")
        if role == Qt.ItemDataRole.TextAlignmentRole and self.metric_of(column):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == PermalinkRole:
            return QUrl(row.permalink) if row.permalink else None
        return None

    def _sort_key(self, row: InsightsRow, column: int) -> Any:
        if column in (0, 1):
            return row.published_at.timestamp()
        if column == 2:
            return row.text.lower()
        metric = self.metric_of(column)
        if metric is not None:  # a state sorts below every number (it is not 0)
            value = row.metrics.get(metric) if row.state is InsightsState.OK else None
            return -1 if value is None else value
        return row.permalink or ""

    def _thumb(self, path: str | None) -> QPixmap | None:
        """A small picture of the post's first image, read (scaled while decoding) when first shown."""
        if not path:
            return None
        if path not in self._thumbs:
            reader = QImageReader(path)
            size = reader.size()
            if size.isValid() and size.width() > 0 and size.height() > 0:
                reader.setScaledSize(size.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio))
            image = reader.read()
            self._thumbs[path] = None if image.isNull() else QPixmap.fromImage(image)
        return self._thumbs[path]
