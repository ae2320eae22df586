"""The owner's app-wide choices from Settings, kept in QSettings under the organization and app name (the grace
window lives in the engine's settings, shared with the CLI, once a data folder is open)."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from autoposter_gui import APP_NAME, APP_ORG
from autoposter_gui.logsetup import LEVEL_ENV, level_from_env

if TYPE_CHECKING:
    from autoposter_gui.engine.settings import SettingsService

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
NOTIFY_KINDS = ("published", "failed", "warnings")
DEFAULT_GRACE_HOURS = 6
MAX_GRACE_HOURS = 168

START_MINIMIZED = "general/start_minimized"
GRACE_HOURS = "publishing/catchup_grace_hours"
LOG_LEVEL = "logging/level"


def _notify_key(kind: str) -> str:
    return f"notifications/{kind}"


class Preferences:
    """Typed access to the Settings dialog's values (start minimized, grace window, notifications, log level).

    Start at login is not stored here: the autostart entry itself is the truth (see ``desktop/autostart.py``).
    """

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings if settings is not None else QSettings(APP_ORG, APP_NAME)
        self.engine: SettingsService | None = None

    def use_engine(self, service: SettingsService) -> None:
        """Keep the grace window in the engine's settings (shared with `autoposter settings`) from now on. A value
        an earlier version kept here moves there, once, unless the engine already has one."""
        self.engine = service
        if self.settings.contains(GRACE_HOURS):
            if not service.is_stored("grace_hours"):
                service.set("grace_hours", str(self._qsettings_grace()))
            self.settings.remove(GRACE_HOURS)

    @property
    def file_name(self) -> str:
        return str(self.settings.fileName())

    # ----- start-up --------------------------------------------------------------------------------
    @property
    def start_minimized(self) -> bool:
        return bool(self.settings.value(START_MINIMIZED, False, type=bool))

    @start_minimized.setter
    def start_minimized(self, value: bool) -> None:
        self.settings.setValue(START_MINIMIZED, bool(value))

    # ----- catch-up --------------------------------------------------------------------------------
    @property
    def grace_hours(self) -> int:
        if self.engine is not None:
            return self.engine.grace_hours
        return self._qsettings_grace()

    @grace_hours.setter
    def grace_hours(self, value: int) -> None:
        hours = min(max(int(value), 0), MAX_GRACE_HOURS)
        if self.engine is not None:
            self.engine.set("grace_hours", str(hours))
        else:
            self.settings.setValue(GRACE_HOURS, hours)

    def _qsettings_grace(self) -> int:
        raw = self.settings.value(GRACE_HOURS, DEFAULT_GRACE_HOURS)
        try:
            hours = int(str(raw))
        except ValueError:
            return DEFAULT_GRACE_HOURS
        return min(max(hours, 0), MAX_GRACE_HOURS)

    def grace(self) -> timedelta:
        """How late a post may be and still go out by itself after a start or wake-up."""
        return timedelta(hours=self.grace_hours)

    # ----- notifications ---------------------------------------------------------------------------
    def notify(self, kind: str) -> bool:
        """Whether to show tray notifications of ``kind`` (``published``, ``failed`` or ``warnings``)."""
        if kind not in NOTIFY_KINDS:
            return True
        return bool(self.settings.value(_notify_key(kind), True, type=bool))

    def set_notify(self, kind: str, value: bool) -> None:
        if kind not in NOTIFY_KINDS:
            raise KeyError(kind)
        self.settings.setValue(_notify_key(kind), bool(value))

    # ----- logging ---------------------------------------------------------------------------------
    @property
    def log_level(self) -> str:
        value = str(self.settings.value(LOG_LEVEL, "INFO") or "INFO").upper()
        return value if value in LOG_LEVELS else "INFO"

    @log_level.setter
    def log_level(self, value: str) -> None:
        value = value.upper()
        if value not in LOG_LEVELS:
            raise ValueError(f"unknown log level {value!r}")
        self.settings.setValue(LOG_LEVEL, value)

    def startup_log_level(self) -> str:
        """``AUTOPOSTER_LOG_LEVEL`` when set (a debugging session), else the level chosen in Settings."""
        return level_from_env(self.log_level) if os.environ.get(LEVEL_ENV) else self.log_level

    def sync(self) -> None:
        self.settings.sync()
