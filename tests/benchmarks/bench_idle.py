"""B7: the real app idle in the tray for 60 s (nothing due): CPU use and wake-ups.

The app runs as it does for a user (``python -m autoposter_gui.app --minimized``), under Xvfb with the trayer panel
when both are installed (a real tray: the window stays hidden), else offscreen (no tray: the window shows). A bare
PySide6 script with one window runs beside it over the same 60 s, for scale.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.benchmarks.common import REPO, Result, child_env, open_context, seed_history
from tests.support.xvfb import start_xvfb

TARGET_PERCENT = 0.5
SETTLE_SECONDS = 12.0
MEASURE_SECONDS = 60.0

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
qapp = QApplication([sys.argv[0]])
window = QMainWindow()
window.show()
sys.exit(qapp.exec())
"""


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str] | None:
    if shutil.which("Xvfb") is None or shutil.which("trayer") is None:
        return None
    return start_xvfb("1280x800x24")


def _prepare(data_dir: Path) -> None:
    """A lived-in data folder: an account, 1,000 past posts, a few posts due tomorrow."""
    from autoposter_gui.domain.models import ItemStatus, Platform
    from autoposter_gui.storage.repo import NewItem

    ctx = open_context(data_dir)
    now = datetime.now(UTC)
    seed_history(ctx.config.db_path, items=1000, accounts=1, now=now)
    account_id = ctx.repo.accounts()[0].id
    ctx.repo.add_items(
        [
            NewItem(account_id, Platform.FACEBOOK, f"Tomorrow {i}", None, ItemStatus.SCHEDULED, now + timedelta(days=1))
            for i in range(5)
        ],
        now,
    )
    ctx.close()


def _usage(pid: int) -> tuple[float, int, dict[int, tuple[float, int]]]:
    """CPU seconds (all threads), context switches, and per thread (CPU seconds, switches)."""
    import psutil

    proc = psutil.Process(pid)
    times = proc.cpu_times()
    threads: dict[int, tuple[float, int]] = {}
    switches = 0
    for th in proc.threads():
        n = 0
        try:
            with open(f"/proc/{pid}/task/{th.id}/status") as fh:
                for line in fh:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        n += int(line.split()[1])
        except OSError:
            pass
        switches += n
        threads[th.id] = (th.user_time + th.system_time, n)
    return times.user + times.system, switches, threads


def run() -> Result:
    title = "Idle in the tray, 60 s, nothing due"
    target = f"≤ {TARGET_PERCENT}% of a core"
    try:
        import psutil  # noqa: F401
    except ImportError:
        return Result.not_available("B7", title, target, "psutil is not installed (pip install -e '.[bench]')")
    with tempfile.TemporaryDirectory(prefix="bench-b7-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        _prepare(tmp / "data")
        env = child_env(
            PYTHON_KEYRING_BACKEND="tests.support.memory_keyring.FileKeyring",
            TEST_KEYRING_FILE=str(tmp / "keyring.json"),
            AUTOPOSTER_GRAPH_URL="http://127.0.0.1:9",
        )
        display = _start_xvfb()
        if display is not None:
            xvfb, name = display
            stack.callback(lambda: (xvfb.terminate(), xvfb.wait(10)))
            env.update(DISPLAY=name, QT_QPA_PLATFORM="xcb")
            env.pop("WAYLAND_DISPLAY", None)
            trayer = subprocess.Popen(
                ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "160"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stack.callback(lambda: (trayer.terminate(), trayer.wait(10)))
            mode = "Xvfb + trayer (real tray, window hidden)"
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
            mode = "offscreen (no tray available: the window shows)"
        app = subprocess.Popen(
            [sys.executable, "-m", "autoposter_gui.app", "--minimized", "--data-dir", str(tmp)],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(lambda: (app.terminate(), app.wait(20)))
        bare = subprocess.Popen(
            [sys.executable, "-c", BARE], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        stack.callback(lambda: (bare.terminate(), bare.wait(20)))
        time.sleep(SETTLE_SECONDS)  # start-up, the first tick and the daily jobs that run at start
        if app.poll() is not None:
            return Result.not_available("B7", title, target, f"the app exited at start (code {app.returncode})")
        app_pid = app.pid
        a0, _a_sw0, a_th0 = _usage(app.pid)
        b0, b_sw0, _ = _usage(bare.pid)
        t0 = time.monotonic()
        time.sleep(MEASURE_SECONDS)
        elapsed = time.monotonic() - t0
        a1, _a_sw1, a_th1 = _usage(app.pid)
        b1, b_sw1, _ = _usage(bare.pid)
    percent = (a1 - a0) / elapsed * 100
    bare_percent = (b1 - b0) / elapsed * 100
    # Per thread alive at the end (a pool thread that retired meanwhile would make a plain total go backwards).
    deltas = {
        tid: (a_th1[tid][1] - a_th0.get(tid, (0.0, 0))[1], a_th1[tid][0] - a_th0.get(tid, (0.0, 0))[0]) for tid in a_th1
    }
    wakeups = sum(n for n, _cpu in deltas.values()) / elapsed
    main_wakeups = deltas.get(app_pid, (0, 0.0))[0] / elapsed
    busiest = sorted(deltas.values(), reverse=True)[:4]
    return Result(
        "B7",
        title,
        percent / TARGET_PERCENT,
        target,
        percent <= TARGET_PERCENT,
        f"{percent:.2f}% of a core (bare PySide6 window {bare_percent:.2f}%)",
        [
            f"{mode}; measured over {elapsed:.0f} s after {SETTLE_SECONDS:.0f} s of start-up; "
            f"{wakeups:.1f} wake-ups/s in all threads, {main_wakeups:.1f}/s on the GUI thread "
            f"(bare window {(b_sw1 - b_sw0) / elapsed:.1f}/s)",
            "busiest threads (context switches, CPU s): " + ", ".join(f"{n} / {cpu:.2f}" for n, cpu in busiest),
        ],
    )


if __name__ == "__main__":
    run().emit()
    sys.exit(0)
