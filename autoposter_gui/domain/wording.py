"""How a provider's error reads to the owner: named after the network posted to, and final when tries ran out."""

from __future__ import annotations

import re

from autoposter_gui.domain.models import Platform

# "Facebook" as the service that had the problem, not the owner's Facebook Page, account, password or website.
_SERVICE = re.compile(r"\bFacebook(?!\s+(?:Page|account|password|Login|app)|\.com)\b")
# Clauses that promise another try; a final message drops them.
_PROMISE = re.compile(r"\b(?:retry|retrying|try again|will wait|upload the image again|will check)\b", re.IGNORECASE)
_CLAUSES = re.compile(r"(?<=[.;])\s+")


def for_platform(message: str, platform: Platform | str) -> str:
    """The message with the service named as the owner knows it (Instagram's problems are not Facebook's)."""
    if Platform(platform) is Platform.INSTAGRAM:
        return _SERVICE.sub("Instagram", message)
    return message


def final(message: str, tries: int) -> str:
    """A temporary error's message for the try after which Autoposter stops: no promise of another try, and what
    to do now."""
    kept: list[str] = []
    for clause in _CLAUSES.split(message.strip()):
        clause = clause.strip().rstrip(" ;,.")
        if clause and not _PROMISE.search(clause):
            kept.append(clause[0].upper() + clause[1:] + ".")
    reason = " ".join(kept)
    times = "once" if tries == 1 else f"{tries} times"
    lead = f"Failed for good: Autoposter tried {times} and stopped."
    return " ".join(part for part in (lead, reason, "Fix the cause, then press Retry.") if part)
