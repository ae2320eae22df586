"""The Connect wizard's order of steps, with and without the guide, row by row."""

from __future__ import annotations

import pytest

from autoposter_gui.ui.connect_flow import ConnectFlow, Step

S = Step
# (guided, step, where Next leads by itself (None: the dialog does work first), where Back leads, Next's label)
ROWS = [
    (True, S.CREATE, S.USE_CASE, None, "&Next >"),
    (True, S.USE_CASE, S.APP, S.CREATE, "&Next >"),
    (True, S.APP, None, S.USE_CASE, "&Next >"),  # checks the ID and secret first
    (True, S.LIVE, None, S.APP, "&Test connection"),  # logs in
    (True, S.LOGIN, None, S.LIVE, "&Try again"),
    (True, S.PASTE, None, S.LIVE, "&Find my accounts"),
    (True, S.CHOOSE, None, S.LIVE, "&Connect"),
    (True, S.WORKING, None, None, "&Connect"),
    (False, S.APP, None, None, "&Log in with Facebook…"),
    (False, S.LOGIN, None, S.APP, "&Try again"),
    (False, S.PASTE, None, S.APP, "&Find my accounts"),
    (False, S.CHOOSE, None, S.APP, "&Connect"),
]


@pytest.mark.parametrize(("guided", "step", "after", "before", "label"), ROWS)
def test_flow(guided: bool, step: Step, after: Step | None, before: Step | None, label: str) -> None:
    flow = ConnectFlow(guided)
    assert (flow.after(step), flow.before(step), flow.next_label(step)) == (after, before, label)


def test_first_step() -> None:
    assert ConnectFlow(True).first is Step.CREATE and ConnectFlow(False).first is Step.APP
