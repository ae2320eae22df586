"""Connect X and Google Business Profile in-process as an owner does: the sign-in URL opened (the sandbox's pages
approve at once and redirect to the loopback), then the code exchanged and the accounts saved."""

from __future__ import annotations

import threading
import urllib.request

from autoposter_gui.engine.browser_connect import BrowserConnect
from autoposter_gui.engine.context import Context
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


def _open(url: str) -> None:
    with urllib.request.urlopen(url, timeout=30) as answer:  # the sign-in page, then the loopback's
        answer.read()
