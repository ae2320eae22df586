"""A new post's media copied into the media store: per platform, Instagram's images fitted when asked."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from autoposter_gui.domain.images import (
    fitted_jpeg,
    fitted_to_ratio_jpeg,
    image_suffix,
    inspect_image,
    instagram_ratio_ok,
)
from autoposter_gui.domain.models import MediaKind, MediaRef, Platform
from autoposter_gui.storage.media import MediaStore


def store_media(
    store: MediaStore,
    refs: Sequence[MediaRef],
    platforms: Collection[str],
    fit: str | None,
    color: tuple[int, int, int],
) -> dict[str, tuple[MediaRef, ...]]:
    """Copy the post's (validated) media into the store, per platform: Instagram's images fitted when asked (a
    carousel's later images to the first one's ratio), the others as they are. Stored copies are named by their
    content, so no other post can overwrite them."""
    plain: list[MediaRef] = []
    for ref in refs:
        if ref.kind is MediaKind.IMAGE:
            info = inspect_image(ref.path, decode=False)
            plain.append(MediaRef(str(store.put(info.path, image_suffix(info))), ref.kind, ref.alt_text))
        else:
            plain.append(MediaRef(str(store.put(ref.path, Path(ref.path).suffix.lower())), ref.kind, ref.alt_text))
    stored = {platform: tuple(plain) for platform in platforms}
    if Platform.INSTAGRAM.value in platforms and fit is not None and plain:
        stored[Platform.INSTAGRAM.value] = _fitted(store, tuple(plain), fit, color)
    return stored


def _fitted(
    store: MediaStore, refs: tuple[MediaRef, ...], fit: str, color: tuple[int, int, int]
) -> tuple[MediaRef, ...]:
    """Instagram's copies: the first image fitted into Instagram's ratios if needed, the others fitted to the first
    one's ratio (Instagram shows a carousel at its first image's ratio)."""
    out: list[MediaRef] = []
    ratio: float | None = None
    for ref in refs:
        if ref.kind is not MediaKind.IMAGE:
            out.append(ref)
            continue
        info = inspect_image(ref.path, decode=False)
        if ratio is None:
            if instagram_ratio_ok(info.width, info.height):
                ratio, path = info.width / info.height, ref.path
            else:
                path = str(store.put_bytes(fitted_jpeg(ref.path, fit, color), ".jpg"))
                fitted = inspect_image(path, decode=False)
                ratio = fitted.width / fitted.height
        elif abs(info.width / info.height - ratio) <= 1e-2 * ratio:
            path = ref.path
        else:
            path = str(store.put_bytes(fitted_to_ratio_jpeg(ref.path, ratio, fit, color), ".jpg"))
        out.append(MediaRef(path, ref.kind, ref.alt_text))
    return tuple(out)
