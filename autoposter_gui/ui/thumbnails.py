"""Thumbnails for the Composer: images and a video's first frame (with its length) decoded on worker threads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.models import MediaKind
from autoposter_gui.domain.video import video_preview

log = logging.getLogger(__name__)
Submit = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]
MAX_SIDE = 480  # big enough for the preview cards; small enough to decode fast
CACHE_SIZE = 40  # decoded pictures kept (about 1 MB each): a post's ten, and a few posts back


@dataclass(frozen=True)
class Thumbnail:
    """A decoded, scaled picture of one media file; ``duration`` ("0:05") for a video; ``error`` when unreadable."""

    image: QImage
    duration: str | None = None
    error: str | None = None


def decode_thumbnail(path: str, kind: MediaKind, max_side: int = MAX_SIDE) -> Thumbnail:
    """Decode ``path`` into a small QImage (EXIF rotation applied) or a video's first frame. Blocking: run it on a
    worker thread (QImage, unlike QPixmap, is safe there)."""
    if kind is MediaKind.VIDEO:
        try:
            preview = video_preview(path, max_side)
        except AutoposterError as exc:
            return Thumbnail(QImage(), None, str(exc))
        rgb = preview.image.convert("RGB")
        data = rgb.tobytes("raw", "RGB")
        image = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()
        return Thumbnail(image, preview.duration_label)
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return Thumbnail(QImage(), None, "No preview available")
    return Thumbnail(image)


class ThumbnailLoader(QObject):
    """Decodes each file once, off the GUI thread; ``loaded(path)`` fires on the GUI thread when it is ready."""

    loaded = Signal(str)

    def __init__(self, submit: Submit, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._submit = submit
        self._cache: dict[str, Thumbnail] = {}
        self._pending: set[str] = set()

    def request(self, path: str, kind: MediaKind) -> None:
        """Start decoding ``path`` unless it is ready or on its way."""
        if path in self._cache or path in self._pending:
            return
        self._pending.add(path)

        def done(thumb: Thumbnail) -> None:
            if shiboken6.isValid(self):
                self._pending.discard(path)
                self._cache[path] = thumb
                while len(self._cache) > CACHE_SIZE:  # the oldest go first (a dict keeps insertion order)
                    del self._cache[next(iter(self._cache))]
                self.loaded.emit(path)

        def failed(exc: BaseException) -> None:
            log.info("thumbnail failed: %s", type(exc).__name__)
            done(Thumbnail(QImage(), None, "No preview available"))

        self._submit(lambda: decode_thumbnail(path, kind), done, failed)

    def get(self, path: str | None) -> Thumbnail | None:
        """The decoded thumbnail of ``path``, or None while it is not ready."""
        return self._cache.get(path) if path else None

    def pending(self) -> bool:
        return bool(self._pending)
