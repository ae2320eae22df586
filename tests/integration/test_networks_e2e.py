"""Issue 17 end to end: X and Google Business Profile posts connected with `connect-x` / `connect-google` and
published by the real engine (`autoposter run-due`) against the sandbox server, exactly once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from autoposter_gui.sandbox.x_state import X_CLIENT_ID, X_USER_ID, X_USERNAME
from tests.support.browser import networks_env, sign_in
from tests.support.cli import ok, run_cli
from tests.support.helpers import make_image


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    return networks_env(tmp_path, sandbox)


def _keyring(tmp_path: Path) -> str:
    return (tmp_path / "keyring.json").read_text()


def connect_x(env: dict[str, str]) -> None:
    result = sign_in(env, "connect-x", "--client-id", X_CLIENT_ID, "--no-browser", "--port", "0")
    assert result.code == 0, result.stderr


def post(env: dict[str, str], account: str, text: str, *more: str) -> int:
    (row,) = ok(run_cli(env, "post", "--account", account, "--text", text, *more, "--now", "--json"))
    return int(row["id"])


def queue(env: dict[str, str]) -> dict[int, Any]:
    return {q["id"]: q for q in ok(run_cli(env, "queue", "--json"))}


def activity(env: dict[str, str], item: int) -> list[Any]:
    return [a for a in ok(run_cli(env, "activity", "--json")) if a["queue_item_id"] == item]


def x_state(sandbox: Any) -> dict[str, Any]:
    found: dict[str, Any] = requests.get(f"{sandbox.url}/_sandbox/x/state", timeout=10).json()
    return found


def x_control(sandbox: Any, name: str, payload: dict[str, Any] | None = None) -> None:
    requests.post(f"{sandbox.url}/_sandbox/x/{name}", json=payload or {}, timeout=10).raise_for_status()


# ----- X -------------------------------------------------------------------------------------------------------------


def test_x_text_and_two_images_published_with_permalinks(env: dict[str, str], sandbox: Any, tmp_path: Path) -> None:
    connect_x(env)
    text = post(env, X_USER_ID, "Fresh sourdough at 8")
    photos = post(
        env,
        X_USER_ID,
        "Two loaves",
        "--image",
        str(make_image(tmp_path / "a.jpg")),
        "--image",
        str(make_image(tmp_path / "b.jpg", color="blue")),
    )
    stats = ok(run_cli(env, "run-due", "--json"))
    assert stats == {"processed": 2, "succeeded": 2, "failed": 0, "retried": 0}, stats
    rows = queue(env)
    for item in (text, photos):
        q = rows[item]
        assert q["status"] == "posted", q
        assert q["permalink"] == f"https://x.com/{X_USERNAME}/status/{q['provider_post_id']}"
        (a,) = activity(env, item)
        assert a["outcome"] == "succeeded" and a["permalink"] == q["permalink"]
    tweets = x_state(sandbox)["tweets"]
    assert [(t["text"], len(t["media_ids"])) for t in tweets] == [("Fresh sourdough at 8", 0), ("Two loaves", 2)]


def test_x_duplicate_is_refused_in_plain_words_and_failed_at_once(env: dict[str, str], sandbox: Any) -> None:
    connect_x(env)
    first = post(env, X_USER_ID, "Croissants are back")
    assert ok(run_cli(env, "run-due", "--json"))["succeeded"] == 1
    again = post(env, X_USER_ID, "Croissants are back")
    stats = ok(run_cli(env, "run-due", "--json"))
    assert stats["failed"] == 1 and stats["retried"] == 0, stats
    q = queue(env)[again]
    assert q["status"] == "failed", q
    assert q["error_message"] == "X refuses a post identical to a recent one: change the words", q
    assert "{" not in q["error_message"] and "http" not in q["error_message"].lower()
    assert len(activity(env, again)) == 1  # permanent: no retries
    assert ok(run_cli(env, "run-due", "--json"))["processed"] == 0
    assert queue(env)[first]["status"] == "posted"
    assert [t["text"] for t in x_state(sandbox)["tweets"]] == ["Croissants are back"]


def _x_grant(tmp_path: Path) -> dict[str, Any]:
    stored = json.loads(_keyring(tmp_path))
    blobs = [v for v in _values(stored) if "refresh_token" in v]
    assert len(blobs) == 1
    found: dict[str, Any] = json.loads(blobs[0])
    return found


def _values(stored: Any) -> list[str]:
    if isinstance(stored, str):
        return [stored]
    if isinstance(stored, dict):
        return [v for value in stored.values() for v in _values(value)]
    return []


def test_x_expired_access_token_is_refreshed_without_the_owner_noticing(
    env: dict[str, str], sandbox: Any, tmp_path: Path
) -> None:
    connect_x(env)
    before = _x_grant(tmp_path)
    x_control(sandbox, "expire_token")
    item = post(env, X_USER_ID, "Rye today")
    assert ok(run_cli(env, "run-due", "--json"))["succeeded"] == 1
    assert queue(env)[item]["status"] == "posted"
    after = _x_grant(tmp_path)
    assert after["refresh_token"] != before["refresh_token"]  # the rotated refresh token was stored
    assert after["access_token"] != before["access_token"]
    assert x_state(sandbox)["grants"][0]["refreshes"] == 1
    (account,) = ok(run_cli(env, "accounts", "--json"))
    assert account["status"] == "connected"


def test_x_ambiguous_create_is_reconciled_without_a_duplicate(env: dict[str, str], sandbox: Any) -> None:
    connect_x(env)
    sandbox.inject_fault(kind="reset", match="x_tweet_create", after_commit=True)
    item = post(env, X_USER_ID, "Baguettes until noon")
    first = ok(run_cli(env, "run-due", "--json"))
    assert first["succeeded"] == 0, first
    assert queue(env)[item]["status"] != "posted"
    assert "it will try again" in queue(env)[item]["error_message"]
    second = ok(run_cli(env, "run-due", "--as-of", _later(minutes=30), "--json"))
    assert second["succeeded"] == 1, second
    q = queue(env)[item]
    assert q["status"] == "posted", q
    tweets = x_state(sandbox)["tweets"]
    assert [t["text"] for t in tweets] == ["Baguettes until noon"]
    assert q["provider_post_id"] == tweets[0]["id"]
    assert q["permalink"] == f"https://x.com/{X_USERNAME}/status/{tweets[0]['id']}"
    assert [t["id"] for t in x_state(sandbox)["tweets"]] == [tweets[0]["id"]]
    assert x_state(sandbox)["calls"].count("POST /2/tweets") == 1


def _later(minutes: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


# ----- Google Business Profile ----------------------------------------------------------------------------------


def connect_google(env: dict[str, str]) -> str:
    """Connect both sandbox locations; the id of the first one."""
    from autoposter_gui.sandbox.google_api import CLIENT_ID, CLIENT_SECRET

    args = ("connect-google", "--client-id", CLIENT_ID, "--client-secret", "-", "--no-browser")
    result = sign_in(env, *args, stdin=CLIENT_SECRET)
    assert result.code == 0, result.stderr
    accounts = ok(run_cli(env, "accounts", "--json"))
    return str(sorted(a["account_id"] for a in accounts if a["platform"] == "google")[0])


def g_state(sandbox: Any) -> dict[str, Any]:
    found: dict[str, Any] = requests.get(f"{sandbox.url}/_sandbox/google", timeout=10).json()
    return found


def g_control(sandbox: Any, name: str, payload: dict[str, Any] | None = None) -> None:
    requests.post(f"{sandbox.url}/_sandbox/google/{name}", json=payload or {}, timeout=10).raise_for_status()


def creates(sandbox: Any) -> int:
    return sum(1 for c in g_state(sandbox)["calls"] if c.startswith("POST") and c.endswith("/localPosts"))


EVENT = ("--event-title", "Tasting night", "--event-start", "2026-12-05T18:00", "--event-end", "2026-12-05T21:30")


def test_google_standard_event_and_offer_published_with_search_urls(
    env: dict[str, str], sandbox: Any, tmp_path: Path
) -> None:
    location = connect_google(env)
    photo = make_image(tmp_path / "bread.jpg")
    standard = post(
        env,
        location,
        "Fresh bread daily",
        "--image",
        photo,
        "--button",
        "ORDER",
        "--button-url",
        "https://bakery.example/order",
    )
    event = post(env, location, "Join our tasting", "--google-type", "event", *EVENT)
    offer = post(
        env,
        location,
        "10% off rye",
        "--google-type",
        "offer",
        *EVENT,
        "--offer-code",
        "RYE10",
        "--offer-terms",
        "One per visit",
    )
    stats = ok(run_cli(env, "run-due", "--json"))
    assert stats == {"processed": 3, "succeeded": 3, "failed": 0, "retried": 0}, stats
    posts = {p["summary"]: p for p in g_state(sandbox)["posts"]}
    assert posts["Fresh bread daily"]["callToAction"] == {"actionType": "ORDER", "url": "https://bakery.example/order"}
    assert len(posts["Fresh bread daily"]["media"]) == 1
    assert posts["Join our tasting"]["topicType"] == "EVENT" and posts["Join our tasting"]["event"]["title"]
    assert posts["10% off rye"]["topicType"] == "OFFER" and posts["10% off rye"]["offer"]["couponCode"] == "RYE10"
    rows = queue(env)
    for item, summary in ((standard, "Fresh bread daily"), (event, "Join our tasting"), (offer, "10% off rye")):
        q = rows[item]
        assert q["status"] == "posted", q
        assert q["permalink"] == posts[summary]["searchUrl"]
        assert q["permalink"].startswith("https://local.google.com/place?id=")
        (a,) = activity(env, item)
        assert a["outcome"] == "succeeded" and a["permalink"] == q["permalink"]
    assert creates(sandbox) == 3


def test_google_processing_post_goes_live_on_a_later_run_without_a_second_create(
    env: dict[str, str], sandbox: Any
) -> None:
    location = connect_google(env)
    g_control(sandbox, "config", {"post_state": "PROCESSING", "processing_reads": 2})
    item = post(env, location, "Stollen season")
    ok(run_cli(env, "run-due", "--json"))
    q = queue(env)[item]
    assert q["status"] != "posted" and q["status"] != "failed", q
    (created,) = g_state(sandbox)["posts"]
    assert created["state"] == "PROCESSING"
    assert "still reviewing" in q["error_message"] and q["attempt_count"] <= 1, q
    runs = 0
    while queue(env)[item]["status"] != "posted" and runs < 5:
        runs += 1  # each run is 10 minutes later than the last (the post waits 2 minutes between reads)
        ok(run_cli(env, "run-due", "--as-of", _later(minutes=10 * runs), "--json"))
    assert runs == 3  # two more reads answer PROCESSING, the third LIVE
    q = queue(env)[item]
    assert q["status"] == "posted", q
    assert q["permalink"] == created["searchUrl"]
    assert creates(sandbox) == 1


def test_google_rejected_post_fails_with_the_content_policy_sentence_and_is_never_recreated(
    env: dict[str, str], sandbox: Any
) -> None:
    location = connect_google(env)
    g_control(sandbox, "config", {"post_state": "REJECTED"})
    item = post(env, location, "Best bread in town guaranteed")
    ok(run_cli(env, "run-due", "--json"))
    for _ in range(3):
        ok(run_cli(env, "run-due", "--as-of", _later(minutes=60), "--json"))
    q = queue(env)[item]
    assert q["status"] == "failed", q
    assert "content polic" in q["error_message"].lower(), q
    assert creates(sandbox) == 1


@pytest.mark.parametrize("kind", ["reset", "hang_after_commit"])
def test_google_ambiguous_create_is_reconciled_without_a_duplicate(
    env: dict[str, str], sandbox: Any, kind: str
) -> None:
    location = connect_google(env)
    sandbox.inject_fault(kind=kind, match="google_local_post_create", after_commit=True, seconds=0.1)
    item = post(env, location, "Pretzels at noon")
    first = ok(run_cli(env, "run-due", "--json"))
    assert first["succeeded"] == 0, first
    assert queue(env)[item]["status"] != "posted"
    second = ok(run_cli(env, "run-due", "--as-of", _later(minutes=30), "--json"))
    assert second["succeeded"] == 1, second
    (created,) = g_state(sandbox)["posts"]
    q = queue(env)[item]
    assert q["status"] == "posted" and q["permalink"] == created["searchUrl"], q
    assert creates(sandbox) == 1


# ----- token health ----------------------------------------------------------------------------------------------


def _age_x_grant(tmp_path: Path) -> None:
    """Time passes for the stored X sign-in: its access token's expiry is moved into the past."""
    path = tmp_path / "keyring.json"

    def aged(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: aged(v) for k, v in value.items()}
        if isinstance(value, str) and '"refresh_token"' in value:
            blob = json.loads(value)
            blob["expires_at"] = "2020-01-01T00:00:00+00:00"
            return json.dumps(blob)
        return value

    path.write_text(json.dumps(aged(json.loads(path.read_text()))))


