"""The sandbox fake Graph server over real HTTP: auth, publishing, permalinks, faults, control API, lifecycle."""

from __future__ import annotations

import email.utils
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from autoposter_gui.sandbox import (
    BAKERY_IG_ID,
    BAKERY_PAGE_ID,
    CAFE_PAGE_ID,
    SandboxServer,
    appsecret_proof,
)

V = "/v24.0"


# ----- helpers -----


def jpeg(width: int = 800, height: int = 600, color: str = "orange") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG")
    return buf.getvalue()


def png(width: int = 400, height: int = 400) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 255)).save(buf, "PNG")
    return buf.getvalue()


def get(srv: SandboxServer, path: str, **params: Any) -> requests.Response:
    return requests.get(srv.url + V + path, params=params, timeout=5)


def post(srv: SandboxServer, path: str, files: dict[str, Any] | None = None, **data: Any) -> requests.Response:
    return requests.post(srv.url + V + path, data=data, files=files, timeout=5)


def error_of(resp: requests.Response) -> dict[str, Any]:
    body = resp.json()
    assert "error" in body, body
    error: dict[str, Any] = body["error"]
    assert error["fbtrace_id"]
    return error


def long_token(srv: SandboxServer) -> str:
    creds = srv.credentials
    resp = get(
        srv,
        "/oauth/access_token",
        grant_type="fb_exchange_token",
        client_id=creds.app_id,
        client_secret=creds.app_secret,
        fb_exchange_token=creds.user_token,
    )
    assert resp.status_code == 200, resp.text
    token: str = resp.json()["access_token"]
    return token


def bakery_token(srv: SandboxServer) -> str:
    return srv.page_token(BAKERY_PAGE_ID)


def upload_hosted(srv: SandboxServer, token: str, data: bytes | None = None) -> str:
    """Step 8: an unpublished photo; returns the largest image URL."""
    resp = post(
        srv,
        f"/{BAKERY_PAGE_ID}/photos",
        files={"source": ("image.jpg", data or jpeg(), "image/jpeg")},
        published="false",
        fields="id,images",
        access_token=token,
    )
    assert resp.status_code == 200, resp.text
    images = resp.json()["images"]
    best = max(images, key=lambda i: i["width"] * i["height"])
    url: str = best["source"]
    return url


def text_post(srv: SandboxServer, message: str, **extra: Any) -> requests.Response:
    return post(srv, f"/{BAKERY_PAGE_ID}/feed", message=message, access_token=bakery_token(srv), **extra)


def wait_until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


# ----- auth and discovery -----


def test_auth_flow_exchange_accounts_debug_token(server: SandboxServer) -> None:
    creds = server.credentials
    assert creds.app_id == "sandbox-app" and creds.app_secret == "sandbox-secret"
    assert creds.user_token.startswith("EAAB") and len(creds.user_token) == 44

    resp = get(
        server,
        "/oauth/access_token",
        grant_type="fb_exchange_token",
        client_id=creds.app_id,
        client_secret=creds.app_secret,
        fb_exchange_token=creds.user_token,
    )
    body = resp.json()
    assert resp.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] > 59 * 86400
    long = body["access_token"]
    assert long != creds.user_token

    bad = get(
        server,
        "/oauth/access_token",
        grant_type="fb_exchange_token",
        client_id=creds.app_id,
        client_secret="wrong",
        fb_exchange_token=creds.user_token,
    )
    assert bad.status_code == 400 and error_of(bad)["code"] == 1

    accounts = get(
        server,
        "/me/accounts",
        fields="id,name,access_token,tasks,instagram_business_account{id,username}",
        access_token=long,
    ).json()
    pages = {p["id"]: p for p in accounts["data"]}
    assert "paging" in accounts
    bakery, cafe = pages[BAKERY_PAGE_ID], pages[CAFE_PAGE_ID]
    assert bakery["name"] == "Sandbox Bakery"
    assert {"CREATE_CONTENT", "MANAGE"} <= set(bakery["tasks"])
    assert bakery["instagram_business_account"] == {"id": BAKERY_IG_ID, "username": "sandbox.bakery"}
    assert cafe["tasks"] == ["ANALYZE"] and "instagram_business_account" not in cafe
    assert bakery["access_token"] == server.page_token(BAKERY_PAGE_ID)

    app_token = f"{creds.app_id}|{creds.app_secret}"
    now = time.time()
    user = get(server, "/debug_token", input_token=long, access_token=app_token).json()["data"]
    assert user["is_valid"] is True and user["type"] == "USER" and user["app_id"] == "sandbox-app"
    assert set(user["scopes"]) >= {"pages_manage_posts", "instagram_content_publish", "pages_show_list"}
    assert abs(user["expires_at"] - (now + 60 * 86400)) < 60
    page = get(server, "/debug_token", input_token=bakery["access_token"], access_token=app_token).json()["data"]
    assert page["is_valid"] is True and page["type"] == "PAGE" and page["expires_at"] == 0
    short = get(server, "/debug_token", input_token=creds.user_token, access_token=app_token).json()["data"]
    assert short["is_valid"] is True and short["expires_at"] > now
    invalid = get(server, "/debug_token", input_token="EAABnonsense", access_token=app_token).json()["data"]
    assert invalid["is_valid"] is False and invalid["error"]["code"] == 190 and invalid["scopes"] == []

    node = get(server, f"/{BAKERY_PAGE_ID}", fields="instagram_business_account", access_token=long).json()
    assert node == {"id": BAKERY_PAGE_ID, "instagram_business_account": {"id": BAKERY_IG_ID}}


def test_any_version_prefix_and_none(server: SandboxServer) -> None:
    token = bakery_token(server)
    for prefix in ("/v24.0", "/v19.0", "/v27", ""):
        resp = requests.get(f"{server.url}{prefix}/{BAKERY_PAGE_ID}", params={"access_token": token}, timeout=5)
        assert resp.status_code == 200 and resp.json()["id"] == BAKERY_PAGE_ID
    assert [c["path"] for c in server.state()["calls"]] == [f"/{BAKERY_PAGE_ID}"] * 4


