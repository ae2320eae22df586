"""Run the real `autoposter` CLI in a subprocess, with a file-backed test keyring shared across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def cli_env(data_dir: Path, graph_url: str, keyring_file: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOPOSTER_", "PYTHON_KEYRING"))}
    env.update(
        AUTOPOSTER_DATA_DIR=str(data_dir),
        AUTOPOSTER_GRAPH_URL=graph_url,
        PYTHON_KEYRING_BACKEND="tests.support.memory_keyring.FileKeyring",
        TEST_KEYRING_FILE=str(keyring_file),
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        TZ=extra.pop("TZ", "UTC"),
    )
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "autoposter_gui.cli", *args]


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 60) -> CliResult:
    proc = subprocess.run(
        cli_command(*args), env=env, capture_output=True, text=True, input=stdin, timeout=timeout, cwd=REPO
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def connect_args(creds: Any) -> list[str]:
    """`autoposter connect` with the sandbox's app id, app secret and user token on the command line."""
    return ["connect", "--app-id", creds.app_id, "--app-secret", creds.app_secret, "--user-token", creds.user_token]


def connected_cli_env(tmp_path: Path, sandbox: Any, **extra: str) -> dict[str, str]:
    """A CLI environment (data in tmp_path) whose accounts are connected to ``sandbox`` (containers ready at once)."""
    sandbox.configure(container_polls=0)
    env = cli_env(tmp_path / "data", sandbox.url, tmp_path / "keyring.json", **extra)
    result = run_cli(env, *connect_args(sandbox.credentials), "--json")
    assert result.code == 0, result.stderr
    return env


def ok(result: CliResult) -> Any:
    """The JSON of a command that must succeed."""
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.json


def bad(result: CliResult, code: int = 2) -> str:
    """The one stderr line of a command that must be refused with ``code`` (nothing on stdout, no traceback)."""
    assert result.code == code, (result.code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def refused_post(env: dict[str, str], *args: str) -> str:
    """The one-line refusal of `post ARGS --now`; asserts the queue is unchanged (nothing written)."""
    before = ok(run_cli(env, "queue", "--json"))
    line = bad(run_cli(env, "post", *args, "--now", "--json"))
    assert ok(run_cli(env, "queue", "--json")) == before
    return line


def post_now(env: dict[str, str], text: str, *media: str, accounts: tuple[str, ...] = ()) -> Any:
    """`post --account A... --text TEXT MEDIA... --now --json`; the rows it queued."""
    account_args = [arg for account in accounts for arg in ("--account", account)]
    return ok(run_cli(env, "post", *account_args, "--text", text, *media, "--now", "--json"))
