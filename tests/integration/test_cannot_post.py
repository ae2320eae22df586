"""An account whose Page role can't create posts, against the sandbox: shown as such, refused, held, and released
when a Page admin grants the permission (the daily check reads the Page tasks again)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import AccountStatus
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.health import TokenHealthService
from autoposter_gui.engine.runner import Runner
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.sandbox import CAFE_PAGE_ID
from autoposter_gui.storage.models import Account
from autoposter_gui.storage.repo import tries_used
from tests.support.cli import cli_env, run_cli
from tests.support.helpers import BAKERY, BAKERY_IG, connect, published, queue

MESSAGE = "Can't post: ask a Page admin for the Create content permission"
CAN_POST = ["ANALYZE", "CREATE_CONTENT"]


def _account(ctx: Context, external_id: str) -> Account:
    account = ctx.repo.account_by_external(external_id)
    assert account is not None
    return account


def _item(ctx: Context, item_id: int) -> Any:
    item = ctx.repo.item(item_id)
    assert item is not None
    return item


def test_connect_marks_the_cafe_cannot_post_and_refuses_posts_to_it(ctx: Context, sandbox: Any) -> None:
    connect(ctx, sandbox)
    cafe = _account(ctx, CAFE_PAGE_ID)
    assert (cafe.status, cafe.status_message, cafe.tasks) == ("cannot_post", MESSAGE, ["ANALYZE"])
    assert _account(ctx, BAKERY).status == _account(ctx, BAKERY_IG).status == "connected"
    assert "CREATE_CONTENT" in (_account(ctx, BAKERY_IG).tasks or [])  # an IG account has its Page's tasks
    with pytest.raises(ValidationError, match="Sandbox Cafe can't post: ask a Page admin for the Create content"):
        queue(ctx, CAFE_PAGE_ID, "never written")
    assert ctx.repo.items() == []
    # "Check tokens" does not call it well: the token is fine, the role is not.
    results = {h.account_id: h for h in TokenHealthService(ctx).check_all()}
    assert results[cafe.id].status is AccountStatus.CANNOT_POST and results[cafe.id].message == MESSAGE
    assert _account(ctx, CAFE_PAGE_ID).status == "cannot_post"


def test_the_daily_check_flips_it_both_ways_and_releases_the_held_posts(
    ctx: Context, sandbox: Any, clock: FixedClock
) -> None:
    connect(ctx, sandbox)
    health = TokenHealthService(ctx)
    sandbox.set_page_tasks(CAFE_PAGE_ID, CAN_POST)  # a Page admin grants "Create content"
    health.check_all()
    cafe = _account(ctx, CAFE_PAGE_ID)
    assert (cafe.status, cafe.status_message, cafe.tasks) == ("connected", None, CAN_POST)
    item = queue(ctx, CAFE_PAGE_ID, "coffee at 8", when=clock.now() + timedelta(hours=1))

    sandbox.set_page_tasks(CAFE_PAGE_ID, ["ANALYZE"])  # ... and takes it back
    results = health.check_all()
    assert _account(ctx, CAFE_PAGE_ID).status == "cannot_post"
    assert [h.label for h in health.attention_with_posts(results)] == ["Facebook Page Sandbox Cafe"]
    flagged = _item(ctx, item.id)
    assert flagged.last_error_code == "cannot_post"
    assert flagged.error_message.startswith("Facebook Page Sandbox Cafe can't post: ask a Page admin")

    clock.advance(timedelta(hours=2))
    assert Runner(ctx).run_due().processed == 0  # held: no try used, nothing sent (no #200)
    held = _item(ctx, item.id)
    assert (held.status, held.attempt_count) == ("scheduled", 0)
    assert not [c for c in sandbox.state()["calls"] if c["path"].endswith(f"{CAFE_PAGE_ID}/feed")]

    sandbox.set_page_tasks(CAFE_PAGE_ID, CAN_POST)
    health.check_all()
    released = _item(ctx, item.id)
    assert _account(ctx, CAFE_PAGE_ID).status == "connected"
    assert (released.error_message, released.last_error_code) == (None, None)
    assert Runner(ctx).run_due().succeeded == 1
    assert len(published(sandbox, "coffee at 8")) == 1


def test_a_post_due_when_the_role_is_lost_is_held_by_the_runner(ctx: Context, sandbox: Any) -> None:
    """Lost between two daily checks: the runner holds it with the reason (once), instead of failing with #200."""
    connect(ctx, sandbox)
    item = queue(ctx, BAKERY, "fresh bread")
    ctx.repo.set_account_status(_account(ctx, BAKERY).id, AccountStatus.CANNOT_POST, MESSAGE)
    assert Runner(ctx).run_due().processed == 0
    held = _item(ctx, item.id)
    assert (held.status, held.attempt_count, held.last_error_code) == ("scheduled", 0, "cannot_post")
    assert "Sandbox Bakery can't post" in held.error_message
    assert ctx.repo.due_items(ctx.clock.now()) == []  # not taken again every minute
    assert published(sandbox) == []


