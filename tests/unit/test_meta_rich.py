"""meta/rich.py against mocked Graph answers: every created id saved before the next call, checkpoints reused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses
from PIL import Image

from autoposter_gui.domain.errors import ErrorCategory, PublishError
from autoposter_gui.domain.models import MediaRef
from autoposter_gui.meta import rich
from autoposter_gui.meta.client import GRAPH_VERSION, GraphClient
from autoposter_gui.meta.publisher import MetaPublisher

ORIGIN = "https://graph.test"
BASE = f"{ORIGIN}/{GRAPH_VERSION}"
TOKEN = "EAAGm0PX4ZCpsBAKZBZCpagetoken987654321"
PAGE, IG = "111", "178414"


class Recorder:
    """The publisher's calls and saves, in one timeline."""

    def __init__(self) -> None:
        self.timeline: list[str] = []
        self.saved: dict[str, Any] = {}
        client = GraphClient(origin=ORIGIN, sleep=lambda _s: None, on_request=self._request)
        self.publisher = MetaPublisher(client, monotonic=lambda: 0.0)

    def _request(self, method: str, path: str) -> None:
        self.timeline.append(f"{method} {path}")

    def save(self, key: str, value: Any) -> None:
        self.saved[key] = value
        self.timeline.append(f"save {key}")


def _images(tmp_path: Path, n: int) -> list[MediaRef]:
    refs = []
    for k in range(n):
        path = tmp_path / f"{k}.png"
        Image.new("RGB", (600, 600), (k * 40, 10, 10)).save(path)
        refs.append(MediaRef(str(path), alt_text=f"alt {k}"))
    return refs


@responses.activate
def test_facebook_photos_are_saved_one_by_one_before_the_post(tmp_path: Path) -> None:
    r = Recorder()
    ids = iter(["p1", "p2", "p3"])
    responses.add_callback(
        responses.POST, f"{BASE}/{PAGE}/photos", callback=lambda _req: (200, {}, json.dumps({"id": next(ids)}))
    )
    responses.post(f"{BASE}/{PAGE}/feed", json={"id": f"{PAGE}_9", "permalink_url": "https://fb/9"})
    result = rich.publish_facebook_photos(r.publisher, PAGE, TOKEN, "Hi", _images(tmp_path, 3), {}, r.save)
    assert result.provider_post_id == f"{PAGE}_9" and result.permalink == "https://fb/9"
    photos, feed = f"POST /{PAGE}/photos", f"POST /{PAGE}/feed"
    assert r.timeline == [photos, "save fb_photo_ids"] * 3 + [feed]
    bodies = [c.request.body for c in responses.calls]
    assert all(b"published" in b and b"alt_text_custom" in b for b in bodies[:3])
    sent = {k: v[0] for k, v in parse_qs(str(responses.calls[3].request.body)).items()}
    assert "permalink_url" in sent["fields"]
    assert json.loads(sent["attached_media"]) == [
        {"media_fbid": "p1"},
        {"media_fbid": "p2"},
        {"media_fbid": "p3"},
    ]


@responses.activate
def test_facebook_photos_already_committed_are_not_uploaded_again(tmp_path: Path) -> None:
    r = Recorder()
    responses.post(f"{BASE}/{PAGE}/photos", json={"id": "p3"})
    responses.post(f"{BASE}/{PAGE}/feed", json={"id": f"{PAGE}_9", "permalink_url": "https://fb/9"})
    checkpoint = {rich.FB_PHOTOS: ["p1", "p2"]}
    rich.publish_facebook_photos(r.publisher, PAGE, TOKEN, "Hi", _images(tmp_path, 3), checkpoint, r.save)
    assert len([e for e in r.timeline if e.endswith("/photos")]) == 1
    assert r.saved[rich.FB_PHOTOS] == ["p1", "p2", "p3"]


