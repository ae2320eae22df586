"""B6: cold start of the real app to its first window shown, against a bare PySide6 script that shows a QMainWindow.

Both run as fresh processes (interpreter start included), offscreen, interleaved. The child prints a line the
moment its first window is exposed; the time is taken in this process when that line arrives.
"""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import REPO, Result, child_env, median

TARGET = 1.5
ROUNDS = 7
MARK = "BENCH_SHOWN"

_WATCH = f"""
import os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

class _Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Expose and obj.isWindowType() and obj.isExposed():
            sys.stdout.write("{MARK} " + type(obj).__name__ + "\\n")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        return False

qapp = QApplication([sys.argv[0]])
_watch = _Watch()
qapp.installEventFilter(_watch)
"""

BARE = (
    _WATCH
    + """
from PySide6.QtWidgets import QMainWindow
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(900, 600)
window.show()
sys.exit(qapp.exec())
"""
)

APP = (
    _WATCH
    + """
from autoposter_gui.app import main
sys.exit(main(sys.argv[1:]))
"""
)


def _launch(code: str, args: list[str], env: dict[str, str], tries: int = 2) -> float:
    for attempt in range(tries):
        try:
            return _launch_once(code, args, env)
        except RuntimeError:
            if attempt + 1 == tries:
                raise
    raise AssertionError("unreachable")


def _launch_once(code: str, args: list[str], env: dict[str, str]) -> float:
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=errors, text=True, env=env, cwd=REPO
        )
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                if line.startswith(MARK):
                    return time.perf_counter() - start
            code_ = proc.wait()
            errors.seek(0)
            tail = " ".join(errors.read().strip().splitlines()[-2:])[-300:]
            raise RuntimeError(f"no window was shown (exit code {code_}): {tail}")
        finally:
            proc.kill()
            proc.wait()


def run() -> Result:
    title = "Cold start to first window vs bare PySide6"
    target = f"≤ {TARGET}×"
    # As pip does when it installs the app: current bytecode, so no start compiles a module (an editable install,
    # or a shell with PYTHONDONTWRITEBYTECODE set, leaves stale or no .pyc files behind).
    compileall.compile_dir(REPO / "autoposter_gui", quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-b6-") as tmp_name:
        tmp = Path(tmp_name)
        env = child_env(
            QT_QPA_PLATFORM="offscreen",
            PYTHON_KEYRING_BACKEND="tests.support.memory_keyring.FileKeyring",
            TEST_KEYRING_FILE=str(tmp / "keyring.json"),
            AUTOPOSTER_GRAPH_URL="http://127.0.0.1:9",
            PYTHONDONTWRITEBYTECODE="1",
        )
        app_args = ["--data-dir", str(tmp / "data")]
        try:
            _launch(APP, app_args, env)  # first start creates the database; the OS caches warm up for both
            _launch(BARE, [], env)
        except RuntimeError as exc:
            return Result.not_available("B6", title, target, f"the app did not show a window: {exc}")
        times: dict[str, list[float]] = {"app": [], "bare": []}
        for i in range(ROUNDS):
            for name in ("app", "bare") if i % 2 == 0 else ("bare", "app"):
                times[name].append(_launch(APP if name == "app" else BARE, app_args if name == "app" else [], env))
        modules = _imported_at_start(env, app_args)
    t_app, t_bare = median(times["app"]), median(times["bare"])
    ratio = t_app / t_bare
    heavy = [m for m in ("PIL", "requests", "PySide6.QtWebEngineCore", "sqlalchemy", "apscheduler") if m in modules]
    return Result(
        "B6",
        title,
        ratio,
        target,
        ratio <= TARGET,
        f"app {t_app * 1000:.0f} ms ÷ bare {t_bare * 1000:.0f} ms",
        [
            f"medians of {ROUNDS} interleaved fresh processes each (interpreter start included), offscreen, "
            "existing data folder",
            f"heavy modules loaded when the window shows: {', '.join(heavy) or 'none'}",
        ],
    )


def _imported_at_start(env: dict[str, str], args: list[str]) -> set[str]:
    """Which top-level modules the app has imported by the time its window shows."""
    code = APP.replace(
        'sys.stdout.write("' + MARK + ' " + type(obj).__name__ + "\\n")',
        'import json; sys.stdout.write("' + MARK + ' " + json.dumps(sorted(sys.modules)) + "\\n")',
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=60
    )
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            return set(json.loads(line[len(MARK) + 1 :]))
    return set()


if __name__ == "__main__":
    run().emit()
    sys.exit(0)
