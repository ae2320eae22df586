"""Shared fixtures: a temp data folder, an in-memory keyring, an injected clock, a sandbox Graph server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.tokens import TokenStore
from tests.support.memory_keyring import MemoryKeyring

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


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Commands run in-process configure logging; undo it so one test's set-up never leaks into the next."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    named = {name: logging.getLogger(name).level for name in ("urllib3", "apscheduler", "alembic")}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, old in named.items():
        logging.getLogger(name).setLevel(old)


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
