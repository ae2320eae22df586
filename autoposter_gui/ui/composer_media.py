"""The Composer's image box: the chosen image's thumbnail (or its padded/cropped copy), choose and remove."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.images import ImageInfo, inspect_image, instagram_problem
from autoposter_gui.domain.models import Platform
from autoposter_gui.ui import icons
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.fit_panel import PAD, REMEDIES, InstagramFitPanel
from autoposter_gui.ui.widgets import MessageLabel

THUMB_SIZE = QSize(264, 170)
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.gif *.webp *.bmp *.tif *.tiff);;All files (*)"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
SETTINGS_IMAGE_DIR = "composer/image_dir"
STORED_IMAGE_NAME = "The image as queued"
SHAPE_HINT = "Instagram can't use this shape as it is: choose a fix under the text."


def dropped_image(urls: list[QUrl]) -> str | None:
    """The first local image file among dropped ``urls``."""
    for url in urls:
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
            return url.toLocalFile()
    return None


class ImageBox(QGroupBox):
    """The image and what Instagram would make of it; the fit panel (under the text) is driven from here."""

    changed = Signal()  # an image was chosen or removed

    def __init__(self, controller: AppController, fit_panel: InstagramFitPanel, parent: QWidget | None = None) -> None:
        super().__init__("Image", parent)
        self.controller = controller
        self.fit_panel = fit_panel
        self.path: str | None = None
        self.info: ImageInfo | None = None
        self._platforms: set[Platform] = set()
        self._editing = False
        self._thumb_source: str | None = None  # what the thumbnail shows: the image, or its fitted preview
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(THUMB_SIZE)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_name = QLabel(self)
        self.image_name.setStyleSheet(f"color: {icons.INK};")
        self.image_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.choose_button = QPushButton("Choose &image…", self)
        self.remove_button = QPushButton("Remove", self)
        self.error = MessageLabel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.image_name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.choose_button.clicked.connect(self.choose_image)
        self.remove_button.clicked.connect(self.remove_image)
        self.fit_panel.fit_changed.connect(self._fit_changed)
        self.fit_panel.previews_ready.connect(self._fit_changed)
        self._show_thumbnail(None)

    @Slot()
    def choose_image(self) -> None:
        start = str(self.controller.settings.value(SETTINGS_IMAGE_DIR, "") or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Choose an image", start, IMAGE_FILTER)
        if path:
            self.controller.settings.setValue(SETTINGS_IMAGE_DIR, str(Path(path).parent))
            self.set_image(path)

    def set_image(self, path: str | None) -> None:
        self.path = path or None
        self.error.clear()
        self.info = None
        self.fit_panel.set_source(None)
        self._show_thumbnail(self.path)
        if self.path is not None:
            try:  # the core's checks, at once: a broken file is reported before anything is scheduled
                self.info = inspect_image(self.path)
            except ValidationError as exc:
                self.error.show_message(str(exc))
        self.update_hint()
        self.changed.emit()

    @Slot()
    def remove_image(self) -> None:
        self.set_image(None)

    def _show_thumbnail(self, path: str | None) -> None:
        self._thumb_source = path
        self.remove_button.setEnabled(path is not None)
        if path is None:
            self.thumb.setPixmap(icons.image_placeholder(THUMB_SIZE.width(), THUMB_SIZE.height(), "No image"))
            self.image_name.setText("Optional for Facebook, required for Instagram.")
            self.image_name.setToolTip("")
            return
        reader = QImageReader(path)
        reader.setAutoTransform(True)
        size = reader.size()
        # An edited post shows the copy Autoposter kept when it was queued (named by its hash): say so instead.
        name = STORED_IMAGE_NAME if self.controller.posts.is_stored_image(path) else Path(path).name
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            self.thumb.setPixmap(
                icons.image_placeholder(THUMB_SIZE.width(), THUMB_SIZE.height(), "No preview available")
            )
            self.image_name.setText(name)
        else:
            self.thumb.setPixmap(QPixmap.fromImage(image))
            self.image_name.setText(f"{name} · {size.width()}×{size.height()}" if size.isValid() else name)
        self.image_name.setToolTip(path)

    # ----- Instagram's shape rules ---------------------------------------------------------------------
    def set_context(self, platforms: set[Platform], editing: bool) -> None:
        """The ticked platforms and whether a queued post is edited (its stored image is not fitted again)."""
        self._platforms, self._editing = platforms, editing
        self.update_hint()

    def ratio_problem(self) -> str | None:
        """Why Instagram would refuse the chosen image's shape (None when fine, or when Instagram is not ticked)."""
        if self.info is None or self._editing or Platform.INSTAGRAM not in self._platforms:
            return None
        return instagram_problem(self.info, REMEDIES)

    def fit_choice(self) -> str | None:
        """``"pad"`` or ``"crop"`` when Instagram needs a fitted copy and the owner chose one."""
        return self.fit_panel.fit if self.ratio_problem() is not None else None

    def update_hint(self) -> None:
        problem = self.ratio_problem()
        if problem is not None and self.path is not None:
            self.fit_panel.show_for(self.path)
        else:
            self.fit_panel.hide()
        self._show_fit_result()
        fit_message = self.fit_panel.message
        if problem is None:
            fit_message.clear()
        elif self.fit_panel.fit is not None:
            how = "padded" if self.fit_panel.fit == PAD else "cropped"
            fit_message.show_message(
                f"Instagram gets the {how} copy; Facebook gets your original. Your file is not changed.", "hint"
            )
        elif not (fit_message.kind == "error" and fit_message.text()):
            fit_message.show_message(problem, "warning")
        if self.error.kind == "error" and self.error.text():
            return
        if Platform.INSTAGRAM in self._platforms and not self.path:
            self.error.show_message("Instagram posts need an image.", "hint")
        elif problem is not None and self.fit_panel.fit is None:
            self.error.show_message(SHAPE_HINT, "hint")
        else:
            self.error.clear()  # no problem, or fixed by the chosen fit

    def _show_fit_result(self) -> None:
        """The thumbnail shows what Instagram gets: the padded or cropped copy once a fix is chosen, the original
        otherwise."""
        fitted = self.fit_panel.fitted_preview() if self.fit_choice() is not None else None
        shown = str(fitted) if fitted is not None else self.path
        if shown == self._thumb_source:
            return
        self._show_thumbnail(self.path)
        if fitted is not None and self.path is not None:
            image = QImage(str(fitted))  # not a QPixmap from file: a new padding colour reuses the same path
            if not image.isNull():
                scaled = image.scaled(
                    THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
                self.thumb.setPixmap(QPixmap.fromImage(scaled))
                how = "padded" if self.fit_panel.fit == PAD else "cropped"
                self.image_name.setText(f"{Path(self.path).name} · {how} for Instagram")
        self._thumb_source = shown

    @Slot()
    def _fit_changed(self) -> None:
        self._thumb_source = None  # the fit or its colour changed: redraw
        self.update_hint()
