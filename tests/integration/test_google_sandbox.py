"""The Google Business Profile network against a real sandbox server: connect, posts with search URLs, reconcile."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import AttemptOutcome, MediaRef, Platform
from autoposter_gui.google.network import NETWORK, GoogleSession
from autoposter_gui.google.oauth import secret_key
from autoposter_gui.networks.protocol import WAIT, AccountRef, Env, Post
from autoposter_gui.sandbox import google_api
from autoposter_gui.sandbox.server import SandboxServer
from tests.support.secrets import DictSecrets


class Saved(dict[str, Any]):
    def __call__(self, key: str, value: Any) -> None:
        self[key] = value


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as running:
        yield running


@pytest.fixture
def env(server: SandboxServer) -> Env:
    return Env(origin=server.url, secrets=DictSecrets(), now=server.now, sandbox=True)


def connect(env: Env) -> list[AccountRef]:
    flow = NETWORK.begin_connect(env, client_id=google_api.CLIENT_ID, client_secret=google_api.CLIENT_SECRET)
    page = requests.get(flow.authorization_url, allow_redirects=False, timeout=10)
    assert page.status_code == 302
    location = page.headers["Location"]
    assert location.startswith(flow.redirect_uri)
    result = flow.finish(location)
    return [
        AccountRef(n, a.platform.value, a.external_id, a.name, page_id=a.page_id)
        for n, a in enumerate(result.accounts, 1)
    ]


@pytest.fixture
def session(env: Env) -> Iterator[GoogleSession]:
    opened = NETWORK.session(env)
    yield opened
    opened.close()


def photo(tmp_path: Path) -> MediaRef:
    path = tmp_path / "loaf.jpg"
    Image.new("RGB", (640, 480), (200, 150, 90)).save(path, format="JPEG")
    return MediaRef(str(path))


def test_connect_through_the_auto_approving_page(env: Env) -> None:
    accounts = connect(env)
    assert [(a.platform, a.external_id, a.name, a.page_id) for a in accounts] == [
        (Platform.GOOGLE.value, "2001", "Sandbox Bakery — High St", "accounts/1001"),
        (Platform.GOOGLE.value, "2002", "Sandbox Bakery — Market Sq", "accounts/1001"),
    ]
    blob = json.loads(env.secrets.get(secret_key("2001")) or "{}")
    assert blob["client_secret"] == google_api.CLIENT_SECRET and blob["refresh_token"].startswith("1//")


def test_standard_post_with_a_photo_and_a_button(
    server: SandboxServer, env: Env, session: GoogleSession, tmp_path: Path
) -> None:
    high_st = connect(env)[0]
    token = session.access_token(high_st)
    assert token
    options = {"button": "learn_more", "button_url": "https://bakery.example/menu"}
    saved = Saved()
    result = session.publish(
        high_st, token, Post(1, "google", "Warm loaves", (photo(tmp_path),), options=options), {}, saved
    )
    assert result.permalink is not None
    assert result.permalink.startswith(f"https://local.google.com/place?id={google_api.CIDS['2001']}&use=posts&lpsid=")
    (made,) = server.google.snapshot()["posts"]
    assert made["callToAction"] == {"actionType": "LEARN_MORE", "url": "https://bakery.example/menu"}
    (item,) = server.google.snapshot()["media"]
    assert made["media"][0]["sourceUrl"] == item["googleUrl"] == saved["google_media_url"]
    assert saved["google_local_post"] == made["name"] == result.provider_post_id


def test_event_and_offer_go_out_with_their_search_urls(server: SandboxServer, env: Env, session: GoogleSession) -> None:
    market = connect(env)[1]
    token = session.access_token(market) or ""
    period = {"event_title": "Stollen week", "event_start": "2026-12-14T08:00", "event_end": "2026-12-20T18:00"}
    event = session.publish(
        market, token, Post(1, "google", "Stollen!", options={"google_type": "event", **period}), {}, Saved()
    )
    offer_options = {"google_type": "offer", **period, "offer_code": "STOLLEN10", "offer_terms": "While stocks last"}
    offer = session.publish(market, token, Post(2, "google", "10% off", options=offer_options), {}, Saved())
    assert event.permalink and offer.permalink and event.permalink != offer.permalink
    posts = {p["topicType"]: p for p in server.google.snapshot()["posts"]}
    assert posts["EVENT"]["event"]["schedule"]["startTime"] == {"hours": 8, "minutes": 0, "seconds": 0, "nanos": 0}
    assert posts["OFFER"]["offer"] == {"couponCode": "STOLLEN10", "termsConditions": "While stocks last"}
    assert posts["OFFER"]["searchUrl"] == offer.permalink


def test_an_ambiguous_create_is_reconciled_without_a_duplicate(
    server: SandboxServer, env: Env, session: GoogleSession
) -> None:
    high_st = connect(env)[0]
    token = session.access_token(high_st) or ""
    started = server.now()
    server.inject_fault(kind="reset", match="google_local_post_create", after_commit=True)
    post = Post(1, "google", "Sourdough is back")
    with pytest.raises(PublishError) as caught:
        session.publish(high_st, token, post, {}, Saved())
    assert caught.value.ambiguous
    attempt = AttemptFacts(1, 1, started, AttemptOutcome.IN_FLIGHT, needs_reconcile=True)
    answer = session.reconcile(high_st, token, post, attempt, set())
    assert answer.check is CheckResult.FOUND and answer.found is not None
    (made,) = server.google.snapshot()["posts"]
    assert answer.found.provider_post_id == made["name"] and answer.found.permalink == made["searchUrl"]
    again = session.reconcile(high_st, token, post, attempt, {made["name"]})  # already used by another item
    assert again.check is CheckResult.NOT_FOUND


def test_processing_then_live_without_a_second_create_and_rejected_for_good(
    server: SandboxServer, env: Env, session: GoogleSession
) -> None:
    high_st = connect(env)[0]
    token = session.access_token(high_st) or ""
    server.google.configure(post_state="PROCESSING", processing_reads=1)
    saved = Saved()
    post = Post(1, "google", "Croissants at 7")
    with pytest.raises(PublishError) as caught:
        session.publish(high_st, token, post, {}, saved)
    assert caught.value.extra[WAIT] == "processing"
    with pytest.raises(PublishError):  # still PROCESSING on the first read
        session.publish(high_st, token, post, dict(saved), Saved())
    result = session.publish(high_st, token, post, dict(saved), Saved())
    assert result.provider_post_id == saved["google_local_post"]
    creates = [c for c in server.google.snapshot()["calls"] if c.startswith("POST") and c.endswith("/localPosts")]
    assert len(creates) == 1

    server.google.configure(post_state="PROCESSING", processing_reads=5)
    rejected = Saved()
    with pytest.raises(PublishError):
        session.publish(high_st, token, Post(2, "google", "Second"), {}, rejected)
    assert server.google.reject(rejected["google_local_post"])
    with pytest.raises(PublishError) as final:
        session.publish(high_st, token, Post(2, "google", "Second"), dict(rejected), Saved())
    assert final.value.kind is ErrorKind.PERMANENT and "content policy" in str(final.value)


def test_an_expired_access_token_is_refreshed_and_a_revoked_grant_says_reconnect(
    server: SandboxServer, env: Env, session: GoogleSession
) -> None:
    high_st = connect(env)[0]
    first = session.access_token(high_st)
    server.advance_clock(3700)
    second = session.access_token(high_st)
    assert second and second != first
    server.google.expire_access_tokens()  # the cached token dies early: the publish refreshes once and goes on
    result = session.publish(high_st, second, Post(1, "google", "After a nap"), {}, Saved())
    assert result.permalink
    server.google.revoke()
    server.advance_clock(3700)
    with pytest.raises(PublishError) as caught:
        session.access_token(high_st)
    assert caught.value.category is ErrorCategory.TOKEN
    assert str(caught.value).startswith("Reconnect Google Business Profile: ")


def test_injected_faults_reach_the_google_paths(server: SandboxServer, env: Env, session: GoogleSession) -> None:
    high_st = connect(env)[0]
    token = session.access_token(high_st) or ""
    server.inject_fault(kind="error", match="google_local_post_create", http_status=429, headers={"Retry-After": "30"})
    with pytest.raises(PublishError) as caught:
        session.publish(high_st, token, Post(1, "google", "Busy"), {}, Saved())
    assert caught.value.category is ErrorCategory.THROTTLED and caught.value.retry_after == timedelta(seconds=30)
    server.inject_fault(kind="error", match="google_start_upload", http_status=403, message="API is disabled")
    with pytest.raises(PublishError, match="must be approved and enabled"):
        session.publish(high_st, token, Post(2, "google", "Photo", (MediaRef("/nonexistent.jpg"),)), {}, Saved())
    assert server.google.snapshot()["posts"] == []


def test_oauth_leaves_no_insecure_transport_switch_behind(env: Env) -> None:
    connect(env)
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_connect_through_a_loopback_receiver_as_the_cli_will(env: Env) -> None:
    import threading
    from urllib.parse import urlsplit

    from autoposter_gui.networks.loopback import LoopbackReceiver

    with LoopbackReceiver(0, path="/") as receiver:
        flow = NETWORK.begin_connect(
            env, client_id=google_api.CLIENT_ID, client_secret=google_api.CLIENT_SECRET, port=receiver.port
        )
        assert urlsplit(flow.redirect_uri).port == receiver.port and flow.redirect_uri == receiver.redirect_uri
        browser = threading.Thread(target=requests.get, args=(flow.authorization_url,), kwargs={"timeout": 10})
        browser.start()
        redirect = receiver.wait(timeout=10)
        browser.join(10)
    assert [a.external_id for a in flow.finish(redirect).accounts] == ["2001", "2002"]
