"""The decisions of rich posts, table-style: checkpoints carried to the next try, and the first comment's step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from autoposter_gui.domain.decide import (
    CHECKPOINT_TTL,
    RECHECK,
    SETTLE,
    AccountState,
    AttemptFacts,
    ItemFacts,
    Publish,
    Reconcile,
    carried_checkpoint,
    next_action,
)
from autoposter_gui.domain.decide_comment import (
    ACCOUNT_WAIT,
    CheckComment,
    CommentFacts,
    CommentFound,
    CommentGiveUp,
    CommentNotThere,
    CommentWait,
    NoComment,
    PostComment,
    after_comment_check,
    next_comment_action,
)
from autoposter_gui.domain.models import AttemptOutcome as O
from autoposter_gui.domain.models import AttemptStep, Platform

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
READY = AccountState.READY
IDS = {"ig_children": ["c1", "c2"], "ig_hosted": [{"photo_id": "p1", "url": "u1"}]}


def a(
    number: int,
    outcome: O,
    *,
    step: AttemptStep = AttemptStep.PUBLISH,
    flagged: bool = False,
    checkpoint: dict[str, Any] | None = None,
    minutes: float | None = None,
) -> AttemptFacts:
    return AttemptFacts(
        id=100 + number,
        number=number,
        started_at=T0 + timedelta(minutes=number if minutes is None else minutes),
        outcome=outcome,
        needs_reconcile=flagged,
        error_message="Meta had a temporary problem",
        step=step,
        checkpoint=checkpoint or {},
    )


# (name, history, now, the checkpoint the next try starts from)
CARRY: list[tuple[str, list[AttemptFacts], datetime, dict[str, Any]]] = [
    ("nothing yet", [], T0, {}),
    ("an interrupted try's ids", [a(1, O.RETRY_SCHEDULED, checkpoint=IDS)], T0, IDS),
    ("a killed runner's ids", [a(1, O.IN_FLIGHT, checkpoint=IDS)], T0, IDS),
    ("only the last try counts", [a(1, O.RETRY_SCHEDULED, checkpoint=IDS), a(2, O.RETRY_SCHEDULED)], T0, {}),
    ("not after a failure for good", [a(1, O.FAILED, checkpoint=IDS)], T0, {}),
    ("not once containers may have expired", [a(1, O.RETRY_SCHEDULED, checkpoint=IDS)], T0 + CHECKPOINT_TTL * 2, {}),
    (
        "a comment's attempt is not a publish try",
        [a(1, O.RETRY_SCHEDULED, checkpoint=IDS), a(2, O.SUCCEEDED, step=AttemptStep.COMMENT)],
        T0,
        IDS,
    ),
]


@pytest.mark.parametrize(("name", "history", "now", "expected"), CARRY, ids=[row[0] for row in CARRY])
def test_the_next_try_reuses_only_usable_committed_ids(
    name: str, history: list[AttemptFacts], now: datetime, expected: dict[str, Any]
) -> None:
    assert carried_checkpoint(history, now) == expected
    facts = ItemFacts(Platform.INSTAGRAM, True, len(history))
    action = next_action(facts, history, READY, "IG", now)
    if any(h.outcome is O.IN_FLIGHT for h in history):  # checked with Meta first; the carry comes after
        assert isinstance(action, Reconcile)
    else:
        assert isinstance(action, Publish) and dict(action.checkpoint) == expected


def test_a_comment_attempt_that_may_have_landed_never_blocks_or_reconciles_the_post() -> None:
    history = [a(1, O.SUCCEEDED), a(2, O.IN_FLIGHT, step=AttemptStep.COMMENT)]
    assert isinstance(next_action(ItemFacts(Platform.FACEBOOK, False, 1), history, READY, "Page", T0), Publish)
    history = [a(1, O.RETRY_SCHEDULED, flagged=True), a(2, O.IN_FLIGHT, step=AttemptStep.COMMENT)]
    action = next_action(ItemFacts(Platform.FACEBOOK, False, 1), history, READY, "Page", T0)
    assert isinstance(action, Reconcile) and action.attempt.number == 1


PENDING = CommentFacts("pending", "page_1")
C = AttemptStep.COMMENT
# (name, facts, history, account, expected kind)
COMMENT_TABLE: list[tuple[str, CommentFacts, list[AttemptFacts], AccountState, type]] = [
    ("first try", PENDING, [a(1, O.SUCCEEDED)], READY, PostComment),
    ("after a temporary failure", PENDING, [a(1, O.SUCCEEDED), a(2, O.RETRY_SCHEDULED, step=C)], READY, PostComment),
    ("cut off", PENDING, [a(1, O.SUCCEEDED), a(2, O.RETRY_SCHEDULED, step=C, flagged=True)], READY, CheckComment),
    ("killed mid-call", PENDING, [a(1, O.SUCCEEDED), a(2, O.IN_FLIGHT, step=C)], READY, CheckComment),
    ("no token", PENDING, [a(1, O.SUCCEEDED)], AccountState.NO_TOKEN, CommentWait),
    ("account gone", PENDING, [a(1, O.SUCCEEDED)], AccountState.MISSING, CommentGiveUp),
    ("tries used up", PENDING, [a(n, O.RETRY_SCHEDULED, step=C) for n in range(1, 6)], READY, CommentGiveUp),
    ("a publish try is not a comment try", PENDING, [a(n, O.RETRY_SCHEDULED) for n in range(1, 6)], READY, PostComment),
    ("already posted", CommentFacts("posted", "page_1"), [], READY, NoComment),
    ("no comment", CommentFacts(None, "page_1"), [], READY, NoComment),
    ("the post is not out", CommentFacts("pending", None), [], READY, NoComment),
]


@pytest.mark.parametrize(
    ("name", "facts", "history", "account", "kind"), COMMENT_TABLE, ids=[row[0] for row in COMMENT_TABLE]
)
def test_next_comment_action(
    name: str, facts: CommentFacts, history: list[AttemptFacts], account: AccountState, kind: type
) -> None:
    action = next_comment_action(facts, history, account, "Page", T0)
    assert isinstance(action, kind)
    if isinstance(action, CommentWait):
        assert action.until == T0 + ACCOUNT_WAIT and "Reconnect Page" in action.message


def test_what_follows_reading_the_comments() -> None:
    cut = a(2, O.RETRY_SCHEDULED, step=C, flagged=True, minutes=0)
    assert isinstance(after_comment_check(True, cut, T0), CommentFound)
    unknown = after_comment_check(None, cut, T0)
    assert isinstance(unknown, CommentWait) and unknown.until == T0 + RECHECK
    early = after_comment_check(False, cut, T0 + timedelta(seconds=30))
    assert isinstance(early, CommentWait) and early.until == T0 + SETTLE  # it may still land
    assert isinstance(after_comment_check(False, cut, T0 + SETTLE), CommentNotThere)