@responses.activate
def test_a_carousel_saves_children_then_parent_before_publishing(tmp_path: Path) -> None:
    r = Recorder()
    photos = iter(["h1", "h2"])
    responses.add_callback(
        responses.POST,
        f"{BASE}/{PAGE}/photos",
        callback=lambda _req: (200, {}, json.dumps({"id": next(photos), "images": [{"source": "https://cdn/x.jpg"}]})),
    )
    containers = iter(["c1", "c2", "parent"])
    responses.add_callback(
        responses.POST, f"{BASE}/{IG}/media", callback=lambda _req: (200, {}, json.dumps({"id": next(containers)}))
    )
    for cid in ("c1", "c2", "parent"):
        responses.get(f"{BASE}/{cid}", json={"status_code": "FINISHED"})
    responses.post(f"{BASE}/{IG}/media_publish", json={"id": "m1"})
    responses.get(f"{BASE}/m1", json={"permalink": "https://ig/p/1"})
    seen: list[str] = []
    result = rich.publish_instagram_carousel(
        r.publisher, IG, PAGE, TOKEN, "Cap", _images(tmp_path, 2), {}, r.save, seen.append
    )
    assert result.provider_post_id == "m1" and seen == ["parent"]
    assert r.saved[rich.IG_CHILDREN] == ["c1", "c2"] and r.saved[rich.IG_PARENT] == "parent"
    publish = r.timeline.index(f"POST /{IG}/media_publish")
    assert r.timeline.index("save ig_parent") < publish
    # Each id is saved right after the call that made it.
    for n, event in enumerate(r.timeline):
        if event.endswith(f"/{IG}/media"):
            assert r.timeline[n + 1] in ("save ig_children", "save ig_parent")
    made = [parse_qs(str(c.request.body)) for c in responses.calls if c.request.url.endswith(f"/{IG}/media")]
    assert made[0]["is_carousel_item"] == ["true"] and made[0]["alt_text"] == ["alt 0"]
    assert made[2]["media_type"] == ["CAROUSEL"] and made[2]["children"] == ["c1,c2"]


@responses.activate
def test_an_expired_child_empties_the_checkpoint_so_the_next_try_starts_afresh(tmp_path: Path) -> None:
    r = Recorder()
    responses.get(f"{BASE}/c1", json={"status_code": "EXPIRED"})
    checkpoint = {rich.IG_CHILDREN: ["c1", "c2"], rich.IG_HOSTED: [{"photo_id": "h1", "url": "u"}]}
    with pytest.raises(PublishError) as caught:
        rich.publish_instagram_carousel(
            r.publisher, IG, PAGE, TOKEN, "Cap", _images(tmp_path, 2), checkpoint, r.save, lambda _c: None
        )
    assert caught.value.category is ErrorCategory.CONTAINER_EXPIRED
    assert r.saved == {rich.IG_CHILDREN: [], rich.IG_HOSTED: []}
    assert not any(e.startswith("POST") for e in r.timeline)  # nothing made: the reused children were checked


@responses.activate
def test_a_lost_answer_to_an_invisible_upload_is_a_plain_retry_not_one_to_reconcile(tmp_path: Path) -> None:
    import requests

    r = Recorder()
    responses.post(f"{BASE}/{PAGE}/photos", body=requests.ConnectionError("reset"))
    with pytest.raises(PublishError) as caught:
        rich.publish_facebook_photos(r.publisher, PAGE, TOKEN, "Hi", _images(tmp_path, 2), {}, r.save)
    assert not caught.value.ambiguous and caught.value.is_temporary


def test_a_comment_link_points_at_the_comment() -> None:
    assert rich.comment_link("https://fb/p/1", "7", None) == "https://fb/p/1?comment_id=7"
    assert rich.comment_link("https://fb/p?x=1", "7", None) == "https://fb/p?x=1&comment_id=7"
    assert rich.comment_link(None, "7", "https://given") == "https://given"
    assert rich.comment_link(None, "7", None) is None
