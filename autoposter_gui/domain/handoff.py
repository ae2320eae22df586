"""Rules of Meta's scheduler: which posts are handed off, what an owner's change becomes, what a check means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from autoposter_gui.domain.models import MediaKind, MediaRef, Platform

# The window Autoposter hands posts off in: Meta takes 10 minutes to 75 days; 15 minutes leaves room for a slow
# call and a wrong clock.
HANDOFF_MIN = timedelta(minutes=15)
HANDOFF_MAX = timedelta(days=75)
VERIFY_AFTER = timedelta(minutes=2)  # the first check after the due time
GIVE_UP_AFTER = timedelta(minutes=15)  # still unpublished this long after the due time: publish locally

# queue_items.handoff
PENDING = "pending"  # the hand-off call may be under way (reconciled before anything else)
HELD = "meta"  # Meta holds the post


def handoff_kind(platform: str, media: tuple[MediaRef, ...]) -> bool:
    """Whether Meta's scheduler can hold this post: a Facebook text, link, photo or multi-photo post."""
    if platform != Platform.FACEBOOK.value:
        return False
    return all(ref.kind is MediaKind.IMAGE for ref in media)


def in_window(due: datetime, now: datetime) -> bool:
    """A post due between 15 minutes and 75 days from now may be handed off (or moved at Meta)."""
    return now + HANDOFF_MIN <= due <= now + HANDOFF_MAX


def should_hand_off(platform: str, media: tuple[MediaRef, ...], due: datetime, now: datetime) -> bool:
    return handoff_kind(platform, media) and in_window(due, now)


class Op(StrEnum):
    """A change sent to Meta for a post it holds (``queue_items.handoff_change["op"]``)."""

    UPDATE = "update"  # POST /{post-id} with message and/or scheduled_publish_time
    WITHDRAW = "withdraw"  # DELETE at Meta; the app publishes the post itself (or holds it until in window)
    CANCEL = "cancel"  # DELETE at Meta; the item is canceled
    PUBLISH = "publish"  # POST /{post-id} with is_published=true


def reschedule_op(new_due: datetime, now: datetime) -> Op:
    """A new time for a handed-off post: moved at Meta inside the window, taken back otherwise."""
    return Op.UPDATE if in_window(new_due, now) else Op.WITHDRAW


def merge_change(pending: dict[str, object] | None, new: dict[str, object]) -> dict[str, object]:
    """The change to send when ``new`` comes while ``pending`` is not sent yet: updates merge (the latest text and
    time win); a delete or publish-now replaces what came before; an update after a withdraw stays a withdraw."""
    if pending is None:
        return dict(new)
    if new.get("op") == Op.UPDATE.value and pending.get("op") == Op.UPDATE.value:
        return {**pending, **new}
    if new.get("op") == Op.UPDATE.value:
        return dict(pending)  # the post is leaving Meta (or publishing): the item itself has the new text/time
    return dict(new)


def snapshot(text: str, due: datetime, pictures: Sequence[str]) -> dict[str, object]:
    """What Meta was last sent of a post (its text, time and pictures): ``queue_items.metadata["handoffSent"]``."""
    return {"text": text, "due": due.isoformat(), "pictures": list(pictures)}


def change_for(
    sent: Mapping[str, object] | None,
    text: str,
    due: datetime,
    pictures: Sequence[str],
    status: str,
    now: datetime,
) -> dict[str, object] | None:
    """The change that brings Meta's copy of a post (``sent``) in line with the item as it is now; None when they
    agree. Comparing with what was sent (not with what the owner changed) also catches an edit whose change was
    never recorded (a crash between the two)."""
    if sent is None:
        return None
    if status != "scheduled":
        why = "it was made a draft" if status == "draft" else f"it is {status}"
        return {"op": Op.WITHDRAW.value, "why": why}
    if list(pictures) != list(sent.get("pictures") or []):  # type: ignore[call-overload]
        # Meta can't change a scheduled post's pictures: taken back, and handed off again with the new ones.
        return {"op": Op.WITHDRAW.value, "why": "its picture changed"}
    change: dict[str, object] = {"op": Op.UPDATE.value}
    if text != sent.get("text"):
        change["message"] = text
    if due.isoformat() != sent.get("due"):
        if reschedule_op(due, now) is Op.WITHDRAW:
            soon = due < now + HANDOFF_MIN
            why = "the new time is under 15 minutes away" if soon else "the new time is over 75 days away"
            return {"op": Op.WITHDRAW.value, "why": why}
        change["due"] = due.isoformat()
    return change if len(change) > 1 else None


