"""The CLI contract, driven as a user would: real processes against the sandbox server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import REPO, bad, cli_command, cli_env, connect_args, ok, post_now, run_cli
from tests.support.helpers import BAKERY, BAKERY_IG, make_image


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    sandbox.configure(container_polls=0)
    return cli_env(tmp_path / "data", sandbox.url, tmp_path / "keyring.json")


@pytest.fixture
def connected_env(env: dict[str, str], sandbox: Any) -> Iterator[dict[str, str]]:
    creds = sandbox.credentials
    result = run_cli(env, *connect_args(creds), "--json")
    assert result.code == 0, result.stderr
    yield env


def test_connect_lists_accounts_and_never_prints_secrets(env: dict[str, str], sandbox: Any) -> None:
    creds = sandbox.credentials
    result = run_cli(env, *connect_args(creds), "--json")
    accounts = ok(result)
    assert {(a["platform"], a["account_id"]) for a in accounts} >= {("facebook", BAKERY), ("instagram", BAKERY_IG)}
    listed = ok(run_cli(env, "accounts", "--json"))
    assert all({"id", "platform", "account_id", "name"} <= set(a) for a in listed)
    assert creds.app_secret not in result.stdout + result.stderr
    assert creds.user_token not in result.stdout + result.stderr


def test_post_run_due_queue_activity(connected_env: dict[str, str], sandbox: Any, tmp_path: Path) -> None:
    env = connected_env
    # The app publishes every post here (2 hours ahead, Meta's scheduler would take the later one: test_handoff.py).
    assert run_cli(env, "settings", "set", "handoff", "off").code == 0
    img = make_image(tmp_path / "bread.jpg")
    text_item = ok(run_cli(env, "post", "--account", BAKERY, "--text", "Fresh bread", "--now", "--json"))
    assert [set(r) for r in text_item] == [{"id", "platform", "account_id", "status", "scheduled_at"}]
    assert text_item[0]["status"] == "scheduled" and text_item[0]["account_id"] == BAKERY
    both = post_now(env, "Photo day", "--image", img, accounts=(BAKERY, BAKERY_IG))
    assert {r["platform"] for r in both} == {"facebook", "instagram"}
    later = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    future = ok(run_cli(env, "post", "--account", BAKERY, "--text", "Later", "--at", later.isoformat(), "--json"))
    assert datetime.fromisoformat(future[0]["scheduled_at"]) == later

    stats = ok(run_cli(env, "run-due", "--json"))
    assert stats == {"processed": 3, "succeeded": 3, "failed": 0, "retried": 0}
    queue = {q["id"]: q for q in ok(run_cli(env, "queue", "--json"))}
    for row in [*text_item, *both]:
        q = queue[row["id"]]
        assert q["status"] == "posted" and q["permalink"].startswith("http") and q["provider_post_id"]
    assert queue[future[0]["id"]]["status"] == "scheduled"
    assert {p["text"] for p in sandbox.state()["posts"]} == {"Fresh bread", "Photo day"}

    as_of = (later + timedelta(minutes=1)).isoformat()
    assert ok(run_cli(env, "run-due", "--as-of", as_of, "--json"))["succeeded"] == 1
    activity = ok(run_cli(env, "activity", "--json"))
    assert len(activity) == 4 and all(a["outcome"] == "succeeded" and a["permalink"] for a in activity)
    assert activity[0]["queue_item_id"] == future[0]["id"]  # newest first
    for a in activity:
        assert datetime.fromisoformat(a["started_at"]).tzinfo is not None


BAD_POSTS: list[tuple[str, list[str], str]] = [
    ("unknown account", ["--account", "999", "--text", "x", "--now"], "Unknown account"),
    ("empty text", ["--account", BAKERY, "--text", "", "--now"], "empty"),
    ("blank text", ["--account", BAKERY, "--text", "  \u200b ", "--now"], "empty"),
    ("missing image", ["--account", BAKERY, "--text", "x", "--image", "/nope/none.jpg", "--now"], "not found"),
    ("ig without image", ["--account", BAKERY_IG, "--text", "x", "--now"], "need an image"),
    ("ig caption too long", ["--account", BAKERY_IG, "--text", "x" * 2201, "--image", "IMG", "--now"], "2,200"),
    (
        "ig hashtags",
        ["--account", BAKERY_IG, "--text", " ".join(f"#h{i}" for i in range(31)), "--image", "IMG", "--now"],
        "30 hashtags",
    ),
    ("bad time", ["--account", BAKERY, "--text", "x", "--at", "next tuesday"], "ISO 8601"),
    ("past time", ["--account", BAKERY, "--text", "x", "--at", "2020-01-01T10:00"], "past"),
    ("no when", ["--account", BAKERY, "--text", "x"], "--at"),
    ("not an image", ["--account", BAKERY, "--text", "x", "--image", "TXT", "--now"], "Not a supported image"),
]


@pytest.mark.parametrize(("name", "args", "message"), BAD_POSTS, ids=[b[0] for b in BAD_POSTS])
def test_bad_input_exits_2_and_writes_nothing(
    connected_env: dict[str, str], tmp_path: Path, name: str, args: list[str], message: str
) -> None:
    img = make_image(tmp_path / "ok.jpg")
    txt = tmp_path / "notes.jpg"
    txt.write_text("not an image")
    args = [img if a == "IMG" else str(txt) if a == "TXT" else a for a in args]
    line = bad(run_cli(connected_env, "post", *args, "--json"))
    assert message in line
    assert ok(run_cli(connected_env, "queue", "--json")) == []


def test_dst_gap_is_refused_with_a_proposal(connected_env: dict[str, str]) -> None:
    env = {**connected_env, "TZ": "America/New_York"}
    line = bad(run_cli(env, "post", "--account", BAKERY, "--text", "x", "--at", "2027-03-14T02:30"))
    assert "03:00" in line
    line = bad(run_cli(env, "post", "--account", BAKERY, "--text", "x", "--at", "2027-11-07T01:30"))
    assert "offset" in line


def test_retry_and_cancel(connected_env: dict[str, str], sandbox: Any) -> None:
    env = connected_env
    item = ok(run_cli(env, "post", "--account", BAKERY, "--text", "will fail", "--now", "--json"))[0]
    sandbox.inject_fault(kind="error", match="feed_post", code=200)
    assert ok(run_cli(env, "run-due", "--json"))["failed"] == 1
    retried = ok(run_cli(env, "retry", str(item["id"]), "--json"))
    assert retried["status"] == "scheduled"
    assert ok(run_cli(env, "run-due", "--json"))["succeeded"] == 1
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    pending = ok(run_cli(env, "post", "--account", BAKERY, "--text", "changed my mind", "--at", later, "--json"))[0]
    assert ok(run_cli(env, "cancel", str(pending["id"]), "--json"))["status"] == "canceled"
    bad(run_cli(env, "cancel", str(item["id"])))  # already posted
    bad(run_cli(env, "retry", "4242"))


def test_no_keyring_is_a_clear_failure(env: dict[str, str], sandbox: Any) -> None:
    env = {**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    creds = sandbox.credentials
    line = bad(run_cli(env, *connect_args(creds)), code=1)
    assert "keyring" in line.lower() and creds.app_secret not in line


def test_connect_names_a_wrong_app_pair_and_a_malformed_token(env: dict[str, str], sandbox: Any) -> None:
    """The same connect messages as the wizard's: what is wrong and where to copy it from, exit 2, nothing kept."""
    creds = sandbox.credentials
    args = ["connect", "--app-id", creds.app_id, "--app-secret", "not-the-secret", "--user-token", creds.user_token]
    line = bad(run_cli(env, *args))
    assert "didn't accept this App ID and App Secret" in line and "App settings → Basic" in line
    assert "not-the-secret" not in line and "retry" not in line
    args = ["connect", "--app-id", creds.app_id, "--app-secret", creds.app_secret, "--user-token", "EAAB x y"]
    line = bad(run_cli(env, *args))
    assert "doesn't look like a valid access token" in line and "Graph API Explorer" in line
    assert ok(run_cli(env, "accounts", "--json")) == []


