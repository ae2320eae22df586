"""MetaPublisher against mocked Graph answers: call counts, payloads, polling and reconciliation."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from PIL import Image

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.meta.client import GRAPH_VERSION, GraphClient
from autoposter_gui.meta.publisher import MetaPublisher

ORIGIN = "https://graph.test"
BASE = f"{ORIGIN}/{GRAPH_VERSION}"
TOKEN = "EAAGm0PX4ZCpsBAKZBZCpagetoken987654321"
PAGE = "111"
IG = "178414"
CID = "c-900"
MEDIA = "m-555"


class Harness:
    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.events: list[str] = []
        self.client = GraphClient(origin=ORIGIN, sleep=self.sleeps.append, on_request=self._on_request)
        self.publisher = MetaPublisher(self.client, monotonic=lambda: 0.0)

    def _on_request(self, method: str, path: str) -> None:
        self.events.append(f"{method} {path}")


@pytest.fixture
def h() -> Harness:
    return Harness()


def make_image(tmp_path: Path, size: tuple[int, int] = (800, 800), mode: str = "RGB", fmt: str = "PNG") -> str:
    path = tmp_path / f"img_{size[0]}x{size[1]}_{mode}.{fmt.lower()}"
    color: Any = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)
    Image.new(mode, size, color).save(path, format=fmt)
    return str(path)


def form(call: Any) -> dict[str, str]:
    body = call.request.body
    parsed = parse_qs(body if isinstance(body, str) else body.decode())
    return {k: v[0] for k, v in parsed.items()}


def query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def multipart(call: Any) -> dict[str, bytes]:
    """Split a multipart body into {field name: raw content}."""
    content_type = call.request.headers["Content-Type"]
    boundary = content_type.split("boundary=")[1].encode()
    parts: dict[str, bytes] = {}
    for chunk in call.request.body.split(b"--" + boundary):
        if b"\r\n\r\n" not in chunk:
            continue
        head, _, content = chunk.partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        parts[name] = content[:-2] if content.endswith(b"\r\n") else content
    return parts


def upload_size(call: Any) -> tuple[int, int]:
    source = multipart(call)["source"]
    assert source.startswith(b"\xff\xd8")  # JPEG
    with Image.open(io.BytesIO(source)) as img:
        assert img.format == "JPEG"
        return img.size


IMAGES = [
    {"height": 130, "width": 130, "source": "https://cdn.test/s130.jpg"},
    {"height": 800, "width": 800, "source": "https://cdn.test/full.jpg"},
    {"height": 480, "width": 480, "source": "https://cdn.test/s480.jpg"},
]


# ----- Facebook -----------------------------------------------------------------------------------------


@responses.activate
def test_fb_text_is_one_call_with_permalink(h: Harness) -> None:
    responses.post(f"{BASE}/{PAGE}/feed", json={"id": f"{PAGE}_42", "permalink_url": "https://fb.test/p/42"})
    result = h.publisher.publish_facebook(PAGE, TOKEN, "Hello world", None)
    assert len(responses.calls) == 1
    assert h.events == [f"POST /{PAGE}/feed"]
    sent = form(responses.calls[0])
    assert sent["message"] == "Hello world"
    assert sent["fields"] == "id,permalink_url"
    assert sent["access_token"] == TOKEN
    assert (result.provider_post_id, result.permalink) == (f"{PAGE}_42", "https://fb.test/p/42")


@responses.activate
def test_fb_text_fetches_permalink_once_when_missing(h: Harness) -> None:
    responses.post(f"{BASE}/{PAGE}/feed", json={"id": f"{PAGE}_42"})
    responses.get(f"{BASE}/{PAGE}_42", json={"id": f"{PAGE}_42", "permalink_url": "https://fb.test/p/42"})
    result = h.publisher.publish_facebook(PAGE, TOKEN, "Hello", None)
    assert h.events == [f"POST /{PAGE}/feed", f"GET /{PAGE}_42"]
    assert query(responses.calls[1])["fields"] == "permalink_url"
    assert result.permalink == "https://fb.test/p/42"


@responses.activate
def test_fb_permalink_failure_does_not_fail_the_post(h: Harness) -> None:
    responses.post(f"{BASE}/{PAGE}/feed", json={"id": f"{PAGE}_42"})
    responses.get(f"{BASE}/{PAGE}_42", status=500, body="<html>oops</html>")
    result = h.publisher.publish_facebook(PAGE, TOKEN, "Hello", None)
    assert (result.provider_post_id, result.permalink) == (f"{PAGE}_42", None)
    assert len(responses.calls) == 2


@responses.activate
def test_fb_answer_without_id_is_ambiguous(h: Harness) -> None:
    responses.post(f"{BASE}/{PAGE}/feed", json={"success": True})
    with pytest.raises(PublishError) as info:
        h.publisher.publish_facebook(PAGE, TOKEN, "Hello", None)
    assert info.value.ambiguous is True and info.value.kind is ErrorKind.TEMPORARY


@responses.activate
def test_fb_photo_is_one_multipart_call(h: Harness, tmp_path: Path) -> None:
    image = make_image(tmp_path, (600, 400), mode="RGBA", fmt="PNG")
    responses.post(
        f"{BASE}/{PAGE}/photos",
        json={"id": "photo-7", "post_id": f"{PAGE}_77", "permalink_url": "https://fb.test/p/77"},
    )
    result = h.publisher.publish_facebook(PAGE, TOKEN, "Look at this", image)
    assert len(responses.calls) == 1
    call = responses.calls[0]
    assert call.request.headers["Content-Type"].startswith("multipart/form-data")
    body = call.request.body
    assert isinstance(body, bytes)
    assert b'filename="image.jpg"' in body
    parts = multipart(call)
    assert parts["caption"] == b"Look at this"
    assert parts["published"] == b"true"
    assert parts["fields"] == b"id,post_id,permalink_url"
    assert parts["access_token"] == TOKEN.encode()
    assert upload_size(call) == (600, 400)  # PNG with alpha became a JPEG
    assert result.provider_post_id == f"{PAGE}_77"
    assert result.permalink == "https://fb.test/p/77"
    assert result.extra == {"photo_id": "photo-7"}


@responses.activate
def test_fb_photo_without_post_id_falls_back_to_photo_id(h: Harness, tmp_path: Path) -> None:
    responses.post(f"{BASE}/{PAGE}/photos", json={"id": "photo-7"})
    responses.get(f"{BASE}/photo-7", json={"permalink_url": "https://fb.test/photo/7"})
    result = h.publisher.publish_facebook(PAGE, TOKEN, "x", make_image(tmp_path))
    assert result.provider_post_id == "photo-7"
    assert result.permalink == "https://fb.test/photo/7"
    assert h.events == [f"POST /{PAGE}/photos", "GET /photo-7"]


def test_missing_or_broken_image_fails_permanently_without_http(h: Harness, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image at all")
    for path in (str(tmp_path / "gone.jpg"), str(broken)):
        with pytest.raises(PublishError) as info:
            h.publisher.publish_facebook(PAGE, TOKEN, "x", path)
        assert (info.value.kind, info.value.category) == (ErrorKind.PERMANENT, ErrorCategory.MEDIA_INVALID)
        assert "image" in info.value.user_message.lower()
    assert h.events == []


# ----- Instagram ----------------------------------------------------------------------------------------


def add_ig_flow(
    events: list[str],
    statuses: list[str],
    *,
    images: bool = True,
    permalink: bool = True,
) -> None:
    host_answer: dict[str, Any] = {"id": "photo-1"}
    if images:
        host_answer["images"] = IMAGES
    responses.post(f"{BASE}/{PAGE}/photos", json=host_answer)
    if not images:
        responses.get(f"{BASE}/photo-1", json={"id": "photo-1", "images": IMAGES})
    responses.post(f"{BASE}/{IG}/media", json={"id": CID})
    for status in statuses:
        responses.get(f"{BASE}/{CID}", json={"id": CID, "status_code": status})

    def publish(_request: Any) -> tuple[int, dict[str, str], str]:
        events.append("media_publish")
        return 200, {}, json.dumps({"id": MEDIA})

    responses.add_callback(responses.POST, f"{BASE}/{IG}/media_publish", callback=publish)
    responses.get(f"{BASE}/{MEDIA}", json={"id": MEDIA, "permalink": "https://ig.test/p/abc"} if permalink else {})


@responses.activate
def test_ig_flow_is_exactly_five_calls(h: Harness, tmp_path: Path) -> None:
    order: list[str] = []
    add_ig_flow(order, ["FINISHED"])
    image = make_image(tmp_path, (2000, 1600))
    result = h.publisher.publish_instagram(IG, PAGE, TOKEN, "My caption #tag", image, lambda cid: order.append(cid))

    assert h.events == [
        f"POST /{PAGE}/photos",
        f"POST /{IG}/media",
        f"GET /{CID}",
        f"POST /{IG}/media_publish",
        f"GET /{MEDIA}",
    ]
    assert len(responses.calls) == 5
    assert order == [CID, "media_publish"]  # the intent is recorded before publishing
    host = responses.calls[0]
    parts = multipart(host)
    assert parts["published"] == b"false"
    assert parts["fields"] == b"id,images"
    assert upload_size(host) == (1440, 1152)  # downscaled to the IG maximum width
    container = form(responses.calls[1])
    assert container["image_url"] == "https://cdn.test/full.jpg"  # the largest rendition
    assert container["caption"] == "My caption #tag"
    assert query(responses.calls[2])["fields"] == "status_code"
    assert form(responses.calls[3])["creation_id"] == CID
    assert query(responses.calls[4])["fields"] == "permalink"
    assert result.provider_post_id == MEDIA
    assert result.permalink == "https://ig.test/p/abc"
    assert result.extra == {"container_id": CID, "media_id": MEDIA}
    assert h.sleeps == []


@responses.activate
def test_host_image_reads_images_when_upload_answer_lacks_them(h: Harness, tmp_path: Path) -> None:
    add_ig_flow([], ["FINISHED"], images=False)
    url = h.publisher.host_image(PAGE, TOKEN, make_image(tmp_path))
    assert url == "https://cdn.test/full.jpg"
    assert h.events == [f"POST /{PAGE}/photos", "GET /photo-1"]
    assert query(responses.calls[1])["fields"] == "images"


@responses.activate
def test_host_image_without_any_url_is_an_error(h: Harness, tmp_path: Path) -> None:
    responses.post(f"{BASE}/{PAGE}/photos", json={"id": "photo-1", "images": [{"width": 10, "height": 10}]})
    with pytest.raises(PublishError) as info:
        h.publisher.host_image(PAGE, TOKEN, make_image(tmp_path))
    assert info.value.kind is ErrorKind.TEMPORARY


@responses.activate
def test_polling_until_finished_with_increasing_sleeps(h: Harness, tmp_path: Path) -> None:
    order: list[str] = []
    add_ig_flow(order, ["IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "FINISHED"])
    sleeps_at_first_poll: list[float] = []

    def first_poll_probe(method: str, path: str) -> None:
        h.events.append(f"{method} {path}")
        if path == f"/{CID}" and not sleeps_at_first_poll:
            sleeps_at_first_poll.append(len(h.sleeps))

    h.client.on_request = first_poll_probe
    result = h.publisher.publish_instagram(IG, PAGE, TOKEN, "c", make_image(tmp_path), order.append)
    assert sleeps_at_first_poll == [0]  # the first status read is immediate
    assert h.events.count(f"GET /{CID}") == 4
    assert h.sleeps == [1.0, 2.0, 3.0]
    assert len(h.events) == 8
    assert result.provider_post_id == MEDIA


@responses.activate
@pytest.mark.parametrize(
    ("status", "kind", "category"),
    [
        ("ERROR", ErrorKind.PERMANENT, ErrorCategory.MEDIA_INVALID),
        ("EXPIRED", ErrorKind.TEMPORARY, ErrorCategory.CONTAINER_EXPIRED),
    ],
)
def test_error_and_expired_containers_never_publish(
    h: Harness, tmp_path: Path, status: str, kind: ErrorKind, category: ErrorCategory
) -> None:
    order: list[str] = []
    add_ig_flow(order, ["IN_PROGRESS", status])
    with pytest.raises(PublishError) as info:
        h.publisher.publish_instagram(IG, PAGE, TOKEN, "c", make_image(tmp_path), order.append)
    assert (info.value.kind, info.value.category) == (kind, category)
    assert info.value.extra["container_id"] == CID
    assert order == [CID]
    assert f"POST /{IG}/media_publish" not in h.events


@responses.activate
def test_already_published_container_is_not_published_again(h: Harness, tmp_path: Path) -> None:
    order: list[str] = []
    add_ig_flow(order, ["PUBLISHED"])
    with pytest.raises(PublishError) as info:
        h.publisher.publish_instagram(IG, PAGE, TOKEN, "c", make_image(tmp_path), order.append)
    assert info.value.ambiguous is True
    assert info.value.extra["reason"] == "already_published"
    assert "media_publish" not in order
    assert h.publisher.wait_until_finished(CID, TOKEN) == "PUBLISHED"


@responses.activate
def test_wait_times_out_with_bounded_total_sleep(h: Harness) -> None:
    responses.get(f"{BASE}/{CID}", json={"status_code": "IN_PROGRESS"})
    with pytest.raises(PublishError) as info:
        h.publisher.wait_until_finished(CID, TOKEN, max_wait=20.0)
    assert (info.value.kind, info.value.category) == (ErrorKind.TEMPORARY, ErrorCategory.MEDIA_NOT_READY)
    assert sum(h.sleeps) == pytest.approx(20.0)
    assert h.sleeps[:4] == [1.0, 2.0, 3.0, 5.0]
    assert max(h.sleeps) <= 5.0
    assert len(responses.calls) == len(h.sleeps) + 1


@responses.activate
def test_wait_also_bounded_by_wall_clock(h: Harness) -> None:
    responses.get(f"{BASE}/{CID}", json={"status_code": "IN_PROGRESS"})
    ticks = iter([0.0, 100.0])  # the first read itself took 100 s
    h.publisher = MetaPublisher(h.client, monotonic=lambda: next(ticks))
    with pytest.raises(PublishError):
        h.publisher.wait_until_finished(CID, TOKEN, max_wait=60.0)
    assert len(responses.calls) == 1 and h.sleeps == []


@responses.activate
def test_publish_container_keeps_media_id_when_permalink_fails(h: Harness) -> None:
    responses.post(f"{BASE}/{IG}/media_publish", json={"id": MEDIA})
    responses.get(f"{BASE}/{MEDIA}", status=400, json={"error": {"message": "x", "code": 4}})
    result = h.publisher.publish_container(IG, CID, TOKEN)
    assert (result.provider_post_id, result.permalink) == (MEDIA, None)
    assert result.extra == {"container_id": CID, "media_id": MEDIA}


@responses.activate
def test_not_ready_on_publish_is_temporary(h: Harness) -> None:
    responses.post(
        f"{BASE}/{IG}/media_publish",
        status=400,
        json={"error": {"message": "Media ID is not available", "code": 9007, "error_subcode": 2207027}},
    )
    with pytest.raises(PublishError) as info:
        h.publisher.publish_container(IG, CID, TOKEN)
    assert info.value.category is ErrorCategory.MEDIA_NOT_READY and info.value.is_temporary


# ----- reconciliation -----------------------------------------------------------------------------------

SINCE = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def ts(minutes: float) -> str:
    return (SINCE + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S+0000")


FEED = [  # newest first, as Meta answers
    {"id": "p6", "message": "Sale today!", "created_time": ts(30), "permalink_url": "https://fb.test/p6"},
    {"id": "p5", "message": "Something else", "created_time": ts(20), "permalink_url": "https://fb.test/p5"},
    {"id": "p4", "message": "  Sale today!\n", "created_time": ts(10), "permalink_url": "https://fb.test/p4"},
    {"id": "p3", "message": "Sale today!", "created_time": ts(-1), "permalink_url": "https://fb.test/p3"},
    {"id": "p2", "created_time": ts(-1.5)},  # a post without a message
    {"id": "p1", "message": "Sale today!", "created_time": ts(-5), "permalink_url": "https://fb.test/p1"},
]


NOW = SINCE + timedelta(minutes=40)  # when the check runs, on this machine's clock


def meta_date(offset: timedelta = timedelta(0)) -> dict[str, str]:
    """The Date header Meta sends when its clock is ``offset`` ahead of ours."""
    return {"Date": format_datetime(NOW + offset, usegmt=True)}


@pytest.fixture
def hc(h: Harness) -> Harness:
    h.client.now = lambda: NOW
    return h


@pytest.mark.parametrize(
    ("exclude", "expected"),
    [
        ((), "p3"),  # oldest match inside the 2-minute slack; p1 is too old
        (("p3",), "p4"),  # whitespace-insensitive
        (("p3", "p4"), "p6"),
        (("p3", "p4", "p6"), None),
    ],
)
@responses.activate
def test_find_facebook_post(hc: Harness, exclude: tuple[str, ...], expected: str | None) -> None:
    responses.get(f"{BASE}/{PAGE}/feed", json={"data": FEED, "paging": {}}, headers=meta_date())
    found = hc.publisher.find_facebook_post(PAGE, TOKEN, "Sale today!", SINCE, set(exclude))
    assert len(responses.calls) == 1
    params = query(responses.calls[0])
    assert params["fields"] == "id,message,created_time,permalink_url"
    # Meta is asked for a wide range (any clock error); the window itself is applied on our side.
    assert params["since"] == str(int((SINCE - timedelta(hours=26)).timestamp()))
    assert params["limit"] == "100"
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert found.provider_post_id == expected
        assert found.permalink == f"https://fb.test/{expected}"


def shifted(feed: list[dict[str, str]], by: timedelta) -> list[dict[str, str]]:
    out = []
    for post in feed:
        moved = dict(post)
        created = datetime.strptime(post["created_time"], "%Y-%m-%dT%H:%M:%S%z") + by
        moved["created_time"] = created.strftime("%Y-%m-%dT%H:%M:%S+0000")
        out.append(moved)
    return out


@pytest.mark.parametrize("skew", [timedelta(hours=-2), timedelta(hours=2), timedelta(minutes=-61)])
@responses.activate
def test_find_facebook_post_allows_for_metas_clock(hc: Harness, skew: timedelta) -> None:
    """Meta's clock off by hours: the window moves with the offset measured from its Date header, so the post is
    found (Meta behind) and an older one is not taken (Meta ahead)."""
    responses.get(f"{BASE}/{PAGE}/feed", json={"data": shifted(FEED, skew)}, headers=meta_date(skew))
    found = hc.publisher.find_facebook_post(PAGE, TOKEN, "Sale today!", SINCE, ())
    assert found is not None and found.provider_post_id == "p3"
    assert hc.client.clock_offset == skew


@responses.activate
def test_find_facebook_post_ignores_an_older_manual_post(hc: Harness) -> None:
    """The owner posted the same words by hand a day before the try: never taken for ours."""
    manual = {"id": "manual", "message": "Sale today!", "created_time": ts(-24 * 60)}
    responses.get(f"{BASE}/{PAGE}/feed", json={"data": [manual]}, headers=meta_date())
    assert hc.publisher.find_facebook_post(PAGE, TOKEN, "Sale today!", SINCE, ()) is None


@responses.activate
def test_find_facebook_post_without_a_date_header_looks_back_an_hour(hc: Harness) -> None:
    responses.get(f"{BASE}/{PAGE}/feed", json={"data": FEED})
    found = hc.publisher.find_facebook_post(PAGE, TOKEN, "Sale today!", SINCE.replace(tzinfo=None), ())
    assert found is not None and found.provider_post_id == "p1"  # 5 min before: inside the unmeasured hour


@responses.activate
def test_find_facebook_post_pages_until_past_the_window(hc: Harness) -> None:
    newer = [{"id": f"n{i}", "message": "other", "created_time": ts(30 - i * 0.1)} for i in range(3)]
    pages = [
        {"data": newer, "paging": {"cursors": {"after": "c1"}, "next": f"{BASE}/{PAGE}/feed?after=c1"}},
        {"data": FEED[2:4], "paging": {"cursors": {"after": "c2"}, "next": f"{BASE}/{PAGE}/feed?after=c2"}},
        {"data": FEED[4:], "paging": {"cursors": {"after": "c3"}, "next": f"{BASE}/{PAGE}/feed?after=c3"}},
        {"data": [], "paging": {}},
    ]
    for page in pages:
        responses.get(f"{BASE}/{PAGE}/feed", json=page, headers=meta_date())
    found = hc.publisher.find_facebook_post(PAGE, TOKEN, "Sale today!", SINCE, ())
    assert found is not None and found.provider_post_id == "p3"
    afters = [query(call).get("after") for call in responses.calls]
    assert afters == [None, "c1", "c2"]  # the third page reaches past the window: no fourth request


@responses.activate
def test_find_matches_normalised_text(hc: Harness) -> None:
    composed, decomposed = "Caf\u00e9 opens at 7  \r\nSee you", "Cafe\u0301 opens at 7\nSee you "
    post = {"id": "p", "message": decomposed, "created_time": ts(1)}
    responses.get(f"{BASE}/{PAGE}/feed", json={"data": [post]}, headers=meta_date())
    found = hc.publisher.find_facebook_post(PAGE, TOKEN, composed, SINCE, ())
    assert found is not None and found.provider_post_id == "p"


MEDIA_LIST = [
    {"id": "m3", "caption": "New menu", "timestamp": ts(15), "permalink": "https://ig.test/m3"},
    {"id": "m2", "caption": "New menu", "timestamp": ts(5), "permalink": "https://ig.test/m2"},
    {"id": "m1", "caption": "New menu", "timestamp": ts(-60), "permalink": "https://ig.test/m1"},
    {"id": "m0", "timestamp": ts(6)},
]


@pytest.mark.parametrize(("exclude", "expected"), [((), "m2"), (("m2",), "m3"), (("m2", "m3"), None)])
@responses.activate
def test_find_instagram_media(hc: Harness, exclude: tuple[str, ...], expected: str | None) -> None:
    responses.get(f"{BASE}/{IG}/media", json={"data": MEDIA_LIST}, headers=meta_date())
    found = hc.publisher.find_instagram_media(IG, TOKEN, "New menu\r\n", SINCE, list(exclude))
    assert query(responses.calls[0])["fields"] == "id,caption,timestamp,permalink"
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert found.provider_post_id == expected
        assert found.permalink == f"https://ig.test/{expected}"
        assert found.extra["media_id"] == expected


# ----- quota --------------------------------------------------------------------------------------------


@responses.activate
def test_publishing_quota(h: Harness) -> None:
    responses.get(
        f"{BASE}/{IG}/content_publishing_limit",
        json={"data": [{"quota_usage": 7, "config": {"quota_total": 50, "quota_duration": 86400}}]},
    )
    assert h.publisher.publishing_quota(IG, TOKEN) == (7, 50)
    assert query(responses.calls[0])["fields"] == "quota_usage,config"


@responses.activate
@pytest.mark.parametrize("answer", [{"data": []}, {"data": [{"quota_usage": 1}]}, {}])
def test_publishing_quota_malformed(h: Harness, answer: dict[str, Any]) -> None:
    responses.get(f"{BASE}/{IG}/content_publishing_limit", json=answer)
    with pytest.raises(PublishError):
        h.publisher.publishing_quota(IG, TOKEN)


# ----- photos without a caption -------------------------------------------------------------------------


@responses.activate
def test_captionless_photo_and_container_send_no_caption(h: Harness, tmp_path: Path) -> None:
    image = make_image(tmp_path, (600, 600))
    responses.post(f"{BASE}/{PAGE}/photos", json={"id": "photo-8", "post_id": f"{PAGE}_88", "permalink_url": "u"})
    h.publisher.publish_facebook(PAGE, TOKEN, "", image)
    assert "caption" not in multipart(responses.calls[0]) and "published" in multipart(responses.calls[0])
    responses.post(f"{BASE}/{IG}/media", json={"id": CID})
    h.publisher.create_container(IG, TOKEN, "https://cdn.test/full.jpg", "")
    container = form(responses.calls[1])
    assert container["image_url"] == "https://cdn.test/full.jpg" and "caption" not in container


CAPTIONLESS_FEED = [  # newest first; Meta leaves "message" out when a post has none
    {"id": "q4", "created_time": ts(12), "permalink_url": "https://fb.test/q4"},
    {"id": "q3", "message": "Sale today!", "created_time": ts(8)},
    {"id": "q2", "created_time": ts(4), "permalink_url": "https://fb.test/q2"},
    {"id": "q1", "message": "", "created_time": ts(-1)},  # inside the slack, an empty message given as ""
    {"id": "q0", "created_time": ts(-30)},  # before the attempt: never ours
]


@pytest.mark.parametrize(
    ("exclude", "expected"),
    [((), "q1"), (("q1",), "q2"), (("q1", "q2"), "q4"), (("q1", "q2", "q4"), None)],
)
@responses.activate
def test_an_empty_caption_matches_only_captionless_posts_in_the_window_not_owned(
    hc: Harness, exclude: tuple[str, ...], expected: str | None
) -> None:
    responses.get(f"{BASE}/{PAGE}/feed", json={"data": CAPTIONLESS_FEED}, headers=meta_date())
    found = hc.publisher.find_facebook_post(PAGE, TOKEN, "", SINCE, set(exclude))
    assert (found.provider_post_id if found else None) == expected  # never q3 (it has text), never q0 (too old)


@responses.activate
def test_a_caption_never_matches_a_captionless_media(hc: Harness) -> None:
    responses.get(f"{BASE}/{IG}/media", json={"data": MEDIA_LIST}, headers=meta_date())
    found = hc.publisher.find_instagram_media(IG, TOKEN, "", SINCE, ())
    assert found is not None and found.provider_post_id == "m0"
    assert hc.publisher.find_instagram_media(IG, TOKEN, "New menu", SINCE, ("m2", "m3")) is None  # not m0
