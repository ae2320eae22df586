"""B10: `import` of a 5,000-row CSV against inserting the same rows through the store's bulk path alone; and all or
nothing.

Both sides run in this process, interleaved, each round on a fresh data folder with the same five accounts: the
import is the service the CLI's `import` runs (``CsvService.check`` then ``write``: read and parse the file, check
every row with the post rules, store the images, write every item in one transaction); the bulk side is
``PlanningRepo.add_items_bulk`` of the very items that import wrote. The CLI process, start to exit, is timed too,
for the record.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.benchmarks.common import REPO, Result, child_env, median, open_context

ROWS = 5_000
TARGET = 2.0
ROUNDS = 7
ZONE = "Europe/Berlin"
TITLE = "`import` of a 5,000-row CSV vs the store's bulk insert"
PAGES = ("100000000000001", "100000000000002", "100000000000003")
IG = ("17841400000000001", "17841400000000002")
WORDS = ("fresh", "bread", "croissant", "sourdough", "rye", "bakery", "morning", "oven", "butter", "flour", "rolls")


def _accounts(ctx: Any) -> None:
    from autoposter_gui.domain.models import DiscoveredAccount, Platform

    now = datetime.now(UTC)
    for n, page in enumerate(PAGES):
        ctx.repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, page, f"Page {n}", "t"), None, now)
    for n, ig in enumerate(IG):
        found = DiscoveredAccount(Platform.INSTAGRAM, ig, f"ig{n}", "t", page_id=PAGES[n], username=f"ig{n}")
        ctx.repo.upsert_account(found, None, now)


def write_csv(folder: Path, rows: int = ROWS, bad_line: int | None = None) -> Path:
    """A realistic planning file: a year of posts for three Pages and two Instagram accounts, texts of 40-400
    characters with hashtags, a photo on every Instagram post and on a fifth of the Facebook ones (five files,
    relative paths), local times without an offset; ``bad_line``: that line is an Instagram post without a photo."""
    from PIL import Image

    (folder / "photos").mkdir(parents=True, exist_ok=True)
    for n in range(5):
        Image.new("RGB", (1080, 1080), (40 * n, 120, 200)).save(folder / "photos" / f"p{n}.jpg", "JPEG")
    rng = random.Random(10)
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    lines = ["account,text,at,image,alt_text,first_comment,link"]
    for n in range(rows):
        ig = n % 3 == 0
        account = IG[n % 2] if ig else PAGES[n % 3]
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 60)))
        text = f"{words.capitalize()} #bakery #day{n % 30}"
        # 15 a day between 06:00 and 20:xx (never in a DST gap or repeated hour), about 333 days in all
        when = start + timedelta(days=n // 15, hours=6 + n % 15 - start.hour, minutes=(7 * n) % 60 - start.minute)
        image = f"photos/p{n % 5}.jpg" if ig or n % 5 == 0 else ""
        if bad_line is not None and len(lines) + 1 == bad_line:
            account, image = IG[0], ""
        lines.append(f'{account},"{text}",{when:%Y-%m-%dT%H:%M},{image},,,')
    path = folder / "plan.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fresh(root: Path, name: str) -> Any:
    ctx = open_context(root / name)
    _accounts(ctx)
    return ctx


def run() -> Result:
    os.environ["TZ"] = ZONE  # local times in a zone with DST, as an owner's file has them
    from autoposter_gui.domain.models import media_from_json
    from autoposter_gui.engine.csv_io import CsvService
    from autoposter_gui.storage.planning import PlanningRepo
    from autoposter_gui.storage.repo import NewItem

    target = f"≤ {TARGET:.0f}× bulk, all or nothing"
    with tempfile.TemporaryDirectory(prefix="bench-b10-") as tmp_name:
        tmp = Path(tmp_name)
        path = write_csv(tmp / "csv")
        # The items the import writes, read back as the bulk path takes them.
        probe = _fresh(tmp, "probe")
        CsvService(probe).write(CsvService(probe).check(path))
        items = [
            NewItem(i.account_id, _platform(i.platform), i.text, i.image_path, _status(i.status), i.scheduled_at,
                    i.scheduled_tz, series_id=i.series_id, media=media_from_json(i.media),
                    first_comment=i.first_comment, link=i.link)
            for i in probe.repo.items()
        ]  # fmt: skip
        probe.close()
        times: dict[str, list[float]] = {"import": [], "bulk": []}
        counts: dict[str, set[int]] = {"import": set(), "bulk": set()}
        for n in range(ROUNDS):
            for side in ("import", "bulk") if n % 2 == 0 else ("bulk", "import"):
                ctx = _fresh(tmp, f"{side}{n}")
                started = time.perf_counter()
                if side == "import":
                    service = CsvService(ctx)
                    service.write(service.check(path))
                else:
                    PlanningRepo(ctx.store).add_items_bulk(items, datetime.now(UTC))
                times[side].append(time.perf_counter() - started)
                counts[side].add(ctx.repo.count_items())
                ctx.close()
        phases = _phases(tmp, path)
        all_or_nothing = _all_or_nothing(tmp, items)
        cli_ms = _cli_time(tmp, path)
    t = {side: median(values) for side, values in times.items()}
    photos = sum(1 for i in items if i.image_path)
    ratio = t["import"] / t["bulk"]
    problems = [f"{side} wrote {sorted(c)} items, not {ROWS}" for side, c in counts.items() if c != {ROWS}]
    problems += [p for p in all_or_nothing if not p.startswith("ok:")]
    return Result(
        "B10",
        TITLE,
        ratio,
        target,
        ratio <= TARGET and not problems,
        f"import {t['import'] * 1000:.0f} ms ÷ bulk {t['bulk'] * 1000:.0f} ms",
        [
            f"medians of {ROUNDS} interleaved rounds, each on a fresh data folder (5 accounts); {ROWS} rows "
            f"({len(items)} posts; texts of 40-400 characters, a photo on {photos} of them from 5 files, local times "
            "over ~11 months); import = CsvService.check + write, as `autoposter import` runs them: read and parse, "
            "every row checked with the post rules, photos stored, one transaction on the bulk path; bulk = "
            "PlanningRepo.add_items_bulk of the same items alone",
            "rounds (ms): import "
            + ", ".join(f"{x * 1000:.0f}" for x in times["import"])
            + "; bulk "
            + ", ".join(f"{x * 1000:.0f}" for x in times["bulk"]),
            "where the import's time goes (CPU ms, median of 3 more rounds): "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in phases.items()),
            f"`autoposter import` of the same file as a process, start to exit: {cli_ms:.0f} ms "
            "(interpreter, imports and database opening included)",
            *all_or_nothing,
            *problems,
        ],
    )


def _platform(value: str) -> Any:
    from autoposter_gui.domain.models import Platform

    return Platform(value)


def _status(value: str) -> Any:
    from autoposter_gui.domain.models import ItemStatus

    return ItemStatus(value)


def _phases(tmp: Path, path: Path) -> dict[str, float]:
    """The import's steps one by one, in CPU time (less disturbed by other processes than wall time)."""
    from autoposter_gui.domain.times import local_zone
    from autoposter_gui.engine.batch import BatchPostService
    from autoposter_gui.engine.csv_io import CsvService, read_rows
    from autoposter_gui.storage.planning import PlanningRepo

    found: dict[str, list[float]] = {}
    for n in range(3):
        ctx = _fresh(tmp, f"phases{n}")
        clock = time.process_time
        marks = [clock()]
        rows, _ = read_rows(path)
        marks.append(clock())
        posts, local = BatchPostService(ctx), local_zone()
        requests = [CsvService._request(row, local)[0] for row in rows]
        marks.append(clock())
        checked = [(r, *posts.assess(r)[1:]) for r in requests if r is not None]
        marks.append(clock())
        posts.store_images(checked)
        now = datetime.now(UTC)
        new = [item for r, accounts, info in checked for item in posts.new_items(r, accounts, info, now)]
        marks.append(clock())
        PlanningRepo(ctx.store).add_items_bulk(new, now)
        marks.append(clock())
        ctx.close()
        names = ("read and parse the CSV", "read the times", "post rules", "store photos and build items", "bulk")
        for name, start, end in zip(names, marks, marks[1:], strict=False):
            found.setdefault(name, []).append((end - start) * 1000)
    return {name: median(values) for name, values in found.items()}


