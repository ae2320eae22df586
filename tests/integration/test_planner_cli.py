"""Issue 15's CLI contract (drafts, slots, recurring posts, cancel --series), driven as a user would: real processes
against the sandbox; the slot tests that need a date near a DST change run the same command in-process with an
injected clock."""

from __future__ import annotations

import contextlib
import io
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from autoposter_gui import cli
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from tests.support.cli import CliResult, bad, connected_cli_env, ok, run_cli
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image, published

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    return connected_cli_env(tmp_path, sandbox, TZ="Europe/Berlin")


def _queue(env: dict[str, str]) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in ok(run_cli(env, "queue", "--json"))}


def _future(days: int = 2, hour: int = 9, minute: int = 30) -> str:
    day = datetime.now(BERLIN).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


# ----- drafts --------------------------------------------------------------------------------------------------


def test_a_draft_has_no_time_and_becomes_scheduled_then_published(env: dict[str, str], sandbox: Any) -> None:
    [draft] = ok(run_cli(env, "post", "--account", BAKERY, "--text", "Draft day", "--draft", "--json"))
    assert draft["status"] == "draft" and draft["scheduled_at"] is None
    listed = _queue(env)[draft["id"]]
    assert listed["status"] == "draft" and listed["scheduled_at"] is None and listed["series_id"] is None
    assert "Draft day" not in str(ok(run_cli(env, "run-due", "--json")))
    assert published(sandbox, "Draft day") == []  # a draft never goes out

    at = _future()
    scheduled = ok(run_cli(env, "schedule", str(draft["id"]), "--at", at, "--json"))
    assert scheduled["status"] == "scheduled"
    assert scheduled["scheduled_at"].startswith(at)  # local (Berlin) time, with its offset
    # Only a draft can be scheduled: exit 2, one clear line, nothing changed.
    line = bad(run_cli(env, "schedule", str(draft["id"]), "--now"))
    assert f"Item {draft['id']} is scheduled, not a draft" in line
    assert _queue(env)[draft["id"]]["scheduled_at"] == scheduled["scheduled_at"]

    [now_draft] = ok(run_cli(env, "post", "--account", BAKERY, "--text", "Right away", "--draft", "--json"))
    assert ok(run_cli(env, "schedule", str(now_draft["id"]), "--now", "--json"))["status"] == "scheduled"
    assert ok(run_cli(env, "run-due", "--json"))["succeeded"] == 1
    assert len(published(sandbox, "Right away")) == 1


def test_schedule_refuses_a_past_time_an_unknown_item_and_a_missing_slot(env: dict[str, str]) -> None:
    [draft] = ok(run_cli(env, "post", "--account", BAKERY, "--text", "Later", "--draft", "--json"))
    assert "in the past" in bad(run_cli(env, "schedule", str(draft["id"]), "--at", "2020-01-01T09:00"))
    assert "No queue item with id 999" in bad(run_cli(env, "schedule", "999", "--now"))
    assert "no posting slots" in bad(run_cli(env, "schedule", str(draft["id"]), "--next-slot"))
    assert bad(run_cli(env, "schedule", str(draft["id"])))  # one of --at, --now, --next-slot is required
    assert _queue(env)[draft["id"]]["status"] == "draft"


def test_a_draft_keeps_the_post_rules(env: dict[str, str]) -> None:
    line = bad(run_cli(env, "post", "--account", BAKERY_IG, "--text", "No picture", "--draft"))
    assert "Instagram posts need an image" in line
    assert _queue(env) == {}


# ----- slots ---------------------------------------------------------------------------------------------------


def test_slots_are_set_listed_and_cleared(env: dict[str, str]) -> None:
    rows = ok(run_cli(env, "slots", "set", "--account", BAKERY, "wed 12:00", "mon 09:30", "--json"))
    assert [r["slot"] for r in rows] == ["mon 09:30", "wed 12:00"]
    ok(run_cli(env, "slots", "set", "--account", BAKERY_IG, "fri 18:15", "--json"))
    listed = ok(run_cli(env, "slots", "--json"))
    assert [(r["account_id"], r["weekday"], r["time"]) for r in listed] == [
        (BAKERY, "mon", "09:30"),
        (BAKERY, "wed", "12:00"),
        (BAKERY_IG, "fri", "18:15"),
    ]
    assert [r["slot"] for r in ok(run_cli(env, "slots", "--account", BAKERY_IG, "--json"))] == ["fri 18:15"]
    assert "fri 18:15" in run_cli(env, "slots").stdout
    assert ok(run_cli(env, "slots", "set", "--account", BAKERY_IG, "--json")) == []  # no SLOT: cleared
    assert [r["account_id"] for r in ok(run_cli(env, "slots", "--json"))] == [BAKERY, BAKERY]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["slots", "set", "--account", BAKERY, "mon 25:00"], "Cannot read the slot 'mon 25:00'"),
        (["slots", "set", "--account", BAKERY, "someday 09:30"], "Cannot read the slot"),
        (["slots", "set", "--account", "42", "mon 09:30"], "Unknown account 42"),
        (["slots", "set", "mon 09:30"], "--account"),
    ],
)
def test_bad_slots_are_refused_and_nothing_changes(env: dict[str, str], args: list[str], message: str) -> None:
    ok(run_cli(env, "slots", "set", "--account", BAKERY, "tue 10:00", "--json"))
    assert message in bad(run_cli(env, *args))
    assert [r["slot"] for r in ok(run_cli(env, "slots", "--json"))] == ["tue 10:00"]


