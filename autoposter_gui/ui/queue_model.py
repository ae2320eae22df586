"""The Queue table model: windowed SQL paging (fast at 100k rows), sorted and filtered in the database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFont

from autoposter_gui.domain.handoff import handoff_mark
from autoposter_gui.domain.models import CommentStatus, ItemStatus
from autoposter_gui.engine.reads import UPCOMING_SORT, Reads, upcoming_before
from autoposter_gui.engine.views import AccountView, QueueRow
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.rich_labels import comment_label, media_label, with_media

PAGE_SIZE = 64  # a first screen and some: each page is one lean query
ItemIdRole = int(Qt.ItemDataRole.UserRole) + 1
StatusRole = int(Qt.ItemDataRole.UserRole) + 2
Index = QModelIndex | QPersistentModelIndex


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)


class QueueColumn(IntEnum):
    STATUS = 0
    ACCOUNT = 1
    POST = 2
    SCHEDULED = 3
    ATTEMPTS = 4
    NEXT_ATTEMPT = 5
    ERROR = 6
    COMMENT = 7  # a rich post's first comment (after the older columns, so that saved sort choices stay right)


_COLUMNS = tuple(QueueColumn)  # by index: QueueColumn(n) costs an enum lookup per cell

HEADERS = {
    QueueColumn.STATUS: "Status",
    QueueColumn.ACCOUNT: "Account",
    QueueColumn.POST: "Post",
    QueueColumn.SCHEDULED: "Scheduled",
    QueueColumn.ATTEMPTS: "Attempts",
    QueueColumn.NEXT_ATTEMPT: "Next attempt",
    QueueColumn.ERROR: "Last error",
    QueueColumn.COMMENT: "First comment",
}

SORT_KEYS = {
    QueueColumn.STATUS: "status",
    QueueColumn.ACCOUNT: "account",
    QueueColumn.POST: "text",
    QueueColumn.SCHEDULED: "scheduled_at",
    QueueColumn.ATTEMPTS: "attempt_count",
    QueueColumn.NEXT_ATTEMPT: "next_attempt_at",
    QueueColumn.ERROR: "error_message",
    QueueColumn.COMMENT: "comment_status",
}

SERIES_MARK = "↻ "  # a post of a repeated series (its tooltip: "2 of 6 in a weekly series")
EDITABLE = frozenset(
    {ItemStatus.DRAFT.value, ItemStatus.SCHEDULED.value, ItemStatus.FAILED.value, ItemStatus.CANCELED.value}
    | {ItemStatus.MISSED.value}
)


class QueueTableModel(QAbstractTableModel):
    """Loads rows a page at a time (``canFetchMore``/``fetchMore``); re-queries single rows by id when they change."""

    def __init__(
        self,
        reads: Callable[[], Reads],
        now: Callable[[], datetime],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reads = reads
        self._now = now
        self._rows: list[QueueRow] = []
        self._row_of: dict[int, int] = {}
        self._total = 0
        self._statuses: tuple[ItemStatus, ...] | None = None
        self._sort_key = UPCOMING_SORT  # the default: what is still to go out first, soonest first
        self._descending = True
        self._accounts: dict[int, AccountView] = {}
        self._accounts_loaded = False  # kept between reloads; account_changed (reload_accounts) refreshes it
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(250)
        self._reload_timer.timeout.connect(self.reload)
        roles = Qt.ItemDataRole
        self._answers: dict[int, Callable[[QueueRow, QueueColumn], Any]] = {
            _DISPLAY: self._display,
            ItemIdRole: self._item_id,
            StatusRole: self._status,
            int(roles.DecorationRole): self._decoration,
            int(roles.ToolTipRole): self._tooltip,
            int(roles.TextAlignmentRole): self._alignment,
            int(roles.ForegroundRole): self._foreground,
            int(roles.FontRole): self._font,
        }

    # ----- loading --------------------------------------------------------------------------------
    def _query(self, offset: int, limit: int, reads: Reads | None = None) -> list[QueueRow]:
        return (reads or self._reads()).queue_rows(
            self._statuses, limit=limit, offset=offset, sort=self._sort_key, descending=self._descending
        )

    def _index_rows(self) -> None:
        self._row_of = {item.id: row for row, item in enumerate(self._rows)}

    @Slot()
    def reload(self) -> None:
        """Start over from the first page (keeps the filter and sort)."""
        self._reload_timer.stop()
        reads = self._reads()
        total = reads.count_items(self._statuses)
        rows = self._query(0, PAGE_SIZE, reads)
        if not self._accounts_loaded or any(r.account_id not in self._accounts for r in rows):
            self._load_accounts()
        self.beginResetModel()
        self._total = total
        self._rows = rows
        self._index_rows()
        self.endResetModel()

    def _load_accounts(self) -> None:
        self._accounts = {a.id: a for a in self._reads().accounts()}
        self._accounts_loaded = True

    def schedule_reload(self) -> None:
        self._reload_timer.start()

    def reload_accounts(self) -> None:
        self._load_accounts()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, QueueColumn.ACCOUNT), self.index(len(self._rows) - 1, QueueColumn.ACCOUNT)
            )

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        batch = [i for i in self._query(len(self._rows), PAGE_SIZE) if i.id not in self._row_of]
        if not batch:
            self._total = len(self._rows)  # the data shrank under us: stop asking
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        for offset, item in enumerate(batch):
            self._row_of[item.id] = first + offset
        self.endInsertRows()

    # ----- filter and sort -------------------------------------------------------------------------
    @property
    def status_filter(self) -> tuple[ItemStatus, ...] | None:
        return self._statuses

    def set_status_filter(self, statuses: Sequence[ItemStatus] | None) -> None:
        self._statuses = tuple(statuses) if statuses is not None else None
        self.reload()

    @property
    def sort_key(self) -> str:
        return self._sort_key

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting happens in SQL over every row; column -1 means the default, "upcoming first" (Reads.queue_rows)."""
        try:
            key = SORT_KEYS[QueueColumn(column)]
        except ValueError:
            key = UPCOMING_SORT
        self._sort_key = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # ----- live updates ----------------------------------------------------------------------------
    def _matches(self, item: QueueRow) -> bool:
        return self._statuses is None or item.status in {s.value for s in self._statuses}

    @Slot(int)
    def refresh_item(self, item_id: int) -> None:
        """Re-read one item after the engine or the user changed it; insert, update or drop its row."""
        self.refresh_items([item_id])

    @Slot(list)
    def refresh_items(self, item_ids: Sequence[int]) -> None:
        """Re-read a batch of changed items with one query; insert, update or drop their rows."""
        ids = list(dict.fromkeys(item_ids))
        if not ids:
            return
        found = {item.id: item for item in self._reads().queue_rows_by_ids(ids)}
        for item_id in ids:
            self._apply(item_id, found.get(item_id))

    def _apply(self, item_id: int, item: QueueRow | None) -> None:
        row = self._row_of.get(item_id)
        if row is not None:
            if item is None or not self._matches(item):
                self._remove_row(row)
                return
            old = self._rows[row]
            if self._sort_key == UPCOMING_SORT:
                if (old.status, old.scheduled_at) != (item.status, item.scheduled_at):
                    self._move_in_order(row, item)  # its place moved: the row moves (keeping its selection)
                    return
            elif getattr(old, self._sort_key, None) != getattr(item, self._sort_key, None):
                self.schedule_reload()  # its place in the sort order moved
            self._rows[row] = item
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(QueueColumn) - 1))
            return
        if item is None or not self._matches(item):
            return
        if item.account_id not in self._accounts:
            self._load_accounts()
        if self._sort_key == UPCOMING_SORT:
            self._insert_in_order(item)
        else:
            self.schedule_reload()

    def _move_in_order(self, row: int, item: QueueRow) -> None:
        """Move a loaded row to where the "upcoming first" order now puts it (or drop it past the loaded window)."""
        others = self._rows[:row] + self._rows[row + 1 :]
        position = 0
        while position < len(others) and upcoming_before(others[position], item):
            position += 1
        if position >= len(others) and len(self._rows) < self._total:
            self._remove_row(row)  # it now belongs beyond the loaded window: fetchMore will bring it
            self._total += 1  # still there, only not loaded
            return
        if position != row:
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), position + 1 if position > row else position)
            self._rows = others
            self._rows.insert(position, item)
            self._index_rows()
            self.endMoveRows()
        else:
            self._rows[row] = item
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(QueueColumn) - 1))

    def _insert_in_order(self, item: QueueRow) -> None:
        """Insert a row where the "upcoming first" order puts it among the loaded rows (no query)."""
        position = 0
        while position < len(self._rows) and upcoming_before(self._rows[position], item):
            position += 1
        self._total += 1
        if position >= len(self._rows) and len(self._rows) < self._total - 1:
            return  # it belongs beyond the loaded window: fetchMore will bring it
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, item)
        self._index_rows()
        self.endInsertRows()

    def _remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._index_rows()
        self._total = max(0, self._total - 1)
        self.endRemoveRows()

    # ----- access ----------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Rows matching the filter, loaded or not."""
        return self._total

    def item_at(self, row: int) -> QueueRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, item_id: int) -> int | None:
        return self._row_of.get(item_id)

    def account(self, account_id: int) -> AccountView | None:
        return self._accounts.get(account_id)

    # ----- QAbstractTableModel -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(QueueColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(QueueColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[QueueColumn(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == QueueColumn.ATTEMPTS:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # A view asks for seven roles of every cell it paints: each is answered by its own method, and a role the
        # table doesn't use (background, check state...) at once, before the row is even looked at.
        answer = self._answers.get(role)
        if answer is None:
            return None
        row = index.row()
        if not 0 <= row < len(self._rows) or not index.isValid():
            return None
        return answer(self._rows[row], _COLUMNS[index.column()])

    def _item_id(self, item: QueueRow, column: QueueColumn) -> Any:
        return item.id

    def _status(self, item: QueueRow, column: QueueColumn) -> Any:
        return item.status

    def _decoration(self, item: QueueRow, column: QueueColumn) -> Any:
        if column is QueueColumn.STATUS:
            return icons.status_icon(item.status)
        if column is QueueColumn.ACCOUNT:
            return icons.platform_icon(item.platform)
        if column is QueueColumn.POST and (item.image_path or item.media_raw not in (None, "[]")):
            return icons.image_icon()
        return None

    def _alignment(self, item: QueueRow, column: QueueColumn) -> Any:
        return _CENTER if column is QueueColumn.ATTEMPTS else None

    def _foreground(self, item: QueueRow, column: QueueColumn) -> Any:
        if column is QueueColumn.ERROR and item.status == ItemStatus.FAILED.value:
            return QColor(icons.RED)
        if column is QueueColumn.COMMENT and item.comment_status == CommentStatus.FAILED.value:
            return QColor(icons.RED)
        if item.status == ItemStatus.CANCELED.value:
            return QColor(icons.GREY)
        return None

    def _font(self, item: QueueRow, column: QueueColumn) -> Any:
        if column is QueueColumn.STATUS and item.status == "processing":
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _display(self, item: QueueRow, column: QueueColumn) -> str:
        now = self._now()
        if column is QueueColumn.STATUS:
            label = fmt.STATUS_LABELS.get(item.status, item.status.title())
            mark = handoff_mark(item.handoff, item.handoff_change) if item.status == "scheduled" else None
            if mark is not None:
                return mark[0]  # "Held by Meta"
            if item.status == ItemStatus.SCHEDULED.value and item.next_attempt_at is not None:
                return "Retrying"
            return label
        if column is QueueColumn.ACCOUNT:
            return fmt.account_name(self._accounts.get(item.account_id))
        if column is QueueColumn.POST:
            text = with_media(fmt.preview(item.text), media_label(item.media_raw, item.image_path, item.platform))
            return SERIES_MARK + text if item.series_id else text
        if column is QueueColumn.COMMENT:
            return comment_label(item.comment_status)
        if column is QueueColumn.SCHEDULED:
            if item.scheduled_at is None:
                return "Not scheduled"
            return fmt.when_text(item.scheduled_at, now)
        if column is QueueColumn.ATTEMPTS:
            return str(item.attempt_count) if item.attempt_count else "—"
        if column is QueueColumn.NEXT_ATTEMPT:
            mark = handoff_mark(item.handoff, item.handoff_change) if item.status == "scheduled" else None
            if mark is not None:
                return mark[1]  # "Meta publishes it" (checked after its time), or a change still to send
            return fmt.when_text(item.next_attempt_at, now) if item.status == ItemStatus.SCHEDULED.value else "—"
        return " ".join((item.error_message or "").split())

    def _tooltip(self, item: QueueRow, column: QueueColumn) -> str | None:
        if column is QueueColumn.POST:
            text = item.text if len(item.text) <= 600 else item.text[:600] + "…"
            position = self._reads().series_mark(item.id, item.series_id)
            series = f"{SERIES_MARK}{position.text}\n\n" if position is not None else ""
            return series + text + (f"\n\nImage: {item.image_path}" if item.image_path else "")
        if column is QueueColumn.SCHEDULED:
            return fmt.full_time(item.scheduled_at) or None
        if column is QueueColumn.NEXT_ATTEMPT:
            return fmt.full_time(item.next_attempt_at) or None
        if column is QueueColumn.ERROR:
            return item.error_message
        if column is QueueColumn.ACCOUNT:
            return fmt.account_title(self._accounts.get(item.account_id))
        mark = handoff_mark(item.handoff, item.handoff_change) if item.status == "scheduled" else None
        if column in (QueueColumn.STATUS, QueueColumn.NEXT_ATTEMPT) and mark is not None:
            return mark[2]
        if column is QueueColumn.STATUS and item.status == ItemStatus.POSTED.value and item.permalink:
            return f"Published: {item.permalink}"
        if column is QueueColumn.COMMENT and item.comment_permalink:
            return f"The comment: {item.comment_permalink}"
        return None
