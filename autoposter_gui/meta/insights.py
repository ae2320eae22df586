"""Fetch post insights through the Batch API (⌈N/50⌉ calls per token) and read each answer into values or a state."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autoposter_gui.domain.errors import ErrorCategory, PublishError
from autoposter_gui.domain.insights import (
    CLICKS,
    COMMENTS,
    LIKES,
    REACH,
    REACTIONS,
    SHARES,
    InsightsState,
)
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.networks.capabilities import InsightResult, InsightTarget

log = logging.getLogger(__name__)
MAX_BATCH = 50
# Never impressions, plays or video_views: Meta removed them (v22; every version since April 2025).
IG_METRICS = ("views", "reach", "likes", "comments", "saved", "shares", "total_interactions")
FB_METRICS = ("post_total_media_view_unique", "post_reactions_by_type_total", "post_clicks")
# One request per Facebook post: the counts, and the insights edge expanded as a field.
FB_FIELDS = (
    "shares,comments.summary(true).limit(0),reactions.summary(true).limit(0),insights.metric("
    + ",".join(FB_METRICS)
    + ")"
)
FB_RENAMES = {"post_total_media_view_unique": REACH, "post_clicks": CLICKS}


Target = InsightTarget  # a published post to ask about
Result = InsightResult  # what Meta said about one post


def relative_url(target: Target) -> str:
    if target.platform == "instagram":
        return f"{target.media_id}/insights?metric={','.join(IG_METRICS)}"
    return f"{target.media_id}?fields={FB_FIELDS}"


def fetch(
    client: GraphClient,
    token: str,
    targets: Sequence[Target],
    on_batch: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """Every target's result, in ⌈len/50⌉ ``POST /`` calls. ``on_batch(done, total)`` after each call."""
    results: list[Result] = []
    for start in range(0, len(targets), MAX_BATCH):
        chunk = targets[start : start + MAX_BATCH]
        batch = [{"method": "GET", "relative_url": relative_url(t)} for t in chunk]
        try:
            answer = client.post("/", token, data={"batch": json.dumps(batch), "include_headers": "false"})
            answers = answer.get("result")
            if not isinstance(answers, list) or len(answers) != len(chunk):
                raise ValueError("the batch answer is not a list of one answer per request")
            results += [parse_answer(t, a) for t, a in zip(chunk, answers, strict=True)]
        except PublishError as exc:
            state = InsightsState.PERMISSION_MISSING if exc.category is ErrorCategory.PERMISSION else None
            log.info("insights batch failed: %s", exc.error_code)
            results += [Result(t.key, state or InsightsState.FAILED, detail=exc.error_code) for t in chunk]
        except ValueError as exc:
            log.warning("insights batch: %s", exc)
            results += [Result(t.key, InsightsState.FAILED, detail="unexpected answer") for t in chunk]
        if on_batch is not None:
            on_batch(len(results), len(targets))
    return results


def parse_answer(target: Target, answer: Any) -> Result:
    """One batched answer (``{code, headers, body}``; null when Meta gave up on it) as a Result."""
    if not isinstance(answer, Mapping):
        return Result(target.key, InsightsState.FAILED, detail="no answer")
    try:
        body = json.loads(answer.get("body") or "null")
    except ValueError:
        body = None
    if not isinstance(body, Mapping):
        return Result(target.key, InsightsState.FAILED, detail=f"HTTP {answer.get('code')}")
    return parse_body(target, body)


def parse_body(target: Target, body: Mapping[str, Any]) -> Result:
    """An insights (or Facebook fields) body as a Result: values, or the state it means."""
    error = body.get("error")
    if isinstance(error, Mapping):
        state, detail = error_state(error)
        return Result(target.key, state, detail=detail)
    if target.platform == "instagram":
        values = _metric_values(body)
        if not values:
            return Result(target.key, InsightsState.NOT_AVAILABLE)
        return Result(target.key, InsightsState.OK, {k: v for k, v in values.items() if isinstance(v, int)})
    insights = body.get("insights")
    if isinstance(insights, Mapping) and isinstance(insights.get("error"), Mapping):
        state, detail = error_state(insights["error"])
        return Result(target.key, state, detail=detail)
    values = _metric_values(insights) if isinstance(insights, Mapping) else {}
    if not values:
        return Result(target.key, InsightsState.NOT_AVAILABLE)
    metrics: dict[str, int] = {FB_RENAMES[k]: v for k, v in values.items() if k in FB_RENAMES and isinstance(v, int)}
    by_type = values.get("post_reactions_by_type_total")
    if isinstance(by_type, Mapping):
        metrics[LIKES] = int(by_type.get("like", 0) or 0)
        metrics[REACTIONS] = sum(int(v) for v in by_type.values() if isinstance(v, int))
    reactions = _summary_count(body.get("reactions"))
    if reactions is not None:
        metrics[REACTIONS] = reactions
    comments = _summary_count(body.get("comments"))
    if comments is not None:
        metrics[COMMENTS] = comments
    shares = body.get("shares")
    metrics[SHARES] = int(shares.get("count", 0)) if isinstance(shares, Mapping) else 0  # no field: none yet
    return Result(target.key, InsightsState.OK, metrics)


def error_state(error: Mapping[str, Any]) -> tuple[InsightsState, str]:
    """The state a Graph error means for insights."""
    code = error.get("code")
    message = str(error.get("message", ""))
    lowered = message.lower()
    if code == 10 and "viewers" in lowered:
        return InsightsState.NOT_ENOUGH_VIEWERS, message
    if code == 100 and ("100 or more" in lowered or "likes" in lowered or "followers" in lowered):
        return InsightsState.TOO_FEW_FOLLOWERS, message
    if code in (3, 10) or (isinstance(code, int) and 200 <= code <= 299):
        return InsightsState.PERMISSION_MISSING, message
    return InsightsState.FAILED, f"code {code}"


def _metric_values(body: Mapping[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, list):
        return {}
    values: dict[str, Any] = {}
    for metric in data:
        if not isinstance(metric, Mapping) or not isinstance(metric.get("name"), str):
            continue
        if isinstance(metric.get("total_value"), Mapping):  # some metrics answer in total_value
            values[metric["name"]] = metric["total_value"].get("value")
            continue
        points = metric.get("values")
        if isinstance(points, list) and points and isinstance(points[-1], Mapping):
            values[metric["name"]] = points[-1].get("value")
    return values


def _summary_count(edge: Any) -> int | None:
    if isinstance(edge, Mapping) and isinstance(edge.get("summary"), Mapping):
        count = edge["summary"].get("total_count")
        return count if isinstance(count, int) else None
    return None
