"""meta/insights.py: batched fetch (⌈N/50⌉ calls), parsing of each answer into values or a state (with responses)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import responses

from autoposter_gui.domain.insights import InsightsState
from autoposter_gui.meta.client import GRAPH_VERSION, GraphClient
from autoposter_gui.meta.insights import FB_FIELDS, IG_METRICS, Target, error_state, fetch, parse_body

ORIGIN = "https://graph.test"
TOKEN = "EAAGm0PX4ZCpsBAKZBZCpagetoken987654321"


def _metric(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "period": "lifetime", "values": [{"value": value}], "id": f"1/insights/{name}/lifetime"}


def _ok(body: dict[str, Any]) -> dict[str, Any]:
    return {"code": 200, "headers": [], "body": json.dumps(body)}


IG_BODY = {"data": [_metric(n, 10 + i) for i, n in enumerate(IG_METRICS)]}


def test_ig_values_are_read_by_name() -> None:
    result = parse_body(Target(1, "instagram", "17"), IG_BODY)
    assert result.state is InsightsState.OK
    assert result.metrics == {n: 10 + i for i, n in enumerate(IG_METRICS)}


def test_empty_data_means_not_available_never_zero() -> None:
    result = parse_body(Target(1, "instagram", "17"), {"data": []})
    assert result.state is InsightsState.NOT_AVAILABLE and result.metrics == {}
    fb = parse_body(Target(2, "facebook", "1_2"), {"id": "1_2", "insights": {"data": []}})
    assert fb.state is InsightsState.NOT_AVAILABLE and fb.metrics == {}


def test_fb_counts_and_insights_in_one_body() -> None:
    body = {
        "id": "1_2",
        "shares": {"count": 4},
        "comments": {"data": [], "summary": {"total_count": 7}},
        "reactions": {"data": [], "summary": {"total_count": 31}},
        "insights": {
            "data": [
                _metric("post_total_media_view_unique", 420),
                _metric("post_reactions_by_type_total", {"like": 25, "love": 6}),
                _metric("post_clicks", 12),
            ]
        },
    }
    result = parse_body(Target(2, "facebook", "1_2"), body)
    assert result.state is InsightsState.OK
    assert result.metrics == {"reach": 420, "clicks": 12, "likes": 25, "reactions": 31, "comments": 7, "shares": 4}
    no_shares = {k: v for k, v in body.items() if k != "shares"}
    assert parse_body(Target(2, "facebook", "1_2"), no_shares).metrics["shares"] == 0  # Meta omits it at 0


def test_errors_map_to_states() -> None:
    cases = {
        (10, "(#10) Not enough viewers for the media to show insights"): InsightsState.NOT_ENOUGH_VIEWERS,
        (10, "(#10) Application does not have permission for this action"): InsightsState.PERMISSION_MISSING,
        (200, "(#200) Requires read_insights permission"): InsightsState.PERMISSION_MISSING,
        (100, "(#100) Insights are only available for Pages with 100 or more likes"): InsightsState.TOO_FEW_FOLLOWERS,
        (2, "An unexpected error has occurred."): InsightsState.FAILED,
    }
    for (code, message), state in cases.items():
        assert error_state({"code": code, "message": message})[0] is state, message


@responses.activate
def test_fetch_costs_one_call_per_fifty_and_never_asks_for_removed_metrics() -> None:
    sent: list[list[dict[str, str]]] = []

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        batch = json.loads(parse_qs(request.body)["batch"][0])
        sent.append(batch)
        out: list[Any] = []
        for spec in batch:
            media = spec["relative_url"].split("/", 1)[0]
            if media == "17000000007":
                out.append({"code": 400, "headers": [], "body": json.dumps({"error": {"code": 10, "message": "x"}})})
            elif media == "17000000008":
                out.append(None)  # Meta gave up on this one
            else:
                out.append(_ok(IG_BODY if "/insights" in spec["relative_url"] else {"id": media}))
        return 200, {}, json.dumps(out)

    responses.add_callback(responses.POST, f"{ORIGIN}/{GRAPH_VERSION}/", callback=answer)
    targets = [Target(n, "instagram", f"170000000{n:02d}") for n in range(1, 121)]
    targets.append(Target(999, "facebook", "1_2"))
    progress: list[tuple[int, int]] = []
    client = GraphClient(origin=ORIGIN, app_secret="s3cret")
    results = fetch(client, TOKEN, targets, on_batch=lambda d, t: progress.append((d, t)))
    assert len(responses.calls) == 3 and [len(b) for b in sent] == [50, 50, 21]
    assert progress == [(50, 121), (100, 121), (121, 121)]
    urls = [s["relative_url"] for b in sent for s in b]
    assert not any(word in u for u in urls for word in ("impressions", "plays", "video_views"))
    assert urls[-1] == f"1_2?fields={FB_FIELDS}"
    by_key = {r.key: r for r in results}
    assert by_key[7].state is InsightsState.PERMISSION_MISSING and by_key[8].state is InsightsState.FAILED
    assert by_key[1].state is InsightsState.OK and by_key[1].metrics["reach"] == 11
    assert "appsecret_proof" in parse_qs(responses.calls[0].request.body)


@responses.activate
def test_a_failed_batch_call_fails_its_posts_only() -> None:
    error = {"error": {"code": 2, "message": "temporary", "is_transient": True}}
    responses.add(responses.POST, f"{ORIGIN}/{GRAPH_VERSION}/", json=error, status=500)
    responses.add(responses.POST, f"{ORIGIN}/{GRAPH_VERSION}/", json=[_ok(IG_BODY)] * 10, status=200)
    targets = [Target(n, "instagram", str(n)) for n in range(60)]
    results = fetch(GraphClient(origin=ORIGIN), TOKEN, targets)
    assert [r.state for r in results[:50]] == [InsightsState.FAILED] * 50
    assert [r.state for r in results[50:]] == [InsightsState.OK] * 10
