"""The Graph API endpoints of the sandbox, answering like Meta does (shapes, codes and messages)."""

from __future__ import annotations

import base64
import io
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from . import rich, scheduled, world
from .forms import Upload, parse_bool, parse_fields
from .store import (
    DUPLICATE_WINDOW_SECONDS,
    QUOTA_DURATION_SECONDS,
    PhotoRecord,
    PostRecord,
    SandboxStore,
    meta_time,
)

MAX_IG_IMAGE_BYTES = 8 * 1024 * 1024
IG_MIN_RATIO = 0.8
IG_MAX_RATIO = 1.91
SCALED_WIDTH = 320
FEED_EDGES = ("feed", "published_posts", "posts")

INVALID_TOKEN_MESSAGE = "Invalid OAuth access token - Cannot parse access token"
REVOKED_TOKEN_MESSAGE = (
    "Error validating access token: The session has been invalidated because the user changed their "
    "password or Facebook has changed the session for security reasons."
)
PUBLISH_PERMISSION_MESSAGE = (
    "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin "
    "with sufficient administrative permission"
)
JsonDict = dict[str, Any]

if TYPE_CHECKING:
    from .faults import Fault
    from .uploads import StreamedBody


def fbtrace_id() -> str:
    return "A" + secrets.token_urlsafe(15)[:20]


