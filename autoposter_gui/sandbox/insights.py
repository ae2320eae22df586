"""The sandbox's insights endpoints: IG media and FB post insights, post counts, and the Batch API (``POST /``).

Numbers are believable and grow with the post's age on the sandbox clock. Distinct states can be forced per post or
per account (``set_insights_state``): ``empty`` (data not there yet), ``not_enough_viewers`` (error #10),
``too_few_followers`` (a Page under 100 likes) and ``no_permission``; ``config.insights_permission = False`` takes
the insights permissions away from every token.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from . import world
from .graph import GraphError, GraphRequest, JsonDict, _param_error, _unsupported, fault_error
from .store import PostRecord

if TYPE_CHECKING:
    from .faults import Fault
    from .graph import GraphApi

MAX_BATCH = 50
IG_METRICS = ("views", "reach", "likes", "comments", "saved", "shares", "total_interactions")
FB_METRICS = ("post_total_media_view_unique", "post_reactions_by_type_total", "post_clicks")
COUNT_FIELDS = ("shares", "comments", "reactions")
LAG_SECONDS = 600  # a post younger than this has no insights yet (empty data)
STATES = ("empty", "not_enough_viewers", "too_few_followers", "no_permission")
NOT_ENOUGH_VIEWERS_MESSAGE = "(#10) Not enough viewers for the media to show insights"
IG_PERMISSION_MESSAGE = "(#10) Application does not have permission for this action"
FB_PERMISSION_MESSAGE = "(#200) Requires read_insights permission"
FEW_FOLLOWERS_MESSAGE = "(#100) Insights are only available for Pages with 100 or more likes"
INSIGHTS_SCOPES = ("read_insights", "instagram_manage_insights")

_TITLES = {
    "views": "Views",
    "reach": "Accounts reached",
    "likes": "Likes",
    "comments": "Comments",
    "saved": "Saved",
    "shares": "Shares",
    "total_interactions": "Interactions",
    "post_total_media_view_unique": "Unique media views",
    "post_reactions_by_type_total": "Reactions by type",
    "post_clicks": "Post clicks",
}


def split_fields(spec: str | None) -> list[str]:
    """``a,b.summary(true).limit(0),insights.metric(x,y)`` -> its top-level items (commas inside () and {} kept)."""
    items: list[str] = []
    depth = start = 0
    text = spec or ""
    for i, ch in enumerate(text):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return [item for item in items if item]


def _modifier(item: str, name: str) -> str | None:
    """The argument of ``.name(...)`` in a field item, or None."""
    marker = f".{name}("
    at = item.find(marker)
    if at < 0:
        return None
    end = item.find(")", at)
    return item[at + len(marker) : end if end >= 0 else None]


def _seed(post_id: str, salt: str) -> float:
    digest = hashlib.sha256(f"{post_id}:{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def numbers(post: PostRecord, now: float) -> dict[str, int]:
    """The post's counts at ``now``: a per-post audience, reached quickly over the first day, then slowly."""
    age = max(0.0, now - post.created_ts)
    audience = 150 + int(_seed(post.id, "audience") * 1400)
    grown = 0.75 * (1 - math.exp(-age / 21600)) + 0.25 * (1 - math.exp(-age / (7 * 86400)))
    reach = int(audience * grown)
    rate = 0.04 + _seed(post.id, "rate") * 0.08
    likes = int(reach * rate)
    comments = int(likes * (0.08 + _seed(post.id, "comments") * 0.1))
    saved = int(likes * 0.15)
    shares = int(likes * 0.07)
    return {
        "views": int(reach * 1.35),
        "reach": reach,
        "likes": likes,
        "comments": comments,
        "saved": saved,
        "shares": shares,
        "total_interactions": likes + comments + saved + shares,
        "clicks": int(reach * 0.05),
        "loves": int(likes * 0.2),
    }


