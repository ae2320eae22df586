"""Two Autoposter processes renew one X sign-in at once against the sandbox X: the file lock spends the single-use
refresh token once; without it (a thread lock only) X sees the dead token again and revokes the grant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from autoposter_gui.networks.loopback import LoopbackReceiver
from autoposter_gui.networks.protocol import Env
from autoposter_gui.sandbox.server import SandboxServer
from autoposter_gui.sandbox.x_state import X_CLIENT_ID, X_USER_ID, X_USERNAME
from autoposter_gui.tokens import TokenStore
from autoposter_gui.x import grant
from autoposter_gui.x.network import NETWORK
from tests.support.memory_keyring import FileKeyring
from tests.support.x_refresher import digest

REPO = Path(__file__).resolve().parents[2]
SERVICE = "autoposter:xlock-test"
TOKEN_CALL = "POST /2/oauth2/token"
REFRESH_SECONDS = 1.5  # X takes this long to answer a refresh: both processes have read the old grant by then


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as running:
        yield running


@pytest.fixture
def tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TokenStore:
    """The keyring both processes share (a JSON file standing in for the Secret Service)."""
    monkeypatch.setenv("TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    return TokenStore(SERVICE, FileKeyring())


def connect(server: SandboxServer, tokens: TokenStore) -> None:
    receiver = LoopbackReceiver(0)
    env = Env(origin=server.url, secrets=tokens, now=server.now, sandbox=True)
    flow = NETWORK.begin_connect(env, client_id=X_CLIENT_ID, port=receiver.port)
    browser = threading.Thread(target=requests.get, args=(flow.authorization_url,), kwargs={"timeout": 10})
    browser.start()
    redirect = receiver.wait(timeout=10)
    browser.join()
    flow.finish(redirect)


def race(server: SandboxServer, locks: Path | None) -> list[dict[str, Any]]:
    """Two processes that have both read the grant, its access token 2 minutes from expiry, then are let go at
    once: each takes an access token (so refreshes) and posts with it."""
    server.advance_clock(2 * 3600 - 120)
    for _ in range(2):
        server.inject_fault(kind="latency", match="x_token", seconds=REFRESH_SECONDS)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = []
    for n in range(2):
        spec = {
            "origin": server.url,
            "service": SERVICE,
            "now": server.now().isoformat(),
            "locks": str(locks) if locks else None,
            "user_id": X_USER_ID,
            "username": X_USERNAME,
            "text": f"Process {n} says hello",
        }
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.support.x_refresher", json.dumps(spec)],
                cwd=REPO,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=60)[0] for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert [child.returncode for child in children] == [0, 0]
    return [json.loads(out.strip().splitlines()[-1]) for out in outputs]


def token_calls(server: SandboxServer) -> int:
    return sum(1 for call in server.state()["x"]["calls"] if call.startswith(TOKEN_CALL))


def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(
    server: SandboxServer, tokens: TokenStore, tmp_path: Path
) -> None:
    connect(server, tokens)
    first = grant.load(tokens, X_USER_ID)
    before = token_calls(server)
    locks = tmp_path / "data" / "locks"

    results = race(server, locks)

    state = server.state()["x"]
    assert token_calls(server) - before == 1  # one refresh reached X; the other process waited, then read it
    assert [g["revoked"] for g in state["grants"]] == [False] and state["grants"][0]["refreshes"] == 1
    now = grant.load(tokens, X_USER_ID)
    assert first is not None and now is not None and now.refresh_token != first.refresh_token
    # Both processes posted with the one rotated access token.
    assert all("error" not in r for r in results), results
    assert [r["token"] for r in results] == [digest(now.access_token)] * 2 != [digest(first.access_token)] * 2
    assert sorted(r["tweet"] for r in results) == sorted(t["id"] for t in state["tweets"]) and len(state["tweets"]) == 2
    assert (locks / f"x-{X_USER_ID}.lock").exists()


def test_without_the_file_lock_the_race_revokes_the_grant(server: SandboxServer, tokens: TokenStore) -> None:
    """The harness above is a real race: with a lock per process only (as before), both processes spend the same
    refresh token and X revokes the sign-in."""
    connect(server, tokens)
    before = token_calls(server)

    results = race(server, locks=None)

    state = server.state()["x"]
    assert token_calls(server) - before >= 2
    assert [g["revoked"] for g in state["grants"]] == [True]
    assert any(r.get("category") == "token" for r in results), results