def test_unknown_missing_and_revoked_tokens(server: SandboxServer) -> None:
    unknown = get(server, "/me/accounts", access_token="EAABdefinitelynotatoken")
    err = error_of(unknown)
    assert unknown.status_code == 400 and err["code"] == 190 and err["type"] == "OAuthException"
    assert "error_subcode" not in err

    missing = get(server, "/me/accounts")
    assert error_of(missing)["code"] == 104

    token = bakery_token(server)
    assert text_post(server, "before revoke").status_code == 200
    revoked = server.revoke(BAKERY_PAGE_ID)
    assert revoked == [token]
    resp = post(server, f"/{BAKERY_PAGE_ID}/feed", message="after revoke", access_token=token)
    err = error_of(resp)
    assert resp.status_code == 400 and err["code"] == 190 and err["error_subcode"] == 460
    # Reconnecting hands out a new Page token that works.
    fresh = get(server, "/me/accounts", access_token=long_token(server)).json()["data"][0]["access_token"]
    assert fresh != token
    assert post(server, f"/{BAKERY_PAGE_ID}/feed", message="after reconnect", access_token=fresh).ok

    # Revoking the user token (a password change) kills the user's and the Pages' tokens.
    user = server.credentials.user_token
    long = long_token(server)
    server.revoke(long)
    for dead in (user, long, fresh):
        assert error_of(get(server, "/me", access_token=dead))["error_subcode"] == 460
    assert server.credentials.user_token != user
    assert get(server, "/me/accounts", access_token=server.credentials.user_token).ok


def test_appsecret_proof_is_checked(server: SandboxServer) -> None:
    token = long_token(server)
    ok = get(server, "/me/accounts", access_token=token, appsecret_proof=appsecret_proof(token))
    assert ok.status_code == 200
    bad = get(server, "/me/accounts", access_token=token, appsecret_proof=appsecret_proof(token, "other-secret"))
    err = error_of(bad)
    assert bad.status_code == 400 and err["code"] == 100 and err["type"] == "GraphMethodException"
    assert err["message"] == "Invalid appsecret_proof provided in the API argument"
    page = bakery_token(server)
    resp = post(server, f"/{BAKERY_PAGE_ID}/feed", message="proof", access_token=page, appsecret_proof="00")
    assert error_of(resp)["code"] == 100
    assert server.state()["posts"] == []


def test_token_must_belong_to_the_page(server: SandboxServer) -> None:
    cafe = server.page_token(CAFE_PAGE_ID)
    for token in (cafe, long_token(server)):
        resp = post(server, f"/{BAKERY_PAGE_ID}/feed", message="not mine", access_token=token)
        assert resp.status_code == 403 and error_of(resp)["code"] == 200
    # The Cafe's own token lacks CREATE_CONTENT.
    resp = post(server, f"/{CAFE_PAGE_ID}/feed", message="analyst only", access_token=cafe)
    assert error_of(resp)["code"] == 200
    resp = post(server, f"/{BAKERY_IG_ID}/media", image_url="http://x/a.jpg", access_token=cafe)
    assert error_of(resp)["code"] == 200
    assert server.state()["posts"] == []


# ----- Facebook -----


