"""The X session against a real sandbox server: connect (auto-approve + loopback), posts, refusals, refresh, crash."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import AttemptOutcome, MediaKind, MediaRef
from autoposter_gui.networks.loopback import LoopbackReceiver
from autoposter_gui.networks.protocol import AccountRef, Env, Post
from autoposter_gui.sandbox.server import SandboxServer
from autoposter_gui.sandbox.x_state import X_CLIENT_ID, X_USER_ID, X_USERNAME
from autoposter_gui.x import grant
from autoposter_gui.x.network import NETWORK
from autoposter_gui.x.publish import XSession
from tests.support.secrets import DictSecrets


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as running:
        yield running


@pytest.fixture
def secrets() -> DictSecrets:
    return DictSecrets()


def env_for(server: SandboxServer, secrets: DictSecrets) -> Env:
    return Env(origin=server.url, secrets=secrets, now=server.now, sandbox=True)


def connect(server: SandboxServer, secrets: DictSecrets) -> AccountRef:
    """The whole browser sign-in: the loopback receiver, the auto-approving page, the code exchange."""
    receiver = LoopbackReceiver(0)
    flow = NETWORK.begin_connect(env_for(server, secrets), client_id=X_CLIENT_ID, port=receiver.port)
    assert flow.redirect_uri == f"http://127.0.0.1:{receiver.port}/callback"
    browser = threading.Thread(target=requests.get, args=(flow.authorization_url,), kwargs={"timeout": 10})
    browser.start()
    redirect = receiver.wait(timeout=10)
    browser.join()
    result = flow.finish(redirect)
    (account,) = result.accounts
    assert (account.external_id, account.username) == (X_USER_ID, X_USERNAME)
    return AccountRef(1, "x", account.external_id, account.name, account.username)


def attempt(started: datetime) -> AttemptFacts:
    return AttemptFacts(id=1, number=1, started_at=started, outcome=AttemptOutcome.IN_FLIGHT, needs_reconcile=True)


def image(tmp_path: Path, name: str, color: str) -> MediaRef:
    path = tmp_path / name
    Image.new("RGB", (64, 48), color).save(path, "JPEG")
    return MediaRef(str(path), MediaKind.IMAGE, alt_text=f"a {color} square")


def test_connect_stores_the_grant_and_a_text_post_goes_out_with_its_permalink(
    server: SandboxServer, secrets: DictSecrets
) -> None:
    account = connect(server, secrets)
    saved = grant.load(secrets, X_USER_ID)
    assert saved is not None and saved.refresh_token and saved.client_id == X_CLIENT_ID
    session = XSession(env_for(server, secrets))
    token = session.access_token(account)
    assert token == saved.access_token
    saves: dict[str, Any] = {}
    result = session.publish(
        account, token, Post(1, "x", "Fresh bread at 7 https://example.com/menu"), {}, saves.__setitem__
    )
    assert result.permalink == f"https://x.com/{X_USERNAME}/status/{result.provider_post_id}"
    (tweet,) = server.state()["x"]["tweets"]
    assert tweet["id"] == result.provider_post_id and "https://t.co/" in tweet["shown"]


def test_a_two_image_post_uploads_each_image_with_its_alt_text(
    server: SandboxServer, secrets: DictSecrets, tmp_path: Path
) -> None:
    account = connect(server, secrets)
    session = XSession(env_for(server, secrets))
    media = (image(tmp_path, "a.jpg", "red"), image(tmp_path, "b.jpg", "blue"))
    saves: dict[str, Any] = {}
    result = session.publish(
        account, session.access_token(account) or "", Post(2, "x", "Two", media), {}, saves.__setitem__
    )
    state = server.state()["x"]
    (tweet,) = state["tweets"]
    assert tweet["id"] == result.provider_post_id and len(tweet["media_ids"]) == 2
    assert [saves[f"x_media_{i}"]["id"] for i in range(2)] == tweet["media_ids"]
    assert {state["media"][m]["alt_text"] for m in tweet["media_ids"]} == {"a red square", "a blue square"}


def test_a_duplicate_is_refused_in_plain_words(server: SandboxServer, secrets: DictSecrets) -> None:
    account = connect(server, secrets)
    session = XSession(env_for(server, secrets))
    token = session.access_token(account) or ""
    session.publish(account, token, Post(1, "x", "Same words"), {}, lambda k, v: None)
    with pytest.raises(PublishError) as caught:
        session.publish(account, token, Post(2, "x", "Same words"), {}, lambda k, v: None)
    err = caught.value
    assert (err.kind, err.category, err.ambiguous) == (ErrorKind.PERMANENT, ErrorCategory.DUPLICATE, False)
    assert str(err) == "X refuses a post identical to a recent one: change the words"


def test_an_expired_access_token_is_refreshed_silently_and_the_rotated_pair_stored(
    server: SandboxServer, secrets: DictSecrets
) -> None:
    account = connect(server, secrets)
    session = XSession(env_for(server, secrets))
    first = grant.load(secrets, X_USER_ID)
    assert first is not None
    # X said 401 for a token that still looks fresh here (expired early): refreshed once, the call repeated.
    requests.post(f"{server.url}/_sandbox/x/expire_token", json={}, timeout=5)
    result = session.publish(account, first.access_token, Post(1, "x", "After a 401"), {}, lambda k, v: None)
    second = grant.load(secrets, X_USER_ID)
    assert result.provider_post_id and second is not None
    assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
    # Two hours later on the sandbox clock: access_token() refreshes before the call.
    server.advance_clock(2 * 3600)
    later = XSession(Env(server.url, secrets, server.now, True))
    token = later.access_token(account)
    third = grant.load(secrets, X_USER_ID)
    assert third is not None and token == third.access_token != second.access_token
    later.publish(account, token or "", Post(2, "x", "Two hours on"), {}, lambda k, v: None)
    # The old, rotated refresh token is dead: using it again revokes the grant, as X does.
    answer = requests.post(
        f"{server.url}/2/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": first.refresh_token, "client_id": X_CLIENT_ID},
        timeout=5,
    )
    assert answer.status_code == 400
    with pytest.raises(PublishError) as caught:
        later.publish(account, token or "", Post(3, "x", "Revoked"), {}, lambda k, v: None)
    assert caught.value.category is ErrorCategory.TOKEN and str(caught.value).startswith("Reconnect X (@sandboxcafe)")


def test_an_ambiguous_create_is_reconciled_without_a_duplicate(server: SandboxServer, secrets: DictSecrets) -> None:
    account = connect(server, secrets)
    session = XSession(env_for(server, secrets))
    token = session.access_token(account) or ""
    post = Post(1, "x", "Lunch menu https://example.com/lunch?day=1")
    started = server.now()
    server.inject_fault(kind="hang_after_commit", match="x_tweet_create", seconds=0.2)
    with pytest.raises(PublishError) as caught:
        session.publish(account, token, post, {}, lambda k, v: None)
    assert caught.value.ambiguous
    found = session.reconcile(account, token, post, attempt(started), set())
    (tweet,) = server.state()["x"]["tweets"]
    assert found.check is CheckResult.FOUND and found.found is not None
    assert found.found.provider_post_id == tweet["id"]
    # Already recorded for another item: not this attempt's.
    assert session.reconcile(account, token, post, attempt(started), {tweet["id"]}).check is CheckResult.NOT_FOUND
    # A 5xx on the create call is ambiguous too; on a media call it is not.
    server.inject_fault(kind="error", match="x_tweet_create", http_status=503)
    with pytest.raises(PublishError) as caught:
        session.publish(account, token, Post(2, "x", "Other words"), {}, lambda k, v: None)
    assert caught.value.ambiguous and caught.value.kind is ErrorKind.TEMPORARY


def test_a_rate_limit_waits_until_x_resets_it(server: SandboxServer, secrets: DictSecrets) -> None:
    account = connect(server, secrets)
    session = XSession(env_for(server, secrets))
    reset = int(server.now().timestamp()) + 600
    server.inject_fault(
        kind="error", match="x_tweet_create", http_status=429, headers={"x-rate-limit-reset": str(reset)}
    )
    with pytest.raises(PublishError) as caught:
        session.publish(account, session.access_token(account) or "", Post(1, "x", "Hi"), {}, lambda k, v: None)
    err = caught.value
    assert err.category is ErrorCategory.THROTTLED and not err.ambiguous and err.retry_after is not None
    assert timedelta(minutes=9) < err.retry_after <= timedelta(minutes=10)


def test_a_video_waits_for_processing_and_a_later_try_reuses_the_saved_media(
    server: SandboxServer, secrets: DictSecrets, tmp_path: Path
) -> None:
    account = connect(server, secrets)
    session = XSession(env_for(server, secrets), sleep=lambda seconds: None)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00" * 5_000_000)  # two chunks
    requests.post(f"{server.url}/_sandbox/x/video_polls", json={"polls": 2}, timeout=5)
    saves: dict[str, Any] = {}
    server.inject_fault(kind="error", match="x_tweet_create", http_status=400, message="Bad")
    post = Post(1, "x", "Our oven at work", (MediaRef(str(video), MediaKind.VIDEO),))
    with pytest.raises(PublishError):
        session.publish(account, session.access_token(account) or "", post, {}, saves.__setitem__)
    assert saves["x_media_0"]["stage"] == "ready"
    inits = sum(1 for call in server.state()["x"]["calls"] if call.endswith("/initialize"))
    result = session.publish(account, session.access_token(account) or "", post, dict(saves), saves.__setitem__)
    state = server.state()["x"]
    assert sum(1 for call in state["calls"] if call.endswith("/initialize")) == inits  # reused, not uploaded again
    assert state["tweets"][0]["id"] == result.provider_post_id
    assert state["tweets"][0]["media_ids"] == [saves["x_media_0"]["id"]]


def test_an_expired_saved_media_id_is_uploaded_again(
    server: SandboxServer, secrets: DictSecrets, tmp_path: Path
) -> None:
    account = connect(server, secrets)
    session = XSession(env_for(server, secrets))
    media = (image(tmp_path, "a.jpg", "green"),)
    stale = {"x_media_0": {"id": "999", "stage": "ready", "expires_at": (server.now() + timedelta(days=1)).isoformat()}}
    saves: dict[str, Any] = {}
    result = session.publish(
        account, session.access_token(account) or "", Post(1, "x", "Green", media), stale, saves.__setitem__
    )
    (tweet,) = server.state()["x"]["tweets"]
    assert tweet["id"] == result.provider_post_id and tweet["media_ids"] == [saves["x_media_0"]["id"]] != ["999"]
