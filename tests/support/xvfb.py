"""Start a private Xvfb display for tests and benchmarks that need a real X server (and a tray panel)."""

from __future__ import annotations

import os
import select
import subprocess
import time


def start_xvfb(screen: str = "1280x800x24", timeout: float = 15.0) -> tuple[subprocess.Popen[bytes], str] | None:
    """Xvfb on a free display number (``-displayfd``); returns (process, ":N"), or None when it did not start."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + timeout
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([read_fd], [], [], 0.5)
        if ready:
            chunk = os.read(read_fd, 16)
            if not chunk:
                break
            number += chunk
    os.close(read_fd)
    if not number.strip():
        xvfb.kill()
        return None
    return xvfb, f":{number.decode().strip()}"


def rerun_on_display(script: str, args: list[str], *, screen: str = "1280x800x24", tray: bool = False) -> int:
    """Run ``script`` again with ``args`` on a fresh private Xvfb (with a trayer panel when ``tray``), for the
    screenshot scripts; returns its exit code."""
    import sys
    from pathlib import Path

    started = start_xvfb(screen)
    if started is None:
        print("Xvfb did not start (is it installed?)", file=sys.stderr)
        return 1
    xvfb, display = started
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    panel = None
    if tray:
        panel = subprocess.Popen(
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "120", "--height", "32"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    root = Path(__file__).resolve().parents[2]
    try:
        return subprocess.run([sys.executable, script, *args], env=env, cwd=root, check=False).returncode
    finally:
        for process in (panel, xvfb):
            if process is not None:
                process.terminate()
                process.wait(10)