def test_unknown_command_and_bad_ids_are_bad_input(env: dict[str, str]) -> None:
    assert "invalid choice" in bad(run_cli(env, "explode"))
    assert "invalid int" in bad(run_cli(env, "retry", "abc"))
    assert "no queue item" in bad(run_cli(env, "retry", "99999999999999999999"))


def test_argv_bytes_that_are_not_utf8_are_bad_input(connected_env: dict[str, str]) -> None:
    """`--text $'\\xff'` in a shell: Python keeps the byte as a lone surrogate, which SQLite can't store."""
    text = os.fsdecode(b"caf\xe9 \xff")  # Latin-1 bytes passed through a UTF-8 locale
    line = bad(run_cli(connected_env, "post", "--account", BAKERY, "--text", text, "--now"))
    assert "not valid UTF-8" in line
    assert ok(run_cli(connected_env, "queue", "--json")) == []


def test_json_flag_anywhere_and_human_output(connected_env: dict[str, str]) -> None:
    assert isinstance(ok(run_cli(connected_env, "--json", "accounts")), list)
    human = run_cli(connected_env, "accounts")
    assert human.code == 0 and "Sandbox Bakery" in human.stdout


def test_accounts_show_token_health(connected_env: dict[str, str], sandbox: Any) -> None:
    before = {a["account_id"]: a for a in ok(run_cli(connected_env, "accounts", "--json"))}
    assert before[BAKERY]["status"] == "connected"
    sandbox.revoke(BAKERY)
    after = {a["account_id"]: a for a in ok(run_cli(connected_env, "accounts", "--json"))}
    assert after[BAKERY]["status"] == "invalid" and "Reconnect" in after[BAKERY]["status_message"]
    assert "token_expires_at" in after[BAKERY]


