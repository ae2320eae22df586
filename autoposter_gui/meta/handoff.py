"""Meta's scheduler over the Graph API: schedule a Page post, find it again, change, delete, publish now, read it."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime

from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.models import MediaRef
from autoposter_gui.meta.publisher import MetaPublisher, _caption, _jpeg_file, _normalise, _require_id, _str_field
from autoposter_gui.meta.rich import invisible_write
from autoposter_gui.networks.capabilities import ScheduledPost

SCHEDULED_PAGES = 10  # pages of /scheduled_posts read when looking for a hand-off whose answer was lost


def _unix(when: datetime) -> str:
    return str(int(when.timestamp()))


def is_gone(err: PublishError) -> bool:
    """Meta's answer for a post that no longer exists: error 100 (or a plain 404)."""
    return err.code == 100 or err.http_status == 404


def schedule_post(
    pub: MetaPublisher,
    page_id: str,
    token: str,
    text: str,
    link: str | None,
    images: Sequence[MediaRef],
    due: datetime,
) -> str:
    """Hand a Page post to Meta's scheduler (``published=false`` + ``scheduled_publish_time``); its post id.

    Several photos are uploaded unpublished first (nothing public, safe to make again), then attached to the
    scheduled ``/feed`` post. Only the last call creates the scheduled post."""
    client = pub.client
    scheduled = {"published": "false", "scheduled_publish_time": _unix(due)}
    if len(images) == 1 and not link:
        ref = images[0]
        data = {**_caption(text), **scheduled, "fields": "id,post_id"}
        if ref.alt_text:
            data["alt_text_custom"] = ref.alt_text
        answer = client.post(f"/{page_id}/photos", token, data=data, files=_jpeg_file(pub._jpeg(ref.path, "facebook")))
        photo_id = _require_id(answer, "photo id", is_write=True)
        return _str_field(answer, "post_id") or photo_id
    data = {**scheduled, "fields": "id"}
    if text:
        data["message"] = text
    if link:
        data["link"] = link
    if len(images) > 1:
        photo_ids = []
        for ref in images:
            photo = {"published": "false", "temporary": "true", "fields": "id"}
            if ref.alt_text:
                photo["alt_text_custom"] = ref.alt_text
            with invisible_write():
                got = client.post(
                    f"/{page_id}/photos", token, data=photo, files=_jpeg_file(pub._jpeg(ref.path, "facebook"))
                )
            photo_ids.append(_require_id(got, "photo id", is_write=False))
        data["attached_media"] = json.dumps([{"media_fbid": p} for p in photo_ids])
    answer = client.post(f"/{page_id}/feed", token, data=data)
    return _require_id(answer, "post id", is_write=True)


def find_scheduled(
    pub: MetaPublisher, page_id: str, token: str, text: str, due: datetime, exclude_ids: Collection[str]
) -> str | None:
    """The scheduled post with this text and time (a hand-off whose answer was lost), or None."""
    wanted, at = _normalise(text), int(due.timestamp())
    params = {"fields": "id,message,scheduled_publish_time", "limit": "100"}
    query = dict(params)
    for _page in range(SCHEDULED_PAGES):
        answer = pub.client.get(f"/{page_id}/scheduled_posts", token, params=query)
        data = answer.get("data")
        for entry in data if isinstance(data, list) else []:
            if not isinstance(entry, dict):
                continue
            post_id = _str_field(entry, "id")
            message = entry.get("message", "")
            try:
                when = int(entry.get("scheduled_publish_time") or 0)
            except (TypeError, ValueError):
                when = 0
            same = isinstance(message, str) and _normalise(message) == wanted and abs(when - at) <= 60
            if post_id and post_id not in exclude_ids and same:
                return post_id
        paging = answer.get("paging")
        cursors = paging.get("cursors") if isinstance(paging, dict) else None
        after = cursors.get("after") if isinstance(cursors, dict) else None
        if not isinstance(paging, dict) or not paging.get("next") or not isinstance(after, str):
            return None
        query = {**params, "after": after}
    return None


def update_post(pub: MetaPublisher, post_id: str, token: str, *, message: str | None, due: datetime | None) -> None:
    """Change a scheduled post's text and/or time (the same change sent twice does no harm)."""
    data: dict[str, str] = {}
    if message is not None:
        data["message"] = message
    if due is not None:
        data["scheduled_publish_time"] = _unix(due)
    if data:
        pub.client.post(f"/{post_id}", token, data=data)


def delete_post(pub: MetaPublisher, post_id: str, token: str) -> None:
    """Delete a post at Meta; one already gone counts as deleted."""
    try:
        pub.client.delete(f"/{post_id}", token)
    except PublishError as err:
        if not is_gone(err):
            raise


def publish_now(pub: MetaPublisher, post_id: str, token: str) -> None:
    pub.client.post(f"/{post_id}", token, data={"is_published": "true"})


PostState = ScheduledPost  # what ``GET /{post-id}`` says of a handed-off post


def read_post(pub: MetaPublisher, post_id: str, token: str) -> PostState:
    try:
        answer = pub.client.get(f"/{post_id}", token, params={"fields": "is_published,permalink_url,created_time"})
    except PublishError as err:
        if is_gone(err):
            return PostState(gone=True)
        raise
    published = answer.get("is_published") is True
    # The permalink is trusted only once the post is published.
    permalink = _str_field(answer, "permalink_url") if published else None
    return PostState(False, published, permalink, _str_field(answer, "created_time"))
