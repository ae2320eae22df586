"""Logging for the app and the CLI: a rotating file in the data folder, with tokens masked."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from autoposter_gui.storage.folder import private_dir, private_opener

LOG_FILE = "autoposter.log"
LEVEL_ENV = "AUTOPOSTER_LOG_LEVEL"


def level_from_env(default: str = "INFO") -> str:
    """The log level from ``AUTOPOSTER_LOG_LEVEL`` (DEBUG, INFO, WARNING, ERROR), else ``default``."""
    value = os.environ.get(LEVEL_ENV, default).strip().upper()
    return value if value in ("DEBUG", "INFO", "WARNING", "ERROR") else default


_HANDLER_NAME = "autoposter-file"


def _private_handler(path: Path) -> logging.Handler:
    """A rotating file handler (5 x 1 MB) whose files are 0600 (POSIX), whatever the umask."""
    from logging.handlers import RotatingFileHandler  # not at import: slow, and needed after the window only

    class PrivateRotatingFileHandler(RotatingFileHandler):
        def _open(self) -> Any:
            return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=private_opener)

    return PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")


def configure_logging(log_dir: Path, level: int | str = logging.INFO) -> Path | None:
    """Send our logs to ``log_dir/autoposter.log`` (5 x 1 MB). Returns the file, or None if it can't be written."""
    from autoposter_gui.networks.redact import RedactingFilter  # its patterns compile here, not before the first window

    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
    path = log_dir / LOG_FILE
    try:
        private_dir(log_dir)
        file_handler = _private_handler(path)
    except OSError:
        return None
    file_handler.set_name(_HANDLER_NAME)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    file_handler.addFilter(RedactingFilter())
    root.addHandler(file_handler)
    root.setLevel(level)
    quiet = logging.WARNING if root.getEffectiveLevel() > logging.DEBUG else logging.DEBUG
    for noisy in ("urllib3", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(quiet)
    # The OAuth libraries log every token they obtain or send at DEBUG: never wanted, even in a DEBUG log.
    for oauth in ("oauthlib", "requests_oauthlib", "google_auth_oauthlib", "google.auth"):
        logging.getLogger(oauth).setLevel(logging.WARNING)
    return path
