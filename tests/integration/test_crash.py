"""Short runs of the randomized crash-fault suite: SIGKILL at random points, then exactly-once holds.

The classic shape (unique texts, no owner action) and all the shapes with owner actions and Meta's quirks
(identical texts, manual posts, Retry after 5 tries, keyring loss, clock skew, late commits, revoked tokens,
X and Google posts).
"""

from __future__ import annotations

import os

from tests.crash_suite import SHAPES, run_trials


def test_crash_trials_publish_exactly_once() -> None:
    trials = int(os.environ.get("AUTOPOSTER_CRASH_TRIALS", "20"))
    summary = run_trials(trials, seed=20261128, shapes=("classic",))
    assert (summary.duplicates, summary.lost, summary.stuck) == (0, 0, 0), summary.report()
    assert summary.trials == trials


def test_crash_trials_with_owner_actions_publish_exactly_once() -> None:
    trials = int(os.environ.get("AUTOPOSTER_CRASH_TRIALS", "20"))
    summary = run_trials(trials, seed=20261130, shapes=SHAPES)
    assert (summary.duplicates, summary.lost, summary.stuck) == (0, 0, 0), summary.report()
    assert summary.trials == trials
    assert set(summary.shapes) == set(SHAPES), summary.report()  # every shape ran at least once
