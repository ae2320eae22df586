"""Test helpers: connect a context to the sandbox, make images, queue posts."""

from __future__ import annotations

import io
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from autoposter_gui.engine.accounts import AccountService
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.meta.client import GraphClient
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


def published_picture(sandbox: Any, text: str) -> Image.Image:
    """The picture of the one published post with ``text``, fetched as a viewer would: the post's
    ``full_picture`` (Facebook) or ``media_url`` (Instagram) from the Graph API, then the image itself."""
    [post] = published(sandbox, text)
    if post["platform"] == "facebook":
        page_id, field = post["account_id"], "full_picture"
    else:
        page_id, field = sandbox.world.page_by_ig[post["account_id"]].id, "media_url"
    client = GraphClient(origin=sandbox.url, app_secret=sandbox.credentials.app_secret)
    try:
        url = client.get(f"/{post['id']}", sandbox.page_token(page_id), {"fields": field})[field]
    finally:
        client.close()
    with urllib.request.urlopen(url, timeout=10) as response:  # the sandbox, on 127.0.0.1
        data = response.read()
    return Image.open(io.BytesIO(data)).convert("RGB")
