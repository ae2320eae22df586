"""Issue 17's `post` contract for X and Google Business Profile accounts: their ids, the Google flags (type, button,
event, offer) stored with the post and listed by `queue --json`, and every refusal (exit 2, a line per problem,
nothing written). The accounts are added straight to the store (connect-x / connect-google come later)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui import cli
from autoposter_gui.config import AppConfig
from autoposter_gui.domain.models import DiscoveredAccount, Platform
from autoposter_gui.domain.post_options import OPTION_KEYS
from autoposter_gui.engine.context import Context
from tests.support.cli import cli_env, run_cli
from tests.support.helpers import make_image

X_ID, GOOGLE_ID, PAGE_ID = "1460000000000000001", "4455667788990011", "100000000000001"
EVENT = ["--event-title", "Tasting night", "--event-start", "2026-12-05T18:00", "--event-end", "2026-12-05T21:30"]
NONE = dict.fromkeys(OPTION_KEYS)


def _add_accounts(data_dir: Path) -> None:
    ctx = Context.open(AppConfig(data_dir))
    try:
        now = datetime.now(UTC)
        found = [
            DiscoveredAccount(Platform.X, X_ID, "Sandbox Bakery", "not-stored", username="sandboxbakery"),
            DiscoveredAccount(Platform.GOOGLE, GOOGLE_ID, "Sandbox Bakery, Main St", "not-stored", "accounts/77"),
            DiscoveredAccount(Platform.FACEBOOK, PAGE_ID, "Sandbox Bakery Page", "not-stored"),
        ]
        for account in found:
            ctx.repo.upsert_account(account, None, now)
    finally:
        ctx.close()


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[None]:
    _add_accounts(tmp_path / "data")  # conftest points AUTOPOSTER_DATA_DIR there
    yield


class Run:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = cli.main(list(args))
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *args: str) -> Any:
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    def refused(self, *args: str) -> list[str]:
        """The refusal of `post ARGS --now`: exit 2, nothing on stdout, a line per problem, nothing written."""
        before = self.ok("queue")
        code, out, err = self("post", *args, "--now", "--json")
        assert (code, out) == (2, ""), err
        assert "Traceback" not in err
        assert self.ok("queue") == before
        return err.strip().splitlines()

    def queued(self) -> dict[int, dict[str, Any]]:
        return {row["id"]: row for row in self.ok("queue")}


@pytest.fixture
def run(accounts: None, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(capsys)


def test_accounts_lists_x_and_google_with_the_ids_post_takes(run: Run) -> None:
    listed = {a["platform"]: a for a in run.ok("accounts")}
    assert listed["x"]["account_id"] == X_ID and listed["google"]["account_id"] == GOOGLE_ID
    # Judged by their own network, not by Meta's debug_token: no sign-in of theirs is stored here, so each asks to
    # be reconnected in its own words.
    assert listed["x"]["status"] == "invalid" and listed["x"]["status_message"].startswith("Reconnect X")
    assert listed["google"]["status"] == "invalid" and "Google" in listed["google"]["status_message"]


def test_an_x_post_has_no_options(run: Run) -> None:
    [row] = run.ok("post", "--account", X_ID, "--text", "Fresh bread at 8", "--now")
    assert (row["platform"], row["account_id"], row["status"]) == ("x", X_ID, "scheduled")
    listed = run.queued()[row["id"]]
    assert listed["platform"] == "x" and listed["options"] == {}


def test_a_google_post_without_flags_is_standard(run: Run) -> None:
    [row] = run.ok("post", "--account", GOOGLE_ID, "--text", "Open on Sunday", "--now")
    assert row["platform"] == "google" and row["account_id"] == GOOGLE_ID
    assert run.queued()[row["id"]]["options"] == {**NONE, "google_type": "standard"}


def test_a_standard_post_with_a_photo_and_a_button(run: Run, tmp_path: Path) -> None:
    image = make_image(tmp_path / "loaf.jpg")
    args = ["--button", "order", "--button-url", "https://bakery.example/order", "--image", image]
    [row] = run.ok("post", "--account", GOOGLE_ID, "--text", "Order your loaf", *args, "--now")
    listed = run.queued()[row["id"]]
    assert listed["options"] == {
        **NONE,
        "google_type": "standard",
        "button": "ORDER",
        "button_url": "https://bakery.example/order",
    }
    assert len(listed["media"]) == 1


def test_a_call_button_needs_no_url(run: Run) -> None:
    [row] = run.ok("post", "--account", GOOGLE_ID, "--text", "Call us", "--button", "CALL", "--now")
    assert run.queued()[row["id"]]["options"]["button"] == "CALL"


def test_an_event_with_a_button(run: Run) -> None:
    args = ["--google-type", "event", *EVENT, "--button", "BOOK", "--button-url", "https://bakery.example/book"]
    [row] = run.ok("post", "--account", GOOGLE_ID, "--text", "Come taste", *args, "--draft")
    options = run.queued()[row["id"]]["options"]
    assert options == {
        **NONE,
        "google_type": "event",
        "button": "BOOK",
        "button_url": "https://bakery.example/book",
        "event_title": "Tasting night",
        "event_start": "2026-12-05T18:00",
        "event_end": "2026-12-05T21:30",
    }


def test_an_offer(run: Run) -> None:
    offer = ["--offer-code", "BREAD10", "--offer-terms", "One per visit", "--offer-url", "https://bakery.example/o"]
    args = ["--google-type", "OFFER", *EVENT, *offer]
    [row] = run.ok("post", "--account", GOOGLE_ID, "--text", "10% off", *args, "--now")
    options = run.queued()[row["id"]]["options"]
    assert options["google_type"] == "offer" and options["offer_code"] == "BREAD10"
    assert options["offer_terms"] == "One per visit" and options["offer_url"] == "https://bakery.example/o"
    assert (options["event_title"], options["event_end"]) == ("Tasting night", "2026-12-05T21:30")


def test_one_post_to_x_google_and_facebook_without_flags(run: Run) -> None:
    rows = run.ok("post", "--account", X_ID, "--account", GOOGLE_ID, "--account", PAGE_ID, "--text", "Hi", "--now")
    queued = run.queued()
    by_platform = {r["platform"]: queued[r["id"]] for r in rows}
    assert set(by_platform) == {"x", "google", "facebook"}
    assert by_platform["google"]["options"]["google_type"] == "standard"
    assert by_platform["x"]["options"] == {} and by_platform["facebook"]["options"] == {}


# ----- refusals ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", [X_ID, PAGE_ID])
def test_google_flags_are_refused_for_other_networks(run: Run, other: str) -> None:
    lines = run.refused("--account", GOOGLE_ID, "--account", other, "--text", "Hi", "--button", "CALL")
    assert lines == ["autoposter: --button is for Google Business Profile posts only; remove it or the other accounts"]


def test_every_problem_gets_its_own_line(run: Run) -> None:
    args = ["--google-type", "event", "--button", "book", "--event-start", "tomorrow", "--offer-code", "X"]
    lines = run.refused("--account", GOOGLE_ID, "--text", "Hi", *args)
    assert lines == [
        "autoposter: --button BOOK needs --button-url, the web address it opens",
        "autoposter: An event needs its title, start and end: add --event-title and --event-end",
        "autoposter: --event-start 'tomorrow' is not a date and time; use local time like 2026-12-05T18:00",
        "autoposter: --offer-code goes with --google-type offer",
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--google-type", "news"], "use standard, event or offer"),
        (["--button", "donate", "--button-url", "https://x.example"], "LEARN_MORE, BOOK, ORDER, SHOP, SIGN_UP, CALL"),
        (["--button", "CALL", "--button-url", "https://x.example"], "remove --button-url"),
        (["--button-url", "https://x.example"], "--button-url goes with --button"),
        (["--button", "SHOP", "--button-url", "shop.example"], "is not a web address"),
        (EVENT[:2], "--event-title goes with --google-type event or offer"),
        (["--google-type", "offer", "--offer-code", "X1"], "An offer needs its title and period"),
        (["--google-type", "event", *EVENT[:4], "--event-end", "2026-12-05T17:00"], "must be after --event-start"),
        (["--google-type", "event", *EVENT[:4], "--event-end", "2026-12-05T22:00+01:00"], "leave out the offset"),
        (["--google-type", "offer", *EVENT, "--button", "BOOK", "--button-url", "https://b.example"], "no button"),
    ],
)
def test_a_flag_that_does_not_fit_is_refused(run: Run, args: list[str], says: str) -> None:
    [line] = run.refused("--account", GOOGLE_ID, "--text", "Hi", *args)
    assert line.startswith("autoposter: ") and says in line


def test_an_unknown_account_is_still_said_first(run: Run) -> None:
    [line] = run.refused("--account", "999", "--text", "Hi", "--button", "CALL")
    assert "Unknown account 999" in line


# ----- the options stay with the post ----------------------------------------------------------------------------


def test_edit_and_schedule_keep_the_options(run: Run) -> None:
    args = ["--google-type", "event", *EVENT]
    [draft] = run.ok("post", "--account", GOOGLE_ID, "--text", "Draft", *args, "--draft")
    stored = run.queued()[draft["id"]]["options"]
    assert run.ok("edit", str(draft["id"]), "--text", "Edited")["options"] == stored
    at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    assert run.ok("schedule", str(draft["id"]), "--at", at)["options"] == stored
    assert run.queued()[draft["id"]]["options"] == {**stored, "google_type": "event"}


def test_a_weekly_series_and_next_slot_posts_carry_them(run: Run) -> None:
    at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    rows = run.ok(
        "post", "--account", GOOGLE_ID, "--text", "Weekly", "--button", "CALL", "--at", at, "--repeat", "weekly",
        "--count", "3",
    )  # fmt: skip
    queued = run.queued()
    assert len(rows) == 3 and all(queued[r["id"]]["options"]["button"] == "CALL" for r in rows)


def test_csv_export_and_import_leave_the_options_out(run: Run, tmp_path: Path) -> None:
    run.ok("post", "--account", GOOGLE_ID, "--text", "Deal", "--google-type", "offer", *EVENT, "--draft")
    target = tmp_path / "posts.csv"
    assert run.ok("export", str(target))["exported"] == 1
    written = target.read_text()
    assert "Deal" in written and "offer" not in written.lower() and "Tasting night" not in written
    assert run.ok("import", str(target))["imported"] == 1
    imported = max(run.queued().values(), key=lambda r: r["id"])
    assert imported["options"]["google_type"] == "standard"  # a CSV row has no Google columns


def test_a_real_process_refuses_and_lists_like_the_contract(tmp_path: Path) -> None:
    _add_accounts(tmp_path / "proc")
    env = cli_env(tmp_path / "proc", "http://127.0.0.1:9", tmp_path / "keyring.json")
    refused = run_cli(env, "post", "--account", PAGE_ID, "--text", "Hi", "--google-type", "event", "--now")
    assert refused.code == 2 and refused.stdout == ""
    assert refused.stderr.strip() == (
        "autoposter: --google-type is for Google Business Profile posts only; remove it or the other accounts"
    )
    posted = run_cli(env, "post", "--account", GOOGLE_ID, "--text", "Hi", "--button", "learn_more", "--button-url",
                     "https://bakery.example", "--now", "--json")  # fmt: skip
    assert posted.code == 0, posted.stderr
    [listed] = json.loads(run_cli(env, "queue", "--json").stdout)
    assert listed["platform"] == "google" and listed["options"]["button"] == "LEARN_MORE"
