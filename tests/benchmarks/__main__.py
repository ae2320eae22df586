"""Run the benchmarks B1-B12 and print a table of ratios; write tests/benchmarks/RESULTS.md.

    python -m tests.benchmarks               # all of them (about 3 minutes)
    python -m tests.benchmarks --only B1,B4  # some of them
    python -m tests.benchmarks --no-write    # print only

Each benchmark runs in a fresh process of its own; inside it, what a ratio compares is measured side by side
(interleaved) in that one run, because this machine is shared and noisy. The suite runs itself inside a private
D-Bus session with a fresh, unlocked gnome-keyring, so that B2 and B4 keep their tokens in the real Secret Service
(when dbus-run-session or gnome-keyring-daemon is missing they fall back to an in-memory keyring, and say so).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from tests.benchmarks.analysis import EXPLANATIONS
from tests.benchmarks.common import (
    REPO,
    RESULT_PREFIX,
    Result,
    child_env,
    run_in_secret_service,
    secret_service_available,
)

RESULTS_MD = Path(__file__).with_name("RESULTS.md")
COMMAND = "python -m tests.benchmarks"

# (ids it reports, module, arguments)
SUITE: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("B1",), "tests.benchmarks.bench_scheduler", ()),
    (("B2", "B3"), "tests.benchmarks.bench_publish", ()),
    (("B3x",), "tests.benchmarks.bench_rich", ()),
    (("B4",), "tests.benchmarks.bench_gui", ("b4",)),
    (("B5",), "tests.benchmarks.bench_gui", ("b5",)),
    (("B6",), "tests.benchmarks.bench_startup", ()),
    (("B7",), "tests.benchmarks.bench_idle", ()),
    (("B3v", "B8"), "tests.benchmarks.bench_video", ()),
    (("B9",), "tests.benchmarks.bench_calendar", ()),
    (("B10",), "tests.benchmarks.bench_import", ()),
    (("B11",), "tests.benchmarks.bench_insights", ()),
    (("B12",), "tests.benchmarks.bench_cli", ()),
)
TITLES = {
    "B1": "Scheduler tick, nothing due, history 100k vs 1k",
    "B2": "Publish 50 due posts, 5 accounts, 100 ms latency",
    "B3": "HTTP calls per post (FB text / FB photo / IG)",
    "B3x": "HTTP calls per rich post (multi-photo, link, carousel, first comment)",
    "B4": "GUI stall while the app publishes the B2 batch",
    "B5": "Queue tab, 100k items: first screen vs bare SQL",
    "B6": "Cold start to a usable window vs bare PySide6",
    "B7": "Idle in the tray, 60 s, nothing due",
    "B3v": "HTTP calls per video post (FB Reel / FB video / IG Reel)",
    "B8": "Publish a 200 MB video: RSS growth, upload vs plain requests",
    "B9": "Calendar week/month over 10k items: first paint vs bare QTableView; drag round trip",
    "B10": "`import` of a 5,000-row CSV vs the store's bulk insert",
    "B11": "Insights: refresh 500 posts on one token; open the tab over 500 × 4 snapshots",
    "B12": "`autoposter queue --json`, 20k items, start to exit",
}


def run_one(ids: tuple[str, ...], module: str, args: tuple[str, ...], timeout: float = 600) -> list[Result]:
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=REPO,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        stdout, stderr, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        stdout = exc.stdout if isinstance(exc.stdout, str) else ""
        stderr, code = f"timed out after {timeout:.0f} s", -1
    results = [
        Result(**json.loads(line[len(RESULT_PREFIX) :]))
        for line in stdout.splitlines()
        if line.startswith(RESULT_PREFIX)
    ]
    found = {r.id for r in results}
    for missing in (i for i in ids if i not in found):
        tail = " ".join(stderr.strip().splitlines()[-3:])[-300:] or f"exit code {code}"
        results.append(Result.not_available(missing, TITLES[missing], "", f"the benchmark failed: {tail}"))
    print(f"  {', '.join(ids)} done in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return results


def _verdict(result: Result) -> str:
    return "n/a" if result.ok is None else "PASS" if result.ok else "MISS"


def _ratio(result: Result) -> str:
    return "n/a" if result.ratio is None else f"{result.ratio:.2f}"


def table(results: Sequence[Result]) -> str:
    rows = [("#", "Measure", "Ratio", "Target", "Result", "Measured")]
    rows += [(r.id, r.title, _ratio(r), r.target, _verdict(r), r.measured) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 8)
    return "\n".join(lines)


def machine() -> dict[str, str]:
    info = {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "keyring": (
            "the real Secret Service: the suite started a private D-Bus session with a fresh, unlocked "
            "gnome-keyring (`dbus-run-session` + `gnome-keyring-daemon --unlock`) and B2 and B4 keep their tokens "
            "there"
            if secret_service_available()
            else "in memory: no Secret Service could be started (needs dbus-run-session and gnome-keyring-daemon)"
        ),
    }
    try:
        import PySide6
        import sqlalchemy

        info["PySide6"] = PySide6.__version__
        info["SQLAlchemy"] = sqlalchemy.__version__
    except ImportError:
        pass
    return info


def markdown(results: Sequence[Result], info: dict[str, str], loads: tuple[str, str]) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Written by `{COMMAND}` on {info['date']}.",
        "",
        f"- Machine: **{info['cores']} cores** ({info['platform']}), Python {info['python']}, "
        f"PySide6 {info.get('PySide6', '?')}, SQLAlchemy {info.get('SQLAlchemy', '?')}",
        f"- Load average (1, 5, 15 min) before the run: {loads[0]}; after: {loads[1]}. The machine is shared: "
        "other processes compete for its cores, which is why every target is a ratio measured side by side.",
        f"- Keyring: {info['keyring']}.",
        "",
        "| # | Measure | Ratio | Target | Result | Measured |",
        "|---|---|---|---|---|---|",
    ]
    out += [f"| {r.id} | {r.title} | {_ratio(r)} | {r.target} | {_verdict(r)} | {r.measured} |" for r in results]
    out += ["", "## Details", ""]
    for r in results:
        out.append(f"- **{r.id}**: " + "; ".join(r.notes))
    missed = [r for r in results if r.ok is not True]
    if missed:
        out += ["", "## Missed targets: why", ""]
        for r in missed:
            out.append(f"### {r.id}: {r.title} ({r.measured})")
            out.append("")
            out.append(EXPLANATIONS.get(r.id, "No analysis recorded for this benchmark yet."))
            out.append("")
    met = [r for r in results if r.ok is True and r.id in EXPLANATIONS]
    if met:
        out += ["", "## Notes on met targets", ""]
        for r in met:
            out += [f"### {r.id}: {r.title} ({r.measured})", "", EXPLANATIONS[r.id], ""]
    out += ["", "## What the suite measures", "", EXPLANATIONS["_method"], ""]
    return "\n".join(out).rstrip() + "\n"


def _loadavg() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated ids, e.g. B1,B4")
    parser.add_argument("--no-write", action="store_true", help=f"don't write {RESULTS_MD.name}")
    args = parser.parse_args(argv)
    code = run_in_secret_service(["-m", "tests.benchmarks", *(sys.argv[1:] if argv is None else argv)])
    if code is not None:  # the suite ran again inside its private D-Bus session with a real keyring
        return code
    wanted = {i.strip().upper() for i in args.only.split(",")} if args.only else None
    before = _loadavg()
    results: list[Result] = []
    for ids, module, extra in SUITE:
        if wanted is None or wanted.intersection(i.upper() for i in ids):
            results += [r for r in run_one(ids, module, extra) if wanted is None or r.id.upper() in wanted]
    results.sort(key=lambda r: (int(r.id[1:].rstrip("xv")), r.id))  # B2 before B12, B3 before B3x
    info = machine()
    loads = (before, _loadavg())
    print()
    print(f"Autoposter benchmarks, {info['date']}, {info['cores']} cores, load average {loads[0]} → {loads[1]}")
    print(f"Keyring: {info['keyring']}")
    print(table(results))
    for r in results:
        for note in r.notes:
            print(f"  {r.id}: {note}")
    if not args.no_write:
        RESULTS_MD.write_text(markdown(results, info, loads), encoding="utf-8")
        print(f"\nWrote {RESULTS_MD.relative_to(REPO)}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
