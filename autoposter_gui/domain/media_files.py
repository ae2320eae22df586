"""The checks every chosen media file passes first: it exists, is a non-empty file and is readable."""

from __future__ import annotations

import os
from pathlib import Path

from autoposter_gui.domain.errors import ValidationError


def existing_file(path: str | os.PathLike[str], field: str) -> tuple[Path, int]:
    """The expanded path and its size; ValidationError on ``field`` ("image", "video") if missing, a folder or empty."""
    what = field.capitalize()
    p = Path(path).expanduser()
    if not p.exists():
        raise ValidationError(f"{what} not found: {p}", field=field)
    if p.is_dir():
        raise ValidationError(f"{what} path is a folder, not a file: {p}", field=field)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ValidationError(f"Cannot read {field} {p}: {exc.strerror}", field=field) from None
    if size == 0:
        raise ValidationError(f"{what} file is empty (0 bytes): {p}", field=field)
    return p, size


def require_readable(p: Path, field: str) -> None:
    """ValidationError if this process may not read ``p``."""
    if not os.access(p, os.R_OK):
        raise ValidationError(f"Cannot read {field} {p}: permission denied", field=field)
