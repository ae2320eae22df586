"""The Connect wizard's steps and where Next and Back lead from each: the network choice, Meta's steps with and
without the guide, and the browser sign-in of the other networks (no widgets)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Step(IntEnum):
    """The wizard's pages, in the order of its page stack."""

    APP = 0  # the App ID and App Secret (step 3 of the guide)
    LOGIN = 1  # Facebook Login in the webview ("Test connection")
    PASTE = 2  # a pasted user token
    WORKING = 3  # exchange and discovery
    CHOOSE = 4  # the checklist of accounts
    CREATE = 5  # the guide: create the app
    USE_CASE = 6  # the guide: permissions, and where the App ID and Secret are
    LIVE = 7  # the guide: put the app Live, then "Test connection"
    NETWORK = 8  # which network to connect (the wizard's first page when opened from "Connect…")
    X = 9  # X: client ID, the callback URL to register, sign in through the browser
    GOOGLE = 10  # Google Business Profile: client ID and secret, sign in, the locations to keep


GUIDE_ORDER = (Step.CREATE, Step.USE_CASE, Step.APP, Step.LIVE)
SIGN_IN_STEPS = {"x": Step.X, "google": Step.GOOGLE}  # networks that sign in through the system browser


@dataclass
class ConnectFlow:
    """Where the plain Next and Back lead. Steps that do work first (checking the app, logging in, finding or saving
    accounts) are the dialog's; this only knows the order. ``guided`` is on once the guide is shown; ``chooser``
    when the wizard started with the choice of network (Back from a network's first step returns to it)."""

    guided: bool = False
    chooser: bool = False

    @property
    def first(self) -> Step:
        if self.guided:
            return Step.CREATE
        return Step.NETWORK if self.chooser else Step.APP

    def start(self, network: str) -> Step:
        """The first step of ``network`` (a registry key): Meta's app page (or its guide), or its sign-in page."""
        if network in SIGN_IN_STEPS:
            return SIGN_IN_STEPS[network]
        return Step.CREATE if self.guided else Step.APP

    def after(self, step: Step) -> Step | None:
        """The page Next moves to with nothing to check, or None when Next does work (the dialog's)."""
        if step in (Step.CREATE, Step.USE_CASE):
            return GUIDE_ORDER[GUIDE_ORDER.index(step) + 1]
        return None

    def before(self, step: Step) -> Step | None:
        """Where Back leads (None: no Back on this page)."""
        if step in (Step.X, Step.GOOGLE) or (step is Step.APP and self.chooser and not self.guided):
            return Step.NETWORK if self.chooser else None
        if step in (Step.USE_CASE, Step.LIVE) or (step is Step.APP and self.guided):
            return GUIDE_ORDER[GUIDE_ORDER.index(step) - 1]
        if step in (Step.LOGIN, Step.PASTE, Step.CHOOSE):
            return Step.LIVE if self.guided else Step.APP
        return None

    def next_label(self, step: Step) -> str:
        if step in (Step.CREATE, Step.USE_CASE, Step.NETWORK) or (step is Step.APP and self.guided):
            return "&Next >"
        return {
            Step.LIVE: "&Test connection",
            Step.APP: "&Log in with Facebook…",
            Step.LOGIN: "&Try again",
            Step.PASTE: "&Find my accounts",
        }.get(step, "&Connect")
