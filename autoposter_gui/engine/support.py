"""What a support report needs from below the UI: the pinned Graph API version and the redaction filter."""

from __future__ import annotations


def graph_version() -> str:
    """The pinned Graph API version (Meta's network is loaded when asked: its client pulls in ``requests``)."""
    from autoposter_gui.domain.models import Platform
    from autoposter_gui.networks import registry
    from autoposter_gui.networks.capabilities import BrowserLogin

    network = registry.for_platform(Platform.FACEBOOK.value)
    assert isinstance(network, BrowserLogin)
    return network.api_version


def redact(text: str) -> str:
    """``text`` with every token, secret and known credential masked (the log's redaction filter)."""
    from autoposter_gui.networks.redact import redact as _redact

    return _redact(text)
