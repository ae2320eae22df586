"""`autoposter connect-x` and `connect-google` against the sandbox fakes: the printed URL, the loopback, the
accounts listed, secrets only in the keyring; and the refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import free_port, networks_env, sign_in
from tests.support.cli import bad, ok, run_cli

X_USER = "1790000000000000001"


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    return networks_env(tmp_path, sandbox)


def test_connect_x_prints_the_url_waits_for_the_redirect_and_lists_the_account(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    result = sign_in(env, "connect-x", "--client-id", "sandbox-x-client", "--no-browser", "--port", str(port))
    assert result.code == 0, result.stderr
    assert "/i/oauth2/authorize?" in result.stdout and f"127.0.0.1%3A{port}%2Fcallback" in result.stdout
    assert "Connected 1 account(s)." in result.stdout
    accounts = ok(run_cli(env, "accounts", "--json"))
    assert [(a["platform"], a["account_id"], a["status"]) for a in accounts] == [("x", X_USER, "connected")]
    stored = json.loads((tmp_path / "keyring.json").read_text())
    blob = next(v for k, v in _entries(stored) if k.endswith(f"account:x:{X_USER}"))
    assert json.loads(blob)["refresh_token"]  # the grant lives in the keyring...
    database = (tmp_path / "data" / "autoposter.db").read_bytes()
    assert json.loads(blob)["access_token"].encode() not in database  # ...and nowhere else
    assert json.loads(blob)["access_token"] not in result.stdout + result.stderr


def test_connect_x_reads_the_client_id_from_stdin(env: dict[str, str]) -> None:
    port = str(free_port())
    result = sign_in(env, "connect-x", "--client-id", "-", "--no-browser", "--port", port, stdin="sandbox-x-client\n")
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["connect-x", "--client-id", " ", "--no-browser"], "client ID is empty"),
        (["connect-x", "--client-id", "abc", "--no-browser", "--port", "70000"], "between 1 and 65535"),
        (["connect-google", "--client-id", "abc", "--client-secret", "", "--no-browser"], "client secret is empty"),
    ],
)
def test_connect_refusals_are_one_line_and_store_nothing(env: dict[str, str], args: list[str], words: str) -> None:
    assert words in bad(run_cli(env, *args))
    assert ok(run_cli(env, "accounts", "--json")) == []


def test_a_port_in_use_is_refused_in_words(env: dict[str, str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        line = bad(run_cli(env, "connect-x", "--client-id", "abc", "--no-browser", "--port", port), 1)
    assert "already in use" in line and port in line


def _entries(stored: Any) -> list[tuple[str, str]]:
    """(key, value) of every secret in the file keyring, whatever its nesting."""
    if isinstance(stored, dict):
        found: list[tuple[str, str]] = []
        for key, value in stored.items():
            if isinstance(value, str):
                found.append((key, value))
            else:
                found.extend((f"{key}/{k}", v) for k, v in _entries(value))
        return found
    return []


def test_connect_google_connects_every_location_with_the_secret_from_stdin(env: dict[str, str], tmp_path: Path) -> None:
    from autoposter_gui.sandbox.google_api import CLIENT_ID, CLIENT_SECRET

    result = sign_in(
        env, "connect-google", "--client-id", CLIENT_ID, "--client-secret", "-", "--no-browser", stdin=CLIENT_SECRET
    )
    assert result.code == 0, result.stderr
    assert "/o/oauth2/auth?" in result.stdout and "Connected 2 account(s)." in result.stdout
    accounts = ok(run_cli(env, "accounts", "--json"))
    assert {a["platform"] for a in accounts} == {"google"} and len(accounts) == 2
    assert all(a["account_id"].isdigit() and a["status"] == "connected" for a in accounts)
    assert CLIENT_SECRET not in result.stdout + result.stderr
    assert CLIENT_SECRET.encode() not in (tmp_path / "data" / "autoposter.db").read_bytes()
