"""Help menu texts: "Copy diagnostics" (versions, paths, scheduler state; never a secret) and the About box."""

from __future__ import annotations

import logging
import platform
import sys
from collections import Counter
from datetime import datetime

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from autoposter_gui import APP_NAME, __version__
from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.preferences import NOTIFY_KINDS

LICENSE = "MIT"
log = logging.getLogger(__name__)


def graph_version() -> str:
    """The pinned Graph API version (imported here, late: the client pulls in ``requests``)."""
    from autoposter_gui.engine.support import graph_version as pinned

    return pinned()


def _iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "never"


def _autostart_state() -> str:
    from autoposter_gui.desktop.autostart import for_this_platform

    try:
        return "on" if for_this_platform().is_enabled() else "off"
    except OSError as exc:
        return f"unknown ({exc.strerror})"


def _scheduler_lines(controller: AppController) -> list[str]:
    scheduler = controller.scheduler
    if scheduler is None:
        return ["Scheduler: starting"]
    state = scheduler.state
    status = "paused" if state.paused else "running" if state.running else "stopped"
    lines = [f"Scheduler: {status}, every {getattr(scheduler, 'interval_seconds', 60)} s"]
    lines.append(f"  last check: {_iso(state.last_tick_at)}")
    if state.last_result:
        counts = ", ".join(f"{k} {v}" for k, v in state.last_result.items() if k != "error" and v is not None)
        lines.append(f"  last result: {counts}")
    lines.append(f"  last error: {state.last_error or 'none'}")
    catchup = getattr(scheduler, "catchup", None)
    if catchup is not None:
        lines.append(f"  missed-post grace window: {catchup.grace}")
    return lines


def _breakdown(by_platform: Counter[str], by_status: Counter[str]) -> str:
    """`` (2 facebook, 1 instagram; 3 connected)``, or nothing without accounts."""
    if not by_platform:
        return ""
    kinds = ", ".join(f"{n} {p}" for p, n in sorted(by_platform.items()))
    states = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
    return f" ({kinds}; {states})"


def diagnostics_text(controller: AppController) -> str:
    """A plain-text report for a support request: versions, paths, settings, scheduler state and counts.

    It reads no token or secret (those stay in the keyring), and the whole text still goes through the
    redaction filter, in case a path or an error message ever carried one.
    """
    from autoposter_gui.engine.backups import BackupService
    from autoposter_gui.engine.support import redact

    config = controller.config
    reads = controller.reads
    prefs = controller.preferences
    accounts = reads.accounts()
    by_platform = Counter(a.platform for a in accounts)
    by_status = Counter(a.status for a in accounts)
    items = {status.value: reads.count_items([status]) for status in ItemStatus}
    backups = BackupService(config).files()
    try:
        db_size = f"{config.db_path.stat().st_size / 1024:,.0f} KB"
    except OSError:
        db_size = "missing"
    qapp = QGuiApplication.instance()
    platform_name = QGuiApplication.platformName() if qapp is not None else "none"
    lines = [
        f"{APP_NAME} {__version__} ({'sandbox' if config.sandbox else 'normal'} mode)",
        f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.platform})",
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}",
        f"Graph API {graph_version()}",
        f"System: {platform.platform()}",
        f"Qt platform: {platform_name}; system tray: {'yes' if QSystemTrayIcon.isSystemTrayAvailable() else 'no'}",
        "",
        f"Data folder: {config.data_dir}",
        f"Database: {config.db_path} ({db_size})",
        f"Backups: {len(backups)}" + (f", newest {backups[0].name}" if backups else ""),
        f"Logs: {config.log_dir} (level {logging.getLevelName(logging.getLogger().level)})",
        f"Settings: {prefs.file_name}",
        "",
        f"Start minimized: {'on' if prefs.start_minimized else 'off'}; start at login: {_autostart_state()}",
        "Notifications: " + ", ".join(f"{k} {'on' if prefs.notify(k) else 'off'}" for k in NOTIFY_KINDS),
        *_scheduler_lines(controller),
        "",
        f"Accounts: {len(accounts)}{_breakdown(by_platform, by_status)}",
        "Posts: " + ", ".join(f"{status} {n}" for status, n in items.items()),
    ]
    return redact("\n".join(lines)) + "\n"


def about_html(sandbox: bool) -> str:
    """The About box: version, license and the Graph API version."""
    mode = "<p><i>Sandbox mode: nothing is published for real.</i></p>" if sandbox else ""
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>Schedule posts for your Facebook Page and Instagram business account. They are published exactly "
        "once, at the time you chose, even while the window is closed.</p>"
        f"<p>Meta Graph API {graph_version()}<br>"
        f"Qt {qVersion()} · PySide6 {PySide6.__version__} · Python {platform.python_version()}</p>"
        f"<p>Released under the {LICENSE} License.</p>{mode}"
    )
