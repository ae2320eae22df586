"""Token health against the sandbox: a revoked token is noticed before the post is due, and held until reconnect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.models import AccountStatus, TokenInfo
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.health import TokenHealthService, judge
from autoposter_gui.engine.runner import Runner
from autoposter_gui.storage.models import Account
from tests.support.helpers import BAKERY, BAKERY_IG, connect, published, queue


def _status(ctx: Context, external_id: str) -> Account:
    account = ctx.repo.account_by_external(external_id)
    assert account is not None
    return account


def test_healthy_tokens(ctx: Context, sandbox: Any) -> None:
    connect(ctx, sandbox)
    results = TokenHealthService(ctx).check_all()
    statuses = {r.label: r.status for r in results}
    # The Cafe's token is healthy too, but the owner's role there can't create posts.
    assert statuses.pop("Facebook Page Sandbox Cafe") is AccountStatus.CANNOT_POST
    assert statuses and all(s is AccountStatus.CONNECTED for s in statuses.values())
    assert _status(ctx, BAKERY).token_checked_at == ctx.clock.now()


def test_revoked_token_warns_holds_and_recovers_after_reconnect(ctx: Context, sandbox: Any, clock: FixedClock) -> None:
    connect(ctx, sandbox)
    item = queue(ctx, BAKERY, "held until reconnect", when=clock.now() + timedelta(hours=1))
    sandbox.revoke(BAKERY)
    health = TokenHealthService(ctx)
    results = health.check_all()
    bad = [r for r in results if r.status is AccountStatus.INVALID]
    # The IG account publishes with the same Page token, so it is invalid too.
    assert sorted(r.label for r in bad) == ["Facebook Page Sandbox Bakery", "Instagram account @sandbox.bakery"]
    assert [h.scheduled_posts for h in health.attention_with_posts(results)] == [1]
    flagged = ctx.repo.item(item.id)
    assert flagged is not None and "Reconnect Facebook Page Sandbox Bakery" in (flagged.error_message or "")

    clock.advance(timedelta(hours=2))
    assert Runner(ctx).run_due().processed == 0  # held, not failed, no attempt burned
    held = ctx.repo.item(item.id)
    assert held is not None and held.status == "scheduled" and held.attempt_count == 0

    connect(ctx, sandbox)  # reconnecting issues fresh page tokens
    cleared = ctx.repo.item(item.id)
    assert cleared is not None and cleared.error_message is None  # the stale "Reconnect" note is gone
    assert _status(ctx, BAKERY).status == _status(ctx, BAKERY_IG).status == AccountStatus.CONNECTED.value
    assert Runner(ctx).run_due().succeeded == 1
    assert len(published(sandbox, "held until reconnect")) == 1


def _account(platform: str = "facebook") -> Account:
    return Account(id=1, platform=platform, external_id="1", name="Shop", username="shop")


def test_judge_rules() -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    ok = TokenInfo(True, None, ("pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights"))
    assert judge(_account(), ok, now) == (AccountStatus.CONNECTED, None)
    # Without read_insights it still posts, and the Accounts tab says what the insights lack.
    no_insights = TokenInfo(True, None, ok.scopes[:3])
    status, message = judge(_account(), no_insights, now)
    assert status is AccountStatus.CONNECTED and "read your Page's insights" in (message or "")
    soon = TokenInfo(True, now + timedelta(days=6), ok.scopes)
    status, message = judge(_account(), soon, now)
    assert status is AccountStatus.NEEDS_ATTENTION and "2027-01-07" in (message or "")
    later = TokenInfo(True, now + timedelta(days=30), ok.scopes)
    assert judge(_account(), later, now)[0] is AccountStatus.CONNECTED
    missing = TokenInfo(True, None, ("instagram_basic",))
    status, message = judge(_account("instagram"), missing, now)
    assert status is AccountStatus.NEEDS_ATTENTION and "publish to Instagram" in (message or "")
    status, message = judge(_account(), TokenInfo(False, None), now)
    assert status is AccountStatus.INVALID and (message or "").startswith("Reconnect")


def test_connect_checklist_names_missing_tasks_and_scopes(ctx: Context, sandbox: Any) -> None:
    from autoposter_gui.engine.accounts import AccountService, assess

    creds = sandbox.credentials
    service = AccountService(ctx)
    discovery = service.discover(creds.app_id, creds.app_secret, creds.user_token)
    scopes = service.granted_scopes(creds.app_id, creds.app_secret, discovery.user_token)
    assert scopes is not None and "pages_manage_posts" in scopes
    checks = {c.account.external_id: c for c in assess(discovery, scopes)}
    assert checks[BAKERY].ready and checks[BAKERY_IG].ready
    cafe = checks["100000000000002"]
    assert not cafe.ready and "Create content" in cafe.problems[0]
    partial = {c.account.external_id: c for c in assess(discovery, ["pages_show_list", "instagram_basic"])}
    assert any("publish to your Page" in p for p in partial[BAKERY].problems)
    assert any("publish to Instagram" in p for p in partial[BAKERY_IG].problems)


def test_disconnect_keeps_posts_and_holds_them(ctx: Context, sandbox: Any, clock: FixedClock) -> None:
    from autoposter_gui.engine.accounts import AccountService

    connect(ctx, sandbox)
    item = queue(ctx, BAKERY, "kept while disconnected")
    account = _status(ctx, BAKERY)
    assert AccountService(ctx).disconnect(account.id) == 1
    assert ctx.tokens.account_token("facebook", BAKERY) is None
    assert Runner(ctx).run_due().processed == 0
    kept = ctx.repo.item(item.id)
    assert kept is not None and kept.status == "scheduled" and "Needs attention" in (kept.error_message or "")
    connect(ctx, sandbox)
    assert Runner(ctx).run_due().succeeded == 1


def test_x_and_google_accounts_are_judged_by_their_own_network_not_metas_token_check(
    ctx: Context, sandbox: Any
) -> None:
    from autoposter_gui.domain.models import DiscoveredAccount, Platform

    connect(ctx, sandbox)
    for platform, external in ((Platform.X, "1460000000000000001"), (Platform.GOOGLE, "4455667788990011")):
        ctx.repo.upsert_account(DiscoveredAccount(platform, external, "Sandbox Bakery", "tok"), None, ctx.clock.now())
    results = {r.label: r for r in TokenHealthService(ctx).check_all()}
    assert results["Facebook Page Sandbox Bakery"].status is AccountStatus.CONNECTED
    # No sign-in of theirs is stored (their network's own format): each asks to be reconnected, in its own words;
    # debug_token is never asked about them.
    x, google = _status(ctx, "1460000000000000001"), _status(ctx, "4455667788990011")
    assert x.status == google.status == AccountStatus.INVALID.value
    assert (x.status_message or "").startswith("Reconnect X")
    assert "Google Business Profile" in (google.status_message or "")
    assert all(r.expires_at is None for label, r in results.items() if not label.startswith("Facebook"))
