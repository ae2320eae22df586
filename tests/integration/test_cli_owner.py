"""`autoposter edit` and `autoposter publish-now`: the GUI's services, driven from the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui import cli
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.runner import Runner
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.tokens import APP_SECRET
from tests.support.cli import CliResult, cli_env, run_cli
from tests.support.helpers import BAKERY, connect, published, queue


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    env = cli_env(tmp_path / "data", sandbox.url, tmp_path / "keyring.json")
    creds = sandbox.credentials
    args = ["connect", "--app-id", creds.app_id, "--app-secret", "-", "--user-token", creds.user_token]
    assert run_cli(env, *args, stdin=creds.app_secret + "\n").code == 0
    return env


def _ok(result: CliResult) -> Any:
    assert result.code == 0, result.stderr
    return result.json


def _refused(result: CliResult, code: int = 2) -> str:
    assert result.code == code, (result.code, result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    return line


def _later(minutes: int) -> str:
    return (datetime.now().astimezone() + timedelta(minutes=minutes)).replace(second=0, microsecond=0).isoformat()


def test_edit_text_and_time(env: dict[str, str], sandbox: Any) -> None:
    [item] = _ok(run_cli(env, "post", "--account", BAKERY, "--text", "Frist draft", "--at", _later(90), "--json"))
    edited = _ok(run_cli(env, "edit", str(item["id"]), "--text", "First draft", "--json"))
    assert edited["text"] == "First draft" and edited["status"] == "scheduled"
    assert edited["scheduled_at"] == item["scheduled_at"]  # the time is kept
    moved = _ok(run_cli(env, "edit", str(item["id"]), "--at", _later(180), "--json"))
    assert moved["text"] == "First draft" and moved["scheduled_at"] != item["scheduled_at"]
    [row] = [r for r in _ok(run_cli(env, "queue", "--json")) if r["id"] == item["id"]]
    assert row["text"] == "First draft" and row["scheduled_at"] == moved["scheduled_at"]
    assert row["handoff"] is None
    assert published(sandbox) == []


def test_edit_bad_input(env: dict[str, str]) -> None:
    [item] = _ok(run_cli(env, "post", "--account", BAKERY, "--text", "Hi", "--at", _later(90), "--json"))
    assert "--text, --at" in _refused(run_cli(env, "edit", str(item["id"])))
    assert "no queue item" in _refused(run_cli(env, "edit", "999", "--text", "x")).lower()
    assert "past" in _refused(run_cli(env, "edit", str(item["id"]), "--at", "2001-01-01T09:00"))
    _ok(run_cli(env, "publish-now", str(item["id"]), "--json"))
    assert "is posted" in _refused(run_cli(env, "edit", str(item["id"]), "--text", "x"))


def test_publish_now_publishes_on_the_spot(env: dict[str, str], sandbox: Any) -> None:
    [item] = _ok(
        run_cli(env, "post", "--account", BAKERY, "--text", "Right away please", "--at", _later(600), "--json")
    )
    done = _ok(run_cli(env, "publish-now", str(item["id"]), "--json"))
    assert done["status"] == "posted" and done["permalink"]
    assert len(published(sandbox, "Right away please")) == 1
    assert "is posted" in _refused(run_cli(env, "publish-now", str(item["id"])))
    assert len(published(sandbox, "Right away please")) == 1


def test_edit_is_refused_while_a_try_may_be_in_flight(
    ctx: Context, sandbox: Any, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As in the GUI: the post's last try may still land, and Meta can't say yet, so nothing changes."""
    monkeypatch.setenv("AUTOPOSTER_GRAPH_URL", sandbox.url)
    clock.set(datetime.now(UTC))  # the CLI reads the system clock: the try must look as recent to it as it is
    connect(ctx, sandbox)
    secret = ctx.tokens.get(APP_SECRET)
    ctx.client_factory = lambda: GraphClient(origin=sandbox.url, app_secret=secret, timeout=(2.0, 0.5))
    item_id = queue(ctx, BAKERY, "Maybe out already").id
    sandbox.inject_fault(kind="hang_before", match="feed_post", seconds=3)
    Runner(ctx).run_due()
    before = ctx.repo.item(item_id)
    assert before is not None and before.unconfirmed_attempt_id is not None
    capsys.readouterr()
    assert cli.main(["edit", str(item_id), "--text", "Changed"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "try again" in err
    after = ctx.repo.item(item_id)
    assert after is not None and after.text == "Maybe out already"


def _scheduled_at_meta(sandbox: Any) -> list[dict[str, Any]]:
    return list(sandbox.state()["scheduled_posts"])


def test_cli_changes_to_a_handed_off_post_reach_meta(env: dict[str, str], sandbox: Any) -> None:
    """run-due hands a post due in 90 minutes to Meta; edit, edit --at, publish-now and cancel reach Meta."""
    [one] = _ok(run_cli(env, "post", "--account", BAKERY, "--text", "Held one", "--at", _later(90), "--json"))
    [two] = _ok(run_cli(env, "post", "--account", BAKERY, "--text", "Held two", "--at", _later(90), "--json"))
    assert run_cli(env, "run-due", "--json").code == 0
    rows = {r["id"]: r for r in _ok(run_cli(env, "queue", "--json"))}
    held = {p["text"]: p["id"] for p in _scheduled_at_meta(sandbox)}
    assert rows[one["id"]]["handoff"] == "meta" and rows[one["id"]]["provider_post_id"] == held["Held one"]
    assert rows[one["id"]]["status"] == "scheduled" and rows[one["id"]]["handoff_pending"] is None

    edited = _ok(run_cli(env, "edit", str(one["id"]), "--text", "Held one, edited", "--at", _later(120), "--json"))
    assert edited["handoff"] == "meta" and edited["handoff_pending"] is None  # sent at once
    [at_meta] = [p for p in _scheduled_at_meta(sandbox) if p["id"] == held["Held one"]]
    assert at_meta["text"] == "Held one, edited"
    wanted = datetime.fromisoformat(edited["scheduled_at"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    assert at_meta["scheduled_publish_time"] == wanted

    now = _ok(run_cli(env, "publish-now", str(one["id"]), "--json"))
    [post] = published(sandbox, "Held one, edited")
    assert now["status"] == "posted" and now["permalink"] == post["permalink"] and post["id"] == held["Held one"]

    assert run_cli(env, "cancel", str(two["id"])).code == 0
    [row] = [r for r in _ok(run_cli(env, "queue", "--json")) if r["id"] == two["id"]]
    assert row["status"] == "canceled" and row["handoff"] is None
    assert _scheduled_at_meta(sandbox) == [] and published(sandbox, "Held two") == []
