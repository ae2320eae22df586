"""The secret values this process has seen (app secret, tokens), so that text can be masked by value."""

from __future__ import annotations

import re
import threading

MASK = "[REDACTED]"
# Shorter values are not masked by value: they would mask ordinary words (patterns still catch real tokens).
MIN_LENGTH = 8

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None


def remember(*values: str | None) -> None:
    """Register secret values (as read from or written to the keyring, or typed by the owner)."""
    global _pattern
    fresh = {v.strip() for v in values if v and len(v.strip()) >= MIN_LENGTH} - _values
    if not fresh:
        return
    with _lock:
        _values.update(fresh)
        # Longest first, so a value that contains another is masked whole.
        _pattern = re.compile("|".join(re.escape(v) for v in sorted(_values, key=len, reverse=True)))


def mask(text: str) -> str:
    """``text`` with every registered secret value replaced by ``[REDACTED]``."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def forget_all() -> None:
    """Drop every registered value (tests)."""
    global _pattern
    with _lock:
        _values.clear()
        _pattern = None
