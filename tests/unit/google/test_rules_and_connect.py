"""The local rules of a Google post, and connecting (code exchange with PKCE, discovery, what the keyring gets)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from autoposter_gui.domain.models import DiscoveredAccount, MediaKind, MediaRef, Platform
from autoposter_gui.google.network import NETWORK
from autoposter_gui.google.oauth import SCOPE, secret_key
from autoposter_gui.networks.protocol import ConnectError, Post

from .helpers import ORIGIN, REFRESH, SECRET, DictSecrets, make_env


def problems(post: Post) -> list[str]:
    return [f"{e.field}: {e}" for e in NETWORK.preflight(post)]


def test_a_plain_post_passes() -> None:
    assert problems(Post(1, "google", "x" * 1500, media=(MediaRef("a.jpg"),))) == []


def test_each_rule_says_what_is_wrong() -> None:
    post = Post(
        1,
        "google",
        "x" * 1501,
        media=(MediaRef("a.jpg"), MediaRef("b.jpg"), MediaRef("c.mp4", MediaKind.VIDEO)),
        link="https://bakery.test",
        first_comment="hello",
    )
    found = problems(post)
    assert found == [
        "text: Google Business Profile posts hold at most 1,500 characters; this one has 1,501",
        "image: Google Business Profile posts made through the API take photos only, not videos",
        "image: A Google Business Profile post takes one photo; this one has 2",
        "link: Google Business Profile posts have no link field; use --button LEARN_MORE with --button-url",
        "first_comment: Google Business Profile posts can't have comments; remove the first comment",
    ]


def test_network_identity() -> None:
    assert (NETWORK.key, NETWORK.platforms, NETWORK.label("google")) == (
        "google",
        ("google",),
        "Google Business Profile",
    )


def redirect_with(flow_url: str, code: str = "4/code-xyz") -> str:
    query = {k: v[0] for k, v in parse_qs(urlsplit(flow_url).query).items()}
    return f"{query['redirect_uri']}?state={query['state']}&code={code}&scope={SCOPE}"


@responses.activate
def test_connect_exchanges_the_code_and_stores_one_grant_per_location() -> None:
    responses.add(
        responses.POST,
        f"{ORIGIN}/token",
        json={"access_token": "ya29.access-0001", "refresh_token": REFRESH, "expires_in": 3599, "scope": SCOPE},
    )
    responses.add(responses.GET, f"{ORIGIN}/v1/accounts", json={"accounts": [{"name": "accounts/1001"}]})
    locations = f"{ORIGIN}/v1/accounts/1001/locations"
    responses.add(
        responses.GET,
        locations,
        json={"locations": [{"name": "locations/2001", "title": "High St"}], "nextPageToken": "n2"},
    )
    responses.add(responses.GET, locations, json={"locations": [{"name": "locations/2002", "title": "Market Sq"}]})
    secrets = DictSecrets()
    flow = NETWORK.begin_connect(make_env(secrets), client_id="cid.apps.googleusercontent.com", client_secret=SECRET)
    url = urlsplit(flow.authorization_url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ORIGIN}/o/oauth2/auth"
    assert query["code_challenge_method"] == "S256" and query["scope"] == SCOPE
    assert query["access_type"] == "offline" and query["redirect_uri"] == flow.redirect_uri
    assert flow.redirect_uri.startswith("http://127.0.0.1:")

    result = flow.finish(redirect_with(flow.authorization_url))
    assert result.accounts == (
        DiscoveredAccount(Platform.GOOGLE, "2001", "High St", secrets.data[secret_key("2001")], "accounts/1001"),
        DiscoveredAccount(Platform.GOOGLE, "2002", "Market Sq", secrets.data[secret_key("2002")], "accounts/1001"),
    )
    token_form = {k: v[0] for k, v in parse_qs(str(responses.calls[0].request.body)).items()}
    assert token_form["grant_type"] == "authorization_code" and token_form["code"] == "4/code-xyz"
    assert len(token_form["code_verifier"]) >= 43
    assert token_form["client_id"] == "cid.apps.googleusercontent.com" and token_form["client_secret"] == SECRET
    assert "readMask" in parse_qs(urlsplit(responses.calls[2].request.url).query)
    assert "pageToken=n2" in str(responses.calls[3].request.url)
    blob = json.loads(secrets.data[secret_key("2002")])
    assert blob == {
        "v": 1,
        "client_id": "cid.apps.googleusercontent.com",
        "client_secret": SECRET,
        "refresh_token": REFRESH,
        "account": "accounts/1001",
        "location": "locations/2002",
    }
    assert "ya29" not in json.dumps(blob)  # the access token is never stored


def test_a_mismatched_state_or_a_denial_is_refused() -> None:
    flow = NETWORK.begin_connect(make_env(), client_id="cid", client_secret=SECRET)
    with pytest.raises(ConnectError, match="does not belong"):
        flow.finish(f"{flow.redirect_uri}?state=forged&code=abc")
    with pytest.raises(ConnectError, match="access_denied"):
        flow.finish(f"{flow.redirect_uri}?error=access_denied")


def test_connect_needs_the_client_secret() -> None:
    with pytest.raises(ConnectError, match="client secret"):
        NETWORK.begin_connect(make_env(), client_id="cid", client_secret=None)


@responses.activate
def test_an_api_not_approved_reads_as_such_while_connecting() -> None:
    responses.add(responses.POST, f"{ORIGIN}/token", json={"access_token": "ya29.a-0002", "refresh_token": REFRESH})
    responses.add(
        responses.GET,
        f"{ORIGIN}/v1/accounts",
        status=403,
        json={"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "API has not been used in project 9"}},
    )
    secrets = DictSecrets()
    flow = NETWORK.begin_connect(make_env(secrets), client_id="cid", client_secret=SECRET)
    with pytest.raises(ConnectError, match="must be approved and enabled for your Google Cloud project"):
        flow.finish(redirect_with(flow.authorization_url))
    assert secrets.data == {}


@responses.activate
def test_other_granted_scopes_are_accepted_only_with_business_manage() -> None:
    token = {"access_token": "ya29.a-0003", "refresh_token": REFRESH, "scope": f"openid {SCOPE}"}
    responses.add(responses.POST, f"{ORIGIN}/token", json=token)
    responses.add(responses.GET, f"{ORIGIN}/v1/accounts", json={"accounts": [{"name": "accounts/1001"}]})
    responses.add(
        responses.GET, f"{ORIGIN}/v1/accounts/1001/locations", json={"locations": [{"name": "locations/2001"}]}
    )
    flow = NETWORK.begin_connect(make_env(), client_id="cid", client_secret=SECRET)
    assert [a.external_id for a in flow.finish(redirect_with(flow.authorization_url)).accounts] == ["2001"]
    responses.replace(responses.POST, f"{ORIGIN}/token", json={**token, "scope": "openid"})
    flow = NETWORK.begin_connect(make_env(), client_id="cid", client_secret=SECRET)
    with pytest.raises(ConnectError, match="did not let Autoposter manage your Business Profile"):
        flow.finish(redirect_with(flow.authorization_url))
