"""The runner against the sandbox Graph server over real HTTP: publishing, retries, failures, reconciliation."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.runner import Runner
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.tokens import APP_SECRET
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image, published, queue


@pytest.fixture
def connected(ctx: Context, sandbox: Any) -> Context:
    connect(ctx, sandbox)
    return ctx


def _item(ctx: Context, item_id: int) -> Any:
    item = ctx.repo.item(item_id)
    assert item is not None
    return item


def test_connect_stores_tokens_in_keyring_only(connected: Context, sandbox: Any, keyring_backend: Any) -> None:
    accounts = connected.repo.accounts()
    assert {(a.platform, a.external_id) for a in accounts} >= {("facebook", BAKERY), ("instagram", BAKERY_IG)}
    ig = next(a for a in accounts if a.platform == "instagram")
    assert ig.page_id == BAKERY and ig.username == "sandbox.bakery"
    secrets = set(keyring_backend.data.values())
    assert sandbox.credentials.app_secret in secrets
    raw = connected.config.db_path.read_bytes() + b"".join(
        p.read_bytes() for p in connected.config.data_dir.glob("autoposter.db*")
    )
    for secret in secrets:
        assert secret.encode() not in raw


def test_publishes_fb_text_photo_and_ig_with_permalinks(connected: Context, sandbox: Any, tmp_path: Path) -> None:
    img = make_image(tmp_path / "p.jpg")
    ids = [
        queue(connected, BAKERY, "Fresh bread at 7").id,
        queue(connected, BAKERY, "Croissants!", img).id,
        queue(connected, BAKERY_IG, "New menu #bakery", img).id,
    ]
    stats = Runner(connected).run_due()
    assert stats.as_dict() == {"processed": 3, "succeeded": 3, "failed": 0, "retried": 0}
    for item_id in ids:
        item = _item(connected, item_id)
        assert item.status == "posted" and item.permalink and item.provider_post_id
        assert item.meta["lastProviderPostIds"]["permalink"] == item.permalink
    posts = published(sandbox)
    assert sorted(p["text"] for p in posts) == ["Croissants!", "Fresh bread at 7", "New menu #bakery"]
    assert {p["platform"] for p in posts} == {"facebook", "instagram"}
    attempts = connected.repo.attempts()
    assert len(attempts) == 3 and {a.outcome for a in attempts} == {"succeeded"}
    # A second run has nothing to do.
    assert Runner(connected).run_due().processed == 0


def test_http_calls_per_post(connected: Context, sandbox: Any, tmp_path: Path) -> None:
    img = make_image(tmp_path / "p.jpg")
    counts: list[tuple[str, str]] = []
    secret = connected.tokens.get(APP_SECRET)
    connected.client_factory = lambda: GraphClient(
        origin=sandbox.url, app_secret=secret, on_request=lambda m, p: counts.append((m, p))
    )
    sandbox.configure(container_polls=0)  # the container is ready at the first status read
    expected = {"text": 1, "photo": 1, "ig": 5}
    for kind, account, image in (("text", BAKERY, None), ("photo", BAKERY, img), ("ig", BAKERY_IG, img)):
        counts.clear()
        queue(connected, account, f"calls {kind}", image)
        Runner(connected).run_due()
        assert len(counts) == expected[kind], (kind, counts)


def test_temporary_errors_retry_with_backoff_then_fail(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    item_id = queue(connected, BAKERY, "flaky").id
    sandbox.inject_fault(kind="error", match="feed_post", code=2, is_transient=True, http_status=500, times=5)
    waits = [2, 5, 15, 60]
    for attempt, wait in enumerate(waits, start=1):
        stats = Runner(connected).run_due()
        assert stats.retried == 1
        item = _item(connected, item_id)
        assert item.status == "scheduled" and item.attempt_count == attempt
        assert item.next_attempt_at == clock.now() + timedelta(minutes=wait)
        # Not due before the wait is over.
        clock.advance(timedelta(minutes=wait) - timedelta(seconds=1))
        assert Runner(connected).run_due().processed == 0
        clock.advance(timedelta(seconds=1))
    # A 500 on a write may have gone out: the 5th is checked with Meta before the post is given up.
    assert Runner(connected).run_due().retried == 1
    clock.advance(timedelta(minutes=2))
    stats = Runner(connected).run_due()
    assert stats.failed == 1
    item = _item(connected, item_id)
    assert item.status == "failed" and item.attempt_count == 6 and item.error_message
    assert item.error_message.startswith("Failed for good: Autoposter tried 5 times and stopped.")
    assert "retry automatically" not in item.error_message and "press Retry" in item.error_message
    assert [a.attempt_number for a in connected.repo.attempts()] == [6, 5, 4, 3, 2, 1]
    assert published(sandbox) == []


@pytest.mark.parametrize(
    ("code", "subcode", "category_text"),
    [(200, None, "permission"), (506, None, "duplicate")],
)
def test_permanent_errors_fail_at_once(
    connected: Context, sandbox: Any, code: int, subcode: int | None, category_text: str
) -> None:
    item_id = queue(connected, BAKERY, "doomed").id
    sandbox.inject_fault(kind="error", match="feed_post", code=code, subcode=subcode)
    assert Runner(connected).run_due().failed == 1
    item = _item(connected, item_id)
    assert item.status == "failed" and item.attempt_count == 1
    assert category_text.lower() in item.error_message.lower()
    assert item.last_error_code.startswith(str(code))


def test_dead_token_holds_the_accounts_items_until_reconnect(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    """A token revoked mid-batch: the post that met error 190 waits like the account's later ones (no try used),
    and all of them go out after the reconnect."""
    first = queue(connected, BAKERY, "first").id
    second = queue(connected, BAKERY, "second", when=clock.now() + timedelta(minutes=5)).id
    sandbox.revoke(BAKERY)
    stats = Runner(connected).run_due()
    assert stats.failed == 0 and stats.processed == 0
    held_first = _item(connected, first)
    assert held_first.status == "scheduled" and "Reconnect" in held_first.error_message
    assert connected.repo.history(first)[-1].error_message  # the 190 attempt is on record ...
    from autoposter_gui.storage.repo import tries_used

    assert tries_used(held_first) == 0  # ... without using up a try
    account = connected.repo.account_by_external(BAKERY)
    assert account is not None and account.status == "invalid"
    clock.advance(timedelta(minutes=10))
    assert Runner(connected).run_due().processed == 0
    held = _item(connected, second)
    assert held.status == "scheduled" and held.attempt_count == 0
    connect(connected, sandbox)
    assert Runner(connected).run_due().succeeded == 2
    assert len(published(sandbox, "first")) == 1 and len(published(sandbox, "second")) == 1


def test_token_missing_from_keyring_holds_the_post_until_reconnect(
    connected: Context, sandbox: Any, keyring_backend: Any
) -> None:
    item_id = queue(connected, BAKERY, "orphan account").id
    keyring_backend.data = {k: v for k, v in keyring_backend.data.items() if BAKERY not in k[1]}
    assert Runner(connected).run_due().processed == 0
    item = _item(connected, item_id)
    assert item.status == "scheduled" and "missing from the system keyring" in item.error_message
    account = connected.repo.account_by_external(BAKERY)
    assert account is not None and account.status == "invalid"
    assert published(sandbox) == []
    connect(connected, sandbox)
    assert Runner(connected).run_due().succeeded == 1
    assert len(published(sandbox, "orphan account")) == 1


def test_hang_after_commit_is_reconciled_not_reposted(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    secret = connected.tokens.get(APP_SECRET)
    connected.client_factory = lambda: GraphClient(origin=sandbox.url, app_secret=secret, timeout=(2.0, 0.5))
    item_id = queue(connected, BAKERY, "hang then answer").id
    sandbox.inject_fault(kind="hang_after_commit", match="feed_post", seconds=5)
    assert Runner(connected).run_due().retried == 1
    item = _item(connected, item_id)
    assert item.status == "scheduled"
    assert connected.repo.last_attempt(item_id).needs_reconcile  # type: ignore[union-attr]
    clock.advance(timedelta(minutes=3))
    assert Runner(connected).run_due().succeeded == 1
    item = _item(connected, item_id)
    assert item.status == "posted" and item.permalink
    assert len(published(sandbox, "hang then answer")) == 1
    assert connected.repo.last_attempt(item_id).outcome == "reconciled"  # type: ignore[union-attr]


def _orphan(ctx: Context, item_id: int, container: str | None = None) -> None:
    """Leave an item as a killed runner would: processing, with an in-flight attempt."""
    assert ctx.repo.claim(item_id, ctx.clock.now())
    attempt = ctx.repo.start_attempt(item_id, ctx.clock.now())
    if container:
        ctx.repo.set_container(attempt.id, container)


def test_orphan_that_was_published_is_reconciled(connected: Context, sandbox: Any) -> None:
    item_id = queue(connected, BAKERY, "went out before the crash").id
    _orphan(connected, item_id)
    token = connected.tokens.account_token("facebook", BAKERY)
    GraphClient(origin=sandbox.url).post(f"/{BAKERY}/feed", token, data={"message": "went out before the crash"})
    stats = Runner(connected).run_due()
    assert stats.succeeded == 1
    item = _item(connected, item_id)
    assert item.status == "posted" and item.permalink and item.attempt_count == 1
    assert len(published(sandbox, "went out before the crash")) == 1


def test_orphan_that_was_not_published_is_retried_once(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    item_id = queue(connected, BAKERY, "never left").id
    _orphan(connected, item_id)
    # Right after the crash Meta might still commit the cut-off request: "not found" is not trusted yet.
    assert Runner(connected).run_due().processed == 0
    waiting = _item(connected, item_id)
    assert waiting.status == "scheduled" and waiting.next_attempt_at == clock.now() + timedelta(minutes=2)
    clock.advance(timedelta(minutes=2))
    assert Runner(connected).run_due().succeeded == 1
    item = _item(connected, item_id)
    assert item.status == "posted" and item.attempt_count == 2
    assert len(published(sandbox, "never left")) == 1


def _ig_item_with_ready_container(
    ctx: Context, sandbox: Any, tmp_path: Path, text: str, *, publish: bool = False
) -> tuple[int, str]:
    """An IG item whose container a killed runner made (and, with ``publish``, published) before dying."""
    from autoposter_gui.meta.publisher import MetaPublisher

    img = make_image(tmp_path / "ig.jpg")
    item_id = queue(ctx, BAKERY_IG, text, img).id
    token = ctx.tokens.account_token("instagram", BAKERY_IG)
    assert token
    pub = MetaPublisher(GraphClient(origin=sandbox.url))
    container = pub.create_container(BAKERY_IG, token, pub.host_image(BAKERY, token, img), text)
    pub.wait_until_finished(container, token)
    if publish:
        pub.publish_container(BAKERY_IG, container, token)
    _orphan(ctx, item_id, container)
    return item_id, container


def test_ig_orphan_with_finished_container_publishes_that_container(
    connected: Context, sandbox: Any, tmp_path: Path
) -> None:
    _ig_item_with_ready_container(connected, sandbox, tmp_path, "container survived")
    assert Runner(connected).run_due().succeeded == 1
    assert len(published(sandbox, "container survived")) == 1
    containers = sandbox.state()["containers"]
    assert len(containers) == 1  # no second container was made


def test_ig_orphan_with_published_container_is_not_republished(
    connected: Context, sandbox: Any, tmp_path: Path
) -> None:
    item_id, _ = _ig_item_with_ready_container(connected, sandbox, tmp_path, "already live", publish=True)
    assert Runner(connected).run_due().succeeded == 1
    item = _item(connected, item_id)
    assert item.status == "posted" and item.permalink
    assert len(published(sandbox, "already live")) == 1


def test_two_runners_at_once_publish_each_item_once(connected: Context, sandbox: Any) -> None:
    sandbox.configure(latency_ms=20)
    for n in range(12):
        queue(connected, BAKERY if n % 2 else BAKERY_IG, f"race {n}", make_image(Path(f"/tmp/race{n}.jpg")))
    totals: list[int] = []

    def run() -> None:
        totals.append(Runner(connected).run_due(lock_timeout=60).succeeded)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(totals) == 12
    texts = [p["text"] for p in published(sandbox)]
    assert sorted(texts) == sorted(f"race {n}" for n in range(12))


def test_per_account_order_is_kept(connected: Context, sandbox: Any) -> None:
    for n in range(5):
        queue(connected, BAKERY, f"order {n}")
    Runner(connected).run_due()
    fb = [p["text"] for p in published(sandbox) if p["account_id"] == BAKERY]
    assert fb == [f"order {n}" for n in range(5)] or fb == [f"order {n}" for n in reversed(range(5))]
    ordered = sorted(published(sandbox), key=lambda p: p["id"])
    assert [p["text"] for p in ordered] == [f"order {n}" for n in range(5)]


def _use_up_instagram_limit(ctx: Context, sandbox: Any, tmp_path: Path) -> str:
    """A daily limit of 1, used by a first post; returns its image."""
    img = make_image(tmp_path / "q.jpg")
    sandbox.configure(quota_total=1)
    queue(ctx, BAKERY_IG, "first of the day", img)
    assert Runner(ctx).run_due().succeeded == 1
    return img


def test_instagram_quota_full_waits_instead_of_failing(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path
) -> None:
    from autoposter_gui.engine.posts import PostService

    img = _use_up_instagram_limit(connected, sandbox, tmp_path)
    ig = connected.repo.account_by_external(BAKERY_IG)
    assert ig is not None
    warnings = PostService(connected).quota_warnings([ig])
    assert warnings and "1 of 1" in warnings[0]
    item_id = queue(connected, BAKERY_IG, "second of the day", img).id
    stats = Runner(connected).run_due()
    assert stats.failed == 0 and stats.retried == 1
    item = _item(connected, item_id)
    assert item.status == "scheduled" and item.next_attempt_at >= clock.now() + timedelta(hours=1)
    assert "limit" in item.error_message.lower()
    sandbox.configure(quota_total=100)
    clock.advance(timedelta(hours=1, minutes=1))
    assert Runner(connected).run_due().succeeded == 1
    assert len(published(sandbox, "second of the day")) == 1


def test_instagram_limit_waits_never_use_up_the_tries(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path
) -> None:
    img = _use_up_instagram_limit(connected, sandbox, tmp_path)
    item_id = queue(connected, BAKERY_IG, "waits all week", img).id
    for _ in range(6):  # more waits than an item has tries
        assert Runner(connected).run_due().retried == 1
        assert _item(connected, item_id).status == "scheduled"
        clock.advance(timedelta(hours=1, minutes=1))
    sandbox.configure(quota_total=100)
    sandbox.inject_fault(kind="error", match="media_publish", code=2, is_transient=True, http_status=500)
    assert Runner(connected).run_due().retried == 1  # a temporary error after the waits is retried, not final
    item = _item(connected, item_id)
    assert item.status == "scheduled" and item.attempt_count == 7  # every attempt is counted and logged
    assert item.next_attempt_at == clock.now() + timedelta(minutes=2)  # but the first step of the backoff
    clock.advance(timedelta(minutes=2))
    assert Runner(connected).run_due().succeeded == 1
    assert len(published(sandbox, "waits all week")) == 1
    numbers = [a.attempt_number for a in connected.repo.attempts() if a.queue_item_id == item_id]
    assert numbers == [8, 7, 6, 5, 4, 3, 2, 1]


def test_text_changes_only_once_meta_says_the_last_try_did_not_go_out(
    connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    from autoposter_gui.engine.posts import ActionRefusedError, PostRequest, PostService

    item_id = queue(connected, BAKERY, "original words").id
    sandbox.inject_fault(kind="error", match="feed_post", code=2, http_status=503)  # ambiguous on a write
    assert Runner(connected).run_due().retried == 1
    with pytest.raises(ActionRefusedError, match="may have gone out"):  # Meta could still publish it
        PostService(connected).update(item_id, PostRequest([BAKERY], "new words", None, clock.now()))
    clock.advance(timedelta(minutes=3))
    PostService(connected).update(item_id, PostRequest([BAKERY], "new words", None, clock.now()))  # now known
    assert Runner(connected).run_due().succeeded == 1
    assert published(sandbox, "original words") == [] and len(published(sandbox, "new words")) == 1


@pytest.mark.parametrize("cut", ["hang_after_commit", "hang_before"])
def test_two_captionless_photos_one_cut_off_never_take_each_others_post(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path, cut: str
) -> None:
    """Reconciling an empty caption matches only captionless posts in the attempt's window that no other item
    owns: the first photo's post is never taken by the second, whether the cut-off try landed or not."""
    secret = connected.tokens.get(APP_SECRET)
    connected.client_factory = lambda: GraphClient(origin=sandbox.url, app_secret=secret, timeout=(2.0, 0.5))
    first = queue(connected, BAKERY, "", make_image(tmp_path / "a.jpg", color="red")).id
    second = queue(connected, BAKERY, "", make_image(tmp_path / "b.jpg", color="blue")).id
    sandbox.inject_fault(kind=cut, match="photos_post", seconds=5, skip=1)  # the second photo's call is cut off
    assert Runner(connected).run_due().as_dict() == {"processed": 2, "succeeded": 1, "failed": 0, "retried": 1}
    assert connected.repo.last_attempt(second).needs_reconcile  # type: ignore[union-attr]
    clock.advance(timedelta(minutes=3))
    assert Runner(connected).run_due().succeeded == 1
    a, b = _item(connected, first), _item(connected, second)
    assert a.status == b.status == "posted" and a.text == b.text == ""
    posts = published(sandbox, "")
    assert len(posts) == 2  # each photo went out once
    assert {a.provider_post_id, b.provider_post_id} == {p["id"] for p in posts}
    expected = "reconciled" if cut == "hang_after_commit" else "succeeded"  # found, or published afresh
    assert connected.repo.last_attempt(second).outcome == expected  # type: ignore[union-attr]