def test_x_and_google_token_health_renews_or_asks_to_reconnect(
    env: dict[str, str], sandbox: Any, tmp_path: Path
) -> None:
    connect_x(env)
    connect_google(env)
    x_control(sandbox, "expire_token")
    _age_x_grant(tmp_path)  # two hours later: the stored access token has expired, the check renews it
    accounts = ok(run_cli(env, "accounts", "--json"))
    assert {(a["platform"], a["status"], a["status_message"]) for a in accounts} == {
        ("x", "connected", None),
        ("google", "connected", None),
    }
    assert x_state(sandbox)["grants"][0]["refreshes"] == 1
    ok(run_cli(env, "accounts", "--json"))  # a fresh X token: no call at all
    assert x_state(sandbox)["grants"][0]["refreshes"] == 1
    assert "POST /2/users/me" not in x_state(sandbox)["calls"]

    item = post(env, X_USER_ID, "Held while X is disconnected")
    x_control(sandbox, "revoke")
    g_control(sandbox, "revoke")
    _age_x_grant(tmp_path)
    accounts = {a["platform"]: a for a in ok(run_cli(env, "accounts", "--json")) if a["platform"] != "google"}
    x = accounts["x"]
    assert x["status"] == "invalid" and x["status_message"].startswith(f"Reconnect X (@{X_USERNAME}): "), x
    google = [a for a in ok(run_cli(env, "accounts", "--json")) if a["platform"] == "google"]
    assert all(a["status"] == "invalid" for a in google), google
    assert all(a["status_message"].startswith("Reconnect Google Business Profile") for a in google), google
    q = queue(env)[item]
    assert q["status"] == "scheduled" and q["error_message"] == x["status_message"]  # held, not failed
