"""The deterministic demo world of the sandbox: the app, the user, two Pages, one Instagram account, tokens.

``make_world(extra_pages=N)`` adds N more publishable Pages, each with a linked Instagram account (benchmarks).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

APP_ID = "sandbox-app"
APP_SECRET = "sandbox-secret"
APP_NAME = "Autoposter Sandbox"
APP_TOKEN = f"{APP_ID}|{APP_SECRET}"

USER_ID = "100000000000000"
USER_NAME = "Sandbox Owner"
USER_SCOPES: tuple[str, ...] = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "instagram_basic",
    "instagram_content_publish",
    "business_management",
    "read_insights",
    "instagram_manage_insights",
)

SHORT_LIVED_SECONDS = 2 * 3600
LONG_LIVED_SECONDS = 60 * 86400
DATA_ACCESS_SECONDS = 90 * 86400

PUBLISH_TASKS = frozenset({"CREATE_CONTENT", "MANAGE"})

BAKERY_PAGE_ID = "100000000000001"
CAFE_PAGE_ID = "100000000000002"
BAKERY_IG_ID = "17841400000000001"

TokenKind = Literal["USER", "PAGE", "APP"]


@dataclass(frozen=True)
class IgAccount:
    """An Instagram Business account linked to a Page."""

    id: str
    username: str
    name: str


@dataclass(frozen=True)
class Page:
    """A Facebook Page the sandbox user has a role on."""

    id: str
    name: str
    category: str
    tasks: tuple[str, ...]
    instagram: IgAccount | None

    @property
    def can_publish(self) -> bool:
        return bool(PUBLISH_TASKS.intersection(self.tasks))


PAGES: tuple[Page, ...] = (
    Page(
        id=BAKERY_PAGE_ID,
        name="Sandbox Bakery",
        category="Bakery",
        tasks=("ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"),
        instagram=IgAccount(id=BAKERY_IG_ID, username="sandbox.bakery", name="Sandbox Bakery"),
    ),
    Page(id=CAFE_PAGE_ID, name="Sandbox Cafe", category="Cafe", tasks=("ANALYZE",), instagram=None),
)
PAGES_BY_ID: dict[str, Page] = {p.id: p for p in PAGES}
IG_ACCOUNTS: dict[str, IgAccount] = {p.instagram.id: p.instagram for p in PAGES if p.instagram is not None}
PAGE_BY_IG: dict[str, Page] = {p.instagram.id: p for p in PAGES if p.instagram is not None}

EXTRA_PAGE_ID_BASE = 100_000_000_000_100
EXTRA_IG_ID_BASE = 17_841_400_000_000_100


class World:
    """The Pages (and their Instagram accounts) one sandbox serves: the demo Pages plus any extra ones."""

    def __init__(self, pages: tuple[Page, ...]) -> None:
        self.pages = pages
        self.pages_by_id: dict[str, Page] = {p.id: p for p in pages}
        self.ig_accounts: dict[str, IgAccount] = {p.instagram.id: p.instagram for p in pages if p.instagram}
        self.page_by_ig: dict[str, Page] = {p.instagram.id: p for p in pages if p.instagram is not None}


def extra_page(n: int) -> Page:
    """The n-th extra Page (1-based): publishable, with a linked Instagram account; ids are stable."""
    return Page(
        id=str(EXTRA_PAGE_ID_BASE + n),
        name=f"Sandbox Shop {n}",
        category="Shop",
        tasks=("ANALYZE", "CREATE_CONTENT", "MODERATE"),
        instagram=IgAccount(id=str(EXTRA_IG_ID_BASE + n), username=f"sandbox.shop{n}", name=f"Sandbox Shop {n}"),
    )


def make_world(extra_pages: int = 0) -> World:
    """The demo world, plus ``extra_pages`` publishable Pages with Instagram accounts."""
    if extra_pages < 0:
        raise ValueError("extra_pages must be >= 0")
    return World(PAGES + tuple(extra_page(n) for n in range(1, extra_pages + 1)))


DEFAULT_WORLD = World(PAGES)


@dataclass(frozen=True)
class SandboxCredentials:
    """What a user of the demo pastes into the app: the Meta app and a (short-lived) user token."""

    app_id: str
    app_secret: str
    user_token: str


@dataclass(frozen=True)
class TokenInfo:
    """What the sandbox knows about a valid access token."""

    token: str
    kind: TokenKind
    page_id: str | None = None
    long_lived: bool = False


def derive_token(label: str, generation: int = 0) -> str:
    """A Meta-looking token derived from a label; a new generation replaces a revoked token."""
    seed = f"autoposter-sandbox-{label}" if generation == 0 else f"autoposter-sandbox-{label}#{generation}"
    return "EAAB" + hashlib.sha256(seed.encode()).hexdigest()[:40]


def short_user_token(generation: int = 0) -> str:
    return derive_token("user", generation)


def long_user_token(generation: int = 0) -> str:
    return derive_token("user-long", generation)


def page_token(page_id: str, generation: int = 0) -> str:
    return derive_token(f"page-{page_id}", generation)


def appsecret_proof(token: str, app_secret: str = APP_SECRET) -> str:
    """hex HMAC-SHA256(key=app secret, msg=token), as Meta checks it."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