def test_text_post_with_permalink_and_listing(server: SandboxServer) -> None:
    token = bakery_token(server)
    resp = post(
        server, f"/{BAKERY_PAGE_ID}/feed", message="Fresh bread <today>", fields="id,permalink_url", access_token=token
    )
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"id", "permalink_url"} and body["id"].startswith(BAKERY_PAGE_ID + "_")
    assert server.state()["calls"] == [{"method": "POST", "path": f"/{BAKERY_PAGE_ID}/feed"}]

    page = requests.get(body["permalink_url"], timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Fresh bread &lt;today&gt;" in page.text and "Sandbox Bakery" in page.text

    again = get(server, f"/{body['id']}", fields="permalink_url", access_token=token).json()
    assert again == {"id": body["id"], "permalink_url": body["permalink_url"]}

    bare = post(server, f"/{BAKERY_PAGE_ID}/feed", message="no fields", access_token=token).json()
    assert set(bare) == {"id"}

    listing = get(
        server,
        f"/{BAKERY_PAGE_ID}/feed",
        fields="id,message,created_time,permalink_url",
        since=0,
        limit=100,
        access_token=token,
    ).json()
    assert [p["message"] for p in listing["data"]] == ["no fields", "Fresh bread <today>"]
    assert listing["data"][1]["permalink_url"] == body["permalink_url"]
    assert listing["data"][0]["created_time"].endswith("+0000")
    future = get(server, f"/{BAKERY_PAGE_ID}/feed", since=int(time.time()) + 3600, access_token=token).json()
    assert future["data"] == []

    (recorded, _) = server.state()["posts"]
    assert recorded == {
        "id": body["id"],
        "platform": "facebook",
        "account_id": BAKERY_PAGE_ID,
        "text": "Fresh bread <today>",
        "image": False,
        "created_time": recorded["created_time"],
        "permalink": body["permalink_url"],
        "manual": False,
    }


def test_text_post_requires_message(server: SandboxServer) -> None:
    for message in ("", "   "):
        resp = text_post(server, message)
        assert resp.status_code == 400 and error_of(resp)["code"] == 100
    assert server.state()["posts"] == []


def test_duplicate_text_is_refused_then_allowed(server: SandboxServer) -> None:
    assert text_post(server, "Same again").ok
    dup = text_post(server, "Same again")
    err = error_of(dup)
    assert dup.status_code == 400 and err["code"] == 506 and "Duplicate status message" in err["message"]
    assert text_post(server, "Something else").ok
    server.advance_clock(601)
    assert text_post(server, "Same again").ok
    # Switchable over the control API.
    r = requests.post(f"{server.url}/_sandbox/config", json={"duplicate_check": False}, timeout=5)
    assert r.json()["config"]["duplicate_check"] is False
    assert text_post(server, "Same again").ok
    assert len(server.state()["posts"]) == 4


def test_photo_post_multipart(server: SandboxServer) -> None:
    token = bakery_token(server)
    resp = post(
        server,
        f"/{BAKERY_PAGE_ID}/photos",
        files={"source": ("image.jpg", jpeg(), "image/jpeg")},
        caption="Croissants ü",
        published="true",
        fields="id,post_id,permalink_url",
        access_token=token,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"id", "post_id", "permalink_url"} and body["post_id"].startswith(BAKERY_PAGE_ID + "_")
    html = requests.get(body["permalink_url"], timeout=5).text
    assert "Croissants ü" in html and "<img" in html
    (recorded,) = server.state()["posts"]
    assert recorded["id"] == body["post_id"] and recorded["image"] is True and recorded["text"] == "Croissants ü"

    # Without fields= only the photo id; the photo id still resolves to the permalink.
    bare = post(
        server, f"/{BAKERY_PAGE_ID}/photos", files={"source": ("a.png", png(), "image/png")}, access_token=token
    ).json()
    assert set(bare) == {"id"}
    link = get(server, f"/{bare['id']}", fields="permalink_url", access_token=token).json()["permalink_url"]
    assert requests.get(link, timeout=5).status_code == 200

    listing = get(server, f"/{BAKERY_PAGE_ID}/feed", fields="id,message", access_token=token).json()["data"]
    assert [p.get("message") for p in listing] == [None, "Croissants ü"]


@pytest.mark.parametrize("payload", [b"", b"not an image at all", jpeg()[:200]])
def test_photo_must_be_a_decodable_image(server: SandboxServer, payload: bytes) -> None:
    resp = post(
        server,
        f"/{BAKERY_PAGE_ID}/photos",
        files={"source": ("image.jpg", payload, "image/jpeg")},
        caption="broken",
        access_token=bakery_token(server),
    )
    err = error_of(resp)
    assert resp.status_code == 400 and err["code"] == 324 and "Missing or invalid image file" in err["message"]
    assert server.state()["posts"] == []


def test_gif_is_refused(server: SandboxServer) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    resp = post(
        server,
        f"/{BAKERY_PAGE_ID}/photos",
        files={"source": ("a.gif", buf.getvalue(), "image/gif")},
        access_token=bakery_token(server),
    )
    assert error_of(resp)["code"] == 324


# ----- Instagram -----


def test_instagram_flow_polls_and_double_publish(server: SandboxServer) -> None:
    token = bakery_token(server)
    image_url = upload_hosted(server, token)
    hosted = requests.get(image_url, timeout=5)
    assert hosted.status_code == 200 and hosted.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(hosted.content)).size == (800, 600)
    # The unpublished photo is no post.
    assert get(server, f"/{BAKERY_PAGE_ID}/feed", access_token=token).json()["data"] == []
    assert server.state()["posts"] == []

    container = post(server, f"/{BAKERY_IG_ID}/media", image_url=image_url, caption="IG #bread", access_token=token)
    cid = container.json()["id"]

    early = post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=cid, access_token=token)
    err = error_of(early)
    assert (err["code"], err["error_subcode"], err["message"]) == (9007, 2207027, "Media ID is not available")

    statuses = [get(server, f"/{cid}", fields="status_code", access_token=token).json() for _ in range(2)]
    assert statuses == [{"status_code": "IN_PROGRESS", "id": cid}, {"status_code": "FINISHED", "id": cid}]

    published = post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=cid, access_token=token)
    media_id = published.json()["id"]
    assert get(server, f"/{cid}", fields="status_code", access_token=token).json()["status_code"] == "PUBLISHED"

    again = post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=cid, access_token=token)
    err = error_of(again)
    assert (err["code"], err["error_subcode"]) == (9007, 2207027)
    assert err["message"] == "The media has already been published"

    permalink = get(server, f"/{media_id}", fields="permalink", access_token=token).json()
    assert permalink["id"] == media_id
    html = requests.get(permalink["permalink"], timeout=5).text
    assert "IG #bread" in html and "@sandbox.bakery" in html and "<img" in html

    listing = get(server, f"/{BAKERY_IG_ID}/media", fields="id,caption,timestamp,permalink", access_token=token).json()
    assert [(m["id"], m["caption"], m["permalink"]) for m in listing["data"]] == [
        (media_id, "IG #bread", permalink["permalink"])
    ]
    quota = get(server, f"/{BAKERY_IG_ID}/content_publishing_limit", fields="quota_usage,config", access_token=token)
    assert quota.json() == {"data": [{"quota_usage": 1, "config": {"quota_total": 100, "quota_duration": 86400}}]}

    ig_posts = [p for p in server.state()["posts"] if p["platform"] == "instagram"]
    assert ig_posts == [
        {
            "id": media_id,
            "platform": "instagram",
            "account_id": BAKERY_IG_ID,
            "text": "IG #bread",
            "image": True,
            "created_time": ig_posts[0]["created_time"],
            "permalink": permalink["permalink"],
            "manual": False,
        }
    ]


def test_instagram_five_calls_when_finished_at_first_read() -> None:
    with SandboxServer(container_polls=0) as srv:
        token = bakery_token(srv)
        image_url = upload_hosted(srv, token)
        cid = post(srv, f"/{BAKERY_IG_ID}/media", image_url=image_url, caption="c", access_token=token).json()["id"]
        assert get(srv, f"/{cid}", fields="status_code", access_token=token).json()["status_code"] == "FINISHED"
        media_id = post(srv, f"/{BAKERY_IG_ID}/media_publish", creation_id=cid, access_token=token).json()["id"]
        assert "permalink" in get(srv, f"/{media_id}", fields="permalink", access_token=token).json()
        assert len(srv.state()["calls"]) == 5


