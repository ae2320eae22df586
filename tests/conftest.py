"""Shared fixtures: a temp data folder, an in-memory keyring, an injected clock, a sandbox Graph server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from autoposter_gui.config import AppConfig  # noqa: E402
from autoposter_gui.domain.clock import FixedClock  # noqa: E402
from autoposter_gui.engine.context import Context  # noqa: E402
from autoposter_gui.tokens import TokenStore  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring  # noqa: E402

# Tests start at the real time (whole minute) so the sandbox, which stamps posts with the wall clock, agrees.
START = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real data folder, keyring or Meta from a test."""
    monkeypatch.setenv("AUTOPOSTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AUTOPOSTER_GRAPH_URL", "http://127.0.0.1:9")  # closed port unless a test sets a server
    monkeypatch.setenv("TZ", "UTC")
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: _SHARED_KEYRING)
    _SHARED_KEYRING.data.clear()


_SHARED_KEYRING = MemoryKeyring()


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return _SHARED_KEYRING


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def sandbox() -> Iterator[object]:
    from autoposter_gui.sandbox.server import SandboxServer

    server = SandboxServer(port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def config(tmp_path: Path, sandbox: object) -> AppConfig:
    return AppConfig(tmp_path / "data", graph_origin=sandbox.url)  # type: ignore[attr-defined]


@pytest.fixture
def ctx(config: AppConfig, clock: FixedClock, keyring_backend: MemoryKeyring) -> Iterator[Context]:
    context = Context.open(config, tokens=TokenStore(config.keyring_service, keyring_backend), clock=clock)
    try:
        yield context
    finally:
        context.close()
