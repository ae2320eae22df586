"""The per-tick secret cache of TokenStore, and the runner publishing for every account with due posts at once."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from autoposter_gui.domain.errors import KeyringUnavailableError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.engine.accounts import AccountService
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.processor import ItemProcessor, Outcome
from autoposter_gui.engine.runner import MAX_WORKERS, Runner
from autoposter_gui.storage.repo import NewItem
from autoposter_gui.tokens import APP_ID, APP_SECRET, TokenStore, account_key
from tests.support.helpers import BAKERY, connect, published, queue
from tests.support.memory_keyring import MemoryKeyring

SECRET = "tok-Zq81-never-shown"


class CountingKeyring(MemoryKeyring):
    """Counts the backend reads per key; ``gate``, when set, holds each read until it is opened."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.gate: threading.Event | None = None
        self.begun = threading.Condition()

    def get_password(self, service: str, username: str) -> str | None:
        value = super().get_password(service, username)
        with self.begun:
            self.reads[username] += 1
            self.begun.notify_all()
        if self.gate is not None:
            assert self.gate.wait(10)
        return value

    def wait_reads(self, total: int) -> bool:
        """Wait until ``total`` reads have begun (each then waits at the gate)."""
        with self.begun:
            return self.begun.wait_for(lambda: sum(self.reads.values()) >= total, timeout=10)


@pytest.fixture
def counting(ctx: Context) -> CountingKeyring:
    """The test context's keyring, replaced by a counting one (connect the sandbox after this)."""
    backend = CountingKeyring()
    ctx.tokens = TokenStore(ctx.config.keyring_service, backend)
    return backend


def test_reads_outside_a_scope_go_to_the_keyring_every_time() -> None:
    backend = CountingKeyring()
    store = TokenStore("svc", backend)
    store.set("k", "v1")
    assert store.get("k") == "v1" and store.get("k") == "v1"
    assert backend.reads["k"] == 2


def test_a_scope_reads_each_secret_once_and_forgets_it_at_the_end() -> None:
    backend = CountingKeyring()
    store = TokenStore("svc", backend)
    store.set("k", "v1")
    with store.cached():
        assert [store.get("k") for _ in range(5)] == ["v1"] * 5
        assert store.get("missing") is None and store.get("missing") is None  # an absent secret is cached too
        with store.cached():  # nested: still the same cache
            assert store.get("k") == "v1"
        assert store.get("k") == "v1"  # the inner scope's end does not drop it
    assert backend.reads == Counter({"k": 1, "missing": 1})
    backend.set_password("svc", "k", "v2")  # changed behind our back (another process): seen after the scope
    assert store.get("k") == "v2"
    with store.cached():
        assert store.get("k") == "v2"
    assert backend.reads["k"] == 3


def test_set_and_delete_drop_the_cache() -> None:
    backend = CountingKeyring()
    store = TokenStore("svc", backend)
    store.set_account_token("facebook", "1", "old")
    store.set("other", "o")
    with store.cached():
        assert store.account_token("facebook", "1") == "old" and store.get("other") == "o"
        store.set_account_token("facebook", "1", "new")
        assert store.account_token("facebook", "1") == "new"
        assert store.get("other") == "o"
        assert backend.reads["other"] == 2  # any write drops every cached value
        store.delete_account_token("facebook", "1")
        assert store.account_token("facebook", "1") is None
    assert backend.reads[account_key("facebook", "1")] == 3


def test_connect_and_disconnect_drop_cached_tokens(ctx: Context, sandbox: Any, counting: CountingKeyring) -> None:
    connect(ctx, sandbox)
    account = next(a for a in ctx.repo.accounts() if a.external_id == BAKERY)
    key = account_key(account.platform, account.external_id)
    with ctx.tokens.cached():
        first = ctx.tokens.account_token(account.platform, account.external_id)
        assert first is not None
        counting.data[(ctx.tokens.service, key)] = "rotated-elsewhere"
        assert ctx.tokens.account_token(account.platform, account.external_id) == first  # cached for the tick
        connect(ctx, sandbox)  # reconnect writes the tokens again
        assert ctx.tokens.account_token(account.platform, account.external_id) == first  # from the keyring again
        AccountService(ctx).disconnect(account.id)
        assert ctx.tokens.account_token(account.platform, account.external_id) is None
    assert counting.reads[key] == 3


def test_a_write_during_a_read_never_leaves_the_old_value_cached() -> None:
    backend = CountingKeyring()
    store = TokenStore("svc", backend)
    store.set("k", "old")
    backend.gate = threading.Event()
    with store.cached(), ThreadPoolExecutor(1) as pool:
        reads = backend.reads["k"]
        slow = pool.submit(store.get, "k")  # reads "old" from the keyring, then waits at the gate
        assert backend.wait_reads(reads + 1)
        store.set("k", "new")  # connect, while that read is in flight
        backend.gate.set()
        assert slow.result(10) == "old"  # what the keyring held when it was asked
        assert store.get("k") == "new"  # but the cache did not keep it


