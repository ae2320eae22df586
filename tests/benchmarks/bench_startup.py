"""B6: cold start of the real app to a usable window, against a bare PySide6 script that shows a QMainWindow.

Both run as fresh processes (interpreter start included), offscreen, interleaved. "Usable" is what the app itself
reports (``AUTOPOSTER_READY_MARK``): the real window shown and painted on the tab it opens on (the Queue, with its
first page), the accounts known, the six tabs in place (the others build their contents when first shown: what that
first show costs is noted). The bare script prints its line the moment its window is exposed. The time is taken in
this process when the line arrives; the app's first frame (``AUTOPOSTER_FIRST_MARK``) is noted too.
"""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

from tests.benchmarks.common import REPO, Result, child_env, median, seed_history

TARGET = 2.0
ROUNDS = 7
MARK = "BENCH_SHOWN"  # the bare window is exposed / the app's window is usable
FIRST = "BENCH_FIRST"  # the app's first window is exposed (the loading shell, or the real window on a quick start)
ENGINE = "BENCH_ENGINE"  # the app's engine is open behind its window: its actions work
SEED_ITEMS = 300  # a data folder in use: 3 accounts and 300 posts (the first Queue page is a full one)

# The bare window's first Expose, watched on its own QWindow only (an application-wide Python event filter would
# run for every event of the first show: what is measured would include the measuring).
_WATCH = f"""
import os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

class _Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Expose and obj.isExposed():
            sys.stdout.write("{MARK} " + type(obj).__name__ + "\\n")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        return False

qapp = QApplication([sys.argv[0]])
_watch = _Watch()
"""

BARE = (
    _WATCH
    + """
from PySide6.QtWidgets import QMainWindow
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(900, 600)
window.winId()  # its QWindow, to watch
window.windowHandle().installEventFilter(_watch)
window.show()
sys.exit(qapp.exec())
"""
)

# The app prints its own lines: FIRST at its first frame, MARK once usable, ENGINE once its engine is open.
APP = """
import sys
from PySide6.QtWidgets import QApplication

qapp = QApplication([sys.argv[0]])
from autoposter_gui.app import main
sys.exit(main(sys.argv[1:]))
"""


class Launch(NamedTuple):
    """One start, in seconds: to the usable window, to the first frame and (the app) to its open engine; and the
    CPU time the process had used by the usable window (all its threads; None without /proc)."""

    usable: float
    first: float | None
    engine: float | None
    cpu: float | None


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time of every thread of ``pid`` so far (Linux schedstat, in ns): unlike the wall time, it does not
    grow while other processes keep the cores busy."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total / 1e9


def _launch(code: str, args: list[str], env: dict[str, str], tries: int = 2) -> Launch:
    for attempt in range(tries):
        try:
            return _launch_once(code, args, env)
        except RuntimeError:
            if attempt + 1 == tries:
                raise
    raise AssertionError("unreachable")


def _launch_once(code: str, args: list[str], env: dict[str, str]) -> Launch:
    """Seconds to the MARK line, to the FIRST line if one came before it, and (the app) to its ENGINE line."""
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=errors, text=True, env=env, cwd=REPO
        )
        assert proc.stdout is not None
        first: float | None = None
        usable: float | None = None
        cpu: float | None = None
        try:
            for line in proc.stdout:
                if line.startswith(FIRST) and first is None:
                    first = time.perf_counter() - start
                if line.startswith(MARK) and usable is None:
                    usable = time.perf_counter() - start
                    cpu = _cpu_seconds(proc.pid)  # the bare script exits right after its line: it may be gone
                    if code is not APP:
                        return Launch(usable, first, None, cpu)
                if line.startswith(ENGINE) and usable is not None:
                    return Launch(usable, first, time.perf_counter() - start, cpu)
            code_ = proc.wait()
            errors.seek(0)
            tail = " ".join(errors.read().strip().splitlines()[-2:])[-300:]
            raise RuntimeError(f"no window was shown (exit code {code_}): {tail}")
        finally:
            proc.kill()
            proc.wait()


