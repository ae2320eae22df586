"""The Activity table model: delivery attempts newest first, paged from the database, updated by attempt id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QUrl, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

from autoposter_gui.domain.models import AttemptOutcome
from autoposter_gui.engine.networks import platform_short_label, provider_name
from autoposter_gui.engine.reads import Reads
from autoposter_gui.engine.views import AccountView, AttemptView
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.rich_labels import media_label, with_media

PAGE_SIZE = 200
LINK_TEXT = "View Post →"
COMMENT_LINK_TEXT = "View comment →"  # a first comment's attempt: its link opens the comment
PermalinkRole = int(Qt.ItemDataRole.UserRole) + 10
AttemptIdRole = int(Qt.ItemDataRole.UserRole) + 11
Index = QModelIndex | QPersistentModelIndex


class ActivityColumn(IntEnum):
    TIME = 0
    ACCOUNT = 1
    POST = 2
    OUTCOME = 3
    DETAILS = 4
    LINK = 5


HEADERS = {
    ActivityColumn.TIME: "Time",
    ActivityColumn.ACCOUNT: "Account",
    ActivityColumn.POST: "Post",
    ActivityColumn.OUTCOME: "Outcome",
    ActivityColumn.DETAILS: "Details",
    ActivityColumn.LINK: "Link",
}


@dataclass(frozen=True)
class _ItemInfo:
    account_id: int
    platform: str
    text: str


class ActivityTableModel(QAbstractTableModel):
    """Attempts in the repo's order (started_at, id; newest first). New attempts are inserted at the top."""

    def __init__(self, reads: Callable[[], Reads], now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reads = reads
        self._now = now
        self._rows: list[AttemptView] = []
        self._row_of: dict[int, int] = {}
        self._items: dict[int, _ItemInfo | None] = {}
        self._accounts: dict[int, AccountView] = {}
        self._more = False
        # Insights (issue 16): item id → "412 reached · 37 likes", read at each reload from this source.
        self.summaries_source: Callable[[], dict[int, str]] | None = None
        self.summaries: dict[int, str] = {}

    # ----- loading ---------------------------------------------------------------------------------
    @Slot()
    def reload(self) -> None:
        reads = self._reads()
        self.beginResetModel()
        self._accounts = {a.id: a for a in reads.accounts()}
        self._items.clear()
        self.summaries = self.summaries_source() if self.summaries_source is not None else {}
        self._rows = self._remember(reads.attempts(limit=PAGE_SIZE, offset=0))
        self._more = len(self._rows) == PAGE_SIZE
        self._reindex()
        self.endResetModel()

    @Slot()
    def refresh_summaries(self) -> None:
        """Read the insights summaries again (a refresh ended) and repaint the Details column."""
        if self.summaries_source is None:
            return
        self.summaries = self.summaries_source()
        if self._rows:
            column = ActivityColumn.DETAILS
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    def _reindex(self) -> None:
        self._row_of = {a.id: row for row, a in enumerate(self._rows)}

    def reload_accounts(self) -> None:
        self._accounts = {a.id: a for a in self._reads().accounts()}
        if self._rows:
            self.dataChanged.emit(
                self.index(0, ActivityColumn.ACCOUNT), self.index(len(self._rows) - 1, ActivityColumn.ACCOUNT)
            )

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        page = self._remember(self._reads().attempts(limit=PAGE_SIZE, offset=len(self._rows)))
        self._more = len(page) == PAGE_SIZE
        batch = [a for a in page if a.id not in self._row_of]
        if not batch:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        self._reindex()
        self.endInsertRows()

    @Slot(int)
    def refresh_attempt(self, attempt_id: int) -> None:
        """An attempt was started or finished: update its row, or add it at the top."""
        self.refresh_attempts([attempt_id])

    @Slot(list)
    def refresh_attempts(self, attempt_ids: Sequence[int]) -> None:
        """A batch of attempts started or finished: one query, then update their rows or add them."""
        ids = list(dict.fromkeys(attempt_ids))
        if not ids:
            return
        found = {a.id: a for a in self._remember(self._reads().attempts_by_ids(ids))}
        for attempt_id in ids:
            self._apply(attempt_id, found.get(attempt_id))

    def _apply(self, attempt_id: int, attempt: AttemptView | None) -> None:
        row = self._row_of.get(attempt_id)
        if attempt is None:
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self._reindex()
                self.endRemoveRows()
            return
        if row is not None:
            self._rows[row] = attempt
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(ActivityColumn) - 1))
            return
        position = 0
        while position < len(self._rows) and _newer(self._rows[position], attempt):
            position += 1
        if position == len(self._rows) and self._more:
            return  # older than everything loaded: paging will bring it
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, attempt)
        self._reindex()
        self.endInsertRows()

    @Slot(int)
    def refresh_item(self, item_id: int) -> None:
        """The post's text may have been edited: forget the cached copy."""
        self.refresh_items([item_id])

    @Slot(list)
    def refresh_items(self, item_ids: Sequence[int]) -> None:
        """Posts' text may have been edited: forget the cached copies (no query)."""
        dropped = {i for i in item_ids if self._items.pop(i, None) is not None}
        if dropped:
            for row, a in enumerate(self._rows):
                if a.queue_item_id in dropped:
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(ActivityColumn) - 1))

    # ----- access ----------------------------------------------------------------------------------
    def attempt_at(self, row: int) -> AttemptView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, attempt_id: int) -> int | None:
        return self._row_of.get(attempt_id)

    def permalink(self, row: int) -> QUrl | None:
        attempt = self.attempt_at(row)
        if attempt is None or not attempt.permalink:
            return None
        url = QUrl(attempt.permalink)
        return url if url.isValid() and url.scheme() in ("http", "https") else None

    def _remember(self, rows: list[AttemptView]) -> list[AttemptView]:
        """Keep the post details each row was read with (one query for the rows and their posts)."""
        for a in rows:
            known = a.item_account_id is not None
            info = _ItemInfo(a.item_account_id or 0, a.item_platform or "", a.item_text or "") if known else None
            self._items[a.queue_item_id] = info
        return rows

    def _item(self, item_id: int) -> _ItemInfo | None:
        if item_id not in self._items:  # the post changed since its row was read
            found = self._reads().queue_rows_by_ids([item_id])
            self._items[item_id] = _ItemInfo(found[0].account_id, found[0].platform, found[0].text) if found else None
        return self._items[item_id]

    # ----- QAbstractTableModel -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ActivityColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(ActivityColumn(section)) if 0 <= section < len(ActivityColumn) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        attempt = self._rows[index.row()]
        column = ActivityColumn(index.column())
        if role == AttemptIdRole:
            return attempt.id
        if role == PermalinkRole:
            return attempt.permalink
        info = self._item(attempt.queue_item_id) if column in (ActivityColumn.ACCOUNT, ActivityColumn.POST) else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(attempt, column, info)
        if role == Qt.ItemDataRole.DecorationRole:
            if column is ActivityColumn.OUTCOME:
                return icons.outcome_icon(attempt.outcome)
            if column is ActivityColumn.ACCOUNT and info is not None:
                return icons.platform_icon(info.platform)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(attempt, column, info)
        if column is ActivityColumn.LINK and attempt.permalink:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QGuiApplication.palette().color(QPalette.ColorRole.Link)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setUnderline(True)
                return font
        if role == Qt.ItemDataRole.ForegroundRole and column is ActivityColumn.DETAILS:
            if attempt.outcome == AttemptOutcome.FAILED.value:
                return QColor(icons.RED)
            return QColor(icons.INK)
        return None

    def _display(self, attempt: AttemptView, column: ActivityColumn, info: _ItemInfo | None) -> str:
        if column is ActivityColumn.TIME:
            return fmt.when_text(attempt.finished_at or attempt.started_at, self._now())
        if column is ActivityColumn.ACCOUNT:
            return fmt.account_name(self._accounts.get(info.account_id)) if info else "Deleted post"
        if column is ActivityColumn.POST:
            media = media_label(attempt.item_media_raw, None, info.platform) if info else ""  # "3 photos", "Reel"
            return with_media(fmt.preview(info.text, 70), media) if info else ""
        if column is ActivityColumn.OUTCOME:
            label = fmt.OUTCOME_LABELS.get(attempt.outcome, attempt.outcome)
            if attempt.step == "handoff":  # a step with Meta's scheduler (its note says which)
                return "Meta's scheduler"
            if attempt.step == "comment":  # a first comment's own attempt (its post is out)
                return f"Comment: {label.lower().replace('publishing', 'sending')}"
            return f"{label} · try {attempt.attempt_number}" if attempt.attempt_number > 1 else label
        if column is ActivityColumn.DETAILS:
            return self._details(attempt)
        if not attempt.permalink:
            return ""
        return COMMENT_LINK_TEXT if attempt.step == "comment" else LINK_TEXT

    def _details(self, attempt: AttemptView) -> str:
        """The error or note of an attempt; for one without (a plain success, one under way), what happened."""
        if attempt.error_message:
            return " ".join(attempt.error_message.split())
        info = self._item(attempt.queue_item_id)
        network = platform_short_label(info.platform) if info is not None else "Facebook"
        if attempt.outcome == AttemptOutcome.SUCCEEDED.value:
            where = f" on {network}" if info is not None else ""
            what = "First comment posted" if attempt.step == "comment" else "Published"
            provider = provider_name(info.platform) if info is not None else "Meta"
            text = f"{what}{where}" + ("" if attempt.permalink else f" ({provider} gave no link)")
            numbers = self.summaries.get(attempt.queue_item_id) if attempt.step != "comment" else None
            return numbers or text  # a post with numbers: "412 reached · 37 likes" (the Outcome says it is out)
        if attempt.outcome == AttemptOutcome.IN_FLIGHT.value:
            return f"Sending to {network}, waiting for its answer" if info is not None else "Waiting for Meta's answer"
        return ""

    def _tooltip(self, attempt: AttemptView, column: ActivityColumn, info: _ItemInfo | None) -> str | None:
        if column is ActivityColumn.TIME:
            started = fmt.full_time(attempt.started_at)
            return f"Started {started}" + (
                f"\nFinished {fmt.full_time(attempt.finished_at)}" if attempt.finished_at else ""
            )
        if column is ActivityColumn.POST and info is not None:
            return info.text if len(info.text) <= 600 else info.text[:600] + "…"
        if column is ActivityColumn.DETAILS and attempt.error_message:
            code = f" (code {attempt.error_code})" if attempt.error_code else ""
            return attempt.error_message + code
        if column is ActivityColumn.LINK and attempt.permalink:
            what = "first comment" if attempt.step == "comment" else "published post"
            return f"Open the {what} in your browser:\n{attempt.permalink}"
        if column is ActivityColumn.ACCOUNT and info is not None:
            return fmt.account_title(self._accounts.get(info.account_id))
        return None


def _newer(a: AttemptView, b: AttemptView) -> bool:
    """True when ``a`` sorts before ``b`` in newest-first order."""
    return (a.started_at, a.id) > (b.started_at, b.id)
