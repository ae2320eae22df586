"""B1: a scheduler tick with nothing due costs the same whether the history holds 1k or 100k items."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.benchmarks.common import Result, median, open_context, seed_history, timed

TARGET = 1.5
SMALL, LARGE = 1_000, 100_000
ROUNDS = 150


def _prepare(data_dir: Path, history: int, now: datetime) -> Any:
    from autoposter_gui.domain.models import ItemStatus, Platform
    from autoposter_gui.storage.repo import NewItem

    ctx = open_context(data_dir)
    seed_history(ctx.config.db_path, items=history, now=now)
    # Some posts still to come (tomorrow), so the due query has live rows to skip, as in real use.
    account_id = ctx.repo.accounts()[0].id
    future = [
        NewItem(account_id, Platform.FACEBOOK, f"Tomorrow {i}", None, ItemStatus.SCHEDULED, now + timedelta(days=1))
        for i in range(20)
    ]
    ctx.repo.add_items(future, now)
    return ctx


def _full_scans(ctx: Any, action: Any) -> list[str]:
    """The statements ``action`` runs whose SQLite plan scans a whole history table."""
    from sqlalchemy import event

    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            statements.append((statement, parameters))

    engine = ctx.store.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    scans: list[str] = []
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for statement, parameters in statements:
            plan = cur.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            for row in plan:
                detail = str(row[-1])
                if detail.startswith("SCAN") and ("queue_items" in detail or "delivery_attempts" in detail):
                    scans.append(f"{detail} in: {' '.join(statement.split())[:120]}")
    finally:
        raw.close()
    return scans


def run() -> Result:
    from autoposter_gui.engine.runner import Runner

    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="bench-b1-") as tmp:
        small = _prepare(Path(tmp) / "small", SMALL, now)
        large = _prepare(Path(tmp) / "large", LARGE, now)
        runners = {"small": Runner(small), "large": Runner(large)}
        try:
            for runner in runners.values():  # warm caches (statement cache, page cache)
                for _ in range(10):
                    assert runner.run_due(now).processed == 0
            times: dict[str, list[float]] = {"small": [], "large": []}
            for i in range(ROUNDS):
                order = ("small", "large") if i % 2 == 0 else ("large", "small")
                for name in order:
                    times[name].append(timed(lambda r=runners[name]: r.run_due(now)))
            t_small, t_large = median(times["small"]), median(times["large"])
            scans = _full_scans(large, lambda: runners["large"].run_due(now))
        finally:
            small.close()
            large.close()
    ratio = t_large / t_small
    notes = [f"median of {ROUNDS} interleaved run_due calls each, nothing due, 20 future posts in both databases"]
    if scans:
        notes.append("full scans: " + "; ".join(scans))
    else:
        notes.append("EXPLAIN QUERY PLAN: no statement of the tick scans queue_items or delivery_attempts")
    return Result(
        "B1",
        "Scheduler tick, nothing due, history 100k vs 1k",
        ratio,
        f"≤ {TARGET}",
        ratio <= TARGET and not scans,
        f"t(100k) {t_large * 1000:.2f} ms ÷ t(1k) {t_small * 1000:.2f} ms",
        notes,
    )


if __name__ == "__main__":
    run().emit()
    sys.exit(0)
