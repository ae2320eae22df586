"""The Connect wizard's steps and where Next and Back lead from each, with and without the guide (no widgets)."""

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


GUIDE_ORDER = (Step.CREATE, Step.USE_CASE, Step.APP, Step.LIVE)


@dataclass
class ConnectFlow:
    """Where the plain Next and Back lead. Steps that do work first (checking the app, logging in, finding or saving
    accounts) are the dialog's; this only knows the order. ``guided`` is on once the guide is shown."""

    guided: bool = False

    @property
    def first(self) -> Step:
        return Step.CREATE if self.guided else Step.APP

    def after(self, step: Step) -> Step | None:
        """The page Next moves to with nothing to check, or None when Next does work (the dialog's)."""
        if step in (Step.CREATE, Step.USE_CASE):
            return GUIDE_ORDER[GUIDE_ORDER.index(step) + 1]
        return None

    def before(self, step: Step) -> Step | None:
        """Where Back leads (None: no Back on this page)."""
        if step in (Step.USE_CASE, Step.LIVE) or (step is Step.APP and self.guided):
            return GUIDE_ORDER[GUIDE_ORDER.index(step) - 1]
        if step in (Step.LOGIN, Step.PASTE, Step.CHOOSE):
            return Step.LIVE if self.guided else Step.APP
        return None

    def next_label(self, step: Step) -> str:
        if step in (Step.CREATE, Step.USE_CASE) or (step is Step.APP and self.guided):
            return "&Next >"
        return {
            Step.LIVE: "&Test connection",
            Step.APP: "&Log in with Facebook…",
            Step.LOGIN: "&Try again",
            Step.PASTE: "&Find my accounts",
        }.get(step, "&Connect")
