"""Connect X and Google Business Profile in-process as an owner does: the sign-in URL opened (the sandbox's pages
approve at once and redirect to the loopback), then the code exchanged and the accounts saved."""

from __future__ import annotations

import threading
import urllib.request
from datetime import timedelta
from typing import Any

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.browser_connect import BrowserConnect
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.runner import Runner
from autoposter_gui.sandbox import google_api
from autoposter_gui.sandbox.x_state import X_CLIENT_ID

# AUTOPOSTER_X_URL and AUTOPOSTER_GOOGLE_URL must point at the sandbox (Context.network_env reads them).
OPTIONS: dict[str, dict[str, str]] = {
    "x": {"client_id": X_CLIENT_ID},
    "google": {"client_id": google_api.CLIENT_ID, "client_secret": google_api.CLIENT_SECRET},
}


def sign_in(ctx: Context, key: str) -> None:
    """Connect the network ``key`` ("x" or "google") through its browser sign-in, on any free loopback port."""
    signing_in = BrowserConnect(ctx, key, port=0, **OPTIONS[key])
    try:
        browser = threading.Thread(target=_open, args=(signing_in.url,), daemon=True)
        browser.start()
        signing_in.wait(timeout=30)
        browser.join(timeout=10)
    finally:
        signing_in.close()


def answer_lost_then_runs(ctx: Context, sandbox: Any, clock: FixedClock, create: str, runs: int) -> None:
    """The provider commits the create (the sandbox endpoint ``create``) but its answer is lost (a reset after the
    commit); then ``runs`` more runs of the runner, each two hours later on both clocks."""
    sandbox.inject_fault(kind="reset", match=create, after_commit=True)
    Runner(ctx).run_due()
    for _ in range(runs):
        clock.advance(timedelta(hours=2))
        sandbox.set_clock(clock.now())
        Runner(ctx).run_due()


def _open(url: str) -> None:
    with urllib.request.urlopen(url, timeout=30) as answer:  # the sign-in page, then the loopback's
        answer.read()
