"""What goes out soon (the quit question's list): PostService.due_within over Repo.due_until."""

from __future__ import annotations

from datetime import timedelta

import pytest

from autoposter_gui.domain.models import AccountStatus, DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostService
from autoposter_gui.storage.repo import NewItem, Repo
from tests.conftest import START as NOW


@pytest.fixture
def repo(ctx: Context) -> Repo:
    return ctx.repo


@pytest.fixture
def service(ctx: Context) -> PostService:
    return PostService(ctx)


def _account(repo: Repo, platform: Platform, external: str, name: str, username: str | None = None) -> int:
    found = DiscoveredAccount(platform, external, name, "tok", username=username)
    return repo.upsert_account(found, None, NOW).id


def _post(repo: Repo, account_id: int, text: str, minutes: float, platform: Platform = Platform.FACEBOOK) -> int:
    when = NOW + timedelta(minutes=minutes)
    return repo.add_items([NewItem(account_id, platform, text, None, ItemStatus.SCHEDULED, when)], NOW)[0].id


def test_due_within_lists_posts_due_in_the_window_by_time_with_their_account(repo: Repo, service: PostService) -> None:
    page = _account(repo, Platform.FACEBOOK, "111", "Sandbox Bakery")
    insta = _account(repo, Platform.INSTAGRAM, "222", "Bakery IG", username="sandbox.bakery")
    later = _post(repo, page, "In 50 minutes", 50)
    soon = _post(repo, insta, "In 2 minutes", 2, Platform.INSTAGRAM)
    _post(repo, page, "Tomorrow", 24 * 60)
    overdue = _post(repo, page, "Due a minute ago", -1)
    repo.add_items([NewItem(page, Platform.FACEBOOK, "A draft", None, ItemStatus.DRAFT, None)], NOW)

    due = service.due_within(timedelta(hours=1))

    assert [p.item_id for p in due.posts] == [overdue, soon, later] and due.total == 3
    assert due.posts[1].account == "Instagram account @sandbox.bakery" and due.posts[1].text == "In 2 minutes"
    assert due.posts[2].account == "Facebook Page Sandbox Bakery"
    assert due.posts[1].due_at == NOW + timedelta(minutes=2) and not due.publishing


def test_due_within_returns_the_first_few_publishing_ones_first_and_counts_all(
    repo: Repo, service: PostService
) -> None:
    page = _account(repo, Platform.FACEBOOK, "111", "Sandbox Bakery")
    ids = [_post(repo, page, f"Post {n}", 5 + n) for n in range(7)]
    going = _post(repo, page, "Going out now", 30)
    assert repo.claim(going, NOW)  # the runner has it: processing

    due = service.due_within(timedelta(hours=1), limit=3)

    assert due.total == 8 and due.publishing
    assert [p.item_id for p in due.posts] == [going, ids[0], ids[1]]
    assert [p.publishing for p in due.posts] == [True, False, False]


def test_due_within_uses_retry_times_and_skips_accounts_that_cannot_post(repo: Repo, service: PostService) -> None:
    page = _account(repo, Platform.FACEBOOK, "111", "Sandbox Bakery")
    broken = _account(repo, Platform.FACEBOOK, "333", "Sandbox Cafe")
    waiting = _post(repo, page, "Retry in 2 hours", -5)
    repo.defer(waiting, NOW + timedelta(hours=2), "Meta is busy", "busy", NOW)
    _post(repo, broken, "For a revoked page", 10)
    repo.set_account_status(broken, AccountStatus.INVALID, "Reconnect", NOW)

    assert service.due_within(timedelta(hours=1)).total == 0
    everything = service.due_within(None)  # no window: every post that still needs the app running
    assert [p.item_id for p in everything.posts] == [waiting]
    assert everything.posts[0].due_at == NOW + timedelta(hours=2)
