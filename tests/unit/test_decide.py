"""The decision function, table-style: a row per attempt history, the action it must return."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from autoposter_gui.domain.decide import (
    ACCOUNT_HOLD_CODES,
    RECHECK,
    SETTLE,
    AccountState,
    Action,
    AttemptFacts,
    CheckResult,
    Fail,
    Hold,
    ItemFacts,
    MarkPosted,
    NotPublished,
    Publish,
    Reconcile,
    Wait,
    after_check,
    next_action,
)
from autoposter_gui.domain.models import AttemptOutcome as O
from autoposter_gui.domain.models import Platform
from autoposter_gui.domain.wording import final, for_platform

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FB, IG = Platform.FACEBOOK, Platform.INSTAGRAM
READY, NO_TOKEN, INVALID = AccountState.READY, AccountState.NO_TOKEN, AccountState.INVALID
CANNOT_POST = AccountState.CANNOT_POST


def a(number: int, outcome: O, *, flagged: bool = False, container: str | None = None) -> AttemptFacts:
    return AttemptFacts(
        id=100 + number,
        number=number,
        started_at=T0 + timedelta(minutes=number),
        outcome=outcome,
        needs_reconcile=flagged,
        container_id=container,
        error_message="Facebook had a temporary problem; Autoposter will retry automatically.",
    )


def item(tries: int = 0, *, platform: Platform = FB, image: bool = False, mark: int | None = None) -> ItemFacts:
    return ItemFacts(platform, image, tries, mark)


CUT_OFF = a(1, O.RETRY_SCHEDULED, flagged=True)
THROTTLED = [a(n, O.RETRY_SCHEDULED) for n in range(1, 6)]

# (name, item, history, account, expected kind, the attempt it must reconcile)
TABLE: list[tuple[str, ItemFacts, list[AttemptFacts], AccountState, type, int | None]] = [
    ("never tried", item(), [], READY, Publish, None),
    ("a temporary failure", item(1), [a(1, O.RETRY_SCHEDULED)], READY, Publish, None),
    ("a cut-off try", item(1, mark=101), [CUT_OFF], READY, Reconcile, 1),
    ("a killed runner's try", item(1), [a(1, O.IN_FLIGHT)], READY, Reconcile, 1),
    # Hole 1: Retry after 5 tries, then a cut-off try numbered 6: the 6th is checked, not the 5th.
    (
        "retry, then cut off",
        item(1, mark=106),
        [*THROTTLED, a(6, O.RETRY_SCHEDULED, flagged=True)],
        READY,
        Reconcile,
        6,
    ),
    # Hole 2: a cut-off try followed by a failure that never reached Meta: the cut-off one is still checked.
    ("cut off, then not connected", item(2), [CUT_OFF, a(2, O.FAILED)], READY, Reconcile, 1),
    ("cut off, token gone", item(1, mark=101), [CUT_OFF], NO_TOKEN, Hold, None),
    ("cut off, token dead", item(1, mark=101), [CUT_OFF], INVALID, Hold, None),
    ("token gone", item(), [], NO_TOKEN, Hold, None),
    ("token dead", item(), [], INVALID, Hold, None),
    ("disconnected", item(), [], AccountState.DISCONNECTED, Hold, None),
    ("account deleted", item(), [], AccountState.MISSING, Fail, None),
    ("out of tries", item(5), THROTTLED, READY, Fail, None),
    (
        "out of tries but cut off",
        item(5, mark=105),
        [*THROTTLED[:4], a(5, O.RETRY_SCHEDULED, flagged=True)],
        READY,
        Reconcile,
        5,
    ),
    # The token works but the Page role can't create posts: held (no try used), yet an unconfirmed try is still
    # checked with Meta first (reading the feed is allowed).
    ("can't post", item(), [], CANNOT_POST, Hold, None),
    ("can't post after a temporary failure", item(1), [a(1, O.RETRY_SCHEDULED)], CANNOT_POST, Hold, None),
    ("can't post, cut off", item(1, mark=101), [CUT_OFF], CANNOT_POST, Reconcile, 1),
    ("can't post, killed runner's try", item(1), [a(1, O.IN_FLIGHT)], CANNOT_POST, Reconcile, 1),
    ("can't post, out of tries", item(5), THROTTLED, CANNOT_POST, Hold, None),
    ("instagram without image", item(platform=IG), [], READY, Fail, None),
    ("instagram with image", item(platform=IG, image=True), [], READY, Publish, None),
]


@pytest.mark.parametrize(("name", "facts", "history", "account", "kind", "checked"), TABLE, ids=[r[0] for r in TABLE])
def test_next_action(
    name: str, facts: ItemFacts, history: list[AttemptFacts], account: AccountState, kind: type, checked: int | None
) -> None:
    action = next_action(facts, history, account, "Sandbox Bakery")
    assert isinstance(action, kind), action
    if checked is not None:
        assert isinstance(action, Reconcile) and action.attempt.number == checked


def test_a_missing_token_with_an_unconfirmed_try_waits_for_the_reconnect() -> None:
    action = next_action(item(1, mark=101), [CUT_OFF], NO_TOKEN, "Sandbox Bakery")
    assert isinstance(action, Hold) and action.invalidate_account
    assert "Reconnect Sandbox Bakery" in action.message and "went out" in action.message


@pytest.mark.parametrize("provider", ["X", "Google"])
def test_the_checks_name_the_posts_network(provider: str) -> None:
    hold = next_action(item(1, mark=101), [CUT_OFF], NO_TOKEN, "X (@sandboxcafe)", T0, provider)
    unknown = after_check(CheckResult.UNKNOWN, CUT_OFF, T0, provider=provider)
    early = after_check(CheckResult.NOT_FOUND, CUT_OFF, CUT_OFF.started_at, provider=provider)
    for action in (hold, unknown, early):
        assert isinstance(action, Hold | Wait)
        assert f"{provider} " in action.message and "Meta" not in action.message


def test_an_account_that_cant_post_holds_with_the_reason_and_keeps_the_account() -> None:
    action = next_action(item(), [], CANNOT_POST, "Facebook Page Sandbox Cafe")
    assert isinstance(action, Hold) and action.code == "cannot_post" and not action.invalidate_account
    assert action.message.startswith("Facebook Page Sandbox Cafe can't post: ask a Page admin for the Create content")
    assert action.code in ACCOUNT_HOLD_CODES  # a grant (or a reconnect) releases it


def test_every_account_hold_leaves_a_code_that_a_reconnect_clears() -> None:
    states = [NO_TOKEN, INVALID, AccountState.DISCONNECTED, CANNOT_POST]
    codes = {action.code for s in states if isinstance(action := next_action(item(), [], s, "X"), Hold)}
    codes |= {
        action.code
        for s in (NO_TOKEN, INVALID)
        if isinstance(action := next_action(item(1, mark=101), [CUT_OFF], s, "X"), Hold)
    }
    assert codes == ACCOUNT_HOLD_CODES
    # The waits while Meta is asked are no note about the account: a reconnect leaves them.
    waits = [after_check(CheckResult.UNKNOWN, CUT_OFF, T0), after_check(CheckResult.NOT_FOUND, CUT_OFF, T0)]
    assert all(isinstance(w, Wait) and w.code not in ACCOUNT_HOLD_CODES for w in waits)


def test_giving_up_says_so_without_promising_a_retry() -> None:
    action = next_action(item(5), THROTTLED, READY, "Sandbox Bakery")
    assert isinstance(action, Fail)
    assert action.message.startswith("Failed for good: Autoposter tried 5 times and stopped.")
    assert "retry automatically" not in action.message


AFTER: list[tuple[CheckResult, timedelta, type]] = [
    (CheckResult.FOUND, timedelta(seconds=5), MarkPosted),
    (CheckResult.READY_CONTAINER, timedelta(seconds=5), Publish),
    (CheckResult.UNKNOWN, timedelta(minutes=30), Wait),
    (CheckResult.NOT_FOUND, timedelta(seconds=5), Wait),  # Hole 5: it may still land
    (CheckResult.NOT_FOUND, SETTLE - timedelta(seconds=1), Wait),
    (CheckResult.NOT_FOUND, SETTLE, NotPublished),
    (CheckResult.NOT_FOUND, timedelta(days=3), NotPublished),
]


@pytest.mark.parametrize(("check", "since_start", "kind"), AFTER)
def test_after_check(check: CheckResult, since_start: timedelta, kind: type) -> None:
    action: Action = after_check(check, CUT_OFF, CUT_OFF.started_at + since_start, "c1")
    assert isinstance(action, kind), action
    if isinstance(action, Wait):
        expected = CUT_OFF.started_at + since_start + RECHECK if check is CheckResult.UNKNOWN else None
        assert action.until == (expected or CUT_OFF.started_at + SETTLE)
    if isinstance(action, Publish):
        assert action.resume_container == "c1"


def test_instagram_problems_are_not_called_facebooks() -> None:
    message = for_platform("Facebook had a temporary problem; Autoposter will retry automatically.", IG)
    assert message.startswith("Instagram had a temporary problem")
    kept = "Reconnect your Facebook Page: log in at facebook.com"
    assert for_platform(kept, IG) == kept
    assert for_platform("Facebook had a temporary problem", FB) == "Facebook had a temporary problem"


@pytest.mark.parametrize(
    "message",
    [
        "Facebook had a temporary problem; Autoposter will retry automatically.",
        "Facebook is limiting how many requests Autoposter may make right now; it will retry later on its own.",
        "Instagram could not fetch the image; Autoposter will try again. If it keeps failing, try another image.",
    ],
)
def test_final_messages_promise_nothing(message: str) -> None:
    text = final(message, 5)
    assert "will retry" not in text and "will try again" not in text and "on its own" not in text
    assert "tried 5 times" in text and text.endswith("press Retry.")