def test_container_needs_a_sandbox_hosted_url(server: SandboxServer) -> None:
    token = bakery_token(server)
    resp = post(server, f"/{BAKERY_IG_ID}/media", image_url="https://example.com/x.jpg", access_token=token)
    err = error_of(resp)
    assert (err["code"], err["error_subcode"]) == (9004, 2207052)


def test_container_checks_aspect_ratio(server: SandboxServer) -> None:
    token = bakery_token(server)
    url = upload_hosted(server, token, jpeg(1000, 300))
    err = error_of(post(server, f"/{BAKERY_IG_ID}/media", image_url=url, access_token=token))
    assert (err["code"], err["error_subcode"]) == (36003, 2207009)


def test_publishing_quota(server: SandboxServer) -> None:
    server.configure(quota_total=1, container_polls=0)
    token = bakery_token(server)
    url = upload_hosted(server, token)
    first, second = (
        post(server, f"/{BAKERY_IG_ID}/media", image_url=url, caption=c, access_token=token).json()["id"]
        for c in ("one", "two")
    )
    assert post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=first, access_token=token).ok
    over = post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=second, access_token=token)
    err = error_of(over)
    assert (err["code"], err["error_subcode"]) == (9, 2207042)
    limit = get(server, f"/{BAKERY_IG_ID}/content_publishing_limit", fields="quota_usage,config", access_token=token)
    assert limit.json()["data"][0] == {"quota_usage": 1, "config": {"quota_total": 1, "quota_duration": 86400}}


# ----- headers, keep-alive -----


def test_rate_limit_headers(server: SandboxServer) -> None:
    resp = text_post(server, "headers")
    usage = json.loads(resp.headers["X-App-Usage"])
    assert set(usage) == {"call_count", "total_cputime", "total_time"} and 0 <= usage["call_count"] < 10
    buc = json.loads(resp.headers["X-Business-Use-Case-Usage"])
    assert buc[BAKERY_PAGE_ID][0]["type"] == "pages"
    assert "estimated_time_to_regain_access" in buc[BAKERY_PAGE_ID][0]
    requests.post(f"{server.url}/_sandbox/config", json={"usage_percent": 95, "regain_access_minutes": 7}, timeout=5)
    resp = text_post(server, "busy")
    assert json.loads(resp.headers["X-App-Usage"])["call_count"] == 95
    assert (
        json.loads(resp.headers["X-Business-Use-Case-Usage"])[BAKERY_PAGE_ID][0]["estimated_time_to_regain_access"] == 7
    )


def test_keep_alive_reuses_one_connection(server: SandboxServer) -> None:
    token = bakery_token(server)
    with requests.Session() as session:
        for _ in range(2):
            resp = session.get(f"{server.url}{V}/{BAKERY_PAGE_ID}", params={"access_token": token}, timeout=5)
            assert resp.status_code == 200 and "close" not in resp.headers.get("Connection", "")
        resp = session.post(
            f"{server.url}{V}/{BAKERY_PAGE_ID}/photos",
            data={"access_token": token, "published": "false"},
            files={"source": ("image.jpg", jpeg(), "image/jpeg")},
            timeout=5,
        )
        assert resp.ok
    assert server.state()["connections"] == 1


# ----- faults -----


def test_error_fault_is_consumed_once(server: SandboxServer) -> None:
    server.inject_fault(kind="error", match="feed_post", code=2, is_transient=True, http_status=500)
    # Other endpoints do not consume it.
    assert get(server, f"/{BAKERY_PAGE_ID}", access_token=bakery_token(server)).ok
    failed = text_post(server, "retry me")
    err = error_of(failed)
    assert failed.status_code == 500 and err["code"] == 2 and err["is_transient"] is True
    assert server.state()["posts"] == []
    assert text_post(server, "retry me").ok
    assert len(server.state()["posts"]) == 1
    assert server.state()["faults"] == []


def test_error_fault_with_method_and_path_glob(server: SandboxServer) -> None:
    server.inject_fault(kind="error", method="POST", match=f"/{BAKERY_PAGE_ID}/*", code=368, times=2)
    assert get(server, f"/{BAKERY_PAGE_ID}/feed", access_token=bakery_token(server)).ok
    assert error_of(text_post(server, "a"))["code"] == 368
    assert error_of(text_post(server, "b"))["code"] == 368
    assert text_post(server, "c").ok


def test_html_fault(server: SandboxServer) -> None:
    server.inject_fault({"kind": "html", "match": "*"})
    resp = text_post(server, "gateway")
    assert resp.status_code == 502 and resp.headers["Content-Type"].startswith("text/html")
    assert "Bad Gateway" in resp.text
    assert server.state()["posts"] == []


def test_hang_after_commit_records_then_never_answers(server: SandboxServer) -> None:
    server.inject_fault(kind="hang_after_commit", match="feed_post", seconds=1)
    token = bakery_token(server)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(
            f"{server.url}{V}/{BAKERY_PAGE_ID}/feed", data={"message": "ghost", "access_token": token}, timeout=0.3
        )
    (recorded,) = server.state()["posts"]
    assert recorded["text"] == "ghost"


def test_hang_after_commit_closes_without_answer(server: SandboxServer) -> None:
    server.inject_fault(kind="hang_after_commit", match="media_publish|feed_post", seconds=0.2)
    with pytest.raises(requests.exceptions.ConnectionError):
        text_post(server, "closed without answer")
    assert len(server.state()["posts"]) == 1


def test_hang_before_does_nothing(server: SandboxServer) -> None:
    server.inject_fault(kind="hang_before", match="feed_post", seconds=1)
    token = bakery_token(server)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(
            f"{server.url}{V}/{BAKERY_PAGE_ID}/feed", data={"message": "never", "access_token": token}, timeout=0.3
        )
    assert server.state()["posts"] == []
    # Other requests are served meanwhile.
    assert text_post(server, "meanwhile").ok


