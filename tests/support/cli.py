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
