"""The first comment's decision: after the post is out, the one next thing to do with its comment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from autoposter_gui.domain.decide import RECHECK, SETTLE, AccountState, AttemptFacts
from autoposter_gui.domain.models import AttemptStep, CommentStatus
from autoposter_gui.domain.retry import MAX_ATTEMPTS
from autoposter_gui.domain.wording import final

# A comment claimed by a runner is not due again before this (a run that died mid-call leaves it so long).
COMMENT_LEASE = timedelta(minutes=10)
# How long a comment waits for its account (a reconnect) before it is looked at again.
ACCOUNT_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class CommentFacts:
    """What the decision needs to know of a posted item with a first comment."""

    comment_status: str | None
    post_id: str | None  # the post (or IG media) the comment goes on


@dataclass(frozen=True)
class PostComment:
    """Make a new comment attempt (the intent is recorded first)."""


@dataclass(frozen=True)
class CheckComment:
    """Read the post's comments: did ``attempt`` leave the comment without us knowing?"""

    attempt: AttemptFacts


@dataclass(frozen=True)
class CommentFound:
    """The checked attempt did post the comment: record it."""

    attempt: AttemptFacts


@dataclass(frozen=True)
class CommentNotThere:
    """The checked attempt did not (and no longer can) post the comment: clear its flag, then decide again."""

    attempt: AttemptFacts


@dataclass(frozen=True)
class CommentWait:
    """Leave the comment pending, due again at ``until``."""

    until: datetime
    message: str


@dataclass(frozen=True)
class CommentGiveUp:
    """The comment failed for good (the post stays posted)."""

    code: str
    message: str


@dataclass(frozen=True)
class NoComment:
    """Nothing to do: no comment, or it is already posted or failed."""


CommentAction = PostComment | CheckComment | CommentFound | CommentNotThere | CommentWait | CommentGiveUp | NoComment


def comment_steps(history: Sequence[AttemptFacts]) -> list[AttemptFacts]:
    return [a for a in history if a.step is AttemptStep.COMMENT]


def next_comment_action(
    facts: CommentFacts, history: Sequence[AttemptFacts], account: AccountState, account_name: str, now: datetime
) -> CommentAction:
    """The next thing to do with the first comment of a posted item: a comment attempt that may have landed is
    checked (the post's comments read) before any other; then a try, within the same budget as posts."""
    if facts.comment_status != CommentStatus.PENDING.value or not facts.post_id:
        return NoComment()
    attempts = comment_steps(history)
    flagged = [a for a in attempts if a.may_have_landed]
    if account is AccountState.MISSING:
        return CommentGiveUp("not_connected", f"{account_name} is not connected, so the first comment was not posted")
    if account not in (AccountState.READY, AccountState.CANNOT_POST):
        return CommentWait(now + ACCOUNT_WAIT, f"Reconnect {account_name} to post the first comment")
    if flagged:
        return CheckComment(min(flagged, key=lambda a: a.number))
    if len(attempts) >= MAX_ATTEMPTS:
        last = max(attempts, key=lambda a: a.number)
        return CommentGiveUp("gave_up", final(last.error_message or "", len(attempts)))
    return PostComment()


def after_comment_check(found: bool | None, attempt: AttemptFacts, now: datetime) -> CommentAction:
    """What follows reading the post's comments (``None``: Meta could not be asked)."""
    if found:
        return CommentFound(attempt)
    if found is None:
        return CommentWait(
            now + RECHECK, "Could not check with Meta whether the first comment went out; checking again"
        )
    settled_at = attempt.started_at + SETTLE
    if now < settled_at:
        return CommentWait(settled_at, "The first comment's last try was cut off; checking again in a moment")
    return CommentNotThere(attempt)
