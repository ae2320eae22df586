"""The Composer's media box: the strip of images or video, the selected one large with its alt text, the fit hint."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QFileDialog, QGroupBox, QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.images import ImageInfo, inspect_image, instagram_problem
from autoposter_gui.domain.models import MediaKind, MediaRef, Platform
from autoposter_gui.domain.validation import video_problems
from autoposter_gui.domain.video import VIDEO_SUFFIXES
from autoposter_gui.ui import icons
from autoposter_gui.ui.composer_networks import media_hint, media_problems
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.fit_panel import PAD, REMEDIES, InstagramFitPanel
from autoposter_gui.ui.media_strip import MediaStrip, video_badge
from autoposter_gui.ui.thumbnails import ThumbnailLoader
from autoposter_gui.ui.widgets import MessageLabel

THUMB_SIZE = QSize(264, 130)
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.gif *.webp *.bmp *.tif *.tiff);;All files (*)"
VIDEO_FILTER = "Videos (*.mp4 *.mov *.m4v);;All files (*)"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
SETTINGS_IMAGE_DIR = "composer/image_dir"
STORED_IMAGE_NAME = "The image as queued"
SHAPE_HINT = "Instagram can't use this shape as it is: choose a fix under the text."
EMPTY_HINT = "Optional for Facebook, required for Instagram."


def dropped_media(urls: list[QUrl]) -> list[MediaRef]:
    """The local image and video files among dropped ``urls``, in order."""
    found = []
    for url in urls:
        suffix = Path(url.toLocalFile()).suffix.lower() if url.isLocalFile() else ""
        if suffix in IMAGE_SUFFIXES:
            found.append(MediaRef(url.toLocalFile()))
        elif suffix in VIDEO_SUFFIXES:
            found.append(MediaRef(url.toLocalFile(), MediaKind.VIDEO))
    return found


class MediaBox(QGroupBox):
    """The post's media and what Instagram would make of the first image; drives the fit panel under the text."""

    changed = Signal()  # media added, moved, removed, or an alt text changed

    def __init__(self, controller: AppController, fit_panel: InstagramFitPanel, parent: QWidget | None = None) -> None:
        super().__init__("Photos or video", parent)
        self.controller = controller
        self.fit_panel = fit_panel
        self.info: ImageInfo | None = None  # the first image's (Instagram judges a carousel by it)
        self._info_for: str | None = None
        self._platforms: set[Platform] = set()
        self._editing = False
        self.loader = ThumbnailLoader(controller.tasks.submit, self)
        self.strip = MediaStrip(self.loader, self)
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(THUMB_SIZE)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_name = QLabel(self)
        self.image_name.setStyleSheet(f"color: {icons.INK};")
        self.image_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.alt_label = QLabel("&Alt text (what the image shows):", self)
        self.alt_edit = QLineEdit(self)
        self.alt_edit.setPlaceholderText("For people who can't see the image")
        self.alt_edit.setClearButtonEnabled(True)
        self.alt_label.setBuddy(self.alt_edit)
        self.error = MessageLabel(self)
        self.notice = MessageLabel(self)  # what the strip could not do as asked (an 11th image...)
        self.preflight = MessageLabel(self)  # what the networks would refuse in a video (checked on a worker)
        self.limits = MessageLabel(self)  # what the ticked X / Google accounts take, or what they would refuse
        self._preflight: dict[tuple[str, frozenset[Platform]], list[str] | None] = {}
        self.choose_button, self.remove_button = self.strip.add_images_button, self.strip.remove_button
        layout = QVBoxLayout(self)
        layout.addWidget(self.strip)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.image_name)
        layout.addWidget(self.alt_label)
        layout.addWidget(self.alt_edit)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.preflight)
        layout.addWidget(self.limits)
        QWidget.setTabOrder(self.strip.remove_button, self.alt_edit)

        self.strip.add_images_requested.connect(self.choose_images)
        self.strip.add_video_requested.connect(self.choose_video)
        self.strip.changed.connect(self._media_changed)
        self.strip.selection_changed.connect(self._show_selected)
        self.strip.notice.connect(lambda text: self.notice.show_message(text, "warning"))
        self.alt_edit.textEdited.connect(lambda text: self.strip.set_alt_text(self.strip.selected_index(), text))
        self.loader.loaded.connect(self._thumbnail_loaded)
        self.fit_panel.fit_changed.connect(self._fit_changed)
        self.fit_panel.previews_ready.connect(self._fit_changed)
        self._show_selected()

    # ----- what the post holds -------------------------------------------------------------------------
    def media(self) -> tuple[MediaRef, ...]:
        return self.strip.media()

    @property
    def path(self) -> str | None:
        """The first image (what ``image_path`` stores), or None."""
        return next((m.path for m in self.media() if m.kind is MediaKind.IMAGE), None)

    def set_media(self, refs: Sequence[MediaRef]) -> None:
        self.notice.clear()
        self.strip.set_media(refs)

    def set_image(self, path: str | None) -> None:
        self.set_media([MediaRef(path)] if path else [])

    @Slot()
    def choose_images(self) -> None:
        start = str(self.controller.settings.value(SETTINGS_IMAGE_DIR, "") or Path.home())
        paths, _ = QFileDialog.getOpenFileNames(self, "Add images", start, IMAGE_FILTER)
        if paths:
            self.controller.settings.setValue(SETTINGS_IMAGE_DIR, str(Path(paths[0]).parent))
            self.notice.clear()
            self.strip.add_images(paths)

    @Slot()
    def choose_video(self) -> None:
        start = str(self.controller.settings.value(SETTINGS_IMAGE_DIR, "") or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Add a video", start, VIDEO_FILTER)
        if path:
            self.controller.settings.setValue(SETTINGS_IMAGE_DIR, str(Path(path).parent))
            self.notice.clear()
            self.strip.set_video(path)

    def add(self, refs: Sequence[MediaRef]) -> None:
        """Dropped files: a video (the first one) replaces what is there; images are added."""
        self.notice.clear()
        video = next((r for r in refs if r.kind is MediaKind.VIDEO), None)
        if video is not None:
            self.strip.set_video(video.path)
        else:
            self.strip.add_images([r.path for r in refs])

    @Slot()
    def _media_changed(self) -> None:
        first = self.path if self.media() and self.media()[0].kind is MediaKind.IMAGE else None
        if first != self._info_for:
            self._info_for, self.info = first, None
            self.error.clear()
            self.fit_panel.set_source(None)
            if first is not None:
                try:  # the header only (no pixels decoded here): its shape, for Instagram's rules
                    self.info = inspect_image(first, decode=False)
                except ValidationError as exc:  # a broken file is reported before anything is scheduled
                    self.error.show_message(str(exc))
        self._show_selected()
        self.update_hint()
        self.changed.emit()

    # ----- the selected one, large ---------------------------------------------------------------------
    def _selected(self) -> tuple[int, MediaRef | None]:
        media = self.media()
        index = self.strip.selected_index()
        if not media:
            return -1, None
        index = index if 0 <= index < len(media) else 0
        return index, media[index]

    @Slot()
    def _show_selected(self) -> None:
        index, ref = self._selected()
        is_image = ref is not None and ref.kind is MediaKind.IMAGE
        self.alt_label.setVisible(is_image)
        self.alt_edit.setVisible(is_image)
        typed = self.strip.alt_text(index) if is_image else ""
        if self.alt_edit.text() != typed:
            self.alt_edit.setText(typed)
        if ref is None:
            self.thumb.setPixmap(icons.image_placeholder(THUMB_SIZE.width(), THUMB_SIZE.height(), "No image"))
            self.image_name.setText(EMPTY_HINT)
            self.image_name.setToolTip("")
            return
        fitted = self.fit_panel.fitted_preview() if index == 0 and self.fit_choice() is not None else None
        if fitted is not None:
            image = QImage(str(fitted))  # a small preview; not a QPixmap from file: a new colour reuses the path
            if not image.isNull():
                self._set_thumb(image)
                how = "padded" if self.fit_panel.fit == PAD else "cropped"
                self.image_name.setText(f"{Path(ref.path).name} · {how} for Instagram")
                return
        self._show_plain(ref)

    def _show_plain(self, ref: MediaRef) -> None:
        # An edited post shows the copy Autoposter kept when it was queued (named by its hash): say so instead.
        name = STORED_IMAGE_NAME if self.controller.posts.is_stored_image(ref.path) else Path(ref.path).name
        thumb = self.loader.get(ref.path)
        if ref.kind is MediaKind.VIDEO:
            label = f"{name} · {thumb.duration}" if thumb is not None and thumb.duration else name
        else:
            size = QImageReader(ref.path).size()  # the header only
            label = f"{name} · {size.width()}×{size.height()}" if size.isValid() else name
        self.image_name.setText(label)
        self.image_name.setToolTip(ref.path)
        if thumb is None:
            self.thumb.setPixmap(icons.image_placeholder(THUMB_SIZE.width(), THUMB_SIZE.height(), "Loading…"))
        elif thumb.image.isNull():
            text = thumb.error or "No preview available"
            self.thumb.setPixmap(icons.image_placeholder(THUMB_SIZE.width(), THUMB_SIZE.height(), "No preview"))
            self.image_name.setText(f"{name} · {text}" if thumb.error else name)
        else:
            self._set_thumb(thumb.image, thumb.duration if ref.kind is MediaKind.VIDEO else None, ref.kind)

    def _set_thumb(self, image: QImage, duration: str | None = None, kind: MediaKind = MediaKind.IMAGE) -> None:
        scaled = image.scaled(
            THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        pixmap = QPixmap.fromImage(scaled)
        self.thumb.setPixmap(video_badge(pixmap, duration) if kind is MediaKind.VIDEO else pixmap)

    @Slot(str)
    def _thumbnail_loaded(self, path: str) -> None:
        _, ref = self._selected()
        if ref is not None and ref.path == path:
            self._show_selected()

    def set_editable(self, editable: bool) -> None:
        self.strip.set_editable(editable)
        self.alt_edit.setReadOnly(not editable)

    # ----- Instagram's shape rules ---------------------------------------------------------------------
    def set_context(self, platforms: set[Platform], editing: bool) -> None:
        """The ticked platforms and whether a queued post is edited (its stored image is not fitted again)."""
        self._platforms, self._editing = platforms, editing
        self.update_hint()

    def ratio_problem(self) -> str | None:
        """Why Instagram would refuse the first image's shape (None when fine, or when Instagram is not ticked)."""
        if self.info is None or self._editing or Platform.INSTAGRAM not in self._platforms:
            return None
        return instagram_problem(self.info, REMEDIES)

    def fit_choice(self) -> str | None:
        """``"pad"`` or ``"crop"`` when Instagram needs a fitted copy and the owner chose one."""
        return self.fit_panel.fit if self.ratio_problem() is not None else None

    def _check_video(self) -> None:
        """The core's video preflight for the ticked networks, run on a worker (it reads the file with PyAV);
        its refusals show under the video as soon as they are known."""
        video = next((m.path for m in self.media() if m.kind is MediaKind.VIDEO), None)
        platforms = frozenset(self._platforms)
        if video is None or not platforms:
            self.preflight.clear()
            return
        key = (video, platforms)
        if key not in self._preflight:
            self._preflight[key] = None

            def work() -> list[str]:
                return [str(p) for p in video_problems(video, platforms)]

            def done(found: list[str]) -> None:
                if shiboken6.isValid(self):
                    self._preflight[key] = found
                    self._check_video()

            self.controller.tasks.submit(work, done, lambda exc: done([]))
        found = self._preflight[key]
        if found:
            self.preflight.show_message("\n".join(found))
        else:
            self.preflight.clear()

    def preflight_done(self) -> bool:
        """Whether the video (if any) has been checked for the ticked networks."""
        video = next((m.path for m in self.media() if m.kind is MediaKind.VIDEO), None)
        return video is None or self._preflight.get((video, frozenset(self._platforms))) is not None

    def update_hint(self) -> None:
        self._check_video()
        refused = media_problems(self.media(), self._platforms)
        if refused:
            self.limits.show_message("\n".join(refused), "warning")
        else:
            self.limits.show_message(media_hint(self._platforms), "hint")
        problem = self.ratio_problem()
        first = self.path if self.info is not None else None
        if problem is not None and first is not None:
            self.fit_panel.show_for(first)
        else:
            self.fit_panel.hide()
        self._show_selected()
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
        if Platform.INSTAGRAM in self._platforms and not self.media():
            self.error.show_message("Instagram posts need an image.", "hint")
        elif problem is not None and self.fit_panel.fit is None:
            self.error.show_message(SHAPE_HINT, "hint")
        else:
            self.error.clear()  # no problem, or fixed by the chosen fit

    @Slot()
    def _fit_changed(self) -> None:
        self.update_hint()
