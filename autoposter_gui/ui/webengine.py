"""Loading the embedded browser (QtWebEngine) on demand; when it can't work, the Connect dialog asks for a token."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from autoposter_gui.ui.login_browser import LoginBrowser

log = logging.getLogger(__name__)
DISABLE_ENV = "AUTOPOSTER_NO_WEBVIEW"  # set to 1 to always paste a token (e.g. a machine whose GPU stack crashes)


class WebViewUnavailable(Exception):
    """QtWebEngine can't be used here; the message says why, in plain words."""


def prepare_environment() -> None:
    """Chromium refuses to start as root with its sandbox on, and aborts the whole process: turn it off there."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None or geteuid() != 0:
        return
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "QTWEBENGINE_DISABLE_SANDBOX" not in os.environ and "--no-sandbox" not in flags:
        log.warning("running as root: starting the login browser without Chromium's sandbox")
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"


def create_login_browser(parent: QWidget | None = None) -> LoginBrowser:
    """A browser for Facebook Login; raises WebViewUnavailable when QtWebEngine is missing or turned off."""
    if os.environ.get(DISABLE_ENV, "").strip() not in ("", "0"):
        raise WebViewUnavailable(f"the built-in browser is turned off ({DISABLE_ENV} is set)")
    prepare_environment()
    try:
        from autoposter_gui.ui.login_browser import LoginBrowser
    except ImportError as exc:  # a build without QtWebEngine, or a missing system library
        log.warning("QtWebEngine is not available: %s", exc)
        raise WebViewUnavailable("the built-in browser (Qt WebEngine) is not installed or can't load") from None
    try:
        return LoginBrowser(parent)
    except Exception as exc:
        log.exception("the login browser could not start")
        raise WebViewUnavailable(f"the built-in browser could not start ({type(exc).__name__})") from None