def _all_or_nothing(tmp: Path, items: list[Any]) -> list[str]:
    """A bad row near the end writes nothing; a database failure in the middle of the insert writes nothing."""
    from autoposter_gui.domain.errors import StoreError
    from autoposter_gui.engine.csv_io import CsvService
    from autoposter_gui.storage.planning import PlanningRepo
    from autoposter_gui.storage.repo import NewItem

    notes: list[str] = []
    bad = write_csv(tmp / "bad", bad_line=ROWS)
    ctx = _fresh(tmp, "bad-row")
    plan = CsvService(ctx).check(bad)
    written = ctx.repo.count_items()
    lines = [p.line for p in plan.problems]
    ctx.close()
    ok = lines == [ROWS] and written == 0
    notes.append(f"{'ok' if ok else 'FAILED'}: a bad row on line {ROWS} → problems on lines {lines}, {written} written")
    ctx = _fresh(tmp, "db-failure")
    broken = [*items[:-1], NewItem(999, items[-1].platform, "x", None, items[-1].status, items[-1].scheduled_at)]
    try:
        PlanningRepo(ctx.store).add_items_bulk(broken, datetime.now(UTC))
        raised = "nothing raised"
    except StoreError:
        raised = "StoreError"
    written = ctx.repo.count_items()
    ctx.close()
    ok = raised == "StoreError" and written == 0
    notes.append(
        f"{'ok' if ok else 'FAILED'}: the last of {len(items)} rows breaks a constraint → {raised}, {written} written"
    )
    return notes


def _cli_time(tmp: Path, path: Path) -> float:
    ctx = _fresh(tmp, "cli")
    data_dir = ctx.config.data_dir
    ctx.close()
    env = child_env(AUTOPOSTER_DATA_DIR=str(data_dir), TZ=ZONE)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "autoposter_gui.cli", "import", str(path)], env=env, cwd=REPO, capture_output=True
    )
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed if done.returncode == 0 else float("nan")


if __name__ == "__main__":
    run().emit()
    sys.exit(0)
