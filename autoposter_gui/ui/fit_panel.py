"""The composer's Instagram fix for an out-of-range aspect ratio: "Pad to fit" and "Crop to fit", each previewed."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QImage, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import QColorDialog, QFrame, QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from autoposter_gui.domain.errors import Remedy
from autoposter_gui.domain.images import fit_for_instagram
from autoposter_gui.ui import icons
from autoposter_gui.ui.widgets import MessageLabel, heading

log = logging.getLogger(__name__)
Submit = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]
PREVIEW_SIZE = QSize(112, 96)
PREVIEW_SOURCE_PX = 480  # previews are made from a small copy: the same geometry as the real fit, in milliseconds
PAD, CROP = "pad", "crop"
# The core's remedies, named as this panel's buttons (the CLI names its flags instead).
REMEDIES = {Remedy.FIT_IMAGE: "use “Pad to fit” or “Crop to fit”"}


def swatch(color: QColor, size: int = 14) -> QIcon:
    """A small square of ``color`` with a grey outline, for the colour button."""
    pixmap = QPixmap(size, size)
    pixmap.fill(color)
    painter = QPainter(pixmap)
    painter.setPen(QColor(icons.GREY))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


def framed(image: QImage) -> QPixmap:
    """The preview scaled into PREVIEW_SIZE with a thin grey outline, so white padding still shows its edge."""
    keep, smooth = Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    pixmap = QPixmap.fromImage(image.scaled(PREVIEW_SIZE, keep, smooth))
    painter = QPainter(pixmap)
    painter.setPen(QColor(icons.LIGHT_GREY))
    painter.drawRect(0, 0, pixmap.width() - 1, pixmap.height() - 1)
    painter.end()
    return pixmap


def make_previews(source: str, folder: Path, color: tuple[int, int, int]) -> tuple[Path | None, dict[str, Path]]:
    """A small PNG copy of ``source`` (read as the core reads it: no EXIF rotation) and its padded and cropped
    previews, made by the core's own ``fit_for_instagram``, in ``folder``. Safe on a worker thread (QImage only)."""
    reader = QImageReader(source)
    reader.setAutoTransform(False)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > PREVIEW_SOURCE_PX:
        reader.setScaledSize(size.scaled(PREVIEW_SOURCE_PX, PREVIEW_SOURCE_PX, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    folder.mkdir(parents=True, exist_ok=True)
    small = folder / "source.png"
    if image.isNull() or not image.save(str(small)):  # PNG, from the suffix
        return None, {}
    paths: dict[str, Path] = {}
    for mode in (PAD, CROP):
        try:
            paths[mode] = fit_for_instagram(small, folder / mode, mode, color)
        except (OSError, ValueError) as exc:
            log.warning("fit preview failed: %s", type(exc).__name__)
    return small, paths


class InstagramFitPanel(QFrame):
    """Two one-click choices with a thumbnail of each result; ``fit`` is None, ``"pad"`` or ``"crop"``.

    Previews go through the core's own ``fit_for_instagram`` (on a small copy, in a temporary folder), so what is
    shown is what Instagram gets. The original file is never touched.
    """

    fit_changed = Signal()
    previews_ready = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: str | None = None
        self._fit: str | None = None
        self._color = QColor(255, 255, 255)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None  # removed on reset, or when garbage-collected
        self._small: Path | None = None
        self._submit: Submit | None = None
        self._generation = 0  # bumped per image: a late answer for an earlier image is dropped
        self._pending = False
        self.preview_paths: dict[str, Path] = {}
        self.setObjectName("fitPanel")
        # The chosen fix must be obvious at a glance: a thick blue frame on a tinted card, and a tick in its label.
        self.setStyleSheet(
            "QFrame#fitPanel { border: 1px solid #dadce0; border-radius: 4px; }"
            "QToolButton[fitChoice=true] { border: 1px solid #dadce0; border-radius: 6px; padding: 4px 6px;"
            " background: palette(base); }"
            "QToolButton[fitChoice=true]:hover { border-color: #a8adb3; }"
            f"QToolButton[fitChoice=true]:checked {{ border: 3px solid {icons.BLUE}; background: #e8f0fe;"
            " font-weight: bold; padding: 2px 4px; }"
        )

        self.title = heading("Instagram needs a different shape", self, scale=1.0)
        self.message = MessageLabel(self)
        self.pad_button = self._choice("&Pad to fit", "Add bars in the padding colour so the whole picture fits")
        self.crop_button = self._choice("C&rop to fit", "Cut the long side so the picture fills the frame")
        self.color_button = QPushButton("Padding colour…", self)
        self.color_button.setToolTip("The colour of the bars added by “Pad to fit”")
        self.color_button.setIcon(swatch(self._color))
        choices = QHBoxLayout()
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addWidget(self.pad_button)
        choices.addWidget(self.crop_button)
        choices.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addLayout(choices)
        layout.addWidget(self.color_button, 0, Qt.AlignmentFlag.AlignLeft)  # under the choices: fits a narrow column

        self.pad_button.clicked.connect(lambda checked: self._clicked(PAD, checked))
        self.crop_button.clicked.connect(lambda checked: self._clicked(CROP, checked))
        self.color_button.clicked.connect(self.choose_color)
        self.hide()

    def _choice(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setProperty("fitChoice", True)
        button.toggled.connect(lambda checked: button.setText(("✓ " if checked else "") + text))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        button.setIconSize(PREVIEW_SIZE)
        button.setMinimumWidth(PREVIEW_SIZE.width() + 20)
        return button

    # ----- state -------------------------------------------------------------------------------------
    @property
    def fit(self) -> str | None:
        return self._fit

    @property
    def color(self) -> tuple[int, int, int]:
        return (self._color.red(), self._color.green(), self._color.blue())

    def set_fit(self, fit: str | None) -> None:
        if fit not in (None, PAD, CROP):
            raise ValueError(fit)
        self._fit = fit
        self.pad_button.setChecked(fit == PAD)
        self.crop_button.setChecked(fit == CROP)
        self.fit_changed.emit()

    def set_color(self, color: QColor) -> None:
        self._color = QColor(color)
        self.color_button.setIcon(swatch(self._color))
        if self._source is not None:
            self._render(PAD)

    @Slot()
    def choose_color(self) -> None:
        color = QColorDialog.getColor(self._color, self, "Padding colour")
        if color.isValid():
            self.set_color(color)
            self.set_fit(PAD)

    def _clicked(self, mode: str, checked: bool) -> None:
        self.set_fit(mode if checked else None)

    # ----- previews ----------------------------------------------------------------------------------
    def set_source(self, path: str | None) -> None:
        """The image to fix (None: nothing to fix). Resets the choice; previews are made when the panel shows."""
        if path == self._source:
            return
        self._cleanup()
        self._source = path
        self._fit = None
        self.pad_button.setChecked(False)
        self.crop_button.setChecked(False)

    def show_for(self, path: str) -> None:
        """Show the panel for ``path``, with fresh previews if the image changed (made in the background when a
        task runner is set: reading a large image takes a noticeable moment)."""
        if path != self._source or (not self.preview_paths and not self._pending):
            self.set_source(path)
            self._make_previews()
        self.show()

    def use_background(self, submit: Submit) -> None:
        """Make previews with ``submit(work, on_done, on_error)`` (the controller's TaskRunner.submit)."""
        self._submit = submit

    def _make_previews(self) -> None:
        assert self._source is not None
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="autoposter-fit-")
        self._generation += 1
        generation, source, color = self._generation, self._source, self.color
        folder = Path(self._tmp.name) / f"preview-{generation}"  # a folder per image: a late answer can't clash
        self._pending = True
        for mode in (PAD, CROP):
            self._set_icon(mode, "Preparing…")

        def done(result: tuple[Path | None, dict[str, Path]]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return  # another image was chosen meanwhile
            self._pending = False
            self._small, paths = result
            self.preview_paths.update(paths)
            if self.color != color:  # the padding colour changed while the previews were made
                self._render(PAD)
            for mode in (PAD, CROP):
                self._set_icon(mode)
            self.previews_ready.emit()

        def failed(exc: BaseException) -> None:
            log.warning("fit previews failed: %s", type(exc).__name__)
            if shiboken6.isValid(self) and generation == self._generation:
                self._pending = False
                for mode in (PAD, CROP):
                    self._set_icon(mode)

        if self._submit is None:
            done(make_previews(source, folder, color))
        else:
            self._submit(lambda: make_previews(source, folder, color), done, failed)

    def _render(self, mode: str) -> None:
        """Remake one preview from the small copy (a new padding colour): milliseconds, so on the spot."""
        if self._small is not None:
            try:
                self.preview_paths[mode] = fit_for_instagram(self._small, self._small.parent / mode, mode, self.color)
            except (OSError, ValueError) as exc:
                log.warning("fit preview failed: %s", type(exc).__name__)
        self._set_icon(mode)

    def _set_icon(self, mode: str, placeholder: str = "No preview") -> None:
        button = self.pad_button if mode == PAD else self.crop_button
        path = self.preview_paths.get(mode)
        image = QImage(str(path)) if path is not None else QImage()  # QImage: no pixmap cache, a new colour shows
        if image.isNull():
            pixmap = icons.image_placeholder(PREVIEW_SIZE.width(), PREVIEW_SIZE.height(), placeholder)
        else:
            pixmap = framed(image)
        button.setIcon(QIcon(pixmap))

    def fitted_preview(self) -> Path | None:
        """The preview of the chosen fix (what Instagram gets, made small), or None when none is chosen."""
        return self.preview_paths.get(self._fit) if self._fit is not None else None

    def preview_pixmap(self, mode: str) -> QPixmap:
        button = self.pad_button if mode == PAD else self.crop_button
        return button.icon().pixmap(PREVIEW_SIZE)

    def _cleanup(self) -> None:
        self.preview_paths.clear()
        self._small = None
        self._generation += 1
        if self._pending:  # a worker may still be writing there: the folder goes with the panel instead
            self._pending = False
            return
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def reset(self) -> None:
        self.set_source(None)
        self.hide()