@pytest.mark.parametrize(("after_commit", "expected_posts"), [(False, 0), (True, 1)])
def test_reset_fault(server: SandboxServer, after_commit: bool, expected_posts: int) -> None:
    server.inject_fault(kind="reset", match="feed_post", after_commit=after_commit)
    with pytest.raises(requests.exceptions.ConnectionError):
        text_post(server, "reset")
    assert len(server.state()["posts"]) == expected_posts
    assert text_post(server, "after the reset").ok


def test_latency_fault_and_global_latency(server: SandboxServer) -> None:
    server.inject_fault(kind="latency", match="me_accounts", ms=300)
    token = long_token(server)
    start = time.monotonic()
    assert get(server, "/me/accounts", access_token=token).ok
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    assert get(server, "/me/accounts", access_token=token).ok
    assert time.monotonic() - start < 0.3

    server.configure(latency_ms=150)
    start = time.monotonic()
    assert get(server, "/me/accounts", access_token=token).ok
    assert time.monotonic() - start >= 0.15


def test_fault_on_oauth_and_container_status(server: SandboxServer) -> None:
    server.inject_fault(kind="error", match="oauth", code=1, message="An unknown error has occurred.")
    creds = server.credentials
    resp = get(
        server,
        "/oauth/access_token",
        grant_type="fb_exchange_token",
        client_id=creds.app_id,
        client_secret=creds.app_secret,
        fb_exchange_token=creds.user_token,
    )
    assert error_of(resp)["code"] == 1
    server.configure(container_polls=0)
    token = bakery_token(server)
    cid = post(server, f"/{BAKERY_IG_ID}/media", image_url=upload_hosted(server, token), access_token=token).json()[
        "id"
    ]
    server.inject_fault(kind="error", match="container_status", code=-1, subcode=2207001, is_transient=True)
    err = error_of(get(server, f"/{cid}", fields="status_code", access_token=token))
    assert (err["code"], err["error_subcode"]) == (-1, 2207001)
    assert get(server, f"/{cid}", fields="status_code", access_token=token).json()["status_code"] == "FINISHED"


def test_bad_fault_spec_is_refused(server: SandboxServer) -> None:
    with pytest.raises(ValueError):
        server.inject_fault(kind="explode")
    with pytest.raises(ValueError):
        server.inject_fault(kind="error", match="feed_psot")
    resp = requests.post(f"{server.url}/_sandbox/faults", json={"kind": "error", "cod": 1}, timeout=5)
    assert resp.status_code == 400 and "cod" in resp.json()["error"]


# ----- Meta's quirks and owner actions: late commits, clock skew, revoke mid-batch, manual posts -----


def feed(srv: SandboxServer, **params: Any) -> list[dict[str, Any]]:
    resp = get(
        srv, f"/{BAKERY_PAGE_ID}/feed", fields="id,message,created_time", access_token=bakery_token(srv), **params
    )
    assert resp.status_code == 200, resp.text
    data: list[dict[str, Any]] = resp.json()["data"]
    return data


def meta_ts(value: str) -> float:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").timestamp()


def test_late_commit_drops_the_connection_and_lands_after_the_delay(server: SandboxServer) -> None:
    server.inject_fault(kind="late_commit", match="feed_post", seconds=0.5)
    sent = time.time()
    with pytest.raises(requests.exceptions.ConnectionError):
        text_post(server, "committed late")
    # Right after the drop Meta shows nothing: a reconcile now would say "not found".
    assert server.state()["posts"] == [] and feed(server) == []
    (pending,) = server.state()["late_commits"]
    assert pending["endpoint"] == "feed_post" and pending["path"] == f"/{BAKERY_PAGE_ID}/feed"
    wait_until(lambda: len(server.state()["posts"]) == 1)
    (landed,) = feed(server)
    assert landed["message"] == "committed late"
    assert meta_ts(landed["created_time"]) >= int(sent + 0.5)
    assert server.state()["late_commits"] == []
    # One request, one post: the fault was used up, and the call was logged once.
    assert text_post(server, "answered").ok
    assert server.state()["calls"].count({"method": "POST", "path": f"/{BAKERY_PAGE_ID}/feed"}) == 2


def test_late_commit_can_hold_the_connection_before_the_drop(server: SandboxServer) -> None:
    server.inject_fault(kind="late_commit", match="feed_post", seconds=0.6, hang_seconds=0.3)
    start = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectionError):
        text_post(server, "held, dropped, then committed")
    assert time.monotonic() - start >= 0.3
    assert server.state()["posts"] == []
    wait_until(lambda: [p["text"] for p in server.state()["posts"]] == ["held, dropped, then committed"])


def test_late_commit_of_a_container_published_meanwhile_adds_nothing(server: SandboxServer) -> None:
    server.configure(container_polls=0)
    token = bakery_token(server)
    cid = post(server, f"/{BAKERY_IG_ID}/media", image_url=upload_hosted(server, token), access_token=token).json()[
        "id"
    ]
    requests.post(f"{server.url}/_sandbox/faults", json={"kind": "late_commit", "seconds": 0.3}, timeout=5)
    with pytest.raises(requests.exceptions.ConnectionError):
        post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=cid, access_token=token)
    assert get(server, f"/{cid}", fields="status_code", access_token=token).json()["status_code"] == "FINISHED"
    # The client publishes the container again before the dropped request lands; Meta refuses the late one.
    assert post(server, f"/{BAKERY_IG_ID}/media_publish", creation_id=cid, access_token=token).ok
    wait_until(lambda: server.state()["late_commits"] == [])
    assert len([p for p in server.state()["posts"] if p["platform"] == "instagram"]) == 1
    assert server.state()["internal_errors"] == []


