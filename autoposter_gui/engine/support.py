"""What a support report needs from below the UI: the pinned Graph API version and the redaction filter."""

from __future__ import annotations


def graph_version() -> str:
    """The pinned Graph API version (imported when asked: the client pulls in ``requests``)."""
    from autoposter_gui.meta.client import GRAPH_VERSION

    return GRAPH_VERSION


def redact(text: str) -> str:
    """``text`` with every token, secret and known credential masked (the log's redaction filter)."""
    from autoposter_gui.meta.redact import redact as _redact

    return _redact(text)
