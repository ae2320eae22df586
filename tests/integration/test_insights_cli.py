"""`autoposter insights` as a user runs it against the sandbox: the contract's fields, states, flags, no network."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import connected_cli_env, ok, post_now, run_cli
from tests.support.helpers import BAKERY, BAKERY_IG, make_image

FIELDS = {"id", "account_id", "platform", "permalink", "published_at", "metrics", "state", "fetched_at"}


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    env = connected_cli_env(tmp_path, sandbox)
    img = make_image(tmp_path / "bread.jpg")
    post_now(env, "Bread", "--image", img, accounts=(BAKERY, BAKERY_IG))
    ok(run_cli(env, "run-due", "--json"))
    return env


def _calls(sandbox: Any) -> int:
    return len(sandbox.state()["calls"])


def test_insights_lists_posted_items_reads_only_then_refreshes(env: dict[str, str], sandbox: Any) -> None:
    before = _calls(sandbox)
    rows = ok(run_cli(env, "insights", "--json"))
    assert _calls(sandbox) == before  # plain `insights` never calls Meta
    assert len(rows) == 2 and all(set(r) >= FIELDS for r in rows)
    assert {r["account_id"] for r in rows} == {BAKERY, BAKERY_IG} and {r["platform"] for r in rows} == {
        "facebook",
        "instagram",
    }
    assert all(r["state"] == "pending" and r["metrics"] == {} and r["fetched_at"] is None for r in rows)
    assert all(r["permalink"] and r["published_at"] for r in rows)

    # Not due yet (+1 h not reached): --refresh fetches nothing.
    assert ok(run_cli(env, "insights", "--refresh", "--json"))[0]["state"] == "pending"
    assert _calls(sandbox) == before

    published = datetime.fromisoformat(rows[0]["published_at"])
    sandbox.advance_clock(2 * 3600)
    later = (published + timedelta(hours=2)).isoformat()
    rows = ok(run_cli(env, "insights", "--refresh", "--as-of", later, "--json"))
    assert all(r["state"] == "ok" and r["metrics"]["reach"] > 0 and r["fetched_at"] for r in rows)
    ig = next(r for r in rows if r["platform"] == "instagram")
    assert {"views", "likes", "comments", "saved", "shares"} <= set(ig["metrics"])
    assert _calls(sandbox) == before + 2  # one permission check (debug_token) + one batch, for the shared token

    text = run_cli(env, "insights")
    assert text.code == 0 and "reach" in text.stdout and "published_at" in text.stdout


def test_each_state_shows_as_itself(env: dict[str, str], sandbox: Any) -> None:
    rows = ok(run_cli(env, "insights", "--json"))
    published = datetime.fromisoformat(rows[0]["published_at"])
    steps: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("not_enough_viewers", {}, {"facebook": "not_enough_viewers", "instagram": "not_enough_viewers"}),
        ("empty", {}, {"facebook": "not_available", "instagram": "not_available"}),
        ("too_few_followers", {}, {"facebook": "not_available", "instagram": "ok"}),
        ("", {"insights_permission": False}, {"facebook": "permission_missing", "instagram": "permission_missing"}),
    ]
    for hour, (forced, settings, expected) in enumerate(steps, start=2):
        for target in (BAKERY, BAKERY_IG):
            sandbox.set_insights_state(target, forced or None)
        sandbox.configure(**{"insights_permission": True, **settings})
        sandbox.advance_clock(2 * 3600)
        as_of = (published + timedelta(hours=hour * 2)).isoformat()
        rows = ok(run_cli(env, "insights", "--refresh", "--all", "--as-of", as_of, "--json"))
        assert {r["platform"]: r["state"] for r in rows} == expected, forced
        for row in rows:
            assert (row["metrics"] == {}) == (row["state"] != "ok")
        if forced == "too_few_followers":
            assert next(r for r in rows if r["platform"] == "facebook")["reason"] == "too_few_followers"


def test_bad_flags_are_one_line_exit_2(env: dict[str, str]) -> None:
    for args in (("insights", "--all"), ("insights", "--refresh", "--as-of", "yesterday")):
        result = run_cli(env, *args)
        assert result.code == 2 and result.stdout == "" and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
