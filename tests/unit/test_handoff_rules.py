"""The rules of Meta's scheduler, table by table: what is handed off, what a change becomes, what a check means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from autoposter_gui.domain.handoff import (
    Check,
    Op,
    Verdict,
    change_for,
    handoff_kind,
    merge_change,
    reschedule_op,
    should_hand_off,
    verdict,
)
from autoposter_gui.domain.models import MediaKind, MediaRef

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PHOTO = MediaRef("/a.jpg")
VIDEO = MediaRef("/a.mp4", MediaKind.VIDEO)


@pytest.mark.parametrize(
    ("platform", "media", "ahead", "expected"),
    [
        ("facebook", (), timedelta(hours=1), True),  # text (or link)
        ("facebook", (PHOTO,), timedelta(hours=1), True),
        ("facebook", (PHOTO, PHOTO, PHOTO), timedelta(hours=1), True),  # multi-photo
        ("facebook", (VIDEO,), timedelta(hours=1), False),  # a Reel stays local
        ("instagram", (PHOTO,), timedelta(hours=1), False),  # Instagram has no scheduling parameter
        ("facebook", (), timedelta(minutes=15), True),  # the window's edges are inside
        ("facebook", (), timedelta(minutes=14, seconds=59), False),  # sooner stays local
        ("facebook", (), timedelta(days=75), True),
        ("facebook", (), timedelta(days=75, seconds=1), False),  # further out waits until it is in the window
        ("facebook", (), -timedelta(minutes=1), False),
    ],
)
def test_what_is_handed_off(platform: str, media: tuple[MediaRef, ...], ahead: timedelta, expected: bool) -> None:
    assert should_hand_off(platform, media, NOW + ahead, NOW) is expected


def test_handoff_kind_ignores_time() -> None:
    assert handoff_kind("facebook", (PHOTO,)) and not handoff_kind("facebook", (PHOTO, VIDEO))


@pytest.mark.parametrize(
    ("ahead", "op"),
    [
        (timedelta(hours=2), Op.UPDATE),
        (timedelta(minutes=15), Op.UPDATE),
        (timedelta(minutes=5), Op.WITHDRAW),  # under 15 minutes: delete at Meta, publish locally
        (timedelta(0), Op.WITHDRAW),
        (timedelta(days=90), Op.WITHDRAW),  # beyond Meta's 75 days
    ],
)
def test_a_new_time(ahead: timedelta, op: Op) -> None:
    assert reschedule_op(NOW + ahead, NOW) is op


UPDATE_TEXT = {"op": "update", "message": "b"}
UPDATE_TIME = {"op": "update", "due": "2026-12-01T10:00:00+00:00"}


@pytest.mark.parametrize(
    ("pending", "new", "merged"),
    [
        (None, UPDATE_TEXT, UPDATE_TEXT),
        (UPDATE_TEXT, UPDATE_TIME, {**UPDATE_TEXT, **UPDATE_TIME}),  # text and time both sent
        ({"op": "update", "message": "a"}, UPDATE_TEXT, UPDATE_TEXT),  # the latest text wins
        (UPDATE_TEXT, {"op": "cancel"}, {"op": "cancel"}),
        ({"op": "withdraw", "why": "x"}, UPDATE_TEXT, {"op": "withdraw", "why": "x"}),  # leaving Meta anyway
        ({"op": "cancel"}, {"op": "publish"}, {"op": "publish"}),
    ],
)
def test_changes_merge(pending: dict[str, object] | None, new: dict[str, object], merged: dict[str, object]) -> None:
    assert merge_change(pending, new) == merged


DUE = NOW


@pytest.mark.parametrize(
    ("after", "check", "expected"),
    [
        (timedelta(minutes=1), Check(published=True), Verdict.WAIT),  # before the first check
        (timedelta(minutes=2), Check(published=True), Verdict.POSTED),
        (timedelta(hours=9), Check(published=True), Verdict.POSTED),  # hours later is fine (computer was off)
        (timedelta(minutes=2), Check(gone=True), Verdict.FALLBACK),  # vanished at go-live
        (timedelta(minutes=5), Check(), Verdict.WAIT),  # still unpublished: Meta may be late
        (timedelta(minutes=15), Check(), Verdict.FALLBACK),  # 15 minutes late: publish locally
        (timedelta(minutes=2), None, Verdict.WAIT),  # not read
    ],
)
def test_verdicts(after: timedelta, check: Check | None, expected: Verdict) -> None:
    result, why = verdict(DUE, DUE + after, check)
    assert result is expected
    assert bool(why) is (expected is Verdict.FALLBACK)


SENT = {"text": "Bread", "due": (NOW + timedelta(hours=2)).isoformat(), "pictures": ["/a.jpg"]}


@pytest.mark.parametrize(
    ("text", "ahead", "pictures", "status", "expected"),
    [
        ("Bread", timedelta(hours=2), ["/a.jpg"], "scheduled", None),  # Meta has it as it is
        ("Rye", timedelta(hours=2), ["/a.jpg"], "scheduled", {"op": "update", "message": "Rye"}),
        (
            "Bread",
            timedelta(hours=3),
            ["/a.jpg"],
            "scheduled",
            {"op": "update", "due": (NOW + timedelta(hours=3)).isoformat()},
        ),
        (
            "Bread",
            timedelta(minutes=5),
            ["/a.jpg"],
            "scheduled",
            {"op": "withdraw", "why": "the new time is under 15 minutes away"},
        ),
        (
            "Bread",
            timedelta(days=80),
            ["/a.jpg"],
            "scheduled",
            {"op": "withdraw", "why": "the new time is over 75 days away"},
        ),
        ("Bread", timedelta(hours=2), ["/b.jpg"], "scheduled", {"op": "withdraw", "why": "its picture changed"}),
        ("Bread", timedelta(hours=2), ["/a.jpg"], "draft", {"op": "withdraw", "why": "it was made a draft"}),
        ("Rye", timedelta(hours=2), ["/a.jpg"], "canceled", {"op": "withdraw", "why": "it is canceled"}),
    ],
)
def test_what_meta_is_sent_to_catch_up(
    text: str, ahead: timedelta, pictures: list[str], status: str, expected: dict[str, object] | None
) -> None:
    assert change_for(SENT, text, NOW + ahead, pictures, status, NOW) == expected


def test_nothing_is_sent_for_a_post_without_a_snapshot() -> None:
    assert change_for(None, "x", NOW + timedelta(hours=1), [], "scheduled", NOW) is None