def test_next_slot_fills_each_accounts_slots_in_order(env: dict[str, str], tmp_path: Path) -> None:
    ok(run_cli(env, "slots", "set", "--account", BAKERY, "mon 09:30", "thu 17:00", "--json"))
    ok(run_cli(env, "slots", "set", "--account", BAKERY_IG, "sat 08:00", "--json"))
    img = make_image(tmp_path / "bread.jpg")
    times: dict[str, list[str]] = {BAKERY: [], BAKERY_IG: []}
    for n in range(3):
        rows = ok(
            run_cli(
                env, "post", "--account", BAKERY, "--account", BAKERY_IG, "--text", f"Slot {n}", "--image", img,
                "--next-slot", "--json",
            )
        )  # fmt: skip
        for row in rows:
            times[row["account_id"]].append(row["scheduled_at"])
    fb = [datetime.fromisoformat(t) for t in times[BAKERY]]
    ig = [datetime.fromisoformat(t) for t in times[BAKERY_IG]]
    assert fb == sorted(fb) and len(set(fb)) == 3 and ig == sorted(ig) and len(set(ig)) == 3
    assert {(t.astimezone(BERLIN).strftime("%a %H:%M")) for t in fb} <= {"Mon 09:30", "Thu 17:00"}
    assert [t.astimezone(BERLIN).strftime("%a %H:%M") for t in ig] == ["Sat 08:00"] * 3
    assert [b - a for a, b in itertools.pairwise(ig)] == [timedelta(days=7)] * 2  # no DST change in December
    assert all(t > datetime.now(UTC) for t in fb + ig)


def test_next_slot_without_slots_writes_nothing(env: dict[str, str]) -> None:
    ok(run_cli(env, "slots", "set", "--account", BAKERY, "mon 09:30", "--json"))
    line = bad(run_cli(env, "post", "--account", BAKERY, "--account", BAKERY_IG, "--text", "x", "--next-slot"))
    assert "has no posting slots" in line and "slots set --account" in line
    assert _queue(env) == {}


class _KeptOpen(Context):
    """The test's context, handed to in-process commands: they close it when done, the test keeps using it."""

    def close(self) -> None:
        pass


def _run_in_process(ctx: Context, monkeypatch: pytest.MonkeyPatch, *args: str) -> CliResult:
    kept = _KeptOpen(ctx.config, ctx.store, ctx.tokens, ctx.clock)
    monkeypatch.setattr(cli, "_context", lambda config: kept)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())


