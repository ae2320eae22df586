"""The processor drives any network through networks.protocol alone (what X and Google will rely on): the token from
the session (a refused refresh invalidates the account, a failed one waits), ids committed through ``save`` before
the next call and handed back to the next try, WAIT without spending a try, CONTAINER_ID in the attempt's column."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import Checkpoint, DiscoveredAccount, ItemStatus, Platform, PublishResult
from autoposter_gui.domain.models import SaveCheckpoint as Save
from autoposter_gui.engine import processor as processor_module
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.processor import ItemProcessor, Outcome
from autoposter_gui.networks.protocol import CONTAINER_ID, WAIT, AccountRef, Env, Post, Reconciliation
from autoposter_gui.storage.repo import NewItem


@dataclass
class FakeSession:
    """A network that publishes in two steps (an upload id, then the post) and records what it was given."""

    token: str | PublishError | None = "tok"
    fail_after_upload: PublishError | None = None
    seen: list[tuple[str, Checkpoint]] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    closed: bool = False

    def access_token(self, account: AccountRef) -> str | None:
        if isinstance(self.token, PublishError):
            raise self.token
        return self.token

    def publish(
        self, account: AccountRef, token: str, post: Post, checkpoint: Checkpoint, save: Save, resume: str | None = None
    ) -> PublishResult:
        self.seen.append((post.text, dict(checkpoint)))
        self.posts.append(post)
        upload = checkpoint.get("upload") or f"up-{len(self.seen)}"
        save("upload", upload)
        save(CONTAINER_ID, f"c-{upload}")
        if self.fail_after_upload is not None:
            err, self.fail_after_upload = self.fail_after_upload, None
            raise err
        return PublishResult(f"post-{upload}", f"https://example.test/{upload}")

    def reconcile(
        self, account: AccountRef, token: str, post: Post, attempt: AttemptFacts, used_ids: set[str]
    ) -> Reconciliation:
        return Reconciliation(CheckResult.NOT_FOUND)

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeNetwork:
    the_session: FakeSession
    key: str = "fake"
    platforms: tuple[str, ...] = ("facebook",)
    envs: list[Env] = field(default_factory=list)

    def label(self, platform: str) -> str:
        return "Fake"

    def session(self, env: Env) -> FakeSession:
        self.envs.append(env)
        return self.the_session


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNetwork]:
    network = FakeNetwork(FakeSession())
    monkeypatch.setattr(processor_module.registry, "for_platform", lambda platform: network)
    yield network


def _item(ctx: Context, text: str = "hello", options: dict[str, Any] | None = None) -> tuple[int, int]:
    repo, now = ctx.repo, ctx.clock.now()
    account = repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, "555", "Page", "tok"), None, now).id
    new = NewItem(account, Platform.FACEBOOK, text, None, ItemStatus.SCHEDULED, now, options=options)
    item = repo.add_items([new], now)[0]
    return account, item.id


def test_publishes_through_the_session_and_closes_it(ctx: Context, fake: FakeNetwork) -> None:
    _account, item_id = _item(ctx)
    processor = ItemProcessor(ctx)
    assert processor.process(item_id) is Outcome.SUCCEEDED
    processor.close()
    item = ctx.repo.item(item_id)
    assert item is not None and item.status == ItemStatus.POSTED.value and item.provider_post_id == "post-up-1"
    assert fake.the_session.closed and fake.envs[0].secrets is ctx.tokens
    attempt = ctx.repo.last_attempt(item_id)
    assert attempt is not None and attempt.container_id == "c-up-1"  # CONTAINER_ID also goes to the column


def test_a_wait_spends_no_try_and_the_next_try_resumes_from_the_saved_ids(ctx: Context, fake: FakeNetwork) -> None:
    _account, item_id = _item(ctx)
    fake.the_session.fail_after_upload = PublishError(
        ErrorKind.TEMPORARY,
        ErrorCategory.MEDIA_NOT_READY,
        "Still processing",
        retry_after=timedelta(seconds=30),
        extra={WAIT: "processing"},
    )
    processor = ItemProcessor(ctx)
    assert processor.process(item_id) is Outcome.RETRIED
    item = ctx.repo.item(item_id)
    assert item is not None and item.status == ItemStatus.SCHEDULED.value
    assert item.next_attempt_at is not None
    assert item.next_attempt_at - ctx.clock.now() == timedelta(seconds=30)  # the wait, not a retry backoff
    ctx.clock.advance(timedelta(seconds=31))  # type: ignore[attr-defined]
    assert processor.process(item_id) is Outcome.SUCCEEDED
    assert fake.the_session.seen[1] == ("hello", {"upload": "up-1", CONTAINER_ID: "c-up-1"})  # nothing made again
    item = ctx.repo.item(item_id)
    assert item is not None and item.provider_post_id == "post-up-1"


def test_a_refused_refresh_holds_the_post_and_marks_the_account(ctx: Context, fake: FakeNetwork) -> None:
    account, item_id = _item(ctx)
    fake.the_session.token = PublishError(ErrorKind.PERMANENT, ErrorCategory.TOKEN, "X refused the refresh token")
    assert ItemProcessor(ctx).process(item_id) is Outcome.HELD
    stored = ctx.repo.account(account)
    assert (
        stored is not None
        and stored.status == "invalid"
        and "X refused the refresh token" in str(stored.status_message)
    )
    assert fake.the_session.seen == []


def test_a_failed_refresh_waits_without_spending_a_try(ctx: Context, fake: FakeNetwork) -> None:
    account, item_id = _item(ctx)
    fake.the_session.token = PublishError(
        ErrorKind.TEMPORARY, ErrorCategory.NETWORK, "X could not be reached", retry_after=timedelta(minutes=5)
    )
    assert ItemProcessor(ctx).process(item_id) is Outcome.HELD
    item = ctx.repo.item(item_id)
    assert item is not None and item.status == ItemStatus.SCHEDULED.value and item.attempt_count == 0
    assert item.error_message == "X could not be reached" and item.last_error_code == "token_refresh"
    assert item.next_attempt_at == ctx.clock.now() + timedelta(minutes=5)
    stored = ctx.repo.account(account)
    assert stored is not None and stored.status == "connected"


def test_the_post_carries_the_items_stored_options(ctx: Context, fake: FakeNetwork) -> None:
    _account, item_id = _item(ctx, options={"google_type": "event", "event_title": "Open day"})
    assert ItemProcessor(ctx).process(item_id) is Outcome.SUCCEEDED
    (post,) = fake.the_session.posts
    assert (post.item_id, post.platform, post.text) == (item_id, "facebook", "hello")
    assert dict(post.options) == {"google_type": "event", "event_title": "Open day"}