def run() -> Result:
    title = "Cold start to a usable window vs bare PySide6"
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
            AUTOPOSTER_READY_MARK=MARK,
            AUTOPOSTER_ENGINE_MARK=ENGINE,
            AUTOPOSTER_FIRST_MARK=FIRST,
        )
        app_args = ["--data-dir", str(tmp / "data")]
        try:
            _launch(APP, app_args, env)  # first start creates the database; the OS caches warm up for both
            seed_history(tmp / "data" / "autoposter.db", items=SEED_ITEMS)
            _launch(APP, app_args, env)
            _launch(BARE, [], env)
        except RuntimeError as exc:
            return Result.not_available("B6", title, target, f"the app did not show a usable window: {exc}")
        times: dict[str, list[float]] = {
            "app": [],
            "bare": [],
            "first": [],
            "engine": [],
            "cpu app": [],
            "cpu bare": [],
        }
        for i in range(ROUNDS):
            for name in ("app", "bare") if i % 2 == 0 else ("bare", "app"):
                run = _launch(APP if name == "app" else BARE, app_args if name == "app" else [], env)
                times[name].append(run.usable)
                if run.first is not None:
                    times["first"].append(run.first)
                if run.engine is not None:
                    times["engine"].append(run.engine)
                if run.cpu is not None:
                    times[f"cpu {name}"].append(run.cpu)
        modules = _imported_when_usable(env, app_args)
        shows = _first_shows(env, app_args)
    t_app, t_bare = median(times["app"]), median(times["bare"])
    first_frame = f"{median(times['first']) * 1000:.0f} ms" if times["first"] else "n/a"
    engine = f"{median(times['engine']) * 1000:.0f} ms" if times["engine"] else "n/a"
    cpu = "n/a"
    if times["cpu app"] and times["cpu bare"]:
        c_app, c_bare = median(times["cpu app"]), median(times["cpu bare"])
        cpu = f"app {c_app * 1000:.0f} ms ÷ bare {c_bare * 1000:.0f} ms = {c_app / c_bare:.2f}×"
    ratio = t_app / t_bare
    unneeded = ("sqlalchemy", "alembic", "keyring", "PIL", "requests", "PySide6.QtWebEngineCore", "apscheduler")
    heavy = [m for m in unneeded if m in modules]
    return Result(
        "B6",
        title,
        ratio,
        target,
        ratio <= TARGET,
        f"app {t_app * 1000:.0f} ms ÷ bare {t_bare * 1000:.0f} ms",
        [
            f"medians of {ROUNDS} interleaved fresh processes each (interpreter start included), offscreen, "
            f"a data folder with 3 accounts and {SEED_ITEMS} posts",
            "usable = the app's AUTOPOSTER_READY_MARK line: the window painted on the tab it opens on (the Queue, "
            "as a data folder with posts opens on it) with its first page and the accounts (filled from the plain "
            "sqlite3 start-up read; the window's input is held until the engine is open), the six tabs in place, "
            "the other five building their contents when first shown; "
            f"its first frame came at {first_frame}; the engine (store, services; its actions work from then on) "
            f"was open at {engine}",
            "each other tab's first show once the engine is open (build and paint, in the app's process, one run): "
            + (", ".join(f"{name} {ms:.0f} ms" for name, ms in shows.items()) or "n/a"),
            f"CPU time to the usable window (all threads, /proc schedstat; unlike wall time it does not grow while "
            f"other processes hold the cores): {cpu}",
            f"modules the usable window needs not, loaded by then: {', '.join(heavy) or 'none'}",
        ],
    )


def _first_shows(env: dict[str, str], args: list[str]) -> dict[str, float]:
    """What each tab built when first shown costs (ms, build and paint) once the engine is open, as the owner's first
    click on it: the price of not building them before the window is usable."""
    found = _patched_run(
        env,
        args,
        "import time\n"
        "_engine = _app.Application._print_engine_mark\n"
        "def _shows(self):\n"
        "    _engine(self)\n"
        "    found = {}\n"
        "    for name in ('composer', 'calendar', 'activity', 'accounts', 'insights'):\n"
        "        start = time.perf_counter()\n"
        "        self.window.show_tab(name)\n"
        "        self.window.repaint()\n"
        "        found[name] = (time.perf_counter() - start) * 1000\n"
        "    _report(found)\n"
        "_app.Application._print_engine_mark = _shows\n",
    )
    return {str(k): float(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _imported_when_usable(env: dict[str, str], args: list[str]) -> set[str]:
    """Which modules the app has imported by the time its window is usable."""
    found = _patched_run(env, args, "_app.Application._mark_ready = lambda self: _report(sorted(sys.modules))\n")
    return {str(name) for name in found} if isinstance(found, list) else set()


def _patched_run(env: dict[str, str], args: list[str], patch: str, timeout: float = 60.0) -> object:
    """Start the app with ``patch`` applied to its module (``_app``; ``_report(value)`` prints a JSON value back)
    and return what it reports (None if it reports nothing within ``timeout`` seconds: the app is stopped)."""
    code = APP.replace(
        "from autoposter_gui.app import main",
        "import json\n"
        "from autoposter_gui import app as _app\n"
        "def _report(value):\n"
        f"    sys.stdout.write('{MARK} ' + json.dumps(value) + '\\n')\n"
        "    sys.stdout.flush()\n" + patch + "main = _app.main",
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith(MARK + " "):
                return json.loads(line[len(MARK) + 1 :])
        return None
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    run().emit()
    sys.exit(0)