def test_instagram_ratio_is_checked_at_compose_time_and_fit_fixes_it(
    connected_env: dict[str, str], tmp_path: Path, sandbox: Any
) -> None:
    tall = make_image(tmp_path / "tall.jpg", (600, 1500))
    original = Path(tall).read_bytes()
    line = bad(run_cli(connected_env, "post", "--account", BAKERY_IG, "--text", "tall", "--image", tall, "--now"))
    assert "aspect ratio" in line and line.endswith("Use --fit pad or --fit crop") and "Pad to fit" not in line
    rows = ok(
        run_cli(
            connected_env,
            "post",
            "--account",
            BAKERY_IG,
            "--account",
            BAKERY,
            "--text",
            "tall",
            "--image",
            tall,
            "--fit",
            "pad",
            "--now",
            "--json",
        )
    )
    assert len(rows) == 2
    queue = {q["platform"]: q for q in ok(run_cli(connected_env, "queue", "--json"))}
    stored = Path(queue["facebook"]["image_path"])  # a copy of the original in the data folder's media store
    assert stored.parent == (tmp_path / "data" / "media").resolve() and stored.read_bytes() == original
    assert queue["instagram"]["image_path"] != queue["facebook"]["image_path"]
    assert Path(tall).read_bytes() == original
    assert ok(run_cli(connected_env, "run-due", "--json"))["succeeded"] == 2


def test_sandbox_banner_passes_the_secret_on_stdin_and_its_command_works(tmp_path: Path) -> None:
    """The banner's connect line keeps the app secret out of the arguments (`ps`), and works as printed."""
    import shlex
    import subprocess
    import sys

    env = cli_env(tmp_path / "data", "http://127.0.0.1:9", tmp_path / "keyring.json")
    server = subprocess.Popen(
        cli_command("sandbox", "--port", "0"), env=env, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert server.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Press Ctrl+C"):
            line = server.stdout.readline()
            assert line, "the sandbox stopped before printing its banner"
            lines.append(line.strip())
        url = next(line.split("=", 1)[1] for line in lines if line.startswith("export AUTOPOSTER_GRAPH_URL="))
        (connect,) = [line for line in lines if "autoposter connect" in line]
        secret, command = connect.split(" | ", 1)
        assert secret.startswith("echo ") and "--app-secret - " in command
        assert secret.removeprefix("echo ") not in command
        runnable = connect.replace("autoposter connect", f"{shlex.quote(sys.executable)} -m autoposter_gui.cli connect")
        done = subprocess.run(
            ["sh", "-c", runnable], env={**env, "AUTOPOSTER_GRAPH_URL": url}, capture_output=True, text=True, cwd=REPO
        )
        assert done.returncode == 0, done.stderr
        assert "Connected" in done.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_photo_without_a_caption_is_posted_but_empty_text_alone_is_refused(
    connected_env: dict[str, str], sandbox: Any, tmp_path: Path
) -> None:
    img = make_image(tmp_path / "photo.jpg")
    refused = bad(run_cli(connected_env, "post", "--account", BAKERY, "--text", "", "--now"))
    assert "empty" in refused
    rows = ok(
        run_cli(
            connected_env,
            "post",
            "--account",
            BAKERY,
            "--account",
            BAKERY_IG,
            "--text",
            "",
            "--image",
            img,
            "--now",
            "--json",
        )
    )
    assert len(rows) == 2
    assert ok(run_cli(connected_env, "run-due", "--json"))["succeeded"] == 2
    posts = sandbox.state()["posts"]
    assert sorted((p["platform"], p["text"]) for p in posts) == [("facebook", ""), ("instagram", "")]
    assert all(i["status"] == "posted" and i["permalink"] for i in ok(run_cli(connected_env, "queue", "--json")))
