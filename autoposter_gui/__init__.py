"""Autoposter: schedule and publish posts to a Facebook Page and Instagram, exactly once."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "Autoposter"
APP_ORG = "Autoposter"
DESKTOP_ID = "io.github.autoposter.Autoposter"  # the .desktop file, the autostart entry and Qt desktopFileName
