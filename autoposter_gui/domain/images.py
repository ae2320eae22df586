"""Image checks and JPEG conversion with Pillow (imported lazily to keep start-up fast)."""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from autoposter_gui.domain.errors import Remedy, ValidationError
from autoposter_gui.domain.media_files import existing_file, require_readable

if TYPE_CHECKING:
    from PIL import Image

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


def inspect_image(path: str | os.PathLike[str], *, decode: bool = True) -> ImageInfo:
    """Check that ``path`` is a readable, decodable image; raise ValidationError with a clear message if not.

    ``decode=False`` skips decoding the pixels (for callers that decode the image right after anyway).
    """
    from PIL import Image, UnidentifiedImageError

    p, size = existing_file(path, "image")
    if size > MAX_IMAGE_BYTES_INPUT:
        raise ValidationError(f"Image is too large ({size // (1024 * 1024)} MB); use one under 50 MB", field="image")
    require_readable(p, "image")
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
    if decode:
        # verify() does not decode the pixels: load them so a truncated file is caught at compose time. A JPEG
        # is decoded at 1/8 scale: every byte of it is still read and checked, for a fraction of the work.
        try:
            with Image.open(p) as img:
                img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
                img.load()
        except (OSError, SyntaxError, ValueError):
            raise ValidationError(f"Image file is damaged or truncated: {p}", field="image") from None
    return ImageInfo(p, fmt, width, height, size)


def to_jpeg_bytes(path: str | os.PathLike[str], max_width: int | None = None, max_bytes: int | None = None) -> bytes:
    """Return the image as JPEG bytes (RGB, alpha flattened on white), downscaled to ``max_width`` if wider.

    A file that can't be read or decoded raises ValidationError.
    """
    p = Path(path)
    try:
        return _to_jpeg_bytes(p, max_width, max_bytes)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise ValidationError(f"Cannot read image {p}: {exc.strerror}", field="image") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(f"Image file is damaged or truncated: {p}", field="image") from None


def _to_jpeg_bytes(path: Path, max_width: int | None, max_bytes: int | None) -> bytes:
    from PIL import Image

    with Image.open(path) as src:
        width, height = src.size
        target: tuple[int, int] | None = None
        if max_width and width > max_width:
            target = (max_width, max(1, round(height * max_width / width)))
            # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 (never below the target) while it decodes: far fewer
            # pixels to decode and resample, for the same result. A no-op for other formats.
            src.draft(src.mode, target)
        _allocate_unlocked(src)
        img: Image.Image = src
        if img.mode not in ("RGB", "L"):
            if "A" in img.getbands() or img.mode == "P":
                rgba = img.convert("RGBA")
                background = Image.new("RGB", rgba.size, (255, 255, 255))
                background.paste(rgba, mask=rgba.getchannel("A"))
                img = background
            else:
                img = img.convert("RGB")
        if target is not None and img.size != target:
            # What Pillow's own thumbnail() does: bicubic with a reducing gap, sharp and several times cheaper
            # than Lanczos on phone-sized photos.
            img = img.resize(target, Image.Resampling.BICUBIC, reducing_gap=2.0)
        quality = 90
        while True:
            data = _encode_jpeg(img, quality)
            if max_bytes is None or len(data) <= max_bytes or quality <= 40:
                return data
            quality -= 10


def _allocate_unlocked(src: Image.Image) -> None:
    """Give a JPEG about to be decoded its pixel memory, cleared with the GIL released.

    Pillow's decoder allocates it with ``calloc`` while holding the GIL: for a full-size photo (24 MB at
    3000×2000) that clearing stalls every other thread, the GUI's too, for up to ~10 ms. ``Image.new`` with a
    fill colour allocates without clearing and fills with the GIL released; the decoder then writes into that
    memory (it does so whenever the image already has its memory), and the result is the same.
    """
    from PIL import Image

    if src.format == "JPEG" and src.mode in ("RGB", "L", "CMYK") and len(getattr(src, "tile", ())) == 1:
        src.im = Image.new(src.mode, src.size, 0).im


def _encode_jpeg(img: Image.Image, quality: int) -> bytes:
    """JPEG-encode ``img`` without blocking the other threads.

    Pillow encodes into a BytesIO while holding the GIL (50-150 ms for a photo, during which the GUI thread can't
    run), but into a real file descriptor it releases it: so encode into an anonymous in-memory file.
    """
    with _scratch_file() as fh:
        img.save(fh, format="JPEG", quality=quality, optimize=True)
        fh.seek(0)
        return fh.read()


def _scratch_file() -> IO[bytes]:
    if hasattr(os, "memfd_create"):  # Linux: RAM only, never touches the disk
        with contextlib.suppress(OSError):
            return os.fdopen(os.memfd_create("autoposter-jpeg"), "w+b")
    return tempfile.TemporaryFile()


IG_MIN_RATIO = 0.8  # 4:5
IG_MAX_RATIO = 1.91  # 1.91:1
IG_MIN_WIDTH = 320


def instagram_ratio_ok(width: int, height: int) -> bool:
    ratio = width / height if height else 0.0
    return IG_MIN_RATIO - 1e-3 <= ratio <= IG_MAX_RATIO + 1e-3


def instagram_ratio_error(info: ImageInfo) -> ValidationError | None:
    """Why Instagram would refuse this image, or None. Size and format are fixed automatically when publishing;
    the ratio is fixed by padding or cropping (the remedy each front end names its own way)."""
    if not instagram_ratio_ok(info.width, info.height):
        return ValidationError(
            f"Instagram needs an aspect ratio between 4:5 (portrait) and 1.91:1 (landscape); this image is "
            f"{info.width}×{info.height}",
            field="image",
            remedy=Remedy.FIT_IMAGE,
        )
    return None