def test_threads_share_one_read_per_key() -> None:
    backend = CountingKeyring()
    store = TokenStore("svc", backend)
    store.set("k", "value")
    store.set("j", "other")
    backend.gate = threading.Event()
    backend.reads.clear()
    start = threading.Barrier(8)

    def read(n: int) -> str | None:
        start.wait(10)
        return store.get("k" if n % 2 else "j")

    with store.cached(), ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(read, n) for n in range(8)]
        assert backend.wait_reads(2)  # one read of each key has begun and is held at the gate
        backend.gate.set()  # the other six threads waited for those two reads instead of asking the keyring
        values = [f.result(10) for f in futures]
    assert values == ["other", "value"] * 4
    assert backend.reads == Counter({"k": 1, "j": 1})


def test_a_failing_keyring_is_not_cached() -> None:
    class Failing(MemoryKeyring):
        fail = True

        def get_password(self, service: str, username: str) -> str | None:
            if self.fail:
                import keyring.errors

                raise keyring.errors.KeyringLocked("locked")
            return "v"

    backend = Failing()
    store = TokenStore("svc", backend)
    with store.cached():
        with pytest.raises(KeyringUnavailableError):
            store.get("k")
        backend.fail = False  # unlocked: the next read in the same tick works
        assert store.get("k") == "v"


def test_no_secret_in_repr_or_logs(
    ctx: Context, sandbox: Any, keyring_backend: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    connect(ctx, sandbox)
    secrets = {value for (_service, key), value in keyring_backend.data.items() if key != APP_ID}  # an id is public
    assert len(secrets) >= 3
    queue(ctx, BAKERY, "Fresh bread at 7")
    with ctx.tokens.cached():
        ctx.tokens.set("extra", SECRET)
        assert ctx.tokens.get("extra") == SECRET and ctx.tokens.get(APP_SECRET)
        shown = repr(ctx.tokens) + str(ctx.tokens) + repr(ctx)
        assert Runner(ctx).run_due().succeeded == 1
    for secret in secrets | {SECRET}:
        assert secret not in shown
        assert secret not in caplog.text


# ----- one tick reads each secret once, whatever the number of posts -------------------------------------------


def test_one_keyring_read_per_secret_per_tick(ctx: Context, sandbox: Any, counting: CountingKeyring) -> None:
    connect(ctx, sandbox)
    account = next(a for a in ctx.repo.accounts() if a.external_id == BAKERY)
    key = account_key(account.platform, account.external_id)
    ids = [queue(ctx, BAKERY, f"Post {n} of the day").id for n in range(6)]
    counting.reads.clear()
    stats = Runner(ctx).run_due()
    assert stats.succeeded == 6 and len(published(sandbox)) == 6
    assert all(ctx.repo.item(i).status == "posted" for i in ids)  # type: ignore[union-attr]
    assert counting.reads[key] == 1  # the token: once for six posts
    assert counting.reads[APP_SECRET] == 1  # the app secret (appsecret_proof of the chain's client): once
    # The next tick reads them again (a token reconnected in between is seen).
    queue(ctx, BAKERY, "One more")
    Runner(ctx).run_due()
    assert counting.reads[key] == 2 and counting.reads[APP_SECRET] == 2
    assert ctx.tokens.account_token(account.platform, account.external_id) is not None
    assert counting.reads[key] == 3  # outside a tick: straight to the keyring


# ----- every account with due posts at once ----------------------------------------------------------------------


class _MeetingProcessor(ItemProcessor):
    """Each item waits at a barrier for ``parties`` chains: it passes only if that many run at the same time."""

    barrier: threading.Barrier
    seen: set[str]
    lock = threading.Lock()

    def process(self, item_id: int) -> Outcome:
        with self.lock:
            self.seen.add(threading.current_thread().name)
        self.barrier.wait(timeout=10)
        return Outcome.SUCCEEDED

    def prefetch(self, item: Any) -> None:
        pass


def test_runner_publishes_eight_accounts_at_once(ctx: Context) -> None:
    assert MAX_WORKERS >= 8
    repo, now = ctx.repo, ctx.clock.now()
    accounts = [
        repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, f"5{n:03d}", f"Page {n}", "tok"), None, now).id
        for n in range(8)
    ]
    repo.add_items([NewItem(a, Platform.FACEBOOK, "hi", None, ItemStatus.SCHEDULED, now) for a in accounts], now)
    _MeetingProcessor.barrier = threading.Barrier(8)
    _MeetingProcessor.seen = set()
    started = time.monotonic()
    stats = Runner(ctx, processor_factory=_MeetingProcessor).run_due()
    # With fewer than 8 chains at once the barrier would break after its 10 s timeout and the run would fail.
    assert stats.succeeded == 8 and not _MeetingProcessor.barrier.broken
    assert len(_MeetingProcessor.seen) == 8
    assert time.monotonic() - started < 10


def test_get_fresh_reads_the_keyring_itself_inside_a_tick_and_refreshes_the_cached_copy() -> None:
    backend = CountingKeyring()
    store = TokenStore("autoposter:test", backend)
    key = account_key("x", "42")
    store.set(key, "grant-one")
    with store.cached():
        assert store.get(key) == "grant-one"
        backend.set_password("autoposter:test", key, "grant-two")  # another process rotated it
        assert store.get(key) == "grant-one"  # the tick's copy
        assert store.get_fresh(key) == "grant-two"
        reads = backend.reads[key]
        assert store.get(key) == "grant-two" and backend.reads[key] == reads  # the copy now is the keyring's value
    assert store.get_fresh(key) == "grant-two"  # outside a tick: a plain read
