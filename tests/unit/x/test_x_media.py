"""Media upload: each id saved before the next call, finalized ones reused by a later try, stale ones uploaded again."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import responses

from autoposter_gui.domain.errors import ErrorCategory, PublishError
from autoposter_gui.domain.models import MediaKind, MediaRef
from autoposter_gui.networks.protocol import WAIT, Post
from autoposter_gui.x.publish import XSession
from tests.unit.x.helpers import ACCOUNT, NOW, ORIGIN, make_env

UPLOAD = f"{ORIGIN}/2/media/upload"


def photo(tmp_path: Path, name: str = "a.jpg") -> MediaRef:
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8jpeg-bytes")
    return MediaRef(str(path), MediaKind.IMAGE)


def test_each_media_id_is_saved_before_the_next_call(tmp_path: Path) -> None:
    env, _secrets, _clock = make_env()
    events: list[str] = []

    def save(key: str, value: Any) -> None:
        events.append(f"save {key} {value['id']} {value['stage']}")

    with responses.RequestsMock() as mock:
        mock.post(f"{UPLOAD}/initialize", json={"data": {"id": "m1", "expires_after_secs": 86400}})
        mock.post(f"{UPLOAD}/m1/append", json={})
        mock.post(f"{UPLOAD}/m1/finalize", json={"data": {"id": "m1"}})
        mock.post(f"{ORIGIN}/2/tweets", status=201, json={"data": {"id": "55"}})
        real_save = save

        def tracing(key: str, value: Any) -> None:
            events.append(f"(after {len(mock.calls)} calls)")
            real_save(key, value)

        XSession(env).publish(ACCOUNT, "tok", Post(1, "x", "Hi", (photo(tmp_path),)), {}, tracing)
        body = json.loads(mock.calls[3].request.body or b"{}")
    assert events == ["(after 1 calls)", "save x_media_0 m1 initialized", "(after 3 calls)", "save x_media_0 m1 ready"]
    assert body == {"text": "Hi", "media": {"media_ids": ["m1"]}}


def test_a_later_try_reuses_a_ready_media_id_and_uploads_the_unfinished_one_again(tmp_path: Path) -> None:
    env, _secrets, _clock = make_env()
    later = (NOW + timedelta(hours=20)).isoformat()
    checkpoint = {
        "x_media_0": {"id": "m0", "stage": "ready", "expires_at": later},
        "x_media_1": {"id": "m1", "stage": "initialized", "expires_at": later},  # crashed mid-append
    }
    with responses.RequestsMock() as mock:
        init = mock.post(f"{UPLOAD}/initialize", json={"data": {"id": "m2", "expires_after_secs": 86400}})
        mock.post(f"{UPLOAD}/m2/append", json={})
        mock.post(f"{UPLOAD}/m2/finalize", json={"data": {"id": "m2"}})
        create = mock.post(f"{ORIGIN}/2/tweets", status=201, json={"data": {"id": "56"}})
        media = (photo(tmp_path, "a.jpg"), photo(tmp_path, "b.jpg"))
        XSession(env).publish(ACCOUNT, "tok", Post(1, "x", "Hi", media), checkpoint, lambda k, v: None)
        sent = json.loads(create.calls[0].request.body or b"{}")
    assert init.call_count == 1 and sent["media"] == {"media_ids": ["m0", "m2"]}


def test_a_saved_id_about_to_expire_is_not_reused(tmp_path: Path) -> None:
    env, _secrets, _clock = make_env()
    checkpoint = {"x_media_0": {"id": "m0", "stage": "ready", "expires_at": (NOW + timedelta(minutes=5)).isoformat()}}
    with responses.RequestsMock() as mock:
        mock.post(f"{UPLOAD}/initialize", json={"data": {"id": "m9", "expires_after_secs": 86400}})
        mock.post(f"{UPLOAD}/m9/append", json={})
        mock.post(f"{UPLOAD}/m9/finalize", json={"data": {"id": "m9"}})
        create = mock.post(f"{ORIGIN}/2/tweets", status=201, json={"data": {"id": "57"}})
        XSession(env).publish(ACCOUNT, "tok", Post(1, "x", "Hi", (photo(tmp_path),)), checkpoint, lambda k, v: None)
        assert json.loads(create.calls[0].request.body or b"{}")["media"]["media_ids"] == ["m9"]


def test_x_refusing_a_reused_id_uploads_again_and_creates_once_more(tmp_path: Path) -> None:
    env, _secrets, _clock = make_env()
    checkpoint = {"x_media_0": {"id": "m0", "stage": "ready", "expires_at": (NOW + timedelta(hours=5)).isoformat()}}
    refused = {"errors": [{"parameters": {"media.media_ids": ["m0"]}, "message": "Your media IDs are invalid."}]}
    saves: dict[str, Any] = {}
    with responses.RequestsMock() as mock:
        mock.post(f"{ORIGIN}/2/tweets", status=400, json=refused)
        mock.post(f"{UPLOAD}/initialize", json={"data": {"id": "m5", "expires_after_secs": 86400}})
        mock.post(f"{UPLOAD}/m5/append", json={})
        mock.post(f"{UPLOAD}/m5/finalize", json={"data": {"id": "m5"}})
        mock.post(f"{ORIGIN}/2/tweets", status=201, json={"data": {"id": "58"}})
        result = XSession(env).publish(
            ACCOUNT, "tok", Post(1, "x", "Hi", (photo(tmp_path),)), checkpoint, saves.__setitem__
        )
    assert result.provider_post_id == "58" and saves["x_media_0"]["id"] == "m5"


def test_a_video_still_processing_waits_without_spending_the_post(tmp_path: Path) -> None:
    env, _secrets, _clock = make_env()
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\x00" * 10)
    pending = {"data": {"id": "v1", "processing_info": {"state": "in_progress", "check_after_secs": 60}}}
    saves: dict[str, Any] = {}
    with responses.RequestsMock() as mock:
        mock.post(f"{UPLOAD}/initialize", json={"data": {"id": "v1", "expires_after_secs": 86400}})
        mock.post(f"{UPLOAD}/v1/append", json={})
        mock.post(f"{UPLOAD}/v1/finalize", json={"data": {"id": "v1", "processing_info": {"state": "pending"}}})
        mock.get(UPLOAD, json=pending)
        session = XSession(env, sleep=lambda seconds: None)
        post = Post(1, "x", "", (MediaRef(str(video), MediaKind.VIDEO),))
        with pytest.raises(PublishError) as caught:
            session.publish(ACCOUNT, "tok", post, {}, saves.__setitem__)
        assert "command=STATUS" in str(mock.calls[3].request.url)
    err = caught.value
    assert err.category is ErrorCategory.MEDIA_NOT_READY and err.extra.get(WAIT) and err.retry_after is not None
    assert not err.ambiguous and saves["x_media_0"]["stage"] == "finalized"
