"""B12: `autoposter queue --json` over 20k items, start to exit, against a bare interpreter reading the same rows.

Both are real processes started the same way, interleaved: the installed `autoposter` script (the one next to this
interpreter, with this checkout first on PYTHONPATH), and `python -c` importing sqlalchemy and sqlite3 and reading
every row of the queue with plain SQL.
"""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import REPO, Result, child_env, median, open_context, seed_history

ITEMS = 20_000
TARGET = 2.0
ROUNDS = 9
TITLE = "`autoposter queue --json`, 20k items, start to exit"
BARE_READ = (
    "import sqlalchemy, sqlite3, sys; "
    "rows = sqlite3.connect(sys.argv[1]).execute('SELECT * FROM queue_items ORDER BY id').fetchall()"
)
BARE_IMPORT = "import sqlalchemy, sqlite3"
HEAVY = ("requests", "PIL", "alembic", "keyring", "apscheduler", "sqlalchemy.orm", "PySide6")


def _time(cmd: list[str], env: dict[str, str], out: Path) -> float:
    with out.open("wb") as sink:
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=sink, stderr=subprocess.PIPE, env=env, cwd=REPO, timeout=120)
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip()[-300:]
        raise RuntimeError(f"{Path(cmd[0]).name} exited with {done.returncode}: {tail}")
    return elapsed


def _imported(script: Path, env: dict[str, str]) -> set[str]:
    """The modules `autoposter queue --json` has imported when it exits."""
    code = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: sys.stderr.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
        "from autoposter_gui.cli import main\n"
        "sys.exit(main(['queue', '--json']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    for line in done.stderr.splitlines():
        if line.startswith("MODULES "):
            return set(json.loads(line[len("MODULES ") :]))
    return set()


def run() -> Result:
    target = f"≤ {TARGET:.0f}× bare"
    script = Path(sys.executable).with_name("autoposter")
    if not script.exists():
        return Result.not_available("B12", TITLE, target, f"no installed `autoposter` script next to {sys.executable}")
    compileall.compile_dir(REPO / "autoposter_gui", quiet=1)  # as an install does: no start compiles a module
    with tempfile.TemporaryDirectory(prefix="bench-b12-") as tmp_name:
        tmp = Path(tmp_name)
        ctx = open_context(tmp / "data")  # creates the database at the current schema
        db_path = ctx.config.db_path
        ctx.close()
        seed_history(db_path, items=ITEMS)
        env = child_env(AUTOPOSTER_DATA_DIR=str(tmp / "data"), PYTHONDONTWRITEBYTECODE="1")
        commands = {
            "cli": [str(script), "queue", "--json"],
            "bare": [sys.executable, "-c", BARE_READ, str(db_path)],
            "import": [sys.executable, "-c", BARE_IMPORT],
        }
        out = tmp / "out.json"
        try:
            for cmd in commands.values():  # warm the OS caches for all three
                _time(cmd, env, out)
            _time(commands["cli"], env, out)
            listed = json.loads(out.read_text(encoding="utf-8"))
            size_mb = out.stat().st_size / 1e6
            times: dict[str, list[float]] = {name: [] for name in commands}
            for i in range(ROUNDS):
                for name in list(commands) if i % 2 == 0 else list(reversed(commands)):
                    times[name].append(_time(commands[name], env, out))
        except RuntimeError as exc:
            return Result.not_available("B12", TITLE, target, str(exc))
        modules = _imported(script, env)
    t = {name: median(values) for name, values in times.items()}
    ratio = t["cli"] / t["bare"]
    heavy = sorted(m for m in HEAVY if m in modules)
    problems = [] if len(listed) == ITEMS else [f"the CLI listed {len(listed)} items, not {ITEMS}"]
    return Result(
        "B12",
        TITLE,
        ratio,
        target,
        ratio <= TARGET and not problems,
        f"cli {t['cli'] * 1000:.0f} ms ÷ bare {t['bare'] * 1000:.0f} ms",
        [
            f"medians of {ROUNDS} interleaved fresh processes each; cli = `{script.name} queue --json` (the installed "
            f"script; stdout to a file, {size_mb:.1f} MB); bare = `python -c "
            f'"{BARE_IMPORT}"` then `SELECT * FROM queue_items ORDER BY id` of the {ITEMS} rows',
            f'of the bare time, `python -c "{BARE_IMPORT}"` alone: {t["import"] * 1000:.0f} ms',
            f"heavy modules the queue command imported: {', '.join(heavy) or 'none'}",
            *problems,
        ],
    )


if __name__ == "__main__":
    run().emit()
    sys.exit(0)
