"""Test helpers: connect a context to the sandbox, make images, queue posts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from autoposter_gui.engine.accounts import AccountService
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.storage.models import QueueItem

BAKERY = "100000000000001"
BAKERY_IG = "17841400000000001"


def connect(ctx: Context, sandbox: Any) -> None:
    creds = sandbox.credentials
    AccountService(ctx).connect(creds.app_id, creds.app_secret, creds.user_token)


def make_image(path: Path, size: tuple[int, int] = (1080, 1080), color: str = "orange") -> str:
    Image.new("RGB", size, color).save(path, "JPEG")
    return str(path)


def queue(ctx: Context, account: str, text: str, image: str | None = None, when: datetime | None = None) -> QueueItem:
    return PostService(ctx).create(PostRequest([account], text, image, when))[0]


def published(sandbox: Any, text: str | None = None) -> list[dict[str, Any]]:
    posts: list[dict[str, Any]] = sandbox.state()["posts"]
    return [p for p in posts if text is None or p["text"] == text]
