"""The Calendar tab: the week or month view, its navigation, and the drafts list beside it, over CalendarService."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import shiboken6
from PySide6.QtCore import QMimeData, QSize, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QDesktopServices, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.models import ItemStatus, MediaKind
from autoposter_gui.engine.calendar import CalendarRow, CalendarService
from autoposter_gui.engine.networks import provider_name
from autoposter_gui.ui import fmt, icons
from autoposter_gui.ui.calendar_view import MONTH, PALETTE, WEEK, CalendarView, item_mime
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.errors import show_error
from autoposter_gui.ui.thumbnails import decode_thumbnail

THUMB_SIDE = 32
MODE_KEY = "calendar/mode"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class DraftList(QListWidget):
    """The drafts, each draggable onto a time of the calendar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QListWidget.DragDropMode.DragOnly)
        self.setIconSize(QSize(16, 16))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # type: ignore[override]
        return item_mime(int(items[0].data(Qt.ItemDataRole.UserRole))) if items else QMimeData()


class CalendarTab(QWidget):
    edit_requested = Signal(int)  # the main window opens the Composer in edit mode (as the Queue's Edit)
    compose_requested = Signal(object)  # a click on an empty slot: a new post at this local time (naive)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._service: CalendarService | None = None  # made once the engine is open (see ``service``)
        self.anchor = fmt.to_local(controller.now()).date()
        self.mode = WEEK if controller.settings.value(MODE_KEY, WEEK) != MONTH else MONTH
        self._thumbs_pending: set[str] = set()
        self._drafts: list[CalendarRow] = []
        self._stale = True  # read from the engine when next shown (nothing is read while the tab is hidden)

        self.prev_button = QPushButton("◀", self)
        self.prev_button.setToolTip("Previous week or month (Page Up)")
        self.today_button = QPushButton("&Today", self)
        self.next_button = QPushButton("▶", self)
        self.next_button.setToolTip("Next week or month (Page Down)")
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.week_button = QPushButton("&Week", self)
        self.month_button = QPushButton("&Month", self)
        group = QButtonGroup(self)
        for button in (self.week_button, self.month_button):
            button.setCheckable(True)
            group.addButton(button)
        (self.week_button if self.mode == WEEK else self.month_button).setChecked(True)
        bar = QHBoxLayout()
        for widget in (self.prev_button, self.today_button, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(8)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.week_button)
        bar.addWidget(self.month_button)

        self.view = CalendarView(self)
        self.view.series_note = self._series_note
        self.drafts = DraftList(self)
        self.drafts.setToolTip("Drag a draft onto a time to schedule it")
        drafts_box = QWidget(self)
        side = QVBoxLayout(drafts_box)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel("<b>Drafts</b> — drag one onto a time", drafts_box))
        side.addWidget(self.drafts, 1)
        splitter = QSplitter(self)
        splitter.addWidget(self.view)
        splitter.addWidget(drafts_box)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([800, 220])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(self.go_today)
        self.week_button.clicked.connect(lambda: self.set_mode(WEEK))
        self.month_button.clicked.connect(lambda: self.set_mode(MONTH))
        self.view.step_requested.connect(self.step)
        self.view.move_requested.connect(self.move_item)
        self.view.activated.connect(self.activate)
        self.view.compose_requested.connect(self.compose_requested)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(100)
        self._reload_timer.timeout.connect(self._reload_if_shown)
        controller.bridge.items_changed.connect(self._items_changed)
        controller.engine_ready.connect(self._reload_if_shown)  # the quick start: read once the engine is open
        controller.bridge.account_changed.connect(self._account_changed)
        controller.accounts_loading_changed.connect(self._account_changed)
        self._load_accounts()
        self._apply_range()
        self.view.scroll_to_hour(8)

    # ----- range -----------------------------------------------------------------------------------
    def first_day(self) -> date:
        if self.mode == WEEK:
            return monday(self.anchor)
        return monday(self.anchor.replace(day=1))

    def _apply_range(self) -> None:
        today = fmt.to_local(self.controller.now()).date()
        first = self.first_day()
        self.view.set_range(self.mode, first, today)
        if self.mode == WEEK:
            last = first + timedelta(days=6)
            self.title.setText(f"{first:%d %b} – {last:%d %b %Y}")
        else:
            self.title.setText(f"{self.anchor:%B %Y}")
        self._reload_if_shown()

    @property
    def service(self) -> CalendarService:
        """The engine's calendar service, made when first needed (the first window comes before the engine)."""
        if self._service is None:
            self._service = CalendarService(self.controller.ctx, self.controller.posts)
        return self._service

    @Slot()
    def _reload_if_shown(self) -> None:
        if self.isVisible() and self.controller.ready:
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.controller.ready:
            self.reload()

    @Slot(int)
    def step(self, direction: int) -> None:
        if self.mode == WEEK:
            self.anchor += timedelta(days=7 * direction)
        else:
            index = self.anchor.year * 12 + self.anchor.month - 1 + direction
            self.anchor = date(index // 12, index % 12 + 1, 1)
        self._apply_range()

    @Slot()
    def go_today(self) -> None:
        self.anchor = fmt.to_local(self.controller.now()).date()
        self._apply_range()

    def go_to(self, day: date) -> None:
        self.anchor = day
        self._apply_range()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        (self.week_button if mode == WEEK else self.month_button).setChecked(True)
        self.controller.settings.setValue(MODE_KEY, mode)
        self._apply_range()

    # ----- data ------------------------------------------------------------------------------------
    @Slot(list)
    def _items_changed(self, _ids: list[int]) -> None:
        self._reload_timer.start()

    def _account_changed(self, *_args: object) -> None:
        self._load_accounts()
        self._reload_timer.start()

    def _load_accounts(self) -> None:
        """Each account's colour (in the order they were connected) and name."""
        accounts = self.controller.accounts()
        self.view.colors = {a.id: QColor(PALETTE[n % len(PALETTE)]) for n, a in enumerate(accounts)}
        self.view.labels = {a.id: fmt.account_name(a) for a in accounts}

    @Slot()
    def reload(self) -> None:
        """Read the visible range (and the drafts) from the engine and repaint."""
        self._stale = False
        since, until = self.view.utc_range()
        rows = self.service.entries(since, until)
        self.view.set_rows(rows, self.service.slot_markers(since, until))
        self._load_thumbs(rows)
        self._reload_drafts()

    def _reload_drafts(self) -> None:
        self.drafts.clear()
        self._drafts = self.service.drafts()
        for row in self._drafts:
            item = QListWidgetItem(icons.status_icon(row.status), fmt.preview(row.text, 60) or "(no text)")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setToolTip(f"{self.view.labels.get(row.account_id, '')}\n{fmt.preview(row.text, 300)}")
            self.drafts.addItem(item)

    def _load_thumbs(self, rows: list[CalendarRow]) -> None:
        for path in {r.image_path for r in rows if r.image_path}:
            if path in self.view.thumbs or path in self._thumbs_pending:
                continue
            self._thumbs_pending.add(path)

            def done(thumb: object, path: str = path) -> None:
                if not shiboken6.isValid(self):  # the tab went away meanwhile
                    return
                self._thumbs_pending.discard(path)
                image = getattr(thumb, "image", None)
                if image is not None and not image.isNull():
                    self.view.thumbs[path] = QPixmap.fromImage(image)
                    self.view.viewport().update()

            def failed(_exc: BaseException, path: str = path) -> None:
                if shiboken6.isValid(self):
                    self._thumbs_pending.discard(path)  # unreadable: the chip shows no picture

            self.controller.tasks.submit(
                lambda path=path: decode_thumbnail(path, MediaKind.IMAGE, THUMB_SIDE),  # type: ignore[misc]
                done,
                failed,
            )

    def _series_note(self, item_id: int, series_id: str | None) -> str | None:
        mark = self.service.series_mark(item_id, series_id)
        return None if mark is None else mark.text

    def _row(self, item_id: int) -> CalendarRow | None:
        found = next((r for r in self.view.rows if r.id == item_id), None)
        return found or next((r for r in self._drafts if r.id == item_id), None)

    # ----- actions ---------------------------------------------------------------------------------
    @Slot(int, object)
    def move_item(self, item_id: int, when: datetime) -> None:
        """A chip or a draft dropped on ``when`` (local): through the engine's move; when its last try may be in
        flight, Meta is asked first (off the GUI thread), as the Queue does."""
        row = self._row(item_id)
        if row is None or not row.unconfirmed:
            self._move(item_id, when)
            return
        self.controller.notice.emit(f"Checking with {provider_name(row.platform)} whether the last try went out…")

        def failed(exc: BaseException) -> None:
            show_error(self, "Can't move this post", str(exc) if isinstance(exc, AutoposterError) else "Try again")

        self.controller.tasks.submit(
            lambda: self.controller.posts.check_first(item_id), lambda _r: self._moved(item_id, when), failed
        )

    def _moved(self, item_id: int, when: datetime) -> None:
        self._move(item_id, when)

    def _move(self, item_id: int, when: datetime) -> bool:
        """Store the new time, then show it at once (the moved chip's cells repainted; the whole range is read
        again a moment later, when the engine's change arrives)."""
        row = self._row(item_id)
        try:
            moment = self.service.move(item_id, when, row.status if row is not None else None)
        except AutoposterError as exc:
            show_error(self, "Can't move this post", str(exc))
            return False
        self.view.selected = item_id
        if row is not None:
            stored = moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
            self.view.place(row._replace(scheduled_raw=stored, status=ItemStatus.SCHEDULED.value))
            if row.status == ItemStatus.DRAFT.value:
                self._reload_drafts()
        else:
            self.reload()
        self.controller.notice.emit(f"Scheduled for {fmt.when_text(moment, self.controller.now())}")
        return True

    @Slot(int)
    def activate(self, item_id: int) -> None:
        """Double-click or Enter: open a published post's permalink, edit one still to come."""
        row = self._row(item_id)
        if row is None:
            return
        if row.status == ItemStatus.POSTED.value:
            if row.permalink and row.permalink.startswith(("https://", "http://")):
                QDesktopServices.openUrl(QUrl(row.permalink))
            return
        if row.status == ItemStatus.PROCESSING.value:
            self.controller.notice.emit("This post is being published; it can no longer be changed")
            return
        if not row.unconfirmed:
            self.edit_requested.emit(item_id)
            return

        def failed(exc: BaseException) -> None:
            show_error(self, "Can't edit this post", str(exc) if isinstance(exc, AutoposterError) else "Try again")

        self.controller.notice.emit(f"Checking with {provider_name(row.platform)} whether the last try went out…")
        self.controller.tasks.submit(
            lambda: self.controller.posts.check_first(item_id), lambda _r: self.edit_requested.emit(item_id), failed
        )