class GraphError(Exception):
    """An error answer in Meta's shape."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        error_type: str = "OAuthException",
        subcode: int | None = None,
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.error_type = error_type
        self.subcode = subcode
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_msg = user_msg
        self.headers = dict(headers or {})

    def body(self) -> JsonDict:
        error: JsonDict = {"message": self.message, "type": self.error_type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.user_title is not None:
            error["error_user_title"] = self.user_title
        if self.user_msg is not None:
            error["error_user_msg"] = self.user_msg
        error["fbtrace_id"] = fbtrace_id()
        return {"error": error}

    def response_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.code == 190:
            headers.setdefault("WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_token" "{self.message}"')
        return headers


@dataclass
class GraphRequest:
    """A parsed Graph call (path without version prefix and query)."""

    method: str
    path: str
    segments: list[str]
    params: dict[str, str]
    files: dict[str, Upload] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    stream: StreamedBody | None = None  # a video upload's bytes, spooled to a file (see uploads.py)


@dataclass
class GraphResponse:
    body: JsonDict | list[JsonDict]  # a list: the Batch API's answers
    status: int = 200


def _permission_error(message: str = "(#200) Permissions error") -> GraphError:
    return GraphError(200, message, status=403)


def _unsupported(method: str, node_id: str) -> GraphError:
    verb = "get" if method == "GET" else "post" if method == "POST" else "delete"
    return GraphError(
        100,
        f"Unsupported {verb} request. Object with ID '{node_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation "
        "at https://developers.facebook.com/docs/graph-api",
        error_type="GraphMethodException",
        subcode=33,
    )


def fault_error(fault: Fault, *, user_text: bool = True) -> GraphError:
    """The Graph error an injected ``error`` fault stands for (``user_text``: with its error_user_title/msg)."""
    return GraphError(
        fault.code,
        fault.error_message(),
        status=fault.status,
        error_type=fault.type,
        subcode=fault.subcode,
        is_transient=fault.is_transient,
        user_title=fault.error_user_title if user_text else None,
        user_msg=fault.error_user_msg if user_text else None,
    )


def _param_error(message: str, *, subcode: int | None = None, user_msg: str | None = None) -> GraphError:
    return GraphError(100, message, subcode=subcode, user_msg=user_msg)


def _image_error() -> GraphError:
    return GraphError(324, "(#324) Missing or invalid image file")


def _not_ready_error(user_msg: str = "The media is not ready for publishing, please wait for a moment") -> GraphError:
    return GraphError(
        9007,
        "Media ID is not available",
        subcode=2207027,
        is_transient=False,
        user_title="Media Not Ready For Publishing",
        user_msg=user_msg,
    )


def check_publishable(store: SandboxStore, ig_user_id: str, status: str) -> None:
    """Raise Meta's error when media with this ``status_code`` can't go out on this IG account now."""
    if status == "PUBLISHED":
        raise GraphError(
            9007,
            "The media has already been published",
            subcode=2207027,
            is_transient=False,
            user_title="Media already published",
            user_msg="The media has already been published.",
        )
    if status == "EXPIRED":
        raise GraphError(
            -2,
            "The media you are trying to access has expired. Please try to upload again.",
            subcode=2207020,
            is_transient=False,
            user_title="Media expired",
            user_msg="The media you are trying to access has expired. Please try to upload again.",
        )
    if status != "FINISHED":
        raise _not_ready_error()
    if store.quota_usage(ig_user_id) >= store.config.quota_total:
        raise GraphError(
            9,
            "(#9) Application request limit reached",
            subcode=2207042,
            is_transient=False,
            user_title="Reached Maximum Posts",
            user_msg="You've reached the maximum number of posts you can publish in a day.",
        )


class GraphApi:
    """Routes Graph calls to the store; every call runs under the store's lock."""

    def __init__(self, store: SandboxStore, base_url: Callable[[], str]) -> None:
        self.store = store
        self._base_url = base_url
        from .video import VideoApi  # video.py builds on this module

        self.videos = VideoApi(self)
        from .insights import InsightsApi

        self.insights = InsightsApi(self)

    # ----- classification (for faults and logging; runs before authentication) -----

    def classify(self, method: str, segments: list[str], params: Mapping[str, str]) -> str:
        store = self.store
        insights = self.insights.classify(method, segments, params)
        if insights is not None:
            return insights
        if not segments:
            return "sandbox_index" if method == "GET" else "node"
        if segments[0] == "sandbox":
            if len(segments) == 1:
                return "sandbox_index"
            return {"post": "sandbox_post", "ig": "sandbox_ig", "media": "sandbox_media"}.get(
                segments[1], "sandbox_index"
            )
        if segments[:2] == ["dialog", "oauth"]:  # the Facebook Login dialog (HTML, not Graph)
            return "login_confirm" if segments[2:] == ["confirm"] else "login_dialog"
        if segments == ["oauth", "access_token"]:
            return "oauth"
        if segments == ["debug_token"]:
            return "debug_token"
        video = self.videos.classify(method, segments, params)
        if video is not None:
            return video
        node = segments[0]
        if len(segments) == 1:
            if node == "me":
                return "me"
            with store.lock:
                if node in self.store.world.pages_by_id:
                    return "page"
                if node in self.store.world.ig_accounts:
                    return "ig_user"
                if node in store.containers:
                    return "container_status"
                if node in store.photos and "images" in parse_fields(params.get("fields")):
                    return "photo_images"
                if store.post_by_id(node) is not None and method in ("POST", "DELETE"):
                    return "post_update" if method == "POST" else "post_delete"
                if node in store.photos or store.post_by_id(node) is not None:
                    return "permalink"
            return "node"
        if len(segments) == 2:
            edge = segments[1]
            if node == "me" and edge == "accounts":
                return "me_accounts"
            if edge in FEED_EDGES:
                return "feed_post" if method == "POST" else "feed_get"
            if edge == "photos" and method == "POST":
                return "photos_post"
            if edge == "media":
                return "media_post" if method == "POST" else "media_get"
            if edge == "media_publish":
                return "media_publish"
            if edge == "content_publishing_limit":
                return "publishing_limit"
            if edge == "scheduled_posts":
                return "scheduled_posts"
            if edge == "comments":
                return "comments_post" if method == "POST" else "comments_get"
        return "edge"

    def account_for(self, segments: list[str]) -> str | None:
        """The Page or IG id a call concerns (for X-Business-Use-Case-Usage)."""
        if not segments:
            return None
        node = segments[0]
        if node in self.store.world.pages_by_id or node in self.store.world.ig_accounts:
            return node
        with self.store.lock:
            post = self.store.post_by_id(node)
            if post is not None:
                return post.account_id
            container = self.store.containers.get(node)
            if container is not None:
                return container.ig_user_id
            photo = self.store.photos.get(node)
            if photo is not None:
                return photo.page_id
            return self.videos.account_for(node)

    # ----- entry point -----

    def handle(self, req: GraphRequest) -> GraphResponse:
        with self.store.lock:
            scheduled.go_live(self.store)
            if not req.segments and req.method == "POST" and "batch" in req.params:
                return GraphResponse(self.insights.batch(req))
            return GraphResponse(self._route(req))

    def _route(self, req: GraphRequest) -> JsonDict:
        segs = req.segments
        if segs == ["oauth", "access_token"]:
            return self._oauth(req)
        if segs == ["debug_token"]:
            return self._debug_token(req)
        if not segs:
            raise _unsupported(req.method, "")
        token = self._authenticate(req)
        video = self.videos.route(req, token, segs)
        if video is not None:
            return video
        insights = self.insights.route(req, token, segs)
        if insights is not None:
            return insights
        if segs[0] == "me":
            if token.kind == "PAGE" and token.page_id is not None:
                segs = [token.page_id, *segs[1:]]
            elif token.kind == "USER":
                if len(segs) == 1 and req.method == "GET":
                    return self._fields_of({"id": world.USER_ID, "name": world.USER_NAME}, req, ("id", "name"))
                if segs == ["me", "accounts"] and req.method == "GET":
                    return self._me_accounts(req)
                raise _unsupported(req.method, "me")
            else:
                raise GraphError(
                    2500, "An active access token must be used to query information about the current user."
                )
        if len(segs) > 2:
            raise GraphError(2500, f"Unknown path components: /{'/'.join(segs[2:])}")
        node = segs[0]
        if node in self.store.world.pages_by_id:
            return self._page(req, token, self.store.world.pages_by_id[node], segs[1] if len(segs) == 2 else None)
        if node in self.store.world.ig_accounts:
            return self._ig_user(req, token, self.store.world.ig_accounts[node], segs[1] if len(segs) == 2 else None)
        if len(segs) == 2 and segs[1] == "accounts":
            raise GraphError(100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)")
        if node == world.APP_ID and len(segs) == 1 and req.method == "GET":
            return self._app(req)
        if len(segs) == 2 and segs[1] == "comments" and self.store.post_by_id(node) is not None:
            return self._comments(req, token, node)
        if len(segs) == 1 and req.method == "GET":
            return self._node(req, token, node)
        post = self.store.post_by_id(node) if len(segs) == 1 else None
        if post is not None and post.platform == "facebook" and req.method in ("POST", "DELETE"):
            self._require_page_publish(token, self.store.world.pages_by_id[post.account_id])
            if req.method == "POST":
                return scheduled.update(self, req, post)
            return scheduled.delete(self, post)
        raise _unsupported(req.method, node)

    def _app(self, req: GraphRequest) -> JsonDict:
        """The demo Meta app (fake developer flow): its name, and ``app_mode`` (live or development) if asked."""
        values: JsonDict = {
            "id": world.APP_ID,
            "name": world.APP_NAME,
            "app_mode": "live" if self.store.config.app_live else "development",
        }
        return self._fields_of(values, req, ("id", "name"))

    # ----- tokens -----

    def _token_param(self, req: GraphRequest) -> str | None:
        token = req.params.get("access_token")
        if token:
            return token
        auth = req.headers.get("Authorization") or req.headers.get("authorization") or ""
        scheme, _, value = auth.partition(" ")
        if scheme.lower() in ("oauth", "bearer") and value.strip():
            return value.strip()
        return None

    def resolve_token(self, token: str) -> world.TokenInfo:
        """The token's identity, or GraphError 190 (unknown, revoked or expired)."""
        store = self.store
        ts = store.tokens
        if token in ts.revoked:
            raise GraphError(190, REVOKED_TOKEN_MESSAGE, subcode=ts.revoked[token])
        if token == world.APP_TOKEN:
            return world.TokenInfo(token, "APP")
        if token == store.current_short_user_token():
            return world.TokenInfo(token, "USER")
        expires_at = ts.long_lived.get(token)
        if expires_at is not None:
            now = store.now()
            if now >= expires_at:
                raise GraphError(
                    190,
                    f"Error validating access token: Session has expired on {meta_time(expires_at)}. "
                    f"The current time is {meta_time(now)}.",
                    subcode=463,
                )
            return world.TokenInfo(token, "USER", long_lived=True)
        for page in self.store.world.pages:
            if token == store.current_page_token(page.id):
                return world.TokenInfo(token, "PAGE", page_id=page.id)
        raise GraphError(190, INVALID_TOKEN_MESSAGE)

    def _check_proof(self, req: GraphRequest, token: str) -> None:
        proof = req.params.get("appsecret_proof")
        if proof is not None and not secrets.compare_digest(proof, world.appsecret_proof(token)):
            raise GraphError(
                100,
                "Invalid appsecret_proof provided in the API argument",
                error_type="GraphMethodException",
            )

    def _authenticate(self, req: GraphRequest) -> world.TokenInfo:
        token = self._token_param(req)
        if token is None:
            raise GraphError(104, "An access token is required to request this resource.")
        info = self.resolve_token(token)
        self._check_proof(req, token)
        return info

    def _oauth(self, req: GraphRequest) -> JsonDict:
        p = req.params
        if p.get("client_id") != world.APP_ID:
            raise GraphError(101, "Error validating application. Invalid application ID.")
        if p.get("client_secret") != world.APP_SECRET:
            raise GraphError(1, "Error validating client secret.")
        if p.get("grant_type") != "fb_exchange_token":
            raise _param_error("(#100) The parameter grant_type must be fb_exchange_token")
        exchange = p.get("fb_exchange_token")
        if not exchange:
            raise _param_error("(#100) The parameter fb_exchange_token is required")
        info = self.resolve_token(exchange)
        if info.kind != "USER":
            raise GraphError(190, INVALID_TOKEN_MESSAGE)
        token, expires_at = self.store.issue_long_lived()
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": int(expires_at - int(self.store.now())),
        }

    def _debug_token(self, req: GraphRequest) -> JsonDict:
        access = self._token_param(req)
        if access is None:
            raise GraphError(104, "An access token is required to request this resource.")
        self.resolve_token(access)
        self._check_proof(req, access)
        input_token = req.params.get("input_token")
        if not input_token:
            raise _param_error("(#100) The parameter input_token is required")
        try:
            info = self.resolve_token(input_token)
        except GraphError as exc:
            error: JsonDict = {"code": exc.code, "message": exc.message}
            if exc.subcode is not None:
                error["subcode"] = exc.subcode
            return {"data": {"app_id": world.APP_ID, "is_valid": False, "error": error, "scopes": []}}
        now = int(self.store.now())
        data: JsonDict = {"app_id": world.APP_ID, "type": info.kind, "application": world.APP_NAME}
        if info.kind == "APP":
            data["is_valid"] = True
            return {"data": data}
        if info.kind == "PAGE":
            expires_at = 0
        elif info.long_lived:
            expires_at = int(self.store.tokens.long_lived[input_token])
        else:
            expires_at = now + world.SHORT_LIVED_SECONDS
        from .insights import granted_scopes

        scopes = granted_scopes(self.store.config.insights_permission)
        data.update(
            {
                "data_access_expires_at": now + world.DATA_ACCESS_SECONDS,
                "expires_at": expires_at,
                "is_valid": True,
                "issued_at": now,
                "scopes": list(scopes),
                "granular_scopes": [
                    {"scope": s, "target_ids": [p.id for p in self.store.world.pages]}
                    if s.startswith("pages_") or s == "read_insights"
                    else {"scope": s, "target_ids": list(self.store.world.ig_accounts)}
                    for s in scopes
                ],
                "user_id": world.USER_ID,
            }
        )
        if info.page_id is not None:
            data["profile_id"] = info.page_id
        return {"data": data}

    # ----- discovery -----

    def _page_json(self, page: world.Page, fields: Mapping[str, str], *, user_token: bool) -> JsonDict:
        out: JsonDict = {"id": page.id}
        if "name" in fields:
            out["name"] = page.name
        if "category" in fields:
            out["category"] = page.category
        if "tasks" in fields:
            out["tasks"] = list(page.tasks)
        if "access_token" in fields and user_token:
            out["access_token"] = self.store.current_page_token(page.id)
        if "link" in fields:
            out["link"] = f"{self._base_url()}/sandbox/"
        if "instagram_business_account" in fields and page.instagram is not None:
            sub = parse_fields(fields["instagram_business_account"]) or {"id": ""}
            ig: JsonDict = {"id": page.instagram.id}
            if "username" in sub:
                ig["username"] = page.instagram.username
            if "name" in sub:
                ig["name"] = page.instagram.name
            out["instagram_business_account"] = ig
        return out

    def _me_accounts(self, req: GraphRequest) -> JsonDict:
        fields = parse_fields(req.params.get("fields")) or dict.fromkeys(
            ("access_token", "category", "name", "id", "tasks"), ""
        )
        data = [self._page_json(page, fields, user_token=True) for page in self.store.world.pages]
        cursor = base64.b64encode(b"sandbox-pages").decode()
        return {"data": data, "paging": {"cursors": {"before": cursor, "after": cursor}}}

    # ----- Pages -----

    def _require_page_read(self, token: world.TokenInfo, page: world.Page) -> None:
        if token.kind == "USER" or (token.kind == "PAGE" and token.page_id == page.id):
            return
        raise _permission_error()

    def _require_page_publish(self, token: world.TokenInfo, page: world.Page) -> None:
        if token.kind == "PAGE" and token.page_id == page.id and page.can_publish:
            return
        raise _permission_error(PUBLISH_PERMISSION_MESSAGE)

    def _page(self, req: GraphRequest, token: world.TokenInfo, page: world.Page, edge: str | None) -> JsonDict:
        if edge is None:
            if req.method != "GET":
                raise _unsupported(req.method, page.id)
            self._require_page_read(token, page)
            fields = parse_fields(req.params.get("fields")) or {"name": "", "id": ""}
            return self._page_json(page, fields, user_token=token.kind == "USER")
        if edge in FEED_EDGES:
            if req.method == "POST":
                return self._feed_post(req, token, page)
            if req.method == "GET":
                self._require_page_read(token, page)
                return self._feed_list(req, page)
        if edge == "photos" and req.method == "POST":
            return self._photos_post(req, token, page)
        if edge == "scheduled_posts" and req.method == "GET":
            self._require_page_read(token, page)
            return scheduled.listing(self, req, page.id)
        raise _unsupported(req.method, f"{page.id}/{edge}")

    def _post_json(self, post: PostRecord, fields: Mapping[str, str]) -> JsonDict:
        base = self._base_url()
        out: JsonDict = {}
        if post.platform == "facebook":
            if "message" in fields and post.text:
                out["message"] = post.text
            if "created_time" in fields:
                out["created_time"] = meta_time(post.created_ts)
            if "permalink_url" in fields:
                out["permalink_url"] = self.store.post_permalink(base, post)
            if "full_picture" in fields and post.photo_id is not None:
                out["full_picture"] = self.store.media_url(base, post.photo_id)
            if "is_published" in fields:
                out["is_published"] = post.scheduled_ts is None
            if "scheduled_publish_time" in fields and post.scheduled_ts is not None:
                out["scheduled_publish_time"] = int(post.scheduled_ts)
            if "from" in fields:
                page = self.store.world.pages_by_id[post.account_id]
                out["from"] = {"name": page.name, "id": page.id}
        else:
            ig = self.store.world.ig_accounts[post.account_id]
            if "caption" in fields and post.text:  # like Meta: no caption, no field
                out["caption"] = post.text
            if "timestamp" in fields:
                out["timestamp"] = meta_time(post.created_ts)
            if "permalink" in fields:
                out["permalink"] = self.store.post_permalink(base, post)
            if "media_type" in fields:
                out["media_type"] = "CAROUSEL_ALBUM" if post.photo_ids else "IMAGE"
            if "media_product_type" in fields:
                out["media_product_type"] = "FEED"
            if "media_url" in fields and post.photo_id is not None:
                out["media_url"] = self.store.media_url(base, post.photo_id)
            if "username" in fields:
                out["username"] = ig.username
            if "shortcode" in fields:
                out["shortcode"] = f"SBX{post.id[-8:]}"
        out["id"] = post.id
        return out

    def _feed_post(self, req: GraphRequest, token: world.TokenInfo, page: world.Page) -> JsonDict:
        self._require_page_publish(token, page)
        store = self.store
        p = req.params
        message = p.get("message", "")
        link = p.get("link") or None
        photo_ids = self._attached_media(p, page)
        if not message.strip() and link is None and not photo_ids:
            raise _param_error("(#100) Missing message or attachment")
        when = scheduled.scheduled_time(store, p)
        if store.config.duplicate_check and message.strip() and not photo_ids and when is None:
            now = store.now()
            for old in store.posts:
                if (
                    old.platform == "facebook"
                    and old.account_id == page.id
                    and old.photo_id is None
                    and old.text == message
                    and now - old.created_ts < DUPLICATE_WINDOW_SECONDS
                ):
                    raise GraphError(
                        506,
                        "(#506) Duplicate status message",
                        subcode=1455006,
                        is_transient=False,
                        user_title="Duplicate Status Update",
                        user_msg="This status update is identical to the last one you posted. Try posting "
                        "something different, or delete your previous update.",
                    )
        post = store.add_post("facebook", page.id, message, photo_id=photo_ids[0] if photo_ids else None, link=link)
        post.photo_ids = list(photo_ids) if len(photo_ids) > 1 else []
        post.scheduled_ts = when
        for photo_id in photo_ids:
            photo = store.photos[photo_id]
            photo.published = when is None
            photo.post_id = post.id
        store.save()
        return self._post_json(post, parse_fields(p.get("fields")))

    def _attached_media(self, params: Mapping[str, str], page: world.Page) -> list[str]:
        raw: list[Any] = []
        if params.get("attached_media"):
            try:
                value = json.loads(params["attached_media"])
            except ValueError as exc:
                raise _param_error("(#100) param attached_media must be an array") from exc
            raw = value if isinstance(value, list) else [value]
        indexed = sorted(k for k in params if k.startswith("attached_media["))
        for key in indexed:
            try:
                raw.append(json.loads(params[key]))
            except ValueError as exc:
                raise _param_error(f"(#100) param {key} must be JSON") from exc
        photo_ids: list[str] = []
        for item in raw:
            media_fbid = str(item.get("media_fbid", "")) if isinstance(item, dict) else ""
            photo = self.store.photos.get(media_fbid)
            if photo is None or photo.page_id != page.id or photo.published:
                raise _param_error(f"(#100) Invalid media_fbid: {media_fbid or '(missing)'}")
            photo_ids.append(photo.id)
        return photo_ids

    def _photos_post(self, req: GraphRequest, token: world.TokenInfo, page: world.Page) -> JsonDict:
        self._require_page_publish(token, page)
        store = self.store
        p = req.params
        published = parse_bool(p.get("published"), True)
        when = scheduled.scheduled_time(store, p)
        caption = p.get("caption") or p.get("message") or ""
        upload = req.files.get("source")
        data: bytes | None = None
        if upload is not None:
            data = upload.data
        elif p.get("url"):
            hosted = self._served_photo(p["url"])
            data = store.image_bytes(hosted.id) if hosted is not None else None
        if data is None:
            raise _image_error()
        jpeg, width, height = _decode_image(data)
        photo = store.add_photo(
            page.id, caption, width=width, height=height, size=len(data), published=published, jpeg=jpeg
        )
        photo.alt_text = p.get("alt_text_custom") or None
        post: PostRecord | None = None
        if published or when is not None:
            post = store.add_post("facebook", page.id, caption, photo_id=photo.id)
            post.scheduled_ts = when
            photo.post_id = post.id
        store.save()
        fields = parse_fields(p.get("fields"))
        out: JsonDict = {"id": photo.id}
        out.update(self._photo_fields(photo.id, fields))
        return out

    def _photo_fields(self, photo_id: str, fields: Mapping[str, str]) -> JsonDict:
        store = self.store
        photo = store.photos[photo_id]
        base = self._base_url()
        out: JsonDict = {}
        post = store.post_by_id(photo.post_id) if photo.post_id else None
        if "permalink_url" in fields or "link" in fields:
            url = store.post_permalink(base, post) if post is not None else store.media_url(base, photo.id)
            if "permalink_url" in fields:
                out["permalink_url"] = url
            if "link" in fields:
                out["link"] = url
        if "images" in fields:
            images = [{"height": photo.height, "width": photo.width, "source": store.media_url(base, photo.id)}]
            if photo.width > SCALED_WIDTH:
                images.append(
                    {
                        "height": max(1, round(photo.height * SCALED_WIDTH / photo.width)),
                        "width": SCALED_WIDTH,
                        "source": store.media_url(base, photo.id, SCALED_WIDTH),
                    }
                )
            out["images"] = images
        if "width" in fields:
            out["width"] = photo.width
        if "height" in fields:
            out["height"] = photo.height
        if ("name" in fields or "caption" in fields) and photo.caption:
            out["name"] = photo.caption
        if "created_time" in fields:
            out["created_time"] = meta_time(photo.created_ts)
        if "page_story_id" in fields and post is not None:
            out["page_story_id"] = post.id
        if "post_id" in fields and post is not None:
            out["post_id"] = post.id
        return out

    def _feed_list(self, req: GraphRequest, page: world.Page) -> JsonDict:
        p = req.params
        fields = parse_fields(p.get("fields")) or {"id": "", "message": "", "created_time": ""}
        since = _time_param(p.get("since"))
        until = _time_param(p.get("until"))
        posts = [
            post
            for post in self.store.listing("facebook", page.id)
            if (since is None or post.created_ts >= since) and (until is None or post.created_ts <= until)
        ]
        return self._paged(req, [self._post_json(post, fields) for post in posts])

    def _paged(self, req: GraphRequest, items: list[JsonDict]) -> JsonDict:
        p = req.params
        try:
            limit = max(1, min(100, int(p.get("limit") or 25)))
        except ValueError as exc:
            raise _param_error("(#100) param limit must be a number") from exc
        offset = _decode_cursor(p.get("after"))
        page_items = items[offset : offset + limit]
        result: JsonDict = {"data": page_items}
        if page_items:
            cursors = {"before": _encode_cursor(offset), "after": _encode_cursor(offset + len(page_items))}
            paging: JsonDict = {"cursors": cursors}
            if offset + len(page_items) < len(items):
                query = {k: v for k, v in p.items() if k not in ("after", "access_token", "appsecret_proof")}
                query["after"] = cursors["after"]
                qs = "&".join(f"{k}={v}" for k, v in query.items())
                paging["next"] = f"{self._base_url()}{req.path}?{qs}"
            result["paging"] = paging
        return result

    # ----- Instagram -----

    def _require_ig(self, token: world.TokenInfo, ig: world.IgAccount) -> None:
        page = self.store.world.page_by_ig[ig.id]
        if token.kind == "USER" or (token.kind == "PAGE" and token.page_id == page.id):
            return
        raise _permission_error()

    def _ig_user(self, req: GraphRequest, token: world.TokenInfo, ig: world.IgAccount, edge: str | None) -> JsonDict:
        self._require_ig(token, ig)
        if edge is None and req.method == "GET":
            fields = parse_fields(req.params.get("fields"))
            out: JsonDict = {}
            if "username" in fields:
                out["username"] = ig.username
            if "name" in fields:
                out["name"] = ig.name
            if "media_count" in fields:
                out["media_count"] = sum(
                    1 for p in self.store.posts if p.platform == "instagram" and p.account_id == ig.id
                )
            out["id"] = ig.id
            return out
        if edge == "media" and req.method == "POST":
            return self._media_post(req, ig)
        if edge == "media" and req.method == "GET":
            fields = parse_fields(req.params.get("fields")) or {"id": ""}
            posts = self.store.listing("instagram", ig.id)
            return self._paged(req, [self._post_json(p, fields) for p in posts])
        if edge == "media_publish" and req.method == "POST":
            return self._media_publish(req, ig)
        if edge == "content_publishing_limit" and req.method == "GET":
            fields = parse_fields(req.params.get("fields")) or {"quota_usage": ""}
            item: JsonDict = {}
            if "quota_usage" in fields:
                item["quota_usage"] = self.store.quota_usage(ig.id)
            if "config" in fields:
                item["config"] = {
                    "quota_total": self.store.config.quota_total,
                    "quota_duration": QUOTA_DURATION_SECONDS,
                }
            return {"data": [item]}
        raise _unsupported(req.method, f"{ig.id}/{edge}" if edge else ig.id)

    def _served_photo(self, url: str) -> PhotoRecord | None:
        """The photo behind a /sandbox/media/<id>[_<w>].jpg URL this sandbox served, else None."""
        path = urlsplit(url).path
        prefix = "/sandbox/media/"
        if not path.startswith(prefix) or not path.endswith(".jpg"):
            return None
        photo_id = path[len(prefix) : -len(".jpg")].split("_", 1)[0]
        return self.store.photos.get(photo_id)

    def _media_post(self, req: GraphRequest, ig: world.IgAccount) -> JsonDict:
        p = req.params
        if rich.is_carousel(p):
            return rich.carousel_parent(self.store, req, ig.id)
        image_url = p.get("image_url")
        if not image_url:
            if p.get("video_url") or p.get("media_type") not in (None, "", "IMAGE"):
                raise _param_error("(#100) Only image containers are supported by the sandbox")
            raise _param_error("(#100) The parameter image_url is required")
        photo = self._served_photo(image_url)
        if photo is None:
            raise GraphError(
                9004,
                "Media download has failed.: The media URI doesn't meet our requirements.",
                subcode=2207052,
                is_transient=False,
                user_title="Media download has failed.",
                user_msg=f"The media could not be fetched from this uri: {image_url}. "
                "Please check the uri and try again.",
            )
        if photo.size > MAX_IG_IMAGE_BYTES:
            raise GraphError(
                36000,
                "The image size is too large.",
                subcode=2207004,
                is_transient=False,
                user_title="Image size too large",
                user_msg="The image is too large to download. It should be less than 8 MiB.",
            )
        ratio = photo.width / photo.height
        if not IG_MIN_RATIO - 0.005 <= ratio <= IG_MAX_RATIO + 0.005:
            raise GraphError(
                36003,
                "The aspect ratio is not supported.",
                subcode=2207009,
                is_transient=False,
                user_title="Cannot publish media",
                user_msg=f"The submitted image with aspect ratio ('{photo.width}/{photo.height}') cannot be "
                "published. Please submit an image with a valid aspect ratio.",
            )
        child = rich.is_carousel_item(p)
        container = self.store.add_container(
            ig.id, photo.id, "" if child else p.get("caption", ""), alt_text=p.get("alt_text"), is_carousel_item=child
        )
        self.store.save()
        return {"id": container.id}

    def _media_publish(self, req: GraphRequest, ig: world.IgAccount) -> JsonDict:
        store = self.store
        creation_id = req.params.get("creation_id")
        if not creation_id:
            raise _param_error("(#100) The parameter creation_id is required.")
        container = store.containers.get(creation_id)
        if container is None or container.ig_user_id != ig.id or container.is_carousel_item:
            raise _param_error(
                "(#100) Invalid parameter", user_msg=f"The media container ID {creation_id} is not valid."
            )
        status = store.container_status(container)
        check_publishable(store, ig.id, status)
        if container.children:
            media = rich.publish_carousel(store, container)
        else:
            media = store.add_post("instagram", ig.id, container.caption, photo_id=container.photo_id)
            container.media_id = media.id
        store.save()
        return {"id": media.id}

    # ----- nodes: posts, photos, containers, IG media -----

    def _node(self, req: GraphRequest, token: world.TokenInfo, node: str) -> JsonDict:
        store = self.store
        fields = parse_fields(req.params.get("fields"))
        container = store.containers.get(node)
        if container is not None:
            self._require_ig(token, self.store.world.ig_accounts[container.ig_user_id])
            status = store.container_status(container)
            if status == "IN_PROGRESS":
                container.reads += 1
                store.save()
            out: JsonDict = {}
            if "status_code" in fields:
                out["status_code"] = status
            if "status" in fields:
                out["status"] = _STATUS_TEXT[status]
            out["id"] = container.id
            return out
        post = store.post_by_id(node)
        if post is not None:
            if post.platform == "facebook":
                self._require_page_read(token, self.store.world.pages_by_id[post.account_id])
                fields = fields or {"created_time": "", "message": "", "id": ""}
            else:
                self._require_ig(token, self.store.world.ig_accounts[post.account_id])
            return self._post_json(post, fields)
        photo = store.photos.get(node)
        if photo is not None:
            self._require_page_read(token, self.store.world.pages_by_id[photo.page_id])
            out = self._photo_fields(photo.id, fields)
            out["id"] = photo.id
            return out
        raise _unsupported(req.method, node)

    def _comments(self, req: GraphRequest, token: world.TokenInfo, node: str) -> JsonDict:
        post = self.store.post_by_id(node)
        assert post is not None
        if post.platform == "facebook":
            page = self.store.world.pages_by_id[post.account_id]
            if req.method == "POST":
                self._require_page_publish(token, page)
            else:
                self._require_page_read(token, page)
        else:
            self._require_ig(token, self.store.world.ig_accounts[post.account_id])
        return rich.comments(self.store, req, post, self._base_url())

    def _fields_of(self, values: JsonDict, req: GraphRequest, default: tuple[str, ...]) -> JsonDict:
        fields = parse_fields(req.params.get("fields")) or dict.fromkeys(default, "")
        out = {k: v for k, v in values.items() if k in fields}
        out["id"] = values["id"]
        return out


