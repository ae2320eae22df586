"""The sandbox's video endpoints over real HTTP: Facebook Reels and Page videos, Instagram Reels, byte uploads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import requests

from autoposter_gui.sandbox import BAKERY_IG_ID, BAKERY_PAGE_ID, SandboxServer
from autoposter_gui.sandbox.forms import parse_multipart
from autoposter_gui.sandbox.uploads import spool_multipart

V = "/v24.0"
DATA = bytes(range(256)) * 4000  # ~1 MB of bytes the sandbox must keep exactly


def _token(srv: SandboxServer) -> str:
    return srv.page_token(BAKERY_PAGE_ID)


def _post(srv: SandboxServer, path: str, **data: Any) -> requests.Response:
    return requests.post(srv.url + V + path, data={"access_token": _token(srv), **data}, timeout=5)


def _get(srv: SandboxServer, path: str, **params: Any) -> dict[str, Any]:
    resp = requests.get(srv.url + V + path, params={"access_token": _token(srv), **params}, timeout=5)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _upload(srv: SandboxServer, url: str, data: bytes, offset: int = 0, size: int | None = None) -> requests.Response:
    headers = {
        "Authorization": f"OAuth {_token(srv)}",
        "offset": str(offset),
        "file_size": str(len(DATA) if size is None else size),
    }
    return requests.post(url, data=io.BytesIO(data), headers=headers, timeout=5)


def _stored(srv: SandboxServer, video_id: str) -> bytes:
    return srv._store.video_bytes(video_id)


def _start_reel(srv: SandboxServer) -> tuple[str, str]:
    resp = _post(srv, f"/{BAKERY_PAGE_ID}/video_reels", upload_phase="start")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return body["video_id"], body["upload_url"]


def test_facebook_reel_start_upload_in_two_pieces_finish(server: SandboxServer) -> None:
    video_id, upload_url = _start_reel(server)
    assert upload_url == f"{server.url}/video-upload/v24.0/{video_id}"
    first = _upload(server, upload_url, DATA[:300_000])
    assert first.json() == {"success": True, "offset": 300_000}
    status = _get(server, f"/{video_id}", fields="status")["status"]
    assert status["uploading_phase"] == {"status": "in_progress", "bytes_transferred": 300_000}
    # A gap is refused; resuming at (or before) what arrived is fine.
    gap = _upload(server, upload_url, DATA[400_000:], offset=400_000)
    assert gap.status_code == 400 and gap.json()["error"]["error_subcode"] == 1363037
    assert _upload(server, upload_url, DATA[200_000:], offset=200_000).json()["offset"] == len(DATA)
    assert _stored(server, video_id) == DATA
    finish = dict(upload_phase="finish", video_id=video_id, video_state="PUBLISHED", description="Oven reel")
    done = _post(server, f"/{BAKERY_PAGE_ID}/video_reels", **finish)
    assert done.status_code == 200 and done.json()["success"] is True
    again = _post(server, f"/{BAKERY_PAGE_ID}/video_reels", **finish)  # the same video never becomes two Reels
    assert again.json()["post_id"] == done.json()["post_id"]
    (post,) = server.state()["posts"]
    assert post["text"] == "Oven reel" and post["video_id"] == video_id
    node = _get(server, f"/{video_id}", fields="permalink_url,status")
    assert node["permalink_url"] == post["permalink"]
    assert node["status"]["publishing_phase"]["status"] == "complete"
    feed = _get(server, f"/{BAKERY_PAGE_ID}/feed", fields="id,message")["data"]
    assert [p["message"] for p in feed] == ["Oven reel"]


def test_finish_before_the_upload_is_refused(server: SandboxServer) -> None:
    video_id, _url = _start_reel(server)
    resp = _post(
        server, f"/{BAKERY_PAGE_ID}/video_reels", upload_phase="finish", video_id=video_id, video_state="PUBLISHED"
    )
    assert resp.status_code == 400 and resp.json()["error"]["code"] == 6000
    assert server.state()["posts"] == []


def test_uploads_need_the_page_token(server: SandboxServer) -> None:
    _video_id, url = _start_reel(server)
    resp = requests.post(url, data=b"x", headers={"offset": "0", "file_size": "1"}, timeout=5)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == 104
    wrong = requests.post(url, data=b"x", headers={"Authorization": "OAuth nope", "offset": "0", "file_size": "1"})
    assert wrong.json()["error"]["code"] == 190


def test_reels_limit_per_page(server: SandboxServer) -> None:
    server.configure(reels_per_day=1)
    video_id, url = _start_reel(server)
    _upload(server, url, DATA)
    _post(server, f"/{BAKERY_PAGE_ID}/video_reels", upload_phase="finish", video_id=video_id, video_state="PUBLISHED")
    refused = _post(server, f"/{BAKERY_PAGE_ID}/video_reels", upload_phase="start")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 9
    server.advance_clock(86_401)
    assert _post(server, f"/{BAKERY_PAGE_ID}/video_reels", upload_phase="start").status_code == 200


def test_page_video_multipart_is_streamed_to_a_file(server: SandboxServer) -> None:
    resp = requests.post(
        f"{server.url}{V}/{BAKERY_PAGE_ID}/videos",
        data={"access_token": _token(server), "description": "Wide tour", "fields": "id,permalink_url"},
        files={"source": ("tour.mp4", DATA, "video/mp4")},
        timeout=5,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["permalink_url"].startswith(server.url)
    assert _stored(server, body["id"]) == DATA
    (post,) = server.state()["posts"]
    assert post["text"] == "Wide tour" and post["video_id"] == body["id"]
    leftovers = [p for p in server._store.upload_dir().iterdir() if p.suffix == ".part"]
    assert leftovers == []


def test_instagram_reel_container_upload_status_publish(server: SandboxServer) -> None:
    server.configure(container_polls=2)
    resp = _post(server, f"/{BAKERY_IG_ID}/media", media_type="REELS", upload_type="resumable", caption="Reel!")
    assert resp.status_code == 200, resp.text
    container, uri = resp.json()["id"], resp.json()["uri"]
    assert uri == f"{server.url}/ig-api-upload/{container}"
    # Not uploaded: in progress however often it is read.
    for _ in range(3):
        assert _get(server, f"/{container}", fields="status_code")["status_code"] == "IN_PROGRESS"
    early = _post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=container)
    assert early.json()["error"]["error_subcode"] == 2207027
    assert _upload(server, uri, DATA).json()["success"] is True
    codes = [_get(server, f"/{container}", fields="status_code")["status_code"] for _ in range(3)]
    assert codes == ["IN_PROGRESS", "IN_PROGRESS", "FINISHED"]
    media_id = _post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=container).json()["id"]
    assert _get(server, f"/{container}", fields="status_code")["status_code"] == "PUBLISHED"
    twice = _post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=container)
    assert twice.json()["error"]["message"] == "The media has already been published"
    permalink = _get(server, f"/{media_id}", fields="permalink")["permalink"]
    (post,) = server.state()["posts"]
    assert post["permalink"] == permalink and post["text"] == "Reel!" and post["platform"] == "instagram"


def test_instagram_reel_processing_error(server: SandboxServer) -> None:
    server.configure(container_polls=0, video_error=True)
    container = _post(server, f"/{BAKERY_IG_ID}/media", media_type="REELS", upload_type="resumable").json()["id"]
    _upload(server, f"{server.url}/ig-api-upload/{container}", DATA)
    assert _get(server, f"/{container}", fields="status_code")["status_code"] == "ERROR"


def test_faults_match_video_endpoints(server: SandboxServer) -> None:
    server.inject_fault(kind="error", match="video_upload", code=2, is_transient=True, http_status=500)
    video_id, url = _start_reel(server)
    failed = _upload(server, url, DATA)
    assert failed.status_code == 500
    assert _upload(server, url, DATA).status_code == 200
    server.inject_fault(kind="error", match="video_reels", code=1)
    assert _post(server, f"/{BAKERY_PAGE_ID}/video_reels", upload_phase="start").status_code == 400
    server.inject_fault(kind="error", match="video_status", code=1)
    resp = requests.get(f"{server.url}{V}/{video_id}", params={"access_token": _token(server), "fields": "status"})
    assert resp.status_code == 400


def test_videos_survive_a_restart_with_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    with SandboxServer(state_path=state) as first:
        video_id, url = _start_reel(first)
        _upload(first, url, DATA[:1000], size=len(DATA))
    with SandboxServer(state_path=state) as second:
        (video,) = second.state()["videos"]
        assert video["id"] == video_id and video["received"] == 1000
        assert _stored(second, video_id) == DATA[:1000]


@pytest.mark.parametrize("chunk", [1, 7, 64, 1024 * 1024])
def test_streamed_multipart_matches_the_plain_parser(tmp_path: Path, chunk: int) -> None:
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nhello\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="source"; filename="v.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + DATA[:5000]
        + b"\r\n--b0und"
        + DATA[:10]
        + f"\r\n--{boundary}--\r\n".encode()
    )

    class Trickle(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            return super().read(min(chunk, size if size is not None and size >= 0 else chunk))

    headers = {"Content-Length": str(len(body))}
    form, files = spool_multipart(Trickle(body), headers, tmp_path, boundary)
    plain_form, plain_files = parse_multipart(body, boundary)
    assert form == plain_form == {"description": "hello"}
    assert files["source"].path.read_bytes() == plain_files["source"].data
    assert files["source"].size == 5000 + len(b"\r\n--b0und") + 10


def test_uploads_can_be_counted_without_being_kept(server: SandboxServer) -> None:
    server.configure(keep_uploads=False, container_polls=0)
    container = _post(server, f"/{BAKERY_IG_ID}/media", media_type="REELS", upload_type="resumable").json()["id"]
    assert _upload(server, f"{server.url}/ig-api-upload/{container}", DATA).json()["offset"] == len(DATA)
    assert _get(server, f"/{container}", fields="status_code")["status_code"] == "FINISHED"
    assert list(server._store.upload_dir().iterdir()) == []  # nothing written
    assert _post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=container).status_code == 200
