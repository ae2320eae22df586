"""Autoposter: schedule and publish posts to a Facebook Page and Instagram, exactly once."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "Autoposter"
APP_ORG = "Autoposter"
DESKTOP_ID = "io.github.autoposter.Autoposter"  # the .desktop file, the autostart entry and Qt desktopFileName


def window_title(sandbox: bool) -> str:
    """The main window's title. Qt adds `` — <applicationDisplayName>`` to a title that does not end with it, so
    the mode goes first: ``Sandbox — Autoposter``, never ``Autoposter — Sandbox — Autoposter``."""
    return f"Sandbox — {APP_NAME}" if sandbox else APP_NAME
