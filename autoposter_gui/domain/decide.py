"""The per-item decision: given a queue item and its whole attempt history, the one next thing to do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from autoposter_gui.domain.models import AttemptOutcome, AttemptStep, Platform, cannot_post_reason
from autoposter_gui.domain.retry import MAX_ATTEMPTS
from autoposter_gui.domain.wording import final

# A request that was cut off may still be committed by Meta a while later: "not found" is trusted only once this
# much time has passed since the attempt started (Meta gives up on a request long before).
SETTLE = timedelta(minutes=2)
# How long to wait before asking Meta again when the check itself failed.
RECHECK = timedelta(minutes=2)
# Ids an interrupted attempt committed (unpublished photos, containers) are reused by the next attempt only this
# long: Instagram's containers expire after 24 hours.
CHECKPOINT_TTL = timedelta(hours=23)


class AccountState(StrEnum):
    READY = "ready"  # connected, with a token in the keyring
    MISSING = "missing"  # the account row is gone
    DISCONNECTED = "disconnected"
    INVALID = "invalid"  # Meta said the token is dead
    NO_TOKEN = "no_token"  # connected, but its token is not in the keyring
    CANNOT_POST = "cannot_post"  # the token works (reading the feed is fine), but the Page role can't create posts


# The codes of the notes a Hold leaves on an item while its account needs the owner: a reconnect (or the Page
# permission granted later) clears exactly these notes (queue_items.last_error_code), whatever their wording.
ACCOUNT_HOLD_CODES = frozenset({"token", "not_connected", "disconnected", "unconfirmed", "cannot_post"})


@dataclass(frozen=True)
class AttemptFacts:
    """What the decision needs to know of one delivery attempt."""

    id: int
    number: int
    started_at: datetime
    outcome: AttemptOutcome
    needs_reconcile: bool = False
    container_id: str | None = None
    error_message: str | None = None
    step: AttemptStep = AttemptStep.PUBLISH
    checkpoint: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def may_have_landed(self) -> bool:
        return self.needs_reconcile or self.outcome is AttemptOutcome.IN_FLIGHT


@dataclass(frozen=True)
class ItemFacts:
    """What the decision needs to know of a claimed queue item."""

    platform: Platform
    has_image: bool
    tries_used: int  # attempts counted against the retry budget (a manual Retry resets it)
    unconfirmed_attempt_id: int | None = None


class CheckResult(StrEnum):
    """What Meta said about an attempt that may have landed."""

    FOUND = "found"  # it went out
    READY_CONTAINER = "ready_container"  # an Instagram container is FINISHED: publish it, never make another
    NOT_FOUND = "not_found"  # nothing with this text since the attempt started
    UNKNOWN = "unknown"  # Meta could not be asked


# ----- actions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconcile:
    """Ask Meta whether ``attempt`` published the item, before anything else."""

    attempt: AttemptFacts


@dataclass(frozen=True)
class Publish:
    """Make a new attempt; ``resume_container`` publishes an Instagram container made by an earlier one, and
    ``checkpoint`` seeds it with the (invisible) ids the last interrupted attempt committed."""

    resume_container: str | None = None
    checkpoint: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class MarkPosted:
    """The unconfirmed attempt went out: the item is posted with what Meta found."""

    attempt: AttemptFacts


@dataclass(frozen=True)
class NotPublished:
    """Meta confirmed that the unconfirmed attempt did not go out (and no longer can): clear the mark, then decide
    again with :func:`next_action`."""

    attempt: AttemptFacts


@dataclass(frozen=True)
class Hold:
    """Back to scheduled without spending a try, until the owner acts (reconnects); ``invalidate_account`` also
    marks the account so that its other posts wait too."""

    code: str
    message: str
    invalidate_account: bool = False


@dataclass(frozen=True)
class Wait:
    """Back to scheduled without spending a try, due again at ``until``."""

    until: datetime
    code: str
    message: str


@dataclass(frozen=True)
class Fail:
    """Failed for good without a call to Meta: the owner must act."""

    code: str
    message: str


Action = Reconcile | Publish | MarkPosted | NotPublished | Hold | Wait | Fail


def cannot_post_hold(account_name: str) -> Hold:
    """Held (no try used) until a Page admin grants the Create content permission; the account stays as it is."""
    return Hold("cannot_post", f"{cannot_post_reason(account_name)}; this post waits until then")


def publish_steps(history: Sequence[AttemptFacts]) -> list[AttemptFacts]:
    """The attempts that published (or tried to publish) the post itself: not its first comment's."""
    return [a for a in history if a.step is AttemptStep.PUBLISH]


