"""Drive `autoposter connect-x` / `connect-google` as an owner would: start it, open the URL it prints (the fake's
auto-approving sign-in page redirects to the loopback), and collect what it printed."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.support.cli import REPO, CliResult, cli_command

_URL = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sign_in(env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 60) -> CliResult:
    """Run the connect command, follow the sign-in URL it prints (as the browser would), and wait for it."""
    proc = subprocess.Popen(
        cli_command(*args),
        env=env,
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    if stdin is not None:
        proc.stdin.write(stdin)
    proc.stdin.close()
    proc.stdin = None  # communicate() must not flush it again
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    url = None
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        found = _URL.search(line)
        url = found.group(0) if found else None
    if url is not None:
        with urllib.request.urlopen(url, timeout=30) as answer:
            answer.read()
    out, err = proc.communicate(timeout=timeout)
    return CliResult(proc.returncode, "".join(seen) + out, err)


def networks_env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    """A CLI environment (data in tmp_path) with Meta's, X's and Google's origins all at ``sandbox``."""
    from tests.support.cli import cli_env

    return cli_env(
        tmp_path / "data",
        sandbox.url,
        tmp_path / "keyring.json",
        AUTOPOSTER_X_URL=sandbox.url,
        AUTOPOSTER_GOOGLE_URL=sandbox.url,
    )
