"""The sandbox's rich-post endpoints: carousel containers, multi-photo posts with alt text, comments."""

from __future__ import annotations

import json

import requests

from autoposter_gui.sandbox import BAKERY_IG_ID, BAKERY_PAGE_ID, SandboxServer
from tests.sandbox.test_sandbox_server import bakery_token, error_of, get, jpeg, post, upload_hosted


def _child(server: SandboxServer, token: str, **extra: str) -> str:
    url = upload_hosted(server, token)
    resp = post(server, f"/{BAKERY_IG_ID}/media", image_url=url, is_carousel_item="true", access_token=token, **extra)
    assert resp.status_code == 200, resp.text
    child: str = resp.json()["id"]
    return child


def test_a_carousel_needs_finished_children_and_publishes_as_one_media(server: SandboxServer) -> None:
    server.configure(container_polls=1)
    token = bakery_token(server)
    children = [_child(server, token, alt_text="Loaf"), _child(server, token)]
    not_ready = post(
        server, f"/{BAKERY_IG_ID}/media", media_type="CAROUSEL", children=",".join(children), access_token=token
    )
    assert not_ready.status_code == 400 and error_of(not_ready)["code"] == 9007
    for child in children:  # one read each: FINISHED at the next
        assert get(server, f"/{child}", fields="status_code", access_token=token).json()["status_code"] == "IN_PROGRESS"
    one = post(server, f"/{BAKERY_IG_ID}/media", media_type="CAROUSEL", children=children[0], access_token=token)
    assert one.status_code == 400 and "2 to 10" in error_of(one)["message"]
    parent = post(
        server,
        f"/{BAKERY_IG_ID}/media",
        media_type="CAROUSEL",
        children=",".join(children),
        caption="Two loaves",
        access_token=token,
    ).json()["id"]
    child_alone = post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=children[0], access_token=token)
    assert child_alone.status_code == 400  # a carousel item is never published on its own
    get(server, f"/{parent}", fields="status_code", access_token=token)
    media = post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=parent, access_token=token).json()["id"]
    state = server.state()
    (published,) = [p for p in state["posts"] if p["id"] == media]
    assert published["text"] == "Two loaves" and len(published["photo_ids"]) == 2
    assert get(server, f"/{media}", fields="media_type", access_token=token).json()["media_type"] == "CAROUSEL_ALBUM"
    statuses = {c["id"]: c["status_code"] for c in state["containers"]}
    assert {statuses[c] for c in [*children, parent]} == {"PUBLISHED"}
    assert [c["alt_text"] for c in state["containers"] if c["id"] in children] == ["Loaf", None]


def test_photos_with_alt_text_then_one_feed_post_and_its_comments(server: SandboxServer) -> None:
    token = bakery_token(server)
    ids = []
    for alt in ("Loaf", "Rolls"):
        resp = post(
            server,
            f"/{BAKERY_PAGE_ID}/photos",
            files={"source": ("i.jpg", jpeg(), "image/jpeg")},
            published="false",
            alt_text_custom=alt,
            access_token=token,
        )
        ids.append(resp.json()["id"])
    feed = post(
        server,
        f"/{BAKERY_PAGE_ID}/feed",
        message="Two photos",
        attached_media=json.dumps([{"media_fbid": i} for i in ids]),
        fields="id,permalink_url",
        access_token=token,
    ).json()
    assert feed["permalink_url"]
    comment = post(server, f"/{feed['id']}/comments", message="First!", fields="id,permalink_url", access_token=token)
    assert comment.status_code == 200 and comment.json()["permalink_url"].endswith(f"comment_id={comment.json()['id']}")
    listed = get(server, f"/{feed['id']}/comments", fields="id,message", access_token=token).json()["data"]
    assert listed == [{"id": comment.json()["id"], "message": "First!"}]
    page = requests.get(feed["permalink_url"], timeout=5).text
    assert 'alt="Loaf"' in page and 'alt="Rolls"' in page and "First!" in page
    server.inject_fault(kind="error", match="comments_post", code=2, is_transient=True)
    failed = post(server, f"/{feed['id']}/comments", message="Again", access_token=token)
    assert failed.status_code >= 400 and len(server.state()["comments"]) == 1