_STATUS_TEXT = {
    "IN_PROGRESS": "In Progress: Media is still being processed.",
    "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
    "PUBLISHED": "Published: Media has been successfully published.",
    "EXPIRED": "Expired: Media was not published within 24 hours.",
    "ERROR": "Error: Media could not be processed.",
}


def _decode_image(data: bytes) -> tuple[bytes, int, int]:
    """Check that the bytes are a decodable JPEG or PNG; return JPEG bytes and the size."""
    if not data:
        raise _image_error()
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            if fmt not in ("JPEG", "PNG"):
                raise _image_error()
            img.load()
            width, height = img.size
            if fmt == "JPEG":
                return data, width, height
            out = io.BytesIO()
            img.convert("RGB").save(out, format="JPEG", quality=90)
            return out.getvalue(), width, height
    except GraphError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _image_error() from exc


def scaled_jpeg(data: bytes, width: int) -> bytes:
    """A JPEG scaled to ``width`` px wide, keeping the aspect ratio."""
    with Image.open(io.BytesIO(data)) as img:
        height = max(1, round(img.height * width / img.width))
        small = img.convert("RGB").resize((width, height))
        out = io.BytesIO()
        small.save(out, format="JPEG", quality=85)
        return out.getvalue()


def _time_param(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.replace("+0000", "+00:00")).timestamp()
    except ValueError as exc:
        raise _param_error(f"(#100) Invalid time: {value}") from exc


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"sbx:{offset}".encode()).decode()


def _decode_cursor(value: str | None) -> int:
    if not value:
        return 0
    try:
        text = base64.urlsafe_b64decode(value.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "sbx":
            raise ValueError(value)
        return max(0, int(number))
    except ValueError as exc:
        raise _param_error("(#100) Invalid cursor") from exc