def _metric(post_id: str, name: str, value: Any) -> JsonDict:
    return {
        "name": name,
        "period": "lifetime",
        "values": [{"value": value}],
        "title": _TITLES.get(name, name),
        "description": _TITLES.get(name, name),
        "id": f"{post_id}/insights/{name}/lifetime",
    }


class InsightsApi:
    """Insights calls and the batch endpoint, under the store's lock like every Graph call (see GraphApi)."""

    def __init__(self, graph: GraphApi) -> None:
        self.graph = graph
        self.store = graph.store
        # The server's fault queue (``take(method, endpoint, path)``): a batch's requests can fail one by one.
        self.take_fault: Callable[[str, str, str], Fault | None] | None = None

    # ----- classification -----

    def classify(self, method: str, segments: list[str], params: Mapping[str, str]) -> str | None:
        if not segments and method == "POST" and "batch" in params:
            return "batch"
        if len(segments) == 2 and segments[1] == "insights":
            return "insights"
        if len(segments) == 1 and method == "GET":
            names = {item.split(".", 1)[0].split("{", 1)[0] for item in split_fields(params.get("fields"))}
            if names & {*COUNT_FIELDS, "insights"}:
                return "post_metrics"
        return None

    # ----- routing -----

    def route(self, req: GraphRequest, token: world.TokenInfo, segs: list[str]) -> JsonDict | None:
        """The answer to an insights call, or None when the call is not one."""
        if req.method != "GET" or not segs:
            return None
        post = self.store.post_by_id(segs[0])
        if post is None:
            return None
        if len(segs) == 2 and segs[1] == "insights":
            self._authorize(token, post)
            return self._insights(post, req.params.get("metric", ""))
        if len(segs) == 1 and self.classify("GET", segs, req.params) == "post_metrics":
            self._authorize(token, post)
            return self._post_metrics(req, post)
        return None

    def _authorize(self, token: world.TokenInfo, post: PostRecord) -> None:
        if post.platform == "facebook":
            self.graph._require_page_read(token, self.store.world.pages_by_id[post.account_id])
        else:
            self.graph._require_ig(token, self.store.world.ig_accounts[post.account_id])

    def forced_state(self, post: PostRecord) -> str | None:
        states = self.store.insights_states
        return states.get(post.id) or states.get(post.account_id)

    def _check_state(self, post: PostRecord) -> str | None:
        """Raise the error of a forced error state (or a missing permission); "empty" when there is no data yet."""
        state = self.forced_state(post)
        if state == "no_permission" or not self.store.config.insights_permission:
            if post.platform == "facebook":
                raise GraphError(200, FB_PERMISSION_MESSAGE, status=403)
            raise GraphError(10, IG_PERMISSION_MESSAGE, status=403)
        if state == "not_enough_viewers":
            raise GraphError(10, NOT_ENOUGH_VIEWERS_MESSAGE, user_title="Not enough viewers")
        if state == "too_few_followers" and post.platform == "facebook":
            raise GraphError(100, FEW_FOLLOWERS_MESSAGE, error_type="GraphMethodException")
        if state == "empty" or self.store.now() - post.created_ts < LAG_SECONDS:
            return "empty"
        return None

    def _insights(self, post: PostRecord, metric_param: str) -> JsonDict:
        allowed = IG_METRICS if post.platform == "instagram" else FB_METRICS
        asked = [m.strip() for m in metric_param.split(",") if m.strip()]
        if not asked:
            raise _param_error("(#100) The parameter metric is required")
        for index, name in enumerate(asked):
            if name not in allowed:
                raise _param_error(f"(#100) metric[{index}] must be one of the following values: {', '.join(allowed)}")
        if self._check_state(post) == "empty":
            return {"data": []}
        n = numbers(post, self.store.now())
        values: dict[str, Any] = dict(n)
        values["post_total_media_view_unique"] = n["reach"]
        values["post_reactions_by_type_total"] = {"like": n["likes"] - n["loves"], "love": n["loves"]}
        values["post_clicks"] = n["clicks"]
        return {"data": [_metric(post.id, name, values[name]) for name in asked]}

    def _post_metrics(self, req: GraphRequest, post: PostRecord) -> JsonDict:
        items = split_fields(req.params.get("fields"))
        plain = ",".join(i for i in items if i.split(".", 1)[0] not in (*COUNT_FIELDS, "insights"))
        from .forms import parse_fields

        out: JsonDict = self.graph._post_json(post, parse_fields(plain)) if plain else {"id": post.id}
        n = numbers(post, self.store.now())
        reactions = n["likes"] + (n["loves"] if post.platform == "facebook" else 0)
        for item in items:
            name = item.split(".", 1)[0]
            if name == "shares" and post.platform == "facebook" and n["shares"]:
                out["shares"] = {"count": n["shares"]}  # like Meta: no shares, no field
            elif name in ("comments", "reactions"):
                total = n["comments"] if name == "comments" else reactions
                summary: JsonDict = {"total_count": total}
                if name == "comments":
                    summary.update({"order": "ranked", "can_comment": True})
                else:
                    summary["viewer_reaction"] = "NONE"
                out[name] = {"data": [], "summary": summary}
            elif name == "insights":
                metric = _modifier(item, "metric")
                if metric is None:
                    raise _param_error("(#100) insights needs .metric(...)")
                out["insights"] = self._insights(post, metric)
        return out

    # ----- the Batch API -----

    def batch(self, req: GraphRequest) -> list[JsonDict]:
        """``POST /`` with ``batch=[{"method", "relative_url"}, ...]``: each answered ``{code, headers, body}``."""
        try:
            requests = json.loads(req.params.get("batch", ""))
        except ValueError:
            raise _param_error("(#100) The parameter batch must be a JSON array") from None
        if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
            raise _param_error("(#100) The parameter batch must be a JSON array of objects")
        if len(requests) > MAX_BATCH:
            raise _param_error(f"(#100) Too many requests in batch message. Maximum batch size is {MAX_BATCH}")
        outer_token = self.graph._token_param(req)
        if outer_token is None:
            raise GraphError(104, "An access token is required to request this resource.")
        self.graph.resolve_token(outer_token)
        return [self._one(r, outer_token, req) for r in requests]

    def _one(self, spec: JsonDict, outer_token: str, outer: GraphRequest) -> JsonDict:
        method = str(spec.get("method", "GET")).upper()
        url = str(spec.get("relative_url", ""))
        split = urlsplit(url)
        segments = [s for s in split.path.split("/") if s]
        if segments and segments[0].startswith("v") and segments[0][1:].replace(".", "").isdigit():
            segments = segments[1:]
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        if isinstance(spec.get("body"), str):
            params.update(parse_qsl(spec["body"], keep_blank_values=True))
        params.setdefault("access_token", outer_token)
        if "appsecret_proof" in outer.params and params["access_token"] == outer_token:
            params.setdefault("appsecret_proof", outer.params["appsecret_proof"])
        path = "/" + "/".join(segments)
        try:
            fault = None
            if self.take_fault is not None:
                fault = self.take_fault(method, self.graph.classify(method, segments, params), path)
            if fault is not None and fault.kind == "error":
                raise fault_error(fault, user_text=False)
            if not segments:
                raise _unsupported(method, "")
            body: Any = self.graph._route(GraphRequest(method=method, path=path, segments=segments, params=params))
            code = 200
        except GraphError as exc:
            code, body = exc.status, exc.body()
        headers = [{"name": "Content-Type", "value": "text/javascript; charset=UTF-8"}]
        return {"code": code, "headers": headers, "body": json.dumps(body)}


def granted_scopes(store_permission: bool) -> tuple[str, ...]:
    """The user's scopes as debug_token reports them: the insights ones only while the permission is on."""
    return world.USER_SCOPES if store_permission else tuple(s for s in world.USER_SCOPES if s not in INSIGHTS_SCOPES)