def test_reset_cancels_a_pending_late_commit(server: SandboxServer) -> None:
    server.inject_fault(kind="late_commit", match="feed_post", seconds=0.3)
    with pytest.raises(requests.exceptions.ConnectionError):
        text_post(server, "never lands")
    server.reset()
    assert server.state()["late_commits"] == []
    assert text_post(server, "after the reset").ok  # keeps the thread busy past the delay
    time.sleep(0.6)  # a wall-clock timer of the server: give it the chance to misbehave
    assert [p["text"] for p in server.state()["posts"]] == ["after the reset"]


@pytest.mark.parametrize("skew", [-7200, 7200])
def test_clock_skew_shows_in_the_date_header_and_created_times(server: SandboxServer, skew: int) -> None:
    server.set_clock_skew(skew)
    resp = text_post(server, "skewed")
    assert resp.ok
    date = email.utils.parsedate_to_datetime(resp.headers["Date"]).timestamp()
    assert abs(date - (time.time() + skew)) < 5
    (listed,) = feed(server)
    assert abs(meta_ts(listed["created_time"]) - (time.time() + skew)) < 5
    assert abs(server.now().timestamp() - (time.time() + skew)) < 5
    # "since" is read in Meta's clock too: a client that trusts its own clock misses a post when Meta is behind.
    mine = int(time.time()) - 60
    assert (feed(server, since=mine) == []) is (skew < 0)
    assert len(feed(server, since=mine - 3 * 3600)) == 1
    # Error answers, Instagram timestamps and the control API's own answer carry the same clock.
    err = get(server, "/me", access_token="EAABnotatoken")
    assert abs(email.utils.parsedate_to_datetime(err.headers["Date"]).timestamp() - (time.time() + skew)) < 5
    server.add_manual_post(BAKERY_IG_ID, "ig skewed")
    media = get(server, f"/{BAKERY_IG_ID}/media", fields="caption,timestamp", access_token=bakery_token(server))
    assert abs(meta_ts(media.json()["data"][0]["timestamp"]) - (time.time() + skew)) < 5

    answer = requests.post(f"{server.url}/_sandbox/clock", json={"skew_seconds": 0}, timeout=5).json()
    assert answer["clock_skew"] == 0 and abs(meta_ts(answer["now"]) - time.time()) < 5
    assert state_ok(server)


def state_ok(srv: SandboxServer) -> bool:
    return srv.state()["internal_errors"] == []


def test_set_clock_moves_meta_along_and_skew_stays_on_top(server: SandboxServer) -> None:
    later = datetime.now(UTC) + timedelta(hours=5)
    server.set_clock(later)
    server.set_clock_skew(-600)
    assert abs(server.now().timestamp() - (later.timestamp() - 600)) < 5
    resp = requests.post(
        f"{server.url}/_sandbox/clock", json={"set_time": (later + timedelta(hours=1)).isoformat()}, timeout=5
    )
    assert resp.ok and resp.json()["clock_skew"] == -600
    assert abs(server.now().timestamp() - (later.timestamp() + 3600 - 600)) < 5
    for bad in ({}, {"skew_seconds": "2h"}, {"set_time": "2027-01-01T10:00"}, {"advance": 1}):
        assert requests.post(f"{server.url}/_sandbox/clock", json=bad, timeout=5).status_code == 400
    with pytest.raises(ValueError):
        server.set_clock(datetime(2027, 1, 1))
    server.reset()
    assert server.state()["clock_skew"] == 0 and server.state()["clock_offset"] == 0


def test_revoke_fault_mid_batch_answers_190_until_a_reconnect(server: SandboxServer) -> None:
    token = bakery_token(server)
    server.inject_fault(kind="revoke", match="feed_post", skip=1, name="mid-batch")
    assert text_post(server, "first of the batch").ok
    assert server.state()["faults"][0]["name"] == "mid-batch"  # still waiting: the first call was skipped
    second = post(server, f"/{BAKERY_PAGE_ID}/feed", message="second", access_token=token)
    err = error_of(second)
    assert (second.status_code, err["code"], err["error_subcode"]) == (400, 190, 460)
    assert server.state()["faults"] == []
    # Every later call with that token fails the same way, reads too.
    third = get(server, f"/{BAKERY_PAGE_ID}/feed", access_token=token)
    assert error_of(third)["code"] == 190
    assert [p["text"] for p in server.state()["posts"]] == ["first of the batch"]
    # A reconnect (exchange, then /me/accounts) hands out a fresh Page token, which works.
    fresh = get(server, "/me/accounts", access_token=long_token(server)).json()["data"][0]["access_token"]
    assert fresh != token
    assert post(server, f"/{BAKERY_PAGE_ID}/feed", message="second", access_token=fresh).ok


def test_revoke_fault_after_commit_and_for_the_user(server: SandboxServer) -> None:
    long = long_token(server)
    token = bakery_token(server)
    server.inject_fault(kind="revoke", match="feed_post", after_commit=True, target="user")
    assert text_post(server, "lands, then the password changes").ok
    assert error_of(post(server, f"/{BAKERY_PAGE_ID}/feed", message="too late", access_token=token))["code"] == 190
    assert error_of(get(server, "/me/accounts", access_token=long))["error_subcode"] == 460
    assert [p["text"] for p in server.state()["posts"]] == ["lands, then the password changes"]
    # The owner logs in again: the new user token gives new Page tokens.
    fresh = get(server, "/me/accounts", access_token=long_token(server)).json()["data"][0]["access_token"]
    assert fresh != token
    assert post(server, f"/{BAKERY_PAGE_ID}/feed", message="back", access_token=fresh).ok


