"""Rich posts on Meta: Facebook multi-photo and link posts, Instagram carousels, and first comments.

Every id Meta creates before the final publish is handed to ``save`` (which commits it durably) before the next
call, and ids already in the ``checkpoint`` (committed by an earlier, interrupted attempt) are reused instead of
made again. Only the final call (``/feed``, ``media_publish``, ``/comments``) makes anything public.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from autoposter_gui.domain.errors import ErrorCategory, PublishError
from autoposter_gui.domain.models import Checkpoint, MediaRef, PublishResult, SaveCheckpoint
from autoposter_gui.meta.errors import unexpected_answer
from autoposter_gui.meta.polling import already_published
from autoposter_gui.meta.publisher import MetaPublisher, _caption, _jpeg_file, _normalise, _require_id, _str_field
from autoposter_gui.networks.redact import install_redaction

logger = logging.getLogger(__name__)
install_redaction(__name__)

# Checkpoint keys (delivery_attempts.checkpoint).
FB_PHOTOS = "fb_photo_ids"  # Facebook: the unpublished photos, in the post's order
IG_HOSTED = "ig_hosted"  # Instagram: per image, {"photo_id", "url"} of its hosting photo on the linked Page
IG_CHILDREN = "ig_children"  # Instagram: the carousel's child containers, in order
IG_PARENT = "ig_parent"  # Instagram: the carousel container (also the attempt's container_id)


@contextmanager
def invisible_write() -> Iterator[None]:
    """A write that makes nothing public (an unpublished photo, a container): when its answer is lost, it is safe
    to make again, so its failure is a plain temporary one, never one to reconcile before anything else."""
    try:
        yield
    except PublishError as exc:
        if not exc.ambiguous:
            raise
        raise replace(exc, ambiguous=False) from None


def _ids(checkpoint: Checkpoint, key: str) -> list[Any]:
    value = checkpoint.get(key)
    return list(value) if isinstance(value, list) else []


# ----- Facebook ----------------------------------------------------------------------------------------


def publish_facebook_photos(
    pub: MetaPublisher,
    page_id: str,
    token: str,
    text: str,
    media: Sequence[MediaRef],
    checkpoint: Checkpoint,
    save: SaveCheckpoint,
) -> PublishResult:
    """2-10 photos in one post: each uploaded unpublished (with its alt text), then one ``/feed`` with
    ``attached_media`` that asks for the permalink itself (N + 1 calls)."""
    photo_ids = [str(i) for i in _ids(checkpoint, FB_PHOTOS)][: len(media)]
    for ref in media[len(photo_ids) :]:
        data = {"published": "false", "fields": "id"}
        if ref.alt_text:
            data["alt_text_custom"] = ref.alt_text
        jpeg = pub._jpeg(ref.path, "facebook")
        with invisible_write():
            answer = pub.client.post(f"/{page_id}/photos", token, data=data, files=_jpeg_file(jpeg))
        photo_ids.append(_require_id(answer, "photo id", is_write=False))
        save(FB_PHOTOS, list(photo_ids))
    attached = json.dumps([{"media_fbid": photo_id} for photo_id in photo_ids])
    answer = pub.client.post(
        f"/{page_id}/feed",
        token,
        data={**({"message": text} if text else {}), "attached_media": attached, "fields": "id,permalink_url"},
    )
    post_id = _require_id(answer, "post id", is_write=True)
    permalink = _str_field(answer, "permalink_url") or pub._permalink(post_id, token, "permalink_url")
    return PublishResult(post_id, permalink, {"photo_ids": ",".join(photo_ids)})


def publish_facebook_link(pub: MetaPublisher, page_id: str, token: str, text: str, link: str) -> PublishResult:
    """A link post: the ``link`` parameter on ``/feed`` (1 call; the permalink comes with the answer)."""
    answer = pub.client.post(
        f"/{page_id}/feed", token, data={"message": text, "link": link, "fields": "id,permalink_url"}
    )
    post_id = _require_id(answer, "post id", is_write=True)
    permalink = _str_field(answer, "permalink_url") or pub._permalink(post_id, token, "permalink_url")
    return PublishResult(post_id, permalink, {"link": link})


# ----- Instagram carousel ------------------------------------------------------------------------------


def _host(
    pub: MetaPublisher, page_id: str, token: str, path: str, hosted: list[dict[str, Any]], save: SaveCheckpoint
) -> str:
    """The public URL of one image, from an unpublished photo on the linked Page (its id saved first)."""
    jpeg = pub._jpeg(path, "instagram")
    with invisible_write():
        answer = pub.client.post(
            f"/{page_id}/photos", token, data={"published": "false", "fields": "id,images"}, files=_jpeg_file(jpeg)
        )
    photo_id = _require_id(answer, "photo id", is_write=False)
    url = pub._largest_source(answer.get("images"))
    hosted.append({"photo_id": photo_id, "url": url})
    save(IG_HOSTED, list(hosted))
    if url is None:
        url = pub._largest_source(pub.client.get(f"/{photo_id}", token, params={"fields": "images"}).get("images"))
        if url is None:
            raise unexpected_answer("image URL", is_write=False)
        hosted[-1] = {"photo_id": photo_id, "url": url}
        save(IG_HOSTED, list(hosted))
    return url


def publish_instagram_carousel(
    pub: MetaPublisher,
    ig_user_id: str,
    page_id: str,
    token: str,
    caption: str,
    media: Sequence[MediaRef],
    checkpoint: Checkpoint,
    save: SaveCheckpoint,
    on_container: Callable[[str], None],
) -> PublishResult:
    """2-10 images: per image a public URL and a child container (``is_carousel_item``, ``alt_text``), each
    waited for until FINISHED; then the parent (``media_type=CAROUSEL``), waited for; ``media_publish``; the
    permalink. Children and parent are invisible until the publish, so an interrupted attempt's are reused when
    still usable and made again otherwise."""
    hosted = [h for h in _ids(checkpoint, IG_HOSTED) if isinstance(h, dict)][: len(media)]
    children = [str(c) for c in _ids(checkpoint, IG_CHILDREN)][: len(media)]
    for n, ref in enumerate(media):
        if n < len(children):
            continue
        url = hosted[n].get("url") if n < len(hosted) else None
        if not isinstance(url, str) or not url:
            del hosted[n:]
            url = _host(pub, page_id, token, ref.path, hosted, save)
        data = {"image_url": url, "is_carousel_item": "true"}
        if ref.alt_text:
            data["alt_text"] = ref.alt_text
        with invisible_write():
            answer = pub.client.post(f"/{ig_user_id}/media", token, data=data)
        children.append(_require_id(answer, "container id", is_write=False))
        save(IG_CHILDREN, list(children))
    for child in children:
        try:
            pub.wait_until_finished(child, token)
        except PublishError as exc:
            if exc.category is ErrorCategory.CONTAINER_EXPIRED:  # made too long ago: the next try starts afresh
                save(IG_CHILDREN, [])
                save(IG_HOSTED, [])
            raise
    with invisible_write():
        answer = pub.client.post(
            f"/{ig_user_id}/media",
            token,
            data={"media_type": "CAROUSEL", "children": ",".join(children), **_caption(caption)},
        )
    parent = _require_id(answer, "container id", is_write=False)
    save(IG_PARENT, parent)
    on_container(parent)
    try:
        status = pub.wait_until_finished(parent, token)
    except PublishError as exc:
        if exc.category is ErrorCategory.CONTAINER_EXPIRED:  # its children are as old: the next try starts afresh
            save(IG_CHILDREN, [])
            save(IG_HOSTED, [])
        raise
    if status == "PUBLISHED":  # cannot happen for a new container; never publish one twice
        raise already_published(parent, "post")
    result = pub.publish_container(ig_user_id, parent, token)
    return PublishResult(result.provider_post_id, result.permalink, {**result.extra, "children": ",".join(children)})


# ----- first comments ----------------------------------------------------------------------------------


def post_comment(pub: MetaPublisher, object_id: str, token: str, message: str) -> tuple[str, str | None]:
    """``POST /{post-or-media}/comments`` (1 call); the comment's id and permalink (when Meta gives one)."""
    answer = pub.client.post(f"/{object_id}/comments", token, data={"message": message, "fields": "id,permalink_url"})
    return _require_id(answer, "comment id", is_write=True), _str_field(answer, "permalink_url")


