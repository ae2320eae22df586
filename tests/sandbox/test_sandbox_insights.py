"""The sandbox's insights: IG and FB metrics that grow with age, counts, the Batch API, distinct states, faults."""

from __future__ import annotations

import json
from typing import Any

import requests

from autoposter_gui.sandbox import BAKERY_IG_ID, BAKERY_PAGE_ID, SandboxServer
from autoposter_gui.sandbox.insights import FB_METRICS, IG_METRICS

V = "/v24.0"
IG_QUERY = "metric=" + ",".join(IG_METRICS)
FB_FIELDS = "shares,comments.summary(true).limit(0),reactions.summary(true).limit(0)"


def _token(srv: SandboxServer) -> str:
    return srv.page_token(BAKERY_PAGE_ID)


def _ig_post(srv: SandboxServer) -> str:
    with srv._store.lock:
        return srv._store.add_post("instagram", BAKERY_IG_ID, "hello").id


def _fb_post(srv: SandboxServer) -> str:
    with srv._store.lock:
        return srv._store.add_post("facebook", BAKERY_PAGE_ID, "hello").id


def get(srv: SandboxServer, path: str, **params: Any) -> requests.Response:
    return requests.get(srv.url + V + path, params={"access_token": _token(srv), **params}, timeout=5)


def _values(body: dict[str, Any]) -> dict[str, Any]:
    return {m["name"]: m["values"][0]["value"] for m in body["data"]}


def test_ig_insights_are_empty_at_first_then_grow_with_age(sandbox: SandboxServer) -> None:
    media = _ig_post(sandbox)
    first = get(sandbox, f"/{media}/insights", metric=",".join(IG_METRICS))
    assert first.status_code == 200 and first.json() == {"data": []}  # Meta lags: not yet, not 0
    sandbox.advance_clock(3600)
    hour = _values(get(sandbox, f"/{media}/insights", metric=",".join(IG_METRICS)).json())
    sandbox.advance_clock(6 * 86400)
    week = _values(get(sandbox, f"/{media}/insights", metric=",".join(IG_METRICS)).json())
    assert set(hour) == set(IG_METRICS)
    assert 0 < hour["reach"] < week["reach"] and week["views"] >= week["reach"]
    assert week["total_interactions"] == week["likes"] + week["comments"] + week["saved"] + week["shares"]


def test_removed_metrics_are_refused_like_meta(sandbox: SandboxServer) -> None:
    media = _ig_post(sandbox)
    for old in ("impressions", "plays", "video_views"):
        resp = get(sandbox, f"/{media}/insights", metric=f"reach,{old}")
        assert resp.status_code == 400 and resp.json()["error"]["code"] == 100


def test_fb_insights_and_counts_in_one_call(sandbox: SandboxServer) -> None:
    post_id = _fb_post(sandbox)
    sandbox.advance_clock(2 * 86400)
    fields = FB_FIELDS + ",insights.metric(" + ",".join(FB_METRICS) + ")"
    body = get(sandbox, f"/{post_id}", fields=fields).json()
    assert body["id"] == post_id
    assert body["reactions"]["summary"]["total_count"] > 0 and "total_count" in body["comments"]["summary"]
    values = _values(body["insights"])
    assert values["post_total_media_view_unique"] > 0 and set(values["post_reactions_by_type_total"]) == {
        "like",
        "love",
    }
    alone = get(sandbox, f"/{post_id}/insights", metric=",".join(FB_METRICS)).json()
    assert _values(alone) == values


def test_batch_answers_each_request_and_counts_as_one_call(sandbox: SandboxServer) -> None:
    ids = [_ig_post(sandbox) for _ in range(3)]
    sandbox.advance_clock(86400)
    batch = [{"method": "GET", "relative_url": f"{i}/insights?{IG_QUERY}"} for i in ids]
    batch.append({"method": "GET", "relative_url": "999/insights?metric=reach"})
    before = len(sandbox.state()["calls"])
    resp = requests.post(
        sandbox.url + V + "/", data={"access_token": _token(sandbox), "batch": json.dumps(batch)}, timeout=5
    )
    assert resp.status_code == 200 and len(sandbox.state()["calls"]) == before + 1
    answers = resp.json()
    assert [a["code"] for a in answers] == [200, 200, 200, 400]
    assert all(_values(json.loads(a["body"]))["reach"] > 0 for a in answers[:3])
    too_many = [{"method": "GET", "relative_url": f"{ids[0]}/insights?metric=reach"}] * 51
    refused = requests.post(
        sandbox.url + V + "/", data={"access_token": _token(sandbox), "batch": json.dumps(too_many)}, timeout=5
    )
    assert refused.status_code == 400 and "Maximum batch size is 50" in refused.json()["error"]["message"]


def test_forced_states_and_a_fault_inside_a_batch(sandbox: SandboxServer) -> None:
    a, b, c, d = (_ig_post(sandbox) for _ in range(4))
    fb = _fb_post(sandbox)
    sandbox.advance_clock(86400)
    sandbox.set_insights_state(a, "not_enough_viewers")
    sandbox.set_insights_state(b, "empty")
    sandbox.set_insights_state(fb, "too_few_followers")
    sandbox.inject_fault(kind="error", match=f"/{d}/insights", code=2)
    batch = [{"method": "GET", "relative_url": f"v24.0/{i}/insights?{IG_QUERY}"} for i in (a, b, c, d)]
    batch.append({"method": "GET", "relative_url": f"{fb}/insights?metric=post_clicks"})
    resp = requests.post(
        sandbox.url + V + "/", data={"access_token": _token(sandbox), "batch": json.dumps(batch)}, timeout=5
    )
    bodies = [json.loads(x["body"]) for x in resp.json()]
    assert bodies[0]["error"]["code"] == 10 and "Not enough viewers" in bodies[0]["error"]["message"]
    assert bodies[1] == {"data": []}
    assert _values(bodies[2])["reach"] > 0
    assert bodies[3]["error"]["code"] == 2
    assert "100 or more likes" in bodies[4]["error"]["message"]


def test_missing_permission_shows_in_debug_token_and_in_the_answer(sandbox: SandboxServer) -> None:
    media = _ig_post(sandbox)
    sandbox.configure(insights_permission=False)
    resp = get(sandbox, f"/{media}/insights", metric="reach")
    assert resp.status_code == 403 and resp.json()["error"]["code"] == 10
    debug = requests.get(
        sandbox.url + V + "/debug_token",
        params={"input_token": _token(sandbox), "access_token": "sandbox-app|sandbox-secret"},
        timeout=5,
    ).json()["data"]
    assert "instagram_manage_insights" not in debug["scopes"] and "pages_manage_posts" in debug["scopes"]
    sandbox.configure(insights_permission=True)
    assert get(sandbox, f"/{media}/insights", metric="reach").status_code == 200