def test_manual_post_is_listed_with_its_backdated_time(server: SandboxServer) -> None:
    assert text_post(server, "from the app").ok
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    manual = server.add_manual_post(BAKERY_PAGE_ID, "by hand", an_hour_ago)
    assert manual["manual"] is True and manual["platform"] == "facebook" and manual["text"] == "by hand"
    listed = feed(server)
    # Newest first by created time, though the manual post was added last.
    assert [p["message"] for p in listed] == ["from the app", "by hand"]
    assert meta_ts(listed[1]["created_time"]) == int(an_hour_ago.timestamp())
    assert [p["message"] for p in feed(server, since=int(an_hour_ago.timestamp()) + 60)] == ["from the app"]
    # Over the control API, for Instagram, with an ISO time.
    two_hours_ago = an_hour_ago - timedelta(hours=1)
    resp = requests.post(
        f"{server.url}/_sandbox/manual_post",
        json={"account_id": BAKERY_IG_ID, "text": "ig by hand", "created_time": two_hours_ago.isoformat()},
        timeout=5,
    )
    assert resp.ok and resp.json()["post"]["manual"] is True
    media = get(server, f"/{BAKERY_IG_ID}/media", fields="caption,timestamp", access_token=bakery_token(server))
    (item,) = media.json()["data"]
    assert item["caption"] == "ig by hand" and meta_ts(item["timestamp"]) == int(two_hours_ago.timestamp())
    assert [(p["text"], p["manual"]) for p in server.state()["posts"]] == [
        ("from the app", False),
        ("by hand", True),
        ("ig by hand", True),
    ]
    bad = requests.post(f"{server.url}/_sandbox/manual_post", json={"account_id": "1", "text": "x"}, timeout=5)
    assert bad.status_code == 400 and "unknown account" in bad.json()["error"]
    with pytest.raises(ValueError):
        server.add_manual_post(BAKERY_PAGE_ID, "naive", datetime(2026, 1, 1))


def test_new_fault_specs_are_checked(server: SandboxServer) -> None:
    for spec in (
        {"kind": "late_commit", "seconds": -1},
        {"kind": "revoke", "skip": -1},
        {"kind": "revoke", "target": 1},
    ):
        resp = requests.post(f"{server.url}/_sandbox/faults", json=spec, timeout=5)
        assert resp.status_code == 400, spec
    assert server.state()["faults"] == []


# ----- control API over HTTP -----


def test_control_api(server: SandboxServer) -> None:
    base = f"{server.url}/_sandbox"
    creds = requests.get(f"{base}/credentials", timeout=5).json()
    assert creds == {
        "app_id": "sandbox-app",
        "app_secret": "sandbox-secret",
        "user_token": server.credentials.user_token,
    }

    queued = requests.post(
        f"{base}/faults",
        json=[
            {"kind": "error", "match": "feed_post", "code": 32, "message": "(#32) Page request limit reached"},
            {"kind": "html", "match": "feed_post"},
        ],
        timeout=5,
    ).json()
    assert queued["queued"] == 2 and len(queued["faults"]) == 2
    assert error_of(text_post(server, "x"))["code"] == 32
    assert requests.delete(f"{base}/faults", timeout=5).json() == {"success": True, "cleared": 1}
    assert text_post(server, "x").ok

    config = requests.post(f"{base}/config", json={"container_polls": 3, "quota_total": 50}, timeout=5).json()
    assert config["config"]["container_polls"] == 3 and config["config"]["quota_total"] == 50
    assert requests.post(f"{base}/config", json={"quota_total": "many"}, timeout=5).status_code == 400
    assert requests.post(f"{base}/config", json={"nope": 1}, timeout=5).status_code == 400

    token = bakery_token(server)
    revoked = requests.post(f"{base}/revoke", json={"account_id": BAKERY_IG_ID}, timeout=5).json()
    assert revoked["revoked"] == [token]
    dead = post(server, f"/{BAKERY_PAGE_ID}/feed", message="y", access_token=token)
    assert error_of(dead)["code"] == 190
    user = server.credentials.user_token
    requests.post(f"{base}/revoke", json={"token": user}, timeout=5)
    assert error_of(get(server, "/me", access_token=user))["error_subcode"] == 460

    state = requests.get(f"{base}/state", timeout=5).json()
    assert [p["text"] for p in state["posts"]] == ["x"]
    assert {"method": "POST", "path": f"/{BAKERY_PAGE_ID}/feed"} in state["calls"]
    assert all(not c["path"].startswith("/_sandbox") for c in state["calls"])
    assert state["config"]["quota_total"] == 50

    assert requests.post(f"{base}/reset", timeout=5).json() == {"success": True}
    state = requests.get(f"{base}/state", timeout=5).json()
    assert state["posts"] == [] and state["calls"] == [] and state["config"]["quota_total"] == 100
    assert state["tokens"]["revoked"] == []
    assert requests.get(f"{base}/credentials", timeout=5).json()["user_token"] == user
    assert requests.get(f"{base}/nothing", timeout=5).status_code == 404


# ----- persistence and lifecycle -----


