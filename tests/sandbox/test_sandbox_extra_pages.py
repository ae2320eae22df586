"""``extra_pages``: more publishable Pages with Instagram accounts (the benchmarks need five accounts)."""

from __future__ import annotations

from pathlib import Path

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.runner import Runner
from autoposter_gui.sandbox import world
from autoposter_gui.sandbox.server import SandboxServer
from autoposter_gui.sandbox.store import SandboxStore
from autoposter_gui.tokens import TokenStore
from tests.conftest import START
from tests.support.helpers import connect, make_image, published, queue
from tests.support.memory_keyring import MemoryKeyring


def test_default_world_is_unchanged() -> None:
    store = SandboxStore(None, latency_ms=0, container_polls=1)
    assert store.world.pages == world.PAGES
    assert [p.id for p in store.world.pages] == [world.BAKERY_PAGE_ID, world.CAFE_PAGE_ID]
    assert list(store.world.ig_accounts) == [world.BAKERY_IG_ID]


def test_extra_pages_have_stable_ids_and_can_publish() -> None:
    extended = world.make_world(extra_pages=2)
    assert extended.pages[:2] == world.PAGES
    extra = extended.pages[2:]
    assert [p.id for p in extra] == ["100000000000101", "100000000000102"]
    assert all(p.can_publish and p.instagram is not None for p in extra)
    assert extra[0].instagram is not None and extended.page_by_ig[extra[0].instagram.id] == extra[0]


def test_the_engine_connects_and_publishes_to_extra_accounts(tmp_path: Path, keyring_backend: MemoryKeyring) -> None:
    with SandboxServer(port=0, extra_pages=2) as server:
        config = AppConfig(tmp_path / "data", graph_origin=server.url)
        ctx = Context.open(config, tokens=TokenStore(config.keyring_service, keyring_backend), clock=FixedClock(START))
        try:
            connect(ctx, server)
            accounts = {a.external_id for a in ctx.repo.accounts()}
            shop = world.extra_page(1)
            assert shop.instagram is not None
            assert {shop.id, shop.instagram.id, world.extra_page(2).id} <= accounts
            image = make_image(tmp_path / "bread.jpg")
            queue(ctx, shop.id, "Fresh bread at the shop", None, START)
            queue(ctx, shop.instagram.id, "Fresh bread, Instagram", image, START)
            stats = Runner(ctx).run_due()
        finally:
            ctx.close()
        assert (stats.processed, stats.succeeded) == (2, 2)
        assert [p["account_id"] for p in published(server, "Fresh bread at the shop")] == [shop.id]
        assert [p["account_id"] for p in published(server, "Fresh bread, Instagram")] == [shop.instagram.id]
        token = server.page_token(shop.id)
        assert server.revoke(shop.instagram.id) == [token]  # like the demo IG account: its Page's token dies
        assert server.page_token(shop.id) != token
