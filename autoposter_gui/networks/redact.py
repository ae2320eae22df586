"""Masking of access tokens and secrets in text and in log records, by pattern and by known value (every network's
client and the log file use it)."""

from __future__ import annotations

import logging
import re

from autoposter_gui.domain.known_secrets import MASK as MASK
from autoposter_gui.domain.known_secrets import mask

_SECRET_PARAMS = (
    "access_token",
    "appsecret_proof",
    "client_secret",
    "input_token",
    "fb_exchange_token",
    "refresh_token",
    "code_verifier",
    "id_token",
)

# key=value in a URL or form body, and "key": "value" in JSON.
_PARAM_RE = re.compile(r"(?i)\b(" + "|".join(_SECRET_PARAMS) + r")=[^&\s\"'<>]+")
_JSON_RE = re.compile(r"(?i)(\"(?:" + "|".join(_SECRET_PARAMS) + r")\"\s*:\s*\")[^\"]*(\")")
# 'key': 'value' in a Python dict's repr (an OAuth library logging the token it obtained).
_REPR_RE = re.compile(r"(?i)('(?:" + "|".join(_SECRET_PARAMS) + r")'\s*:\s*')[^']*(')")
# Meta user/page tokens all start with EAA.
_EAA_RE = re.compile(r"EAA[A-Za-z0-9]+")
# An app access token: APPID|APPSECRET (the secret is 32 hex characters).
_APP_TOKEN_RE = re.compile(r"\b(\d{5,})\|[A-Za-z0-9_-]{16,}")

# Loggers that can see URLs with tokens in them (urllib3 logs the request line at DEBUG).
_GUARDED_LOGGERS = ("urllib3.connectionpool",)


def redact(text: str) -> str:
    """Return ``text`` with anything that looks like a token or secret, or is a known secret value (see
    :mod:`autoposter_gui.domain.known_secrets`), replaced by ``[REDACTED]``."""
    text = mask(text)
    text = _PARAM_RE.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _JSON_RE.sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)}", text)
    text = _REPR_RE.sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)}", text)
    text = _EAA_RE.sub(MASK, text)
    return _APP_TOKEN_RE.sub(lambda m: f"{m.group(1)}|{MASK}", text)


class RedactingFilter(logging.Filter):
    """A filter that rewrites a record's message (and traceback text) through :func:`redact`.

    The formatted message replaces ``msg`` and ``args`` so no argument can carry a secret past the filter.
    It never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(*logger_names: str) -> None:
    """Attach a :class:`RedactingFilter` to the named loggers and to urllib3's (idempotent).

    A logger's filters only see records logged on that very logger, so each module passes its own name.
    """
    for name in (*logger_names, *_GUARDED_LOGGERS):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
