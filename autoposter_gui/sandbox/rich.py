"""The sandbox's rich-post endpoints: Instagram carousel containers and comments on posts (both networks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .forms import parse_bool, parse_fields
from .store import ContainerRecord, PostRecord, SandboxStore, meta_time

if TYPE_CHECKING:
    from .graph import GraphRequest

JsonDict = dict[str, Any]
MAX_CAROUSEL_CHILDREN = 10
COMMENT_MAX_CHARS = 2_200


def is_carousel_item(params: Mapping[str, str]) -> bool:
    return parse_bool(params.get("is_carousel_item"), False)


def is_carousel(params: Mapping[str, str]) -> bool:
    return (params.get("media_type") or "").upper() == "CAROUSEL"


def carousel_parent(store: SandboxStore, req: GraphRequest, ig_user_id: str) -> JsonDict:
    """``POST /{ig}/media?media_type=CAROUSEL&children=...``: checks each child as Meta does."""
    from .graph import _not_ready_error, _param_error

    raw = req.params.get("children") or ""
    ids = [c.strip() for c in raw.strip("[]").replace('"', "").split(",") if c.strip()]
    if len(ids) < 2 or len(ids) > MAX_CAROUSEL_CHILDREN:
        raise _param_error(
            "(#100) The parameter children must hold 2 to 10 container ids",
            user_msg="A carousel needs 2 to 10 items.",
        )
    if len(set(ids)) != len(ids):
        raise _param_error("(#100) A carousel can't hold the same item twice")
    children: list[ContainerRecord] = []
    for child_id in ids:
        child = store.containers.get(child_id)
        if child is None or child.ig_user_id != ig_user_id or not child.is_carousel_item:
            raise _param_error("(#100) Invalid parameter", user_msg=f"The media container ID {child_id} is not valid.")
        status = store.container_status(child)
        if status != "FINISHED":
            raise _not_ready_error(f"The carousel item {child_id} is {status}, not FINISHED.")
        children.append(child)
    parent = store.add_container(
        ig_user_id, children[0].photo_id, req.params.get("caption", ""), children=[c.id for c in children]
    )
    store.save()
    return {"id": parent.id}


def publish_carousel(store: SandboxStore, parent: ContainerRecord) -> PostRecord:
    """``media_publish`` of a FINISHED carousel parent: one media with every child's photo (one quota post)."""
    children = [store.containers[c] for c in parent.children]
    media = store.add_post("instagram", parent.ig_user_id, parent.caption, photo_id=children[0].photo_id)
    media.photo_ids = [c.photo_id for c in children]
    parent.media_id = media.id
    for child in children:
        child.media_id = media.id
    return media


def comments(store: SandboxStore, req: GraphRequest, post: PostRecord, base_url: str) -> JsonDict:
    """``POST /{post}/comments`` (message) or ``GET /{post}/comments`` (newest last, as Meta's default order)."""
    from .graph import _param_error, _unsupported

    if req.method == "POST":
        message = req.params.get("message", "")
        if not message.strip():
            raise _param_error("(#100) Missing message")
        if len(message) > COMMENT_MAX_CHARS:
            raise _param_error("(#100) The comment is too long")
        comment = store.add_comment(post.id, message)
        store.save()
        out: JsonDict = {"id": comment.id}
        if "permalink_url" in parse_fields(req.params.get("fields")):
            out["permalink_url"] = comment_permalink(store, base_url, post, comment.id)
        return out
    if req.method != "GET":
        raise _unsupported(req.method, f"{post.id}/comments")
    fields = parse_fields(req.params.get("fields")) or {"id": "", "message": "", "created_time": ""}
    data: list[JsonDict] = []
    for comment in store.comments_on(post.id):
        entry: JsonDict = {"id": comment.id}
        if "message" in fields or "text" in fields:
            entry["message" if post.platform == "facebook" else "text"] = comment.message
        if "created_time" in fields or "timestamp" in fields:
            entry["created_time" if post.platform == "facebook" else "timestamp"] = meta_time(comment.created_ts)
        if "permalink_url" in fields:
            entry["permalink_url"] = comment_permalink(store, base_url, post, comment.id)
        data.append(entry)
    return {"data": data}


def comment_permalink(store: SandboxStore, base_url: str, post: PostRecord, comment_id: str) -> str:
    return f"{store.post_permalink(base_url, post)}?comment_id={comment_id}"
