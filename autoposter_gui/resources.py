"""Paths to the icons shipped in the package (SVG sources and rendered PNGs); no Qt here, only file paths."""

from __future__ import annotations

from pathlib import Path
from typing import Final

# The single copy of the resources: ``autoposter_gui/resources/`` (package data, so wheels and frozen builds have it).
RESOURCE_DIR: Final = Path(__file__).with_name("resources")
ICON_DIR: Final = RESOURCE_DIR / "icons"
SCALABLE_DIR: Final = ICON_DIR / "scalable"

APP_ICON: Final = "app"
APP_ICON_SIZES: Final = (16, 32, 48, 64, 128, 256, 512)
TRAY_ICON_SIZES: Final = (16, 22, 24, 32, 48, 64)
TRAY_STATES: Final = ("idle", "publishing", "attention", "paused")
STATUS_ICONS: Final = ("scheduled", "processing", "posted", "failed", "missed", "draft", "canceled")

_TRAY_ALIASES: Final = {"needs_attention": "attention", "needs-attention": "attention"}

# Every icon and the PNG sizes rendered from its SVG (an empty tuple: SVG only).
ICONS: Final[dict[str, tuple[int, ...]]] = {
    APP_ICON: APP_ICON_SIZES,
    **{f"tray-{state}": TRAY_ICON_SIZES for state in TRAY_STATES},
    **{f"status-{status}": () for status in STATUS_ICONS},
}


def resource_dir() -> Path:
    """The folder holding every shipped resource."""
    return RESOURCE_DIR


def _check(name: str) -> tuple[int, ...]:
    try:
        return ICONS[name]
    except KeyError:
        raise KeyError(f"unknown icon {name!r}; known: {', '.join(sorted(ICONS))}") from None


def svg_path(name: str) -> Path:
    """The SVG source of icon ``name`` (e.g. ``"app"``, ``"tray-idle"``, ``"status-posted"``)."""
    _check(name)
    return SCALABLE_DIR / f"{name}.svg"


def png_sizes(name: str) -> tuple[int, ...]:
    """The pixel sizes icon ``name`` is rendered at, smallest first (empty for SVG-only icons)."""
    return _check(name)


def png_path(name: str, size: int) -> Path:
    """The PNG of icon ``name`` at exactly ``size`` px; ``ValueError`` if that size is not rendered."""
    if size not in _check(name):
        raise ValueError(f"icon {name!r} has no {size} px PNG; sizes: {png_sizes(name)}")
    return ICON_DIR / f"{size}x{size}" / f"{name}.png"


def icon_path(name: str, size: int | None = None) -> Path:
    """The best file for ``name`` at ``size`` px: that PNG, else the next larger, else the largest; the SVG when
    ``size`` is None or the icon has no PNGs."""
    sizes = _check(name)
    if size is None or not sizes:
        return svg_path(name)
    fitting = [s for s in sizes if s >= size]
    return png_path(name, fitting[0] if fitting else sizes[-1])


def icon_files(name: str) -> list[Path]:
    """The files to build one ``QIcon`` from (``addFile`` each): every PNG, smallest first, or the SVG if none."""
    return [png_path(name, s) for s in _check(name)] or [svg_path(name)]


def app_icon_path(size: int | None = None) -> Path:
    """The application icon (blue tile with a paper plane)."""
    return icon_path(APP_ICON, size)


def tray_icon_name(state: str) -> str:
    """The icon name for a tray state: ``idle``, ``publishing``, ``attention`` (or ``needs_attention``), ``paused``."""
    state = _TRAY_ALIASES.get(state, state)
    if state not in TRAY_STATES:
        raise KeyError(f"unknown tray state {state!r}; known: {', '.join(TRAY_STATES)}")
    return f"tray-{state}"


def tray_icon_path(state: str = "idle", size: int | None = None) -> Path:
    """The tray icon for ``state``; it carries its own tile, so it reads on light and dark panels."""
    return icon_path(tray_icon_name(state), size)


def status_icon_path(status: str) -> Path:
    """The SVG for a queue item status (an ``ItemStatus`` value such as ``"scheduled"`` or ``"posted"``)."""
    if status not in STATUS_ICONS:
        raise KeyError(f"unknown status {status!r}; known: {', '.join(STATUS_ICONS)}")
    return svg_path(f"status-{status}")