def test_a_200_between_daily_checks_marks_the_account_and_holds_the_post(ctx: Context, sandbox: Any) -> None:
    """The role went after the last check: Meta refuses with #200. The runner reads the Page tasks again, marks the
    account "can't post" and holds this post and the account's next one, without using a try or failing them."""
    connect(ctx, sandbox)
    first = queue(ctx, BAKERY, "bread at 7")
    second = queue(ctx, BAKERY, "rolls at 8")
    sandbox.set_page_tasks(BAKERY, ["ANALYZE"])  # taken away by a Page admin; the app has not checked since
    stats = Runner(ctx).run_due()
    assert stats.failed == 0 and stats.succeeded == 0
    account = _account(ctx, BAKERY)
    assert (account.status, account.status_message, account.tasks) == ("cannot_post", MESSAGE, ["ANALYZE"])
    for item_id in (first.id, second.id):
        held = _item(ctx, item_id)
        assert (held.status, held.last_error_code) == ("scheduled", "cannot_post")
        assert "Sandbox Bakery can't post: ask a Page admin" in held.error_message
        assert tries_used(held) == 0  # the refused try does not count against the 5
    assert _item(ctx, first.id).attempt_count == 1 and _item(ctx, second.id).attempt_count == 0
    feed_posts = [c for c in sandbox.state()["calls"] if c["path"].endswith(f"{BAKERY}/feed")]
    assert len(feed_posts) == 1  # one refusal; the second post was held without asking Meta

    sandbox.set_page_tasks(BAKERY, CAN_POST)  # granted again: the daily check releases both
    TokenHealthService(ctx).check_all()
    assert Runner(ctx).run_due().succeeded == 2
    assert len(published(sandbox, "bread at 7")) == 1 and len(published(sandbox, "rolls at 8")) == 1


def test_a_200_with_the_role_intact_stays_a_failure_with_metas_reason(ctx: Context, sandbox: Any) -> None:
    """A #200 for another reason (the tasks still allow posting): not mistaken for a lost role."""
    connect(ctx, sandbox)
    item = queue(ctx, BAKERY, "still refused")
    sandbox.inject_fault(kind="error", match="feed_post", code=200)
    Runner(ctx).run_due()
    failed = _item(ctx, item.id)
    assert failed.status == "failed" and failed.last_error_code != "cannot_post"
    assert _account(ctx, BAKERY).status == "connected"


def _orphan(ctx: Context, item_id: int) -> None:
    """Leave an item as a killed runner would: processing, with an in-flight attempt."""
    assert ctx.repo.claim(item_id, ctx.clock.now())
    ctx.repo.start_attempt(item_id, ctx.clock.now())


def test_an_unconfirmed_try_is_still_checked_first(ctx: Context, sandbox: Any, clock: FixedClock) -> None:
    """The token can still read the feed: a try that may have landed is looked up before the post is held."""
    connect(ctx, sandbox)
    landed = queue(ctx, BAKERY, "went out before the crash").id
    lost = queue(ctx, BAKERY, "never reached Meta").id
    _orphan(ctx, landed)
    _orphan(ctx, lost)
    token = ctx.tokens.account_token("facebook", BAKERY)
    GraphClient(origin=sandbox.url).post(f"/{BAKERY}/feed", token, data={"message": "went out before the crash"})
    sandbox.set_page_tasks(BAKERY, ["ANALYZE"])
    TokenHealthService(ctx).check_all()
    assert _account(ctx, BAKERY).status == "cannot_post"
    clock.advance(timedelta(minutes=3))  # the lost try can no longer land
    stats = Runner(ctx).run_due()
    assert stats.succeeded == 1
    posted = _item(ctx, landed)
    assert posted.status == "posted" and posted.permalink
    held = _item(ctx, lost)
    assert (held.status, held.last_error_code, held.unconfirmed_attempt_id) == ("scheduled", "cannot_post", None)
    assert len(published(sandbox, "went out before the crash")) == 1 and published(sandbox, "never reached Meta") == []


def test_cli_lists_it_with_the_reason_and_refuses_to_post_to_it(tmp_path: Path, sandbox: Any) -> None:
    env = cli_env(tmp_path / "data", sandbox.url, tmp_path / "keyring.json")
    creds = sandbox.credentials
    args = ["connect", "--app-id", creds.app_id, "--app-secret", creds.app_secret, "--user-token", creds.user_token]
    assert run_cli(env, *args, "--json").code == 0
    listed = run_cli(env, "accounts", "--json")
    assert listed.code == 0, listed.stderr
    cafe = next(a for a in listed.json if a["account_id"] == CAFE_PAGE_ID)
    assert cafe["status"] == "cannot_post" and "Create content" in cafe["status_message"]
    table = run_cli(env, "accounts")
    assert table.code == 0 and MESSAGE in table.stdout  # the reason, whole
    refused = run_cli(env, "post", "--account", CAFE_PAGE_ID, "--text", "latte art", "--now")
    assert refused.code == 2 and refused.stdout == "" and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [
        "autoposter: Facebook Page Sandbox Cafe can't post: ask a Page admin for the Create content permission"
    ]
    both = run_cli(env, "post", "--account", BAKERY, "--account", CAFE_PAGE_ID, "--text", "latte art", "--now")
    assert both.code == 2  # nothing written for the other account either
    queue_json = run_cli(env, "queue", "--json")
    assert queue_json.code == 0 and queue_json.json == []
