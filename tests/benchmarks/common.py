"""Shared pieces of the benchmarks: results, a sandbox in its own process, seeded databases, timing helpers."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RESULT_PREFIX = "BENCH_RESULT "
# Set in the private D-Bus session the suite starts for itself (see run_in_secret_service); children inherit it.
SECRET_SERVICE_ENV = "BENCH_SECRET_SERVICE"
KEYRING_PASSWORD = "bench"  # the throw-away login keyring's password (a fresh, empty keyring each run)


@dataclass
class Result:
    """One row of the table. ``ratio`` is the measured ratio (or value) compared with the target; None = n/a."""

    id: str
    title: str
    ratio: float | None
    target: str
    ok: bool | None
    measured: str
    notes: list[str] = field(default_factory=list)

    def emit(self) -> None:
        print(RESULT_PREFIX + json.dumps(asdict(self)), flush=True)

    @classmethod
    def not_available(cls, id: str, title: str, target: str, reason: str) -> Result:
        return cls(id, title, None, target, None, "n/a", [reason])


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: this repo importable, no stray Autoposter settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOPOSTER_", "PYTHON_KEYRING"))}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("TZ", "UTC")
    env.update(extra)
    return env


# ----- the real keyring: gnome-keyring's Secret Service on a private D-Bus session ------------------------------


def run_in_secret_service(args: list[str]) -> int | None:
    """Run ``python <args>`` again inside a private D-Bus session with an unlocked gnome-keyring (a fresh login
    keyring in a temporary XDG_DATA_HOME), and return its exit code. None when already inside one, or when
    ``dbus-run-session``/``gnome-keyring-daemon`` are missing (then the in-memory keyring is used, and said)."""
    if os.environ.get(SECRET_SERVICE_ENV) or not all(
        shutil.which(tool) for tool in ("dbus-run-session", "gnome-keyring-daemon")
    ):
        return None
    with tempfile.TemporaryDirectory(prefix="bench-keyring-") as xdg:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON_KEYRING")}
        env.update(XDG_DATA_HOME=xdg, **{SECRET_SERVICE_ENV: "1"})
        shell = (
            f"printf %s {KEYRING_PASSWORD} | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
            'exec "$@"'
        )
        # dbus-run-session stops the bus when the command ends; gnome-keyring-daemon exits with its bus.
        return subprocess.call(["dbus-run-session", "--", "sh", "-c", shell, "sh", sys.executable, *args], env=env)


def secret_service_backend() -> Any | None:
    """keyring's Secret Service backend, inside the suite's private session when it answers there; else None.

    Chosen explicitly: once the test keyrings of tests.support are imported, keyring's own pick would be a chainer
    over them and the Secret Service."""
    if not os.environ.get(SECRET_SERVICE_ENV):
        return None
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    try:
        backend.get_password("autoposter-bench-probe", "probe")
    except Exception:
        return None
    return backend


def secret_service_available() -> bool:
    return secret_service_backend() is not None


def bench_tokens(service: str) -> Any:
    """The TokenStore the publishing benchmarks use: the real Secret Service when the suite started one, else an
    in-memory keyring."""
    from autoposter_gui.tokens import TokenStore
    from tests.support.memory_keyring import MemoryKeyring

    return TokenStore(service, secret_service_backend() or MemoryKeyring())


def keyring_note(tokens: Any) -> str:
    """Which keyring a benchmark ran against, for its notes."""
    if type(tokens._backend).__module__ == "keyring.backends.SecretService":
        return "keyring: the real Secret Service (gnome-keyring on a private D-Bus session)"
    return "keyring: in memory (no Secret Service: dbus-run-session or gnome-keyring-daemon is missing)"


# ----- the sandbox, in a process of its own (like Meta, it must not share this process's GIL) -----------------


@dataclass
class SandboxProc:
    url: str
    app_id: str
    app_secret: str
    user_token: str
    pages: list[dict[str, str]]
    process: subprocess.Popen[str]

    def _call(self, method: str, name: str, payload: object | None = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.url}/_sandbox/{name}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "state")
        return result

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def configure(self, **changes: Any) -> None:
        self._call("POST", "config", changes)


@contextmanager
def sandbox_process(
    *, latency_ms: int = 0, container_polls: int = 0, extra_pages: int = 0, nice: int = 0
) -> Iterator[SandboxProc]:
    """The sandbox Graph server in a process of its own; ``nice`` lowers its CPU priority (it stands in for
    Meta's servers, whose work never competes with the app for this machine's cores)."""
    cmd = [
        sys.executable,
        "-m",
        "autoposter_gui.sandbox",
        "--port",
        "0",
        "--json",
        "--latency-ms",
        str(latency_ms),
        "--container-polls",
        str(container_polls),
        "--extra-pages",
        str(extra_pages),
    ]
    lower = (lambda: os.nice(nice)) if nice and hasattr(os, "nice") else None
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=child_env(), cwd=REPO, preexec_fn=lower)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        yield SandboxProc(
            info["url"], info["app_id"], info["app_secret"], info["user_token"], info["pages"], process=proc
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ----- a data folder with an engine context -------------------------------------------------------------------


def open_context(
    data_dir: Path, graph_url: str = "http://127.0.0.1:9", clock: Any = None, *, real_keyring: bool = False
) -> Any:
    """A Context on ``data_dir``: with an in-memory keyring, or with ``real_keyring`` the suite's Secret Service
    when it runs one (see bench_tokens; the sandbox's tokens are fake either way)."""
    from autoposter_gui.config import AppConfig
    from autoposter_gui.engine.context import Context
    from autoposter_gui.tokens import TokenStore
    from tests.support.memory_keyring import MemoryKeyring

    config = AppConfig(data_dir, graph_origin=graph_url)
    config.ensure_dir()
    service = config.keyring_service
    tokens = bench_tokens(service) if real_keyring else TokenStore(service, MemoryKeyring())
    return Context.open(config, tokens=tokens, clock=clock)


def connect_all(ctx: Any, sandbox: SandboxProc) -> list[Any]:
    from autoposter_gui.engine.accounts import AccountService

    accounts: list[Any] = AccountService(ctx).connect(sandbox.app_id, sandbox.app_secret, sandbox.user_token)
    return accounts


def seed_history(db_path: Path, *, items: int, accounts: int = 3, now: datetime | None = None) -> None:
    """Add ``items`` posted/failed queue items (with their attempts) straight through SQLite: fast, realistic."""
    import sqlite3

    now = now or datetime.now(UTC)
    conn = sqlite3.connect(db_path)
    try:
        account_ids = [row[0] for row in conn.execute("SELECT id FROM accounts ORDER BY id")]
        while len(account_ids) < accounts:
            n = len(account_ids) + 1
            cur = conn.execute(
                "INSERT INTO accounts (platform, external_id, name, connected_at, status) VALUES (?, ?, ?, ?, ?)",
                ("facebook", f"9000000000{n:05d}", f"History Page {n}", _db_time(now), "connected"),
            )
            account_ids.append(int(cur.lastrowid or 0))
        before = conn.execute("SELECT coalesce(max(id), 0) FROM queue_items").fetchone()[0]
        start = now - timedelta(days=400)
        step = timedelta(days=399) / max(items, 1)
        rows = []
        for i in range(items):
            when = _db_time(start + step * i)
            posted = i % 10 != 0
            account_id = account_ids[i % len(account_ids)]
            rows.append(
                (
                    account_id,
                    "facebook",
                    f"History post {i}: fresh bread and a long enough caption to look like a real post #{i % 97}",
                    None,
                    "posted" if posted else "failed",
                    when,
                    None,
                    1 if posted else 5,
                    None if posted else "The token was revoked",
                    None if posted else "token",
                    f"{account_id}_{i}" if posted else None,
                    f"https://www.facebook.com/{account_id}_{i}" if posted else None,
                    "{}",
                    when,
                    when,
                )
            )
        conn.executemany(
            "INSERT INTO queue_items (account_id, platform, text, image_path, status, scheduled_at, next_attempt_at,"
            " attempt_count, error_message, last_error_code, provider_post_id, permalink, metadata, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        ids = [r[0] for r in conn.execute("SELECT id FROM queue_items WHERE id > ? ORDER BY id", (before,))]
        attempts = []
        for item_id, row in zip(ids, rows, strict=False):
            ok = row[4] == "posted"
            attempts.append(
                (
                    item_id,
                    1,
                    row[5],
                    row[5],
                    "succeeded" if ok else "failed",
                    row[10],
                    row[11],
                    None if ok else "token",
                    None if ok else "The token was revoked",
                    0,
                )
            )
        conn.executemany(
            "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, finished_at, outcome,"
            " provider_post_id, permalink, error_code, error_message, needs_reconcile)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            attempts,
        )
        conn.commit()
    finally:
        conn.close()


def _db_time(moment: datetime) -> str:
    """How SQLAlchemy's DateTime stores an aware UTC time in SQLite (naive UTC, ISO with microseconds)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def rss_bytes(pid: int | None = None) -> int:
    import psutil

    return int(psutil.Process(pid or os.getpid()).memory_info().rss)
