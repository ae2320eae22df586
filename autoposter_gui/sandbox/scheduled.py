"""The fake Graph API's scheduler: posts made with ``scheduled_publish_time``, published when its clock passes it.

Answers ``GET /{page}/scheduled_posts``, ``POST /{post-id}`` (message, scheduled_publish_time, is_published) and
``DELETE /{post-id}``; a post marked to vanish disappears at go-live instead (a reported Meta failure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .forms import parse_bool, parse_fields
from .store import PostRecord, SandboxStore

if TYPE_CHECKING:
    from .graph import GraphApi, GraphRequest

MIN_AHEAD = 10 * 60  # Meta: between 10 minutes and 75 days from the request
MAX_AHEAD = 75 * 86400


def scheduled_time(store: SandboxStore, params: dict[str, str] | Any) -> float | None:
    """The requested publish time of an unpublished post, checked against Meta's window (None: not scheduled)."""
    from .graph import _param_error

    if parse_bool(params.get("published"), True) or not params.get("scheduled_publish_time"):
        return None
    try:
        when = float(int(str(params["scheduled_publish_time"])))
    except ValueError as exc:
        raise _param_error("(#100) param scheduled_publish_time must be a UNIX timestamp") from exc
    ahead = when - store.now()
    if ahead < MIN_AHEAD or ahead > MAX_AHEAD:
        raise _param_error(
            "(#100) The specified scheduled publish time is invalid.",
            subcode=1363168,
            user_msg="The scheduled time must be between 10 minutes and 75 days from now.",
        )
    return when


def go_live(store: SandboxStore) -> None:
    """Publish every scheduled post whose time has passed on the sandbox's clock (or let a marked one vanish)."""
    now = store.now()
    due = [p for p in store.posts if p.scheduled_ts is not None and p.scheduled_ts <= now]
    if not due:
        return
    for post in due:
        if post.vanish:
            store.posts.remove(post)
            continue
        post.created_ts, post.scheduled_ts = float(post.scheduled_ts or now), None
        for photo_id in post.photo_ids or ([post.photo_id] if post.photo_id else []):
            photo = store.photos.get(photo_id)
            if photo is not None:
                photo.published = True
    store.save()


def listing(api: GraphApi, req: GraphRequest, page_id: str) -> dict[str, Any]:
    """``GET /{page}/scheduled_posts``: the Page's posts still waiting for their time."""
    fields = parse_fields(req.params.get("fields")) or {"id": "", "message": "", "scheduled_publish_time": ""}
    posts = [p for p in api.store.posts if p.account_id == page_id and p.scheduled_ts is not None]
    posts.sort(key=lambda p: float(p.scheduled_ts or 0))
    return api._paged(req, [api._post_json(p, fields) for p in posts])


def update(api: GraphApi, req: GraphRequest, post: PostRecord) -> dict[str, Any]:
    """``POST /{post-id}``: a new text, a new time (scheduled posts only), or publish now."""
    from .graph import _param_error

    store, p = api.store, req.params
    if "message" in p:
        post.text = p["message"]
    if p.get("scheduled_publish_time"):
        if post.scheduled_ts is None:
            raise _param_error("(#100) A published post cannot be rescheduled")
        when = scheduled_time(store, {"published": "false", "scheduled_publish_time": p["scheduled_publish_time"]})
        post.scheduled_ts = when
    if parse_bool(p.get("is_published"), False) and post.scheduled_ts is not None:
        post.scheduled_ts = store.now()
        post.vanish = False
        go_live(store)
    store.save()
    return {"success": True}


def delete(api: GraphApi, post: PostRecord) -> dict[str, Any]:
    """``DELETE /{post-id}``: the post is gone (a later read answers error 100)."""
    api.store.posts.remove(post)
    api.store.save()
    return {"success": True}


def mark_vanish(store: SandboxStore, post_id: str) -> bool:
    """Make a scheduled post vanish at go-live instead of publishing (False: no such scheduled post)."""
    post = store.post_by_id(post_id)
    if post is None or post.scheduled_ts is None:
        return False
    post.vanish = True
    store.save()
    return True
