"""The Composer's media strip: thumbnails of 1–10 images or one video, reordered by drag or buttons, removable."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.models import MAX_MEDIA, MediaKind, MediaRef
from autoposter_gui.ui import icons
from autoposter_gui.ui.thumbnails import ThumbnailLoader

ICON = QSize(64, 64)
PATH_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ALT_ROLE = Qt.ItemDataRole.UserRole + 2


def cover(image: QImage, size: QSize) -> QImage:
    """``image`` scaled to fill ``size`` and cropped to it (centred), like a feed's thumbnail."""
    scaled = image.scaled(
        size, Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
    )
    x, y = (scaled.width() - size.width()) // 2, (scaled.height() - size.height()) // 2
    return scaled.copy(x, y, size.width(), size.height())


def video_badge(pixmap: QPixmap, duration: str | None) -> QPixmap:
    """A ▶ and the video's length drawn over the bottom of its first frame."""
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    font.setBold(True)
    painter.setFont(font)
    text = f"▶ {duration}" if duration else "▶"
    box = QRect(0, pixmap.height() - 18, pixmap.width(), 18)
    painter.fillRect(box, QColor(0, 0, 0, 150))
    painter.setPen(QColor("white"))
    painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.end()
    return pixmap


class MediaStrip(QWidget):
    """The post's images (in posting order) or its one video. ``changed`` on any add, move, remove or alt text;
    ``notice(text)`` when something asked for can't be done as asked (an 11th image, images next to a video)."""

    changed = Signal()
    selection_changed = Signal()
    notice = Signal(str)
    add_images_requested = Signal()
    add_video_requested = Signal()

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self._editable = True
        self._quiet = False  # changes made here announce themselves once, not once per row
        self.list = QListWidget(self)
        self.list.setViewMode(QListWidget.ViewMode.ListMode)
        self.list.setFlow(QListWidget.Flow.LeftToRight)
        self.list.setWrapping(False)  # one row, scrolled sideways: up to 10 thumbnails in little height
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setIconSize(ICON)
        self.list.setSpacing(3)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAccessibleName("Media, in posting order")
        self.list.setToolTip("Drag to reorder; Delete removes the selected one")
        # the scroll bar's height is the style's PM_ScrollBarExtent (asking QStyle itself costs ~4 ms of start-up:
        # PySide6 builds all of QStyle's enum types on first use)
        self.list.setFixedHeight(ICON.height() + self.list.horizontalScrollBar().sizeHint().height() + 20)
        self.add_images_button = QPushButton("Add &images…", self)
        self.add_video_button = QPushButton("Add &video…", self)
        self.left_button = QPushButton("◀", self)
        self.left_button.setToolTip("Move the selected one earlier (Alt+Left)")
        self.left_button.setAccessibleName("Move left")
        self.right_button = QPushButton("▶", self)
        self.right_button.setToolTip("Move the selected one later (Alt+Right)")
        self.right_button.setAccessibleName("Move right")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Remove the selected one (Delete)")
        for button in (self.left_button, self.right_button):
            button.setFixedWidth(32)
        add_row = QHBoxLayout()
        add_row.setContentsMargins(0, 0, 0, 0)
        add_row.addWidget(self.add_images_button)
        add_row.addWidget(self.add_video_button)
        add_row.addStretch(1)
        edit_row = QHBoxLayout()
        edit_row.setContentsMargins(0, 0, 0, 0)
        edit_row.addWidget(self.left_button)
        edit_row.addWidget(self.right_button)
        edit_row.addWidget(self.remove_button)
        edit_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(add_row)
        layout.addWidget(self.list)
        layout.addLayout(edit_row)
        for widget in (self.add_images_button, self.add_video_button, self.list, self.left_button):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        QWidget.setTabOrder(self.add_images_button, self.add_video_button)
        QWidget.setTabOrder(self.add_video_button, self.list)
        QWidget.setTabOrder(self.list, self.left_button)
        QWidget.setTabOrder(self.left_button, self.right_button)
        QWidget.setTabOrder(self.right_button, self.remove_button)

        for keys, slot in (
            (QKeySequence.StandardKey.Delete, self.remove_selected),
            (QKeySequence(Qt.Key.Key_Backspace), self.remove_selected),
            (QKeySequence("Alt+Left"), self.move_left),
            (QKeySequence("Alt+Right"), self.move_right),
        ):
            shortcut = QShortcut(QKeySequence(keys), self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self.add_images_button.clicked.connect(self.add_images_requested)
        self.add_video_button.clicked.connect(self.add_video_requested)
        self.left_button.clicked.connect(self.move_left)
        self.right_button.clicked.connect(self.move_right)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(self._current_changed)
        model = self.list.model()
        model.rowsMoved.connect(self._moved)
        model.rowsInserted.connect(self._moved)  # a drag within the list can be an insert and a removal
        model.rowsRemoved.connect(self._moved)
        loader.loaded.connect(self._loaded)
        self._update_buttons()

    # ----- reading and setting -----------------------------------------------------------------------
    def media(self) -> tuple[MediaRef, ...]:
        refs = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            alt = str(item.data(ALT_ROLE) or "").strip()
            refs.append(MediaRef(str(item.data(PATH_ROLE)), MediaKind(str(item.data(KIND_ROLE))), alt or None))
        return tuple(refs)

    def set_media(self, refs: Sequence[MediaRef]) -> None:
        self._quiet = True
        self.list.clear()
        for ref in refs:
            self._append(ref)
        self._quiet = False
        self.list.setCurrentRow(0 if refs else -1)
        self._changed()

    def is_video(self) -> bool:
        return any(ref.kind is MediaKind.VIDEO for ref in self.media())

    def add_images(self, paths: Sequence[str]) -> None:
        """Add images after the ones there (a video there gives way: a post has images or one video)."""
        if not paths:
            return
        current = [] if self.is_video() else list(self.media())
        if self.is_video():
            self.notice.emit("A post has either images or one video: the video was replaced by the images.")
        room = MAX_MEDIA - len(current)
        if len(paths) > room:
            self.notice.emit(f"A post can have at most {MAX_MEDIA} images: the first {MAX_MEDIA} are kept.")
        self.set_media([*current, *(MediaRef(p) for p in paths[: max(room, 0)])])
        self.list.setCurrentRow(len(current) if room > 0 else self.list.count() - 1)

    def set_video(self, path: str) -> None:
        if self.list.count() and not self.is_video():
            self.notice.emit("A post has either images or one video: the images were replaced by the video.")
        self.set_media([MediaRef(path, MediaKind.VIDEO)])

    def selected_index(self) -> int:
        return self.list.currentRow()

    def select(self, index: int) -> None:
        self.list.setCurrentRow(index)

    def alt_text(self, index: int) -> str:
        """The alt text as typed (``media()`` gives it trimmed)."""
        item = self.list.item(index)
        return str(item.data(ALT_ROLE) or "") if item is not None else ""

    def set_alt_text(self, index: int, text: str) -> None:
        item = self.list.item(index)
        if item is not None and item.data(KIND_ROLE) == MediaKind.IMAGE.value and item.data(ALT_ROLE) != text:
            item.setData(ALT_ROLE, text)
            self._tooltip(item)
            self.changed.emit()

    # ----- editing -------------------------------------------------------------------------------------
    @Slot()
    def move_left(self) -> None:
        self.move_item(self.list.currentRow(), -1)

    @Slot()
    def move_right(self) -> None:
        self.move_item(self.list.currentRow(), +1)

    def move_item(self, row: int, delta: int) -> None:
        target = row + delta
        if row < 0 or not 0 <= target < self.list.count():
            return
        self._quiet = True
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self._quiet = False
        self.list.setCurrentRow(target)
        self._changed()

    @Slot()
    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self._quiet = True
        self.list.takeItem(row)
        self._quiet = False
        self.list.setCurrentRow(min(row, self.list.count() - 1))
        self._changed()

    def set_editable(self, editable: bool) -> None:
        """Lock the strip (a queued post's media can't be changed; Duplicate starts a post that can)."""
        for widget in (self.add_images_button, self.add_video_button):
            widget.setEnabled(editable)
        self.list.setDragDropMode(
            QAbstractItemView.DragDropMode.InternalMove if editable else QAbstractItemView.DragDropMode.NoDragDrop
        )
        self._editable = editable
        self._update_buttons()

    # ----- inside --------------------------------------------------------------------------------------
    def _append(self, ref: MediaRef) -> None:
        item = QListWidgetItem()
        item.setData(PATH_ROLE, ref.path)
        item.setData(KIND_ROLE, ref.kind.value)
        item.setData(ALT_ROLE, ref.alt_text or "")
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )  # not a drop target itself: a drop goes between thumbnails
        self.list.addItem(item)
        self._draw(item)
        self.loader.request(ref.path, ref.kind)

    def _draw(self, item: QListWidgetItem) -> None:
        path, kind = str(item.data(PATH_ROLE)), MediaKind(str(item.data(KIND_ROLE)))
        thumb = self.loader.get(path)
        if thumb is None or thumb.image.isNull():
            text = "…" if thumb is None else "?"
            pixmap = icons.image_placeholder(ICON.width(), ICON.height(), text)
        else:
            pixmap = QPixmap.fromImage(cover(thumb.image, ICON))
        if kind is MediaKind.VIDEO:
            pixmap = video_badge(pixmap, thumb.duration if thumb is not None else None)
        item.setIcon(QIcon(pixmap))
        self._tooltip(item)

    def _tooltip(self, item: QListWidgetItem) -> None:
        path, alt = str(item.data(PATH_ROLE)), str(item.data(ALT_ROLE) or "")
        thumb = self.loader.get(path)
        tip = Path(path).name
        if thumb is not None and thumb.duration:
            tip += f" · {thumb.duration}"
        if alt:
            tip += f"\nAlt text: {alt}"
        item.setToolTip(tip)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, tip)

    @Slot(str)
    def _loaded(self, path: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(PATH_ROLE) == path:
                self._draw(item)

    def _moved(self, *_args: object) -> None:
        if not self._quiet:
            self._changed()

    def _changed(self) -> None:
        self._update_buttons()
        self.changed.emit()
        self.selection_changed.emit()

    @Slot(int)
    def _current_changed(self, _row: int) -> None:
        self._update_buttons()
        self.selection_changed.emit()

    def _update_buttons(self) -> None:
        row, count = self.list.currentRow(), self.list.count()
        editable = self._editable
        self.left_button.setEnabled(editable and row > 0)
        self.right_button.setEnabled(editable and 0 <= row < count - 1)
        self.remove_button.setEnabled(editable and row >= 0)
        self.list.setVisible(count > 0)
        for button in (self.left_button, self.right_button, self.remove_button):
            button.setVisible(count > 0)