def instagram_problem(info: ImageInfo, remedies: Mapping[Remedy, str] | None = None) -> str | None:
    """``instagram_ratio_error`` as a sentence, with the remedy in the caller's words."""
    error = instagram_ratio_error(info)
    return None if error is None else error.phrased(remedies)


def _target_size(width: int, height: int, mode: str) -> tuple[int, int]:
    """The canvas (pad) or cut (crop) size; rounded towards the inside of Instagram's allowed range."""
    ratio = width / height
    if mode == "pad":  # grow the short side
        if ratio > IG_MAX_RATIO:
            return width, math.ceil(width / IG_MAX_RATIO)
        return math.ceil(height * IG_MIN_RATIO), height
    if ratio > IG_MAX_RATIO:  # crop: shrink the long side
        return math.floor(height * IG_MAX_RATIO), height
    return width, math.floor(width / IG_MIN_RATIO)


def _fitted(path: Path, mode: str, color: tuple[int, int, int]) -> Image.Image:
    """The image with a ratio Instagram accepts ("pad" letterboxes, "crop" centres a cut), at most 1440 px wide."""
    from PIL import Image, ImageOps

    if mode not in ("pad", "crop"):
        raise ValueError("mode must be 'pad' or 'crop'")
    with Image.open(path) as src:
        img = ImageOps.exif_transpose(src).convert("RGB")  # a phone photo's rotation is applied, not lost
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
    if img.width > IG_MAX_WIDTH:  # scale down last (full detail kept), with the ratio clamped inside the range
        height = round(img.height * IG_MAX_WIDTH / img.width)
        height = min(max(height, math.ceil(IG_MAX_WIDTH / IG_MAX_RATIO)), math.floor(IG_MAX_WIDTH / IG_MIN_RATIO))
        img = img.resize((IG_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    return img


def fitted_jpeg(
    path: str | os.PathLike[str], mode: str = "pad", color: tuple[int, int, int] = (255, 255, 255)
) -> bytes:
    """JPEG bytes of the image fitted for Instagram (see ``_fitted``); the original file is never touched.

    A file that can't be read or decoded raises ValidationError.
    """
    p = Path(path)
    try:
        return _encode_jpeg(_fitted(p, mode, color), 90)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise ValidationError(f"Cannot read image {p}: {exc.strerror}", field="image") from None
    except (OSError, SyntaxError):
        raise ValidationError(f"Image file is damaged or truncated: {p}", field="image") from None


def _to_ratio(img: Image.Image, ratio: float, mode: str, color: tuple[int, int, int]) -> Image.Image:
    """``img`` padded or centre-cropped to ``ratio`` (width / height)."""
    from PIL import Image

    width, height = img.size
    if abs(width / height - ratio) <= 1e-3 * ratio:
        return img
    if mode == "pad":
        tw, th = (width, math.ceil(width / ratio)) if width / height > ratio else (math.ceil(height * ratio), height)
        canvas = Image.new("RGB", (tw, th), color)
        canvas.paste(img, ((tw - width) // 2, (th - height) // 2))
        return canvas
    tw, th = (math.floor(height * ratio), height) if width / height > ratio else (width, math.floor(width / ratio))
    left, top = (width - tw) // 2, (height - th) // 2
    return img.crop((left, top, left + tw, top + th))


def fitted_to_ratio_jpeg(
    path: str | os.PathLike[str], ratio: float, mode: str = "pad", color: tuple[int, int, int] = (255, 255, 255)
) -> bytes:
    """JPEG bytes of the image padded or cropped to ``ratio`` (a carousel's later images take the first one's
    ratio), at most 1440 px wide; the original file is never touched. Unreadable files raise ValidationError."""
    from PIL import Image, ImageOps

    if mode not in ("pad", "crop"):
        raise ValueError("mode must be 'pad' or 'crop'")
    p = Path(path)
    try:
        with Image.open(p) as src:
            img = _to_ratio(ImageOps.exif_transpose(src).convert("RGB"), ratio, mode, color)
        if img.width > IG_MAX_WIDTH:
            img = img.resize((IG_MAX_WIDTH, max(1, round(IG_MAX_WIDTH / ratio))), Image.Resampling.LANCZOS)
        return _encode_jpeg(img, 90)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise ValidationError(f"Cannot read image {p}: {exc.strerror}", field="image") from None
    except (OSError, SyntaxError):
        raise ValidationError(f"Image file is damaged or truncated: {p}", field="image") from None


def fit_for_instagram(
    path: str | os.PathLike[str], out_dir: Path, mode: str = "pad", color: tuple[int, int, int] = (255, 255, 255)
) -> Path:
    """Write a JPEG copy of the image fitted for Instagram into ``out_dir`` (the composer's previews).

    Named after the original's stem, mode and size: fine for a scratch folder, never for queued posts (two
    different ``photo.png`` would share one copy). Posts store ``fitted_jpeg`` bytes in the media store instead.
    """
    src_path = Path(path)
    img = _fitted(src_path, mode, color)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{src_path.stem}-{mode}-{img.width}x{img.height}.jpg"
    img.save(out, "JPEG", quality=90)
    return out


# The file extension a stored copy keeps, by the format Pillow found (not by the original's name).
FORMAT_SUFFIXES = {
    "JPEG": ".jpg",
    "MPO": ".jpg",
    "PNG": ".png",
    "GIF": ".gif",
    "WEBP": ".webp",
    "BMP": ".bmp",
    "TIFF": ".tif",
}


def image_suffix(info: ImageInfo) -> str:
    """The extension for a copy of this image: from its real format, else the original's (lower case)."""
    return FORMAT_SUFFIXES.get(info.format.upper(), info.path.suffix.lower())
