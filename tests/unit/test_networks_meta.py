"""Meta as a networks.protocol.Network: the registry finds it, its session reads the keyring's token format and
offers the Meta-only capabilities, its preflight is the domain's rules, and each network gets its origin."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.models import MediaKind, MediaRef
from autoposter_gui.engine.context import Context
from autoposter_gui.networks import registry
from autoposter_gui.networks.capabilities import (
    AppConnect,
    BrowserLogin,
    Comments,
    DailyLimit,
    Insights,
    Prefetch,
    Scheduler,
    TokenCheck,
)
from autoposter_gui.networks.protocol import AccountRef, Env, Post
from autoposter_gui.tokens import TokenStore
from tests.support.secrets import DictSecrets

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def test_the_registry_gives_meta_for_facebook_and_instagram() -> None:
    meta = registry.network("meta")
    assert registry.for_platform("facebook") is meta and registry.for_platform("instagram") is meta
    assert meta.key == "meta" and meta.platforms == ("facebook", "instagram")
    assert (meta.label("facebook"), meta.label("instagram")) == ("Facebook", "Instagram")
    assert isinstance(meta, BrowserLogin) and "pages_manage_posts" in meta.scopes


def test_a_meta_session_offers_every_meta_only_feature_and_closes() -> None:
    session = registry.network("meta").session(Env(None, DictSecrets({}), lambda: NOW))
    for feature in (Prefetch, DailyLimit, Comments, Scheduler, TokenCheck, Insights, AppConnect):
        assert isinstance(session, feature), feature.__name__
    session.close()


def test_the_session_reads_the_token_the_token_store_wrote(keyring_backend: object) -> None:
    store = TokenStore("autoposter:test", keyring_backend)
    store.set_account_token("instagram", "1784", "ig-token")
    session = registry.network("meta").session(Env(None, store, lambda: NOW))
    assert session.access_token(AccountRef(1, "instagram", "1784", "Bakery")) == "ig-token"
    assert session.access_token(AccountRef(2, "facebook", "1784", "Bakery")) is None  # per platform


def test_an_injected_client_is_used_on_the_engines_clock() -> None:
    made: list[object] = []

    class _Client:
        timeout = (5.0, 30.0)
        now: object = None

        def close(self) -> None:
            made.append("closed")

    def factory() -> _Client:
        client = _Client()
        made.append(client)
        return client

    clock = FixedClock(NOW)
    env = Env(None, DictSecrets({}), clock.now, client_factory=factory, timeout=(3.0, 5.0))
    session = registry.network("meta").session(env)
    client = session.client  # type: ignore[attr-defined]
    assert made == [client] and client.now == clock.now and client.timeout == (3.0, 5.0)
    session.close()
    assert made[-1] == "closed"


def test_preflight_is_the_domains_post_rules() -> None:
    meta = registry.network("meta")
    assert meta.preflight(Post(1, "facebook", "Fresh bread today")) == []
    problems = meta.preflight(Post(2, "instagram", "Fresh bread today"))
    assert [p.field for p in problems] == ["image"] and "Instagram posts need an image" in str(problems[0])
    video = MediaRef("/nowhere/clip.mp4", MediaKind.VIDEO)
    assert meta.preflight(Post(3, "facebook", "A clip", (video,)))  # a missing file is refused before any call


@pytest.mark.parametrize(
    ("sandbox", "env", "expected"),
    [
        (False, {}, {"meta": "http://graph.test", "x": None, "google": None}),
        (
            False,
            {"AUTOPOSTER_X_URL": "http://x.test", "AUTOPOSTER_GOOGLE_URL": "http://g.test"},
            {"meta": "http://graph.test", "x": "http://x.test", "google": "http://g.test"},
        ),
        (  # sandbox mode: the sandbox server serves every network's paths, whatever the environment says
            True,
            {"AUTOPOSTER_X_URL": "http://x.test"},
            {"meta": "http://graph.test", "x": "http://graph.test", "google": "http://graph.test"},
        ),
    ],
)
def test_each_network_gets_its_origin(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    keyring_backend: object,
    sandbox: bool,
    env: dict[str, str],
    expected: dict[str, str | None],
) -> None:
    for name in ("AUTOPOSTER_X_URL", "AUTOPOSTER_GOOGLE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = AppConfig(tmp_path / "data", graph_origin="http://graph.test", sandbox=sandbox)
    ctx = Context.open(config, tokens=TokenStore(config.keyring_service, keyring_backend), allow_new=True)
    try:
        factory = lambda: None  # noqa: E731
        ctx.client_factory = factory
        got = {key: ctx.network_env(key) for key in ("meta", "x", "google")}
        assert {key: e.origin for key, e in got.items()} == expected
        assert all(e.secrets is ctx.tokens and e.sandbox is sandbox for e in got.values())
        assert all(e.locks == config.data_dir / "locks" for e in got.values())  # X's cross-process account locks
        assert got["meta"].client_factory is factory and got["x"].client_factory is None  # Meta's client only
    finally:
        ctx.close()


def test_the_processor_loads_no_network_package_until_it_publishes() -> None:
    code = (
        "import sys, autoposter_gui.engine.processor, autoposter_gui.engine.runner;"
        "print(sorted(m for m in sys.modules if m.startswith('autoposter_gui.meta')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env={"PYTHONPATH": str(REPO)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