def carried_checkpoint(history: Sequence[AttemptFacts], now: datetime | None) -> dict[str, Any]:
    """What the next publish attempt starts from: the last attempt's committed ids, when it was interrupted or
    failed for a while (not for good), and is recent enough for them to be usable; else nothing."""
    attempts = publish_steps(history)
    if not attempts:
        return {}
    last = max(attempts, key=lambda a: a.number)
    if not last.checkpoint or last.outcome in (AttemptOutcome.FAILED, AttemptOutcome.SUCCEEDED):
        return {}
    if now is not None and now - last.started_at > CHECKPOINT_TTL:
        return {}
    return dict(last.checkpoint)


def unconfirmed_attempt(item: ItemFacts, history: Sequence[AttemptFacts]) -> AttemptFacts | None:
    """The attempt that may have published without us knowing: the item's mark, else any attempt of the history
    still flagged (the oldest first: it is the one that could have landed earliest)."""
    history = publish_steps(history)
    if item.unconfirmed_attempt_id is not None:
        for attempt in history:
            if attempt.id == item.unconfirmed_attempt_id:
                return attempt
    flagged = [a for a in history if a.may_have_landed]
    return min(flagged, key=lambda a: a.number) if flagged else None


def next_action(
    item: ItemFacts,
    history: Sequence[AttemptFacts],
    account: AccountState,
    account_name: str,
    now: datetime | None = None,
    provider: str = "Meta",
) -> Action:
    """The next thing to do with a claimed item. Nothing happens to an item before its unconfirmed attempt (one
    that may have gone out) is checked with the network (``provider``, as the owner knows it: "Meta", "X",
    "Google"): no retry, no "not connected" failure. A first comment's attempts play no part (see
    :func:`next_comment_action`)."""
    history = publish_steps(history)
    unconfirmed = unconfirmed_attempt(item, history)
    if unconfirmed is not None:
        if account in (AccountState.READY, AccountState.CANNOT_POST):  # the token can still read the feed
            return Reconcile(unconfirmed)
        return Hold(
            "unconfirmed",
            f"Reconnect {account_name}: Autoposter must check with {provider} whether the last try went out before it "
            "does anything else with this post",
            invalidate_account=account is AccountState.NO_TOKEN,
        )
    if account is AccountState.MISSING:
        return Fail("not_connected", f"{account_name} is not connected; connect it in Accounts, then retry this post")
    if account is AccountState.DISCONNECTED:
        return Hold("disconnected", f"Needs attention: {account_name} was disconnected; reconnect it to publish")
    if account is AccountState.INVALID:
        return Hold("token", f"Reconnect {account_name}: its access token no longer works")
    if account is AccountState.NO_TOKEN:
        return Hold(
            "not_connected",
            f"Reconnect {account_name}: its access token is missing from the system keyring",
            invalidate_account=True,
        )
    if account is AccountState.CANNOT_POST:
        return cannot_post_hold(account_name)
    if item.tries_used >= MAX_ATTEMPTS:
        last = max(history, key=lambda a: a.number) if history else None
        return Fail("gave_up", final((last.error_message if last else None) or "", item.tries_used))
    if item.platform is Platform.INSTAGRAM and not item.has_image:
        return Fail("no_image", "Instagram posts need an image; edit the post")
    return Publish(checkpoint=carried_checkpoint(history, now))


def after_check(
    check: CheckResult,
    attempt: AttemptFacts,
    now: datetime,
    ready_container: str | None = None,
    provider: str = "Meta",
) -> Action:
    """What follows the network's (``provider``'s) answer about ``attempt``: "not found" is trusted only once the
    attempt can no longer land (:data:`SETTLE` after it started); until then the item waits."""
    if check is CheckResult.FOUND:
        return MarkPosted(attempt)
    if check is CheckResult.READY_CONTAINER:
        return Publish(resume_container=ready_container or attempt.container_id)
    if check is CheckResult.UNKNOWN:
        return Wait(
            now + RECHECK,
            "checking",
            f"Could not confirm with {provider} whether the last try went out; checking again before any retry",
        )
    settled_at = attempt.started_at + SETTLE
    if now < settled_at:
        return Wait(
            settled_at,
            "checking",
            f"The last try was cut off and {provider} may still publish it; "
            "checking again in a moment before any retry",
        )
    return NotPublished(attempt)
