"""Image checks and JPEG conversion with Pillow (imported lazily to keep start-up fast)."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from autoposter_gui.domain.errors import ValidationError

MAX_IMAGE_BYTES_INPUT = 50 * 1024 * 1024  # refuse absurd files before decoding
MAX_PIXELS = 60_000_000  # decompression-bomb guard (about 7700 x 7700)
IG_MAX_BYTES = 8 * 1024 * 1024
IG_MAX_WIDTH = 1440


@dataclass(frozen=True)
class ImageInfo:
    path: Path
    format: str
    width: int
    height: int
    size_bytes: int


def inspect_image(path: str | os.PathLike[str]) -> ImageInfo:
    """Check that ``path`` is a readable, decodable image; raise ValidationError with a clear message if not."""
    from PIL import Image, UnidentifiedImageError

    p = Path(path).expanduser()
    if not p.exists():
        raise ValidationError(f"Image not found: {p}", field="image")
    if p.is_dir():
        raise ValidationError(f"Image path is a folder, not a file: {p}", field="image")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ValidationError(f"Cannot read image {p}: {exc.strerror}", field="image") from None
    if size == 0:
        raise ValidationError(f"Image file is empty (0 bytes): {p}", field="image")
    if size > MAX_IMAGE_BYTES_INPUT:
        raise ValidationError(f"Image is too large ({size // (1024 * 1024)} MB); use one under 50 MB", field="image")
    if not os.access(p, os.R_OK):
        raise ValidationError(f"Cannot read image {p}: permission denied", field="image")
    try:
        with Image.open(p) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    f"Image is too big ({width}×{height} pixels); resize it below {MAX_PIXELS // 1_000_000} megapixels",
                    field="image",
                )
            fmt = img.format or "unknown"
            img.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ValidationError(f"Not a supported image file: {p}", field="image") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(f"Image file is damaged or truncated: {p}", field="image") from None
    # verify() does not decode the pixels: load them so a truncated file is caught at compose time.
    try:
        with Image.open(p) as img:
            img.load()
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(f"Image file is damaged or truncated: {p}", field="image") from None
    return ImageInfo(p, fmt, width, height, size)


def to_jpeg_bytes(path: str | os.PathLike[str], max_width: int | None = None, max_bytes: int | None = None) -> bytes:
    """Return the image as JPEG bytes (RGB, alpha flattened on white), downscaled to ``max_width`` if wider."""
    from PIL import Image

    with Image.open(Path(path)) as src:
        img: Image.Image = src
        if img.mode not in ("RGB", "L"):
            if "A" in img.getbands() or img.mode == "P":
                rgba = img.convert("RGBA")
                background = Image.new("RGB", rgba.size, (255, 255, 255))
                background.paste(rgba, mask=rgba.getchannel("A"))
                img = background
            else:
                img = img.convert("RGB")
        if max_width and img.width > max_width:
            ratio = max_width / img.width
            img = img.resize((max_width, max(1, round(img.height * ratio))), Image.Resampling.LANCZOS)
        quality = 90
        while True:
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=quality, optimize=True)
            data = buf.getvalue()
            if max_bytes is None or len(data) <= max_bytes or quality <= 40:
                return data
            quality -= 10