def test_slots_fill_in_order_across_the_march_change(
    ctx: Context, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sunday 02:30 and 09:30 slots from the week before the clocks go forward in Berlin: the 02:30 slot on the
    day of the change (a time that does not exist) goes at 03:00, and 09:30 stays 09:30 local."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("AUTOPOSTER_GRAPH_URL", sandbox.url)
    connect(ctx, sandbox)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(datetime(2027, 3, 21, 12, 0, tzinfo=UTC))  # Sunday 21 March, 13:00 in Berlin
    assert _run_in_process(ctx, monkeypatch, "slots", "set", "--account", BAKERY, "sun 02:30", "sun 09:30").code == 0
    got = []
    for n in range(4):
        result = _run_in_process(
            ctx, monkeypatch, "post", "--account", BAKERY, "--text", f"n{n}", "--next-slot", "--json"
        )
        assert result.code == 0, result.stderr
        got.append(datetime.fromisoformat(result.json[0]["scheduled_at"]).astimezone(BERLIN).strftime("%d %H:%M %Z"))
    assert got == ["28 03:00 CEST", "28 09:30 CEST", "04 02:30 CEST", "04 09:30 CEST"]


# ----- recurring posts -----------------------------------------------------------------------------------------


def test_a_weekly_series_of_6_keeps_0930_across_the_march_change(env: dict[str, str]) -> None:
    year = datetime.now(BERLIN).year + 1
    rows = ok(
        run_cli(
            env, "post", "--account", BAKERY, "--text", "Weekly special", "--at", f"{year}-03-14T09:30",
            "--repeat", "weekly", "--count", "6", "--json",
        )
    )  # fmt: skip
    assert len(rows) == 6 and all(r["status"] == "scheduled" for r in rows)
    times = [datetime.fromisoformat(r["scheduled_at"]) for r in rows]
    assert [t.astimezone(BERLIN).strftime("%H:%M") for t in times] == ["09:30"] * 6
    assert len({t.utcoffset() for t in times}) == 2  # CET then CEST: the same wall clock, not the same interval
    queue = _queue(env)
    series = {queue[r["id"]]["series_id"] for r in rows}
    assert len(series) == 1 and None not in series


def test_a_monthly_series_on_the_31st_and_until_inclusive(env: dict[str, str]) -> None:
    year = datetime.now(BERLIN).year + 1
    rows = ok(
        run_cli(
            env, "post", "--account", BAKERY, "--text", "Month end", "--at", f"{year}-01-31T12:00",
            "--repeat", "monthly", "--until", f"{year}-05-31", "--json",
        )
    )  # fmt: skip
    days = [datetime.fromisoformat(r["scheduled_at"]).astimezone(BERLIN).strftime("%m-%d %H:%M") for r in rows]
    assert days == ["01-31 12:00", "02-28 12:00", "03-31 12:00", "04-30 12:00", "05-31 12:00"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--repeat", "daily", "--count", "101"], "at most 100"),
        (["--repeat", "daily", "--until", "2099-01-01"], "at most 100"),
        (["--repeat", "daily"], "--count N or --until DATE"),
        (["--repeat", "daily", "--count", "2", "--until", "2099-01-01"], "--count N or --until DATE"),
        (["--count", "2"], "go with --repeat"),
        (["--repeat", "hourly", "--count", "2"], "invalid choice"),
        (["--repeat", "daily", "--until", "soon"], "YYYY-MM-DD"),
    ],
)
def test_bad_repeats_are_refused_and_nothing_is_written(env: dict[str, str], extra: list[str], message: str) -> None:
    args = ["post", "--account", BAKERY, "--text", "Daily", "--at", _future(), *extra]
    assert message in bad(run_cli(env, *args))
    assert _queue(env) == {}


def test_repeat_needs_at(env: dict[str, str]) -> None:
    line = bad(run_cli(env, "post", "--account", BAKERY, "--text", "x", "--now", "--repeat", "daily", "--count", "2"))
    assert "--repeat needs --at" in line


def test_a_series_too_far_ahead_is_refused_whole(env: dict[str, str]) -> None:
    line = bad(
        run_cli(
            env, "post", "--account", BAKERY, "--text", "Monthly", "--at", _future(), "--repeat", "monthly",
            "--count", "14",
        )
    )  # fmt: skip
    assert "more than a year ahead" in line
    assert _queue(env) == {}


def test_cancel_series_cancels_that_post_and_every_later_unposted_one(env: dict[str, str]) -> None:
    rows = ok(
        run_cli(
            env, "post", "--account", BAKERY, "--text", "Daily bread", "--at", _future(), "--repeat", "daily",
            "--count", "5", "--json",
        )
    )  # fmt: skip
    [single] = ok(run_cli(env, "post", "--account", BAKERY, "--text", "Alone", "--at", _future(3), "--json"))
    canceled = ok(run_cli(env, "cancel", str(rows[2]["id"]), "--series", "--json"))
    assert [r["id"] for r in canceled] == [r["id"] for r in rows[2:]]
    queue = _queue(env)
    assert [queue[r["id"]]["status"] for r in rows] == ["scheduled", "scheduled", "canceled", "canceled", "canceled"]
    assert queue[single["id"]]["status"] == "scheduled"
    line = bad(run_cli(env, "cancel", str(single["id"]), "--series"))
    assert "not part of a series" in line
    assert ok(run_cli(env, "cancel", str(rows[0]["id"]), "--json"))["status"] == "canceled"  # plain cancel: one
    assert _queue(env)[rows[1]["id"]]["status"] == "scheduled"


def test_a_rich_draft_keeps_its_images_and_first_comment_when_scheduled(env: dict[str, str], tmp_path: Path) -> None:
    a, b = make_image(tmp_path / "a.jpg"), make_image(tmp_path / "b.jpg", color="blue")
    args = ["post", "--account", BAKERY_IG, "--text", "Carousel", "--image", a, "--image", b]
    [draft] = ok(run_cli(env, *args, "--alt-text", "Bread", "--first-comment", "#bakery", "--draft", "--json"))
    assert draft["status"] == "draft"
    scheduled = ok(run_cli(env, "schedule", str(draft["id"]), "--at", _future(), "--json"))
    assert scheduled["status"] == "scheduled"
    assert [m["alt_text"] for m in scheduled["media"]] == ["Bread", None]
    assert scheduled["first_comment"] == "#bakery"