def test_state_survives_restart(tmp_path: Path) -> None:
    state_path = tmp_path / "sandbox" / "state.json"
    with SandboxServer(state_path=state_path, container_polls=0) as first:
        token = bakery_token(first)
        long = long_token(first)
        text_id = post(first, f"/{BAKERY_PAGE_ID}/feed", message="persisted", access_token=token).json()["id"]
        photo = post(
            first,
            f"/{BAKERY_PAGE_ID}/photos",
            files={"source": ("image.jpg", jpeg(), "image/jpeg")},
            caption="persisted photo",
            fields="id,post_id",
            access_token=token,
        ).json()
        url = upload_hosted(first, token)
        cid = post(first, f"/{BAKERY_IG_ID}/media", image_url=url, caption="ig", access_token=token).json()["id"]
        media_id = post(first, f"/{BAKERY_IG_ID}/media_publish", creation_id=cid, access_token=token).json()["id"]
        first.revoke(CAFE_PAGE_ID)
        cafe_dead = first.state()["tokens"]["revoked"][0]
        before = first.state()["posts"]
    assert state_path.exists()

    with SandboxServer(state_path=state_path) as second:
        after = second.state()["posts"]
        assert [(p["id"], p["text"], p["image"]) for p in after] == [(p["id"], p["text"], p["image"]) for p in before]
        assert all(p["permalink"].startswith(second.url) for p in after)
        for p in after:
            assert requests.get(p["permalink"], timeout=5).status_code == 200
        html = requests.get(f"{second.url}/sandbox/post/{photo['post_id']}", timeout=5).text
        img = html.split('<img src="', 1)[1].split('"', 1)[0]
        assert requests.get(second.url + img, timeout=5).headers["Content-Type"] == "image/jpeg"
        assert get(second, f"/{text_id}", fields="permalink_url", access_token=token).ok
        assert get(second, "/me/accounts", access_token=long).ok
        assert error_of(get(second, "/me", access_token=cafe_dead))["error_subcode"] == 460
        again = post(second, f"/{BAKERY_IG_ID}/media_publish", creation_id=cid, access_token=token)
        assert error_of(again)["message"] == "The media has already been published"
        assert media_id in {p["id"] for p in after}
        new_id = post(second, f"/{BAKERY_PAGE_ID}/feed", message="after restart", access_token=token).json()["id"]
        assert new_id not in {p["id"] for p in after}


def test_stop_returns_promptly_while_a_request_hangs() -> None:
    srv = SandboxServer().start()
    srv.inject_fault(kind="hang_before", match="feed_post", seconds=30)
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            outcome.append(text_post(srv, "hung").status_code)
        except requests.RequestException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    wait_until(lambda: any(c["path"].endswith("/feed") for c in srv.state()["calls"]))
    start = time.monotonic()
    srv.stop()
    assert time.monotonic() - start < 2
    worker.join(timeout=5)
    assert outcome and isinstance(outcome[0], requests.ConnectionError)
    with pytest.raises(requests.ConnectionError):
        requests.get(srv.url + "/sandbox/", timeout=1)


def test_stop_is_prompt_with_an_idle_keep_alive_connection() -> None:
    srv = SandboxServer().start()
    session = requests.Session()
    assert session.get(srv.url + "/sandbox/", timeout=5).ok
    start = time.monotonic()
    srv.stop()
    assert time.monotonic() - start < 2
    session.close()


def test_sandbox_index_and_unknown_permalink(server: SandboxServer) -> None:
    text_post(server, "On the index")
    index = requests.get(server.url + "/sandbox/", timeout=5)
    assert index.status_code == 200 and "On the index" in index.text
    assert requests.get(server.url + "/sandbox/post/123_456", timeout=5).status_code == 404
    assert requests.get(server.url + "/sandbox/media/999.jpg", timeout=5).status_code == 404
    assert server.state()["calls"] == [{"method": "POST", "path": f"/{BAKERY_PAGE_ID}/feed"}]


@pytest.mark.parametrize("as_json", [False, True])
def test_serve_runs_in_the_foreground_until_ctrl_c(tmp_path: Path, as_json: bool) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "autoposter_gui.sandbox", "--port", "0", "--state", str(tmp_path / "s.json")]
    proc = subprocess.Popen(
        [*args, "--json"] if as_json else args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        if as_json:
            info = json.loads(proc.stdout.readline())
            url = info["url"]
            assert info["env"] == {"AUTOPOSTER_GRAPH_URL": url} and info["app_secret"] == "sandbox-secret"
        else:
            lines = [proc.stdout.readline() for _ in range(9)]
            env_line = next(line for line in lines if "AUTOPOSTER_GRAPH_URL=" in line)
            url = env_line.split("=", 1)[1].strip()
            assert any("sandbox-secret" in line for line in lines)
        assert requests.get(url + "/_sandbox/credentials", timeout=5).json()["app_id"] == "sandbox-app"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert proc.stderr is not None and proc.stderr.read() == ""  # quiet: no request log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()


def test_a_page_admin_can_change_the_users_tasks(tmp_path: Path) -> None:
    """The control call gives a Page other tasks: /me/accounts lists them, and posting follows them; the change
    survives a restart of a persisted sandbox and goes away with a reset."""
    state = tmp_path / "sandbox.json"
    with SandboxServer(port=0, state_path=state) as srv:
        cafe_token = srv.page_token(CAFE_PAGE_ID)

        def tasks() -> dict[str, list[str]]:
            data = get(srv, "/me/accounts", access_token=srv.credentials.user_token, fields="id,tasks").json()["data"]
            return {p["id"]: p["tasks"] for p in data}

        refused = post(srv, f"/{CAFE_PAGE_ID}/feed", access_token=cafe_token, message="latte")
        assert refused.json()["error"]["code"] == 200
        answer = requests.post(
            f"{srv.url}/_sandbox/page_tasks",
            json={"page_id": CAFE_PAGE_ID, "tasks": ["ANALYZE", "CREATE_CONTENT"]},
            timeout=5,
        )
        assert answer.status_code == 200 and answer.json()["success"] is True
        assert tasks()[CAFE_PAGE_ID] == ["ANALYZE", "CREATE_CONTENT"]
        assert post(srv, f"/{CAFE_PAGE_ID}/feed", access_token=cafe_token, message="latte").json()["id"]
        srv.set_page_tasks(BAKERY_PAGE_ID, ["ANALYZE"])
        assert tasks()[BAKERY_PAGE_ID] == ["ANALYZE"]
        bad = requests.post(f"{srv.url}/_sandbox/page_tasks", json={"page_id": "999", "tasks": []}, timeout=5)
        assert bad.status_code == 400 and "no Page" in bad.json()["error"]
    with SandboxServer(port=0, state_path=state) as again:
        assert again.world.pages_by_id[BAKERY_PAGE_ID].tasks == ("ANALYZE",)
        again.reset()
        assert again.world.pages_by_id[BAKERY_PAGE_ID].can_publish
        assert not again.world.pages_by_id[CAFE_PAGE_ID].can_publish
