"""Publishing a local post against mocked Google answers: bodies, photo steps, states, reconcile, tokens."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import responses

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import AttemptOutcome, MediaRef
from autoposter_gui.google import media, posts
from autoposter_gui.google.network import NETWORK
from autoposter_gui.google.oauth import secret_key
from autoposter_gui.networks.protocol import WAIT, Post

from .helpers import (
    LOCATION,
    NOW,
    ORIGIN,
    PARENT,
    POSTS_URL,
    REFRESH,
    Saved,
    account,
    connected_env,
    google_error,
    local_post,
)

MEDIA_URL = f"{ORIGIN}/v4/{PARENT}/media"
REF = "AF1QipRef-9"
UPLOAD_URL = f"{ORIGIN}/upload/v1/media/{REF}"
GOOGLE_URL = "https://lh3.googleusercontent.com/p/AF1Qip-photo"


def sent(call: Any) -> dict[str, Any]:
    return dict(json.loads(call.request.body))


def publish(post: Post, checkpoint: dict[str, Any] | None = None, resume: str | None = None) -> tuple[Any, Saved]:
    saved = Saved()
    session = NETWORK.session(connected_env())
    try:
        result = session.publish(account(), "tok", post, checkpoint or {}, saved, resume)
    finally:
        session.close()
    return result, saved


@responses.activate
def test_standard_post_with_a_button() -> None:
    responses.add(responses.POST, POSTS_URL, json=local_post())
    post = Post(1, "google", "Fresh bread", options={"button": "learn_more", "button_url": "https://bakery.test"})
    result, saved = publish(post)
    assert sent(responses.calls[0]) == {
        "summary": "Fresh bread",
        "topicType": "STANDARD",
        "callToAction": {"actionType": "LEARN_MORE", "url": "https://bakery.test"},
    }
    assert result.provider_post_id == f"{PARENT}/localPosts/p1"
    assert result.permalink == "https://local.google.com/place?id=42&use=posts&lpsid=p1"
    assert saved.values == {posts.POST_NAME: f"{PARENT}/localPosts/p1"}


def test_call_button_has_no_url() -> None:
    post = Post(1, "google", "Ring us", options={"button": "CALL", "button_url": "https://ignored.test"})
    assert posts.body(post, None)["callToAction"] == {"actionType": "CALL"}


def test_event_sends_the_wall_times_as_written() -> None:
    options = {
        "google_type": "event",
        "event_title": "Tasting night",
        "event_start": "2026-12-24T18:00",
        "event_end": "2026-12-24T21:30:15",
    }
    body = posts.body(Post(1, "google", "Come taste", options=options), None)
    assert body["topicType"] == "EVENT"
    assert body["event"] == {
        "title": "Tasting night",
        "schedule": {
            "startDate": {"year": 2026, "month": 12, "day": 24},
            "startTime": {"hours": 18, "minutes": 0, "seconds": 0, "nanos": 0},
            "endDate": {"year": 2026, "month": 12, "day": 24},
            "endTime": {"hours": 21, "minutes": 30, "seconds": 15, "nanos": 0},
        },
    }


def test_offer_carries_the_period_and_no_button() -> None:
    options = {
        "google_type": "offer",
        "event_title": "Two for one",
        "event_start": "2026-12-01T08:00",
        "event_end": "2026-12-07T18:00",
        "offer_code": "BREAD2",
        "offer_terms": "One per customer",
        "offer_url": "https://bakery.test/redeem",
        "button": "ORDER",
        "button_url": "https://bakery.test/order",
    }
    body = posts.body(Post(1, "google", "Deal", options=options), None)
    assert body["topicType"] == "OFFER"
    assert body["offer"] == {
        "couponCode": "BREAD2",
        "termsConditions": "One per customer",
        "redeemOnlineUrl": "https://bakery.test/redeem",
    }
    assert body["event"]["title"] == "Two for one"
    assert body["event"]["schedule"]["endDate"] == {"year": 2026, "month": 12, "day": 7}
    assert "callToAction" not in body


def test_an_event_time_with_an_offset_is_refused() -> None:
    options = {"google_type": "event", "event_title": "x", "event_start": "2026-12-24T18:00+01:00"}
    with pytest.raises(PublishError) as caught:
        posts.body(Post(1, "google", "x", options=options), None)
    assert caught.value.kind is ErrorKind.PERMANENT and "without an offset" in str(caught.value)


@responses.activate
def test_photo_steps_are_saved_in_order_and_the_post_uses_the_google_url(tmp_path: Path) -> None:
    photo = tmp_path / "loaf.jpg"
    photo.write_bytes(b"\xff\xd8jpeg-bytes")
    responses.add(responses.POST, f"{MEDIA_URL}:startUpload", json={"resourceName": REF})
    responses.add(responses.POST, UPLOAD_URL, json={"resourceName": REF})
    item = {"name": f"{PARENT}/media/m1", "googleUrl": GOOGLE_URL, "mediaFormat": "PHOTO"}
    responses.add(responses.POST, MEDIA_URL, json=item)
    responses.add(responses.POST, POSTS_URL, json=local_post())
    result, saved = publish(Post(1, "google", "Fresh bread", media=(MediaRef(str(photo)),)))
    assert [c.request.url.split("?")[0] for c in responses.calls] == [
        f"{MEDIA_URL}:startUpload",
        UPLOAD_URL,
        MEDIA_URL,
        POSTS_URL,
    ]
    assert "upload_type=media" in responses.calls[1].request.url
    assert responses.calls[1].request.body == b"\xff\xd8jpeg-bytes"
    assert sent(responses.calls[2]) == {
        "mediaFormat": "PHOTO",
        "locationAssociation": {"category": "ADDITIONAL"},
        "dataRef": {"resourceName": REF},
    }
    assert sent(responses.calls[3])["media"] == [{"mediaFormat": "PHOTO", "sourceUrl": GOOGLE_URL}]
    assert saved.order == [media.DATA_REF, media.BYTES_SENT, media.MEDIA_ITEM, media.MEDIA_URL, posts.POST_NAME]
    assert result.permalink is not None


@responses.activate
def test_a_later_try_reuses_the_saved_photo_steps(tmp_path: Path) -> None:
    photo = tmp_path / "loaf.jpg"
    photo.write_bytes(b"jpeg")
    item = {"name": f"{PARENT}/media/m1", "googleUrl": GOOGLE_URL}
    responses.add(responses.POST, MEDIA_URL, json=item)
    responses.add(responses.POST, POSTS_URL, json=local_post())
    post = Post(1, "google", "Fresh bread", media=(MediaRef(str(photo)),))
    publish(post, {media.DATA_REF: REF, media.BYTES_SENT: "1"})  # startUpload and the bytes are not sent again
    assert [c.request.url for c in responses.calls] == [MEDIA_URL, POSTS_URL]
    responses.calls.reset()
    publish(post, {media.MEDIA_URL: GOOGLE_URL})
    assert [c.request.url for c in responses.calls] == [POSTS_URL]


@responses.activate
def test_processing_waits_then_the_next_try_only_reads_the_post() -> None:
    responses.add(responses.POST, POSTS_URL, json=local_post(state="PROCESSING"))
    saved = Saved()
    session = NETWORK.session(connected_env())
    with pytest.raises(PublishError) as caught:
        session.publish(account(), "tok", Post(1, "google", "Fresh bread"), {}, saved)
    err = caught.value
    assert err.kind is ErrorKind.TEMPORARY and err.extra[WAIT] == "processing"
    assert err.retry_after == timedelta(minutes=2)
    name = saved.values[posts.POST_NAME]
    responses.add(responses.GET, f"{ORIGIN}/v4/{name}", json=local_post(state="LIVE"))
    result = session.publish(account(), "tok", Post(1, "google", "Fresh bread"), dict(saved.values), Saved())
    assert result.provider_post_id == name
    assert [c.request.method for c in responses.calls] == ["POST", "GET"]


@responses.activate
def test_rejected_is_permanent_and_names_the_content_policy() -> None:
    responses.add(responses.POST, POSTS_URL, json=local_post(state="REJECTED"))
    with pytest.raises(PublishError) as caught:
        publish(Post(1, "google", "Fresh bread"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "rejected this post under its content policy" in str(caught.value)


@responses.activate
def test_a_timeout_on_create_is_ambiguous_and_saves_nothing() -> None:
    import requests

    responses.add(responses.POST, POSTS_URL, body=requests.ReadTimeout("slow"))
    saved = Saved()
    with pytest.raises(PublishError) as caught:
        NETWORK.session(connected_env()).publish(account(), "tok", Post(1, "google", "Fresh bread"), {}, saved)
    assert caught.value.ambiguous and saved.values == {}


def attempt(checkpoint: dict[str, Any] | None = None) -> AttemptFacts:
    return AttemptFacts(1, 1, NOW, AttemptOutcome.IN_FLIGHT, needs_reconcile=True, checkpoint=checkpoint or {})


@responses.activate
def test_reconcile_matches_text_and_time_and_skips_used_ids() -> None:
    listing = {
        "localPosts": [
            local_post("new-used", summary="Fresh  bread", created="2026-11-30T12:00:07Z"),
            local_post("other", summary="Something else", created="2026-11-30T12:00:06Z"),
            local_post("mine", summary="fresh bread\n", created="2026-11-30T12:00:05Z"),
            local_post("old", summary="Fresh bread", created="2026-11-29T09:00:00Z"),
        ]
    }
    responses.add(responses.GET, POSTS_URL, json=listing)
    session = NETWORK.session(connected_env())
    used = {f"{PARENT}/localPosts/new-used"}
    found = session.reconcile(account(), "tok", Post(1, "google", "Fresh bread"), attempt(), used)
    assert found.check is CheckResult.FOUND and found.found is not None
    assert found.found.provider_post_id == f"{PARENT}/localPosts/mine"
    assert found.found.permalink == "https://local.google.com/place?id=42&use=posts&lpsid=mine"
    responses.replace(
        responses.GET, POSTS_URL, json={"localPosts": [local_post("old", created="2026-11-29T09:00:00Z")]}
    )
    none = session.reconcile(account(), "tok", Post(1, "google", "Fresh bread"), attempt(), set())
    assert none.check is CheckResult.NOT_FOUND


@responses.activate
def test_reconcile_reads_a_checkpointed_post_back() -> None:
    name = f"{PARENT}/localPosts/p9"
    responses.add(responses.GET, f"{ORIGIN}/v4/{name}", json=local_post("p9", state="PROCESSING"))
    session = NETWORK.session(connected_env())
    answer = session.reconcile(account(), "tok", Post(1, "google", "x"), attempt({posts.POST_NAME: name}), set())
    assert answer.check is CheckResult.READY_CONTAINER and answer.container == name
    responses.replace(responses.GET, f"{ORIGIN}/v4/{name}", json=local_post("p9"))
    answer = session.reconcile(account(), "tok", Post(1, "google", "x"), attempt({posts.POST_NAME: name}), set())
    assert answer.check is CheckResult.FOUND


@responses.activate
def test_reconcile_says_unknown_when_google_cannot_be_asked() -> None:
    responses.add(responses.GET, POSTS_URL, json=google_error(503, "UNAVAILABLE", "down"), status=503)
    answer = NETWORK.session(connected_env()).reconcile(account(), "tok", Post(1, "google", "x"), attempt(), set())
    assert answer.check is CheckResult.UNKNOWN and answer.error is not None


@responses.activate
def test_access_token_is_refreshed_and_cached_until_near_expiry() -> None:
    responses.add(responses.POST, f"{ORIGIN}/token", json={"access_token": "ya29.fresh-access", "expires_in": 3599})
    session = NETWORK.session(connected_env())
    assert session.access_token(account()) == "ya29.fresh-access"
    assert session.access_token(account()) == "ya29.fresh-access"
    assert len(responses.calls) == 1
    form = dict(p.split("=", 1) for p in str(responses.calls[0].request.body).split("&"))
    assert form["grant_type"] == "refresh_token" and form["refresh_token"] == REFRESH.replace("/", "%2F")


@responses.activate
def test_a_refused_refresh_says_reconnect() -> None:
    responses.add(responses.POST, f"{ORIGIN}/token", json={"error": "invalid_grant"}, status=400)
    with pytest.raises(PublishError) as caught:
        NETWORK.session(connected_env()).access_token(account())
    assert caught.value.category is ErrorCategory.TOKEN
    assert str(caught.value).startswith("Reconnect Google Business Profile: ")
    assert REFRESH not in str(caught.value)


def test_no_stored_grant_means_no_token() -> None:
    from .helpers import make_env

    assert NETWORK.session(make_env()).access_token(account()) is None


@responses.activate
def test_a_refresh_token_google_rotates_is_stored_at_once() -> None:
    answer = {"access_token": "ya29.fresh-0002", "expires_in": 3599, "refresh_token": "1//rotated-refresh-xyz"}
    responses.add(responses.POST, f"{ORIGIN}/token", json=answer)
    env = connected_env()
    assert NETWORK.session(env).access_token(account()) == "ya29.fresh-0002"
    stored = json.loads(env.secrets.get(secret_key(LOCATION)) or "{}")
    assert stored["refresh_token"] == "1//rotated-refresh-xyz" and stored["client_secret"]
