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
    except Image.DecompressionBombError:
        raise ValidationError(
            f"Image is too big to open safely: {p}; resize it below {MAX_PIXELS // 1_000_000} megapixels",
            field="image",
        ) from None
    except UnidentifiedImageError:
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


IG_MIN_RATIO = 0.8  # 4:5
IG_MAX_RATIO = 1.91  # 1.91:1
IG_MIN_WIDTH = 320


def instagram_ratio_ok(width: int, height: int) -> bool:
    ratio = width / height if height else 0.0
    return IG_MIN_RATIO - 1e-3 <= ratio <= IG_MAX_RATIO + 1e-3


def instagram_problem(info: ImageInfo) -> str | None:
    """Why Instagram would refuse this image, or None. Size and format are fixed automatically when publishing."""
    if not instagram_ratio_ok(info.width, info.height):
        return (
            f"Instagram needs an aspect ratio between 4:5 (portrait) and 1.91:1 (landscape); this image is "
            f"{info.width}×{info.height}. Use “Pad to fit” or “Crop to fit”"
        )
    return None


def _target_size(width: int, height: int, mode: str) -> tuple[int, int]:
    ratio = width / height
    if mode == "pad":  # grow the short side
        if ratio > IG_MAX_RATIO:
            return width, round(width / IG_MAX_RATIO)
        return round(height * IG_MIN_RATIO), height
    if ratio > IG_MAX_RATIO:  # crop: shrink the long side
        return round(height * IG_MAX_RATIO), height
    return width, round(width / IG_MIN_RATIO)


def fit_for_instagram(
    path: str | os.PathLike[str], out_dir: Path, mode: str = "pad", color: tuple[int, int, int] = (255, 255, 255)
) -> Path:
    """Write a JPEG copy of the image whose ratio Instagram accepts ("pad" letterboxes, "crop" centres a cut).

    The original file is never touched; the copy is at most 1440 px wide.
    """
    from PIL import Image

    if mode not in ("pad", "crop"):
        raise ValueError("mode must be 'pad' or 'crop'")
    src_path = Path(path)
    with Image.open(src_path) as src:
        img = src.convert("RGB")
    width, height = img.size
    if not instagram_ratio_ok(width, height):
        tw, th = _target_size(width, height, mode)
        if mode == "pad":
            canvas = Image.new("RGB", (tw, th), color)
            canvas.paste(img, ((tw - width) // 2, (th - height) // 2))
            img = canvas
        else:
            left, top = (width - tw) // 2, (height - th) // 2
            img = img.crop((left, top, left + tw, top + th))
    if img.width > IG_MAX_WIDTH:
        img = img.resize((IG_MAX_WIDTH, max(1, round(img.height * IG_MAX_WIDTH / img.width))), Image.Resampling.LANCZOS)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{src_path.stem}-{mode}-{img.width}x{img.height}.jpg"
    img.save(out, "JPEG", quality=90)
    return out