class Verdict(StrEnum):
    WAIT = "wait"  # too early to tell
    POSTED = "posted"  # Meta published it
    FALLBACK = "fallback"  # delete at Meta, publish locally


@dataclass(frozen=True)
class Check:
    """What ``GET /{post-id}`` said: gone (error 100 / 404), or whether it is published."""

    gone: bool = False
    published: bool = False


def verdict(due: datetime, now: datetime, check: Check | None) -> tuple[Verdict, str]:
    """What a read of a handed-off post means at ``now`` (``check`` None: not read, as it is too early)."""
    if now < due + VERIFY_AFTER or check is None:
        return Verdict.WAIT, ""
    if check.published and not check.gone:
        return Verdict.POSTED, ""
    if check.gone:
        return Verdict.FALLBACK, "Meta's scheduler lost the post (it is gone at Meta)"
    if now >= due + GIVE_UP_AFTER:
        minutes = int(GIVE_UP_AFTER.total_seconds() // 60)
        return Verdict.FALLBACK, f"Meta's scheduler had not published the post {minutes} minutes after its time"
    return Verdict.WAIT, ""


def needs_check(due: datetime, now: datetime) -> bool:
    return now >= due + VERIFY_AFTER


HELD_LABEL = "Held by Meta"
_PENDING_SHORT = {
    Op.UPDATE.value: "Change pending",
    Op.WITHDRAW.value: "Taking back",
    Op.CANCEL.value: "Cancel pending",
    Op.PUBLISH.value: "Publishing now",
}
_PENDING_TEXT = {
    Op.UPDATE.value: "your change is still to be sent to Meta",
    Op.WITHDRAW.value: "it is still to be taken back from Meta (Autoposter then publishes it)",
    Op.CANCEL.value: "the cancel is still to be sent to Meta",
    Op.PUBLISH.value: "'Publish now' is still to be sent to Meta",
}


def handoff_mark(handoff: str | None, change: str | None) -> tuple[str, str, str] | None:
    """The Queue's marks for a post with Meta's scheduler: its status, what comes next (a change still to send),
    and the tooltip; None for a post the app publishes."""
    if handoff == HELD:
        tip = (
            "Meta's scheduler holds this post: it goes out at its time even with this computer off. Autoposter "
            "checks it afterwards and publishes it itself if Meta did not."
        )
        if change:
            pending = _PENDING_TEXT.get(change, change)
            return HELD_LABEL, _PENDING_SHORT.get(change, "Change pending"), f"{tip}\nPending: {pending}."
        return HELD_LABEL, "Meta publishes it", tip
    if handoff == PENDING:
        return "Handing off…", "Checking with Meta", "Autoposter is confirming that Meta's scheduler took this post."
    return None


def offline_note(
    accounts: Sequence[tuple[str, str]],
    media: tuple[MediaRef, ...],
    due: datetime | None,
    now: datetime,
    *,
    enabled: bool,
    first_comment: bool = False,
) -> str:
    """What the composer says of the picked accounts (``(label, platform)``): which posts go out with this computer
    off (Facebook, handed to Meta's scheduler) and which need it on at their time. Empty without accounts or time."""
    if not accounts or due is None:
        return ""
    off = enabled and due >= now + HANDOFF_MIN
    away = [label for label, platform in accounts if off and handoff_kind(platform, media)]
    here = [label for label, platform in accounts if label not in away]
    parts = []
    if away:
        extra = " (its first comment needs this computer on)" if first_comment else ""
        parts.append(f"Goes out with this computer off, through Meta's scheduler: {', '.join(away)}{extra}.")
    if here:
        parts.append(f"Needs this computer on at its time: {', '.join(here)}.")
    return " ".join(parts)