def find_comment(
    pub: MetaPublisher, object_id: str, token: str, message: str, platform: str
) -> tuple[str, str | None] | None:
    """After a crash: the comment on the post with this text, if it is there (read before posting again)."""
    text_field, fields = ("message", "id,message,permalink_url") if platform == "facebook" else ("text", "id,text")
    params: dict[str, str] = {"fields": fields, "limit": "100"}
    wanted = _normalise(message)
    for _page in range(20):
        answer = pub.client.get(f"/{object_id}/comments", token, params=params)
        data = answer.get("data")
        for entry in data if isinstance(data, list) else []:
            if isinstance(entry, Mapping) and _normalise(str(entry.get(text_field) or "")) == wanted:
                comment_id = _str_field(entry, "id")
                if comment_id is not None:
                    return comment_id, _str_field(entry, "permalink_url")
        paging = answer.get("paging")
        cursors = paging.get("cursors") if isinstance(paging, dict) else None
        after = cursors.get("after") if isinstance(cursors, dict) else None
        if not isinstance(paging, dict) or not paging.get("next") or not isinstance(after, str):
            return None
        params = {**params, "after": after}
    return None


def comment_link(post_permalink: str | None, comment_id: str, given: str | None) -> str | None:
    """The comment's own link: Meta's when it gave one, else the post's link pointing at the comment."""
    if given:
        return given
    if not post_permalink:
        return None
    return f"{post_permalink}{'&' if '?' in post_permalink else '?'}comment_id={comment_id}"
