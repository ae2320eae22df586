"""Randomized crash-fault driver: SIGKILL real `autoposter run-due` processes and check exactly-once.

Run the full suite on its own:  python -m tests.crash_suite --trials 200
It prints: crash trials: N, duplicates: D, lost: L, stuck: S
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from autoposter_gui.config import AppConfig
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.sandbox.server import SandboxServer
from autoposter_gui.tokens import TokenStore
from tests.support.cli import cli_command, cli_env
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image
from tests.support.memory_keyring import FileKeyring

# Where a run is killed: (fault to inject or None, endpoint, description)
KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "feed_post", "before the request (FB text)"),
    ("hang_after_commit", "feed_post", "after Meta committed, before the answer (FB text)"),
    ("hang_before", "photos_post", "before the request (FB photo / IG upload)"),
    ("hang_after_commit", "photos_post", "after Meta committed the photo"),
    ("hang_before", "media_publish", "between the IG container and media_publish"),
    ("hang_after_commit", "media_publish", "after IG media_publish committed"),
    (None, "*", "at a random moment (often inside a DB commit)"),
]


@dataclass
class Summary:
    trials: int = 0
    duplicates: int = 0
    lost: int = 0
    stuck: int = 0

    def line(self) -> str:
        return f"crash trials: {self.trials}, duplicates: {self.duplicates}, lost: {self.lost}, stuck: {self.stuck}"


def run_trial(server: SandboxServer, workdir: Path, rng: random.Random, trial: int) -> Summary:
    data_dir = workdir / f"t{trial}"
    keyring_file = workdir / f"t{trial}-keyring.json"
    os.environ["TEST_KEYRING_FILE"] = str(keyring_file)
    config = AppConfig(data_dir, graph_origin=server.url)
    ctx = Context.open(config, tokens=TokenStore(config.keyring_service, FileKeyring()))
    connect(ctx, server)
    image = make_image(workdir / f"t{trial}.jpg", (900, 900), rng.choice(["red", "blue", "green"]))
    texts: list[str] = []
    kinds = ["fb_text", "fb_photo", "ig"]
    rng.shuffle(kinds)
    for n, kind in enumerate(kinds[: rng.randint(2, 3)]):
        text = f"trial {trial} post {n} {kind} {rng.random():.6f}"
        account = BAKERY_IG if kind == "ig" else BAKERY
        PostService(ctx).create(PostRequest([account], text, image if kind != "fb_text" else None))
        texts.append(text)
    ctx.close()

    env = cli_env(data_dir, server.url, keyring_file)
    fault, endpoint, _ = rng.choice(KILL_POINTS)
    if fault is not None:
        server.inject_fault(kind=fault, match=endpoint, seconds=3.0)
    proc = subprocess.Popen(
        cli_command("run-due", "--json"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    if fault is None:
        time.sleep(rng.uniform(0.3, 2.5))
    else:
        # Kill once the faulty call has started (or when the run ends without reaching it).
        while time.monotonic() < deadline and proc.poll() is None:
            if not server.state()["faults"]:
                time.sleep(rng.uniform(0.0, 0.2))
                break
            time.sleep(0.02)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    server.clear_faults()

    # Restart until nothing is left to do (as-of moves past any retry wait).
    as_of = datetime.now(UTC)
    for _ in range(6):
        as_of += timedelta(hours=2)
        subprocess.run(
            cli_command("run-due", "--as-of", as_of.isoformat(), "--json"), env=env, capture_output=True, timeout=120
        )
        ctx = Context.open(config, tokens=TokenStore(config.keyring_service, FileKeyring()))
        items = ctx.repo.items()
        ctx.close()
        if not any(i.status in ("scheduled", "processing") for i in items):
            break
    counts = Counter(p["text"] for p in server.state()["posts"])
    summary = Summary(trials=1)
    for text in texts:
        summary.duplicates += max(0, counts[text] - 1)
        summary.lost += counts[text] == 0
    summary.stuck += sum(1 for i in items if i.status == "processing")
    # A post is lost when Meta never got it, or when the store does not know it went out.
    summary.lost += sum(1 for i in items if i.status != "posted" and counts[i.text] == 1)
    return summary


def run_trials(trials: int, seed: int = 1, verbose: bool = False) -> Summary:
    rng = random.Random(seed)
    total = Summary()
    with tempfile.TemporaryDirectory(prefix="autoposter-crash-") as tmp, SandboxServer(port=0) as server:
        # One sandbox serves every trial: lift Instagram's daily quota so hundreds of trials can publish, and let a
        # repeated text through, so a double post would show up as two posts instead of a 506 refusal.
        server.configure(duplicate_check=False, container_polls=1, quota_total=1_000_000)
        for trial in range(trials):
            result = run_trial(server, Path(tmp), rng, trial)
            total.trials += result.trials
            total.duplicates += result.duplicates
            total.lost += result.lost
            total.stuck += result.stuck
            if verbose:
                print(f"trial {trial}: {result.line()}", file=sys.stderr, flush=True)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    summary = run_trials(args.trials, args.seed, args.verbose)
    print(summary.line())
    return 0 if summary.duplicates == summary.lost == summary.stuck == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
