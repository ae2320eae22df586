"""The sandbox's scheduler: scheduled posts go live on its clock (or vanish), and the update/delete/read calls."""

from __future__ import annotations

import requests

from autoposter_gui.sandbox import BAKERY_PAGE_ID, SandboxServer
from tests.sandbox.test_sandbox_server import V, bakery_token, error_of, get, jpeg, post


def _at(server: SandboxServer, minutes: float) -> str:
    return str(int(server.now().timestamp() + minutes * 60))


def test_a_scheduled_post_waits_then_goes_live_when_the_clock_passes(server: SandboxServer) -> None:
    token = bakery_token(server)
    created = post(
        server,
        f"/{BAKERY_PAGE_ID}/feed",
        message="Later",
        published="false",
        scheduled_publish_time=_at(server, 60),
        access_token=token,
    )
    assert created.status_code == 200, created.text
    post_id = created.json()["id"]
    fields = "is_published,permalink_url,created_time"
    assert get(server, f"/{post_id}", fields=fields, access_token=token).json()["is_published"] is False
    assert get(server, f"/{BAKERY_PAGE_ID}/feed", access_token=token).json()["data"] == []
    listed = get(server, f"/{BAKERY_PAGE_ID}/scheduled_posts", access_token=token).json()["data"]
    assert [p["id"] for p in listed] == [post_id]
    assert server.state()["posts"] == [] and len(server.state()["scheduled_posts"]) == 1
    server.advance_clock(61 * 60)
    read = get(server, f"/{post_id}", fields=fields, access_token=token).json()
    assert read["is_published"] is True and read["permalink_url"].endswith(post_id)
    assert [p["id"] for p in server.state()["posts"]] == [post_id] and server.state()["scheduled_posts"] == []


def test_a_time_outside_10_minutes_to_75_days_is_refused(server: SandboxServer) -> None:
    token = bakery_token(server)
    for minutes in (5, 76 * 24 * 60):
        resp = post(
            server,
            f"/{BAKERY_PAGE_ID}/feed",
            message="x",
            published="false",
            scheduled_publish_time=_at(server, minutes),
            access_token=token,
        )
        assert resp.status_code == 400 and error_of(resp)["code"] == 100
    assert server.state()["scheduled_posts"] == []


def test_update_publish_now_delete_and_vanish(server: SandboxServer) -> None:
    token = bakery_token(server)

    def schedule(text: str) -> str:
        resp = post(
            server,
            f"/{BAKERY_PAGE_ID}/feed",
            message=text,
            published="false",
            scheduled_publish_time=_at(server, 60),
            access_token=token,
        )
        post_id: str = resp.json()["id"]
        return post_id

    one, two, three = schedule("one"), schedule("two"), schedule("three")
    assert post(
        server, f"/{one}", message="one, edited", scheduled_publish_time=_at(server, 120), access_token=token
    ).ok
    [row] = [p for p in server.state()["scheduled_posts"] if p["id"] == one]
    assert row["text"] == "one, edited"
    assert post(server, f"/{two}", is_published="true", access_token=token).json() == {"success": True}
    assert [p["id"] for p in server.state()["posts"]] == [two]
    deleted = requests.delete(server.url + V + f"/{three}", params={"access_token": token}, timeout=5)
    assert deleted.json() == {"success": True}
    gone = get(server, f"/{three}", fields="is_published", access_token=token)
    assert gone.status_code == 400 and error_of(gone)["code"] == 100
    assert server.vanish_at_go_live(one)
    server.advance_clock(121 * 60)
    assert server.state()["scheduled_posts"] == [] and [p["id"] for p in server.state()["posts"]] == [two]
    assert get(server, f"/{one}", fields="is_published", access_token=token).status_code == 400


def test_a_scheduled_photo_and_faults_on_the_new_calls(server: SandboxServer) -> None:
    token = bakery_token(server)
    resp = post(
        server,
        f"/{BAKERY_PAGE_ID}/photos",
        files={"source": ("a.jpg", jpeg(), "image/jpeg")},
        caption="Photo later",
        published="false",
        scheduled_publish_time=_at(server, 30),
        fields="id,post_id",
        access_token=token,
    )
    body = resp.json()
    assert body["post_id"] != body["id"] and len(server.state()["scheduled_posts"]) == 1
    server.inject_fault(kind="error", match="post_update", code=2, is_transient=True)
    refused = post(server, f"/{body['post_id']}", message="x", access_token=token)
    assert refused.status_code >= 400 and error_of(refused)["code"] == 2
    server.inject_fault(kind="error", match="post_delete", code=2, is_transient=True)
    refused = requests.delete(server.url + V + f"/{body['post_id']}", params={"access_token": token}, timeout=5)
    assert error_of(refused)["code"] == 2 and len(server.state()["scheduled_posts"]) == 1
    server.inject_fault(kind="error", match="scheduled_posts", code=2, is_transient=True)
    assert error_of(get(server, f"/{BAKERY_PAGE_ID}/scheduled_posts", access_token=token))["code"] == 2
