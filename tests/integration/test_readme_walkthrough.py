"""The README's command-line walkthrough, run as written (only its sandbox port moved to a free one)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from autoposter_gui.domain.images import instagram_ratio_ok
from tests.support.cli import REPO, cli_env

README = REPO / "README.md"
START, END = "<!-- walkthrough:start -->", "<!-- walkthrough:end -->"
README_PORT = "8766"


def walkthrough() -> str:
    """The shell block between the README's walkthrough markers."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(START) + len(START) : text.index(END)].strip()
    match = re.fullmatch(r"```bash\n(.*)\n```", block, re.DOTALL)
    assert match, "the walkthrough is one ```bash block between its markers"
    return match.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_example_images_exist_and_menu_needs_a_fit() -> None:
    script = walkthrough()
    for name in ("examples/croissant.jpg", "examples/menu.png", "examples/reel.mp4"):
        assert name in script and (REPO / name).stat().st_size < 64 * 1024  # small, and shipped
    with Image.open(REPO / "examples/menu.png") as menu:
        assert not instagram_ratio_ok(*menu.size)  # the walkthrough shows what --fit pad is for
    assert "--fit pad" in script


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_readme_walkthrough_runs_as_written(tmp_path: Path, shell: str) -> None:
    port = str(_free_port())
    script = walkthrough()
    assert script.count(README_PORT) == 2  # the sandbox and the URL: nothing else to change
    script = script.replace(README_PORT, port)
    # `autoposter` is this checkout's CLI (whatever else is installed), with the file-backed test keyring.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "autoposter"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m autoposter_gui.cli "$@"\n')
    shim.chmod(0o755)
    env = cli_env(tmp_path / "unused", "http://127.0.0.1:9", tmp_path / "keyring.json")
    for name in ("AUTOPOSTER_DATA_DIR", "AUTOPOSTER_GRAPH_URL"):  # the walkthrough sets both itself
        env.pop(name)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", TMPDIR=str(scratch))
    proc = subprocess.Popen(
        [shell, "-e", "-c", script],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=180)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the sandbox too, if the walkthrough stopped early
            os.killpg(proc.pid, signal.SIGTERM)
    assert proc.returncode == 0, f"stdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err and "autoposter:" not in err, err
    assert "Connected " in out and "Sandbox Bakery" in out
    assert "processed: 7, succeeded: 7, failed: 0, retried: 0" in out  # the croissants wait for tomorrow
    queue = out[out.index("processed: 7") :]
    for text in (
        "Fresh bread at 7!",
        "Croissants",
        "New menu #bakery",
        "Two ways #bakery",
        "A little reel",
        "Our story",
    ):
        assert text in queue
    assert len(re.findall(r"\bposted\b", queue)) == 7 and len(re.findall(r"\bscheduled\b", queue)) == 1
    # Each published post's permalink, in the queue and in the activity; and the first comment's, in the activity.
    assert queue.count(f"http://127.0.0.1:{port}/sandbox/") == 7 * 2 + 1
    assert "comment_id=" in queue
    [data_dir] = scratch.iterdir()  # the walkthrough's scratch data folder (mktemp -d)
    assert (data_dir / "autoposter.db").is_file()
    assert not (REPO / "autoposter.db").exists() and not (REPO / "sandbox.txt").exists()  # the checkout stays clean
