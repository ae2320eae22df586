"""A short run of the randomized crash-fault suite: SIGKILL at random points, then exactly-once holds."""

from __future__ import annotations

import os

from tests.crash_suite import run_trials


def test_crash_trials_publish_exactly_once() -> None:
    trials = int(os.environ.get("AUTOPOSTER_CRASH_TRIALS", "20"))
    summary = run_trials(trials, seed=20261128)
    assert (summary.duplicates, summary.lost, summary.stuck) == (0, 0, 0), summary.line()
    assert summary.trials == trials
