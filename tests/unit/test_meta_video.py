"""VideoPublisher against mocked answers: call order, saved ids before the next call, resumed uploads, waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import responses

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.meta import video as mv
from autoposter_gui.meta.client import GRAPH_VERSION, GraphClient
from autoposter_gui.sandbox.forms import parse_multipart

ORIGIN = "https://graph.test"
BASE = f"{ORIGIN}/{GRAPH_VERSION}"
TOKEN = "EAAGm0PX4ZCpsBAKZBZCvideotoken123456"
PAGE, IG, VID, CID, MEDIA = "111", "178414", "v-42", "c-900", "m-555"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


class Harness:
    def __init__(self, chunk: int = 1000) -> None:
        self.events: list[str] = []
        self.saved: dict[str, Any] = {}
        self.now = NOW
        self.sleeps: list[float] = []
        self.clock = 0.0
        self.client = GraphClient(origin=ORIGIN, sleep=self._sleep, on_request=lambda m, p: self.events.append(p))
        self.publisher = mv.VideoPublisher(
            self.client, monotonic=lambda: self.clock, now=lambda: self.now, chunk_size=chunk
        )

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock += seconds

    def save(self, key: str, value: Any) -> None:
        self.events.append(f"save {key}")
        self.saved[key] = value


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(range(256)) * 10)  # 2560 bytes: 3 chunks of 1000
    return path


def _body_len(call: Any) -> int:
    return len(call.request.body)


@responses.activate
def test_facebook_reel_saves_each_id_before_the_next_call(video: Path) -> None:
    h = Harness()
    upload_url = f"{ORIGIN}/video-upload/v24.0/{VID}"
    responses.post(f"{BASE}/{PAGE}/video_reels", json={"video_id": VID, "upload_url": upload_url})
    responses.post(upload_url, json={"success": True})
    responses.post(f"{BASE}/{PAGE}/video_reels", json={"success": True, "post_id": f"{PAGE}_9"})
    responses.get(f"{BASE}/{VID}", json={"id": VID, "permalink_url": "https://fb.test/reel/42"})
    result = h.publisher.publish_fb_reel(PAGE, TOKEN, "Hello", str(video), {}, h.save)
    assert (result.provider_post_id, result.permalink) == (f"{PAGE}_9", "https://fb.test/reel/42")
    assert h.events[:4] == [f"/{PAGE}/video_reels", "save video_id", "save upload_url", "save upload_offset"]
    assert h.events[4:] == [
        "save file_size",
        "save upload_offset",
        "save upload_offset",
        "save upload_offset",
        "save finish_sent",
        f"/{PAGE}/video_reels",
        f"/{VID}",
    ]
    uploads = [c for c in responses.calls if c.request.url == upload_url]
    assert [c.request.headers["offset"] for c in uploads] == ["0", "1000", "2000"]
    assert [_body_len(c) for c in uploads] == [1000, 1000, 560]
    assert {c.request.headers["file_size"] for c in uploads} == {"2560"}
    assert uploads[0].request.headers["Authorization"] == f"OAuth {TOKEN}"
    assert "access_token" not in (uploads[0].request.url or "")
    finish = responses.calls[-2].request
    assert "video_state=PUBLISHED" in str(finish.body) and "description=Hello" in str(finish.body)
    assert h.saved[mv.UPLOAD_OFFSET] == 2560


@responses.activate
def test_facebook_reel_already_finished_is_not_finished_again(video: Path) -> None:
    h = Harness()
    status = {"publishing_phase": {"status": "complete"}}
    responses.get(f"{BASE}/{VID}", json={"id": VID, "status": status, "permalink_url": "https://fb.test/reel/42"})
    checkpoint = {mv.VIDEO_ID: VID, mv.UPLOAD_URL: "https://rupload.test/x", mv.FINISH_SENT: True}
    result = h.publisher.publish_fb_reel(PAGE, TOKEN, "Hello", str(video), checkpoint, h.save)
    assert result.permalink == "https://fb.test/reel/42" and result.extra["resumed"] == "1"
    assert len(responses.calls) == 1


@responses.activate
def test_facebook_reel_limit_is_a_quota_wait(video: Path) -> None:
    h = Harness()
    error = {"error": {"message": "(#9) Application request limit reached", "code": 9, "type": "OAuthException"}}
    responses.post(f"{BASE}/{PAGE}/video_reels", json=error, status=400)
    with pytest.raises(PublishError) as caught:
        h.publisher.publish_fb_reel(PAGE, TOKEN, "Hello", str(video), {}, h.save)
    assert caught.value.category is ErrorCategory.QUOTA and caught.value.kind is ErrorKind.TEMPORARY
    assert "30 Reels a day" in str(caught.value) and caught.value.retry_after == timedelta(hours=1)


@responses.activate
def test_instagram_reel_resumes_the_upload_at_the_saved_offset(video: Path) -> None:
    h = Harness(chunk=4096)
    url = f"{ORIGIN}/ig-api-upload/{CID}"
    responses.post(url, json={"success": True})
    responses.get(f"{BASE}/{CID}", json={"status_code": "FINISHED", "id": CID})
    responses.post(f"{BASE}/{IG}/media_publish", json={"id": MEDIA})
    responses.get(f"{BASE}/{MEDIA}", json={"permalink": "https://ig.test/p/1", "id": MEDIA})
    checkpoint = {mv.CONTAINER_ID: CID, mv.FILE_SIZE: 2560, mv.UPLOAD_OFFSET: 1500}
    result = h.publisher.publish_ig_reel(IG, TOKEN, "Caption", str(video), checkpoint, h.save)
    assert result.provider_post_id == MEDIA and result.permalink == "https://ig.test/p/1"
    upload = responses.calls[0].request
    assert upload.url == url and upload.headers["offset"] == "1500" and _body_len(responses.calls[0]) == 1060
    assert "save publish_sent" in h.events and h.events.index("save publish_sent") < h.events.index(
        f"/{IG}/media_publish"
    )


@responses.activate
def test_instagram_reel_new_container_uploads_from_zero(video: Path) -> None:
    h = Harness(chunk=4096)
    responses.post(f"{BASE}/{IG}/media", json={"id": CID, "uri": "ignored"})
    responses.post(f"{ORIGIN}/ig-api-upload/{CID}", json={"success": True})
    responses.get(f"{BASE}/{CID}", json={"status_code": "IN_PROGRESS"})
    responses.get(f"{BASE}/{CID}", json={"status_code": "FINISHED"})
    responses.post(f"{BASE}/{IG}/media_publish", json={"id": MEDIA})
    responses.get(f"{BASE}/{MEDIA}", json={"permalink": "https://ig.test/p/1"})
    h.publisher.publish_ig_reel(IG, TOKEN, "", str(video), {}, h.save)
    create = responses.calls[0].request
    assert "media_type=REELS" in str(create.body) and "upload_type=resumable" in str(create.body)
    assert "caption" not in str(create.body)
    assert h.events[:2] == [f"/{IG}/media", "save container_id"]
    assert responses.calls[1].request.headers["offset"] == "0"
    assert h.sleeps == [1.0]
    assert [e for e in h.events if not e.startswith("save")] == [
        f"/{IG}/media",
        f"/{CID}",
        f"/{CID}",
        f"/{IG}/media_publish",
        f"/{MEDIA}",
    ]


@responses.activate
def test_instagram_still_processing_becomes_a_wait(video: Path) -> None:
    h = Harness()
    responses.get(f"{BASE}/{CID}", json={"status_code": "IN_PROGRESS"})
    checkpoint = {mv.CONTAINER_ID: CID, mv.FILE_SIZE: 2560, mv.UPLOAD_OFFSET: 2560}
    with pytest.raises(PublishError) as caught:
        h.publisher.publish_ig_reel(IG, TOKEN, "c", str(video), checkpoint, h.save)
    err = caught.value
    assert err.category is ErrorCategory.MEDIA_NOT_READY and not err.ambiguous
    assert err.extra["wait"] == mv.WAIT_PROCESSING and err.retry_after == timedelta(seconds=30)
    assert sum(h.sleeps) <= mv.POLL_BUDGET and h.saved[mv.PROCESSING_SINCE] == NOW.isoformat()
    # Ten minutes into processing: waits of a few minutes; after an hour: no longer a free wait.
    h.now = NOW + timedelta(minutes=12)
    with pytest.raises(PublishError) as later:
        h.publisher.publish_ig_reel(IG, TOKEN, "c", str(video), {**checkpoint, **h.saved}, h.save)
    assert later.value.retry_after == mv.PROCESSING_WAIT_MAX
    h.now = NOW + timedelta(hours=2)
    with pytest.raises(PublishError) as stale:
        h.publisher.publish_ig_reel(IG, TOKEN, "c", str(video), {**checkpoint, **h.saved}, h.save)
    assert "wait" not in stale.value.extra


@responses.activate
@pytest.mark.parametrize(
    ("status", "kind", "drop"), [("ERROR", ErrorKind.PERMANENT, None), ("EXPIRED", ErrorKind.TEMPORARY, "container_id")]
)
def test_instagram_container_error_and_expiry(video: Path, status: str, kind: ErrorKind, drop: str | None) -> None:
    h = Harness()
    responses.get(f"{BASE}/{CID}", json={"status_code": status})
    checkpoint = {mv.CONTAINER_ID: CID, mv.FILE_SIZE: 2560, mv.UPLOAD_OFFSET: 2560}
    with pytest.raises(PublishError) as caught:
        h.publisher.publish_ig_reel(IG, TOKEN, "c", str(video), checkpoint, h.save)
    assert caught.value.kind is kind and caught.value.extra.get("drop") == drop


@responses.activate
def test_page_video_is_one_streamed_multipart_post(video: Path) -> None:
    h = Harness()
    responses.post(f"{BASE}/{PAGE}/videos", json={"id": VID, "permalink_url": "https://fb.test/v/42"})
    result = h.publisher.publish_fb_video(PAGE, TOKEN, "Tour", str(video), {}, h.save)
    assert result.permalink == "https://fb.test/v/42" and h.events == ["save video_sent", f"/{PAGE}/videos"]
    request = responses.calls[0].request
    body = request.body
    data = body if isinstance(body, bytes) else b"".join(iter(lambda: body.read(700), b""))
    assert len(data) == int(request.headers["Content-Length"])
    form, files = parse_multipart(data, mv.MultipartFile.BOUNDARY)
    assert form == {"description": "Tour", "fields": "id,permalink_url"}
    assert files["source"].data == video.read_bytes() and files["source"].filename == "clip.mp4"
    assert f"access_token={TOKEN}" in (request.url or "")


def test_rupload_origin() -> None:
    assert mv.rupload_origin("https://graph.facebook.com") == "https://rupload.facebook.com"
    assert mv.rupload_origin("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"


def test_file_window_reads_only_its_part(video: Path) -> None:
    with video.open("rb") as fh:
        window = mv.FileWindow(fh, 1000, 300)
        assert len(window) == 300
        data = window.read(200) + window.read(200) + window.read(200)
    assert data == video.read_bytes()[1000:1300]


def test_a_missing_file_is_a_permanent_error(tmp_path: Path) -> None:
    h = Harness()
    with pytest.raises(PublishError) as caught:
        h.publisher.publish_fb_video(PAGE, TOKEN, "x", str(tmp_path / "gone.mp4"), {}, h.save)
    assert caught.value.kind is ErrorKind.PERMANENT and "gone.mp4" in str(caught.value)


@responses.activate
def test_an_upload_url_elsewhere_is_not_sent_the_token(video: Path) -> None:
    h = Harness(chunk=4096)
    own = f"{ORIGIN}/video-upload/{GRAPH_VERSION}/{VID}"
    responses.post(f"{BASE}/{PAGE}/video_reels", json={"video_id": VID, "upload_url": "https://evil.test/up"})
    responses.post(own, json={"success": True})
    responses.post(f"{BASE}/{PAGE}/video_reels", json={"success": True})
    responses.get(f"{BASE}/{VID}", json={"permalink_url": "https://fb.test/reel/42"})
    h.publisher.publish_fb_reel(PAGE, TOKEN, "Hello", str(video), {}, h.save)
    assert h.saved[mv.UPLOAD_URL] == own
    assert all("evil.test" not in (c.request.url or "") for c in responses.calls)
