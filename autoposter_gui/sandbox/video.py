"""The sandbox's video endpoints: Facebook Reels and Page videos, Instagram Reels, and their byte uploads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import world
from .forms import parse_fields
from .graph import GraphError, GraphRequest, JsonDict, _param_error, _permission_error, _unsupported, check_publishable
from .store import CONTAINER_ID_BASE, QUOTA_DURATION_SECONDS, VIDEO_ID_BASE, VideoRecord

if TYPE_CHECKING:
    from .graph import GraphApi

# Paths of the byte uploads (rupload.facebook.com, or the sandbox's own origin): no Graph version in front.
IG_UPLOAD = "ig-api-upload"
FB_UPLOAD = "video-upload"
UPLOAD_ROOTS = (IG_UPLOAD, FB_UPLOAD)
UPLOAD_VERSION = "v24.0"

REELS_LIMIT_MESSAGE = "(#9) Application request limit reached"
REELS_LIMIT_USER_MSG = "This Page has published the most Reels allowed through the API in 24 hours."


def upload_target(segments: list[str]) -> str | None:
    """The video or container id of an upload path (``/ig-api-upload/{id}``, ``/video-upload/{v}/{id}``)."""
    if len(segments) == 2 and segments[0] == IG_UPLOAD:
        return segments[1]
    if len(segments) == 3 and segments[0] == FB_UPLOAD:
        return segments[2]
    return None


def is_streamed(method: str, segments: list[str]) -> bool:
    """Requests whose body the server must stream to a file: byte uploads, and multipart ``POST /{page}/videos``."""
    if method != "POST":
        return False
    return upload_target(segments) is not None or (len(segments) == 2 and segments[1] == "videos")


class VideoApi:
    """Video calls, under the store's lock like every Graph call (see GraphApi)."""

    def __init__(self, graph: GraphApi) -> None:
        self.graph = graph
        self.store = graph.store

    # ----- classification (faults, call log) -----

    def classify(self, method: str, segments: list[str], params: Mapping[str, str]) -> str | None:
        if upload_target(segments) is not None:
            return "video_upload"
        if len(segments) == 2 and segments[1] == "video_reels":
            return "video_reels"
        if len(segments) == 2 and segments[1] == "videos" and method == "POST":
            return "videos_post"
        if len(segments) == 1:
            with self.store.lock:
                video = self.store.videos.get(segments[0])
            if video is not None:
                if video.kind == "ig_reel":
                    return "container_status"
                return "permalink" if "permalink_url" in parse_fields(params.get("fields")) else "video_status"
        return None

    def account_for(self, node: str) -> str | None:
        video = self.store.videos.get(node)
        return video.account_id if video is not None else None

    # ----- routing -----

    def route(self, req: GraphRequest, token: world.TokenInfo, segs: list[str]) -> JsonDict | None:
        """The answer to a video call, or None when the call is not about videos."""
        store = self.store
        target = upload_target(segs)
        if target is not None:
            return self._upload(req, token, target)
        if len(segs) == 2:
            node, edge = segs
            page = store.world.pages_by_id.get(node)
            if page is not None and edge == "video_reels" and req.method == "POST":
                return self._reels(req, token, page)
            if page is not None and edge == "videos" and req.method == "POST":
                return self._page_video(req, token, page)
            ig = store.world.ig_accounts.get(node)
            reels = (req.params.get("media_type") or "").upper() == "REELS"
            if ig is not None and edge == "media" and req.method == "POST" and reels:
                self.graph._require_ig(token, ig)
                return self._reel_container(req, ig)
            if ig is not None and edge == "media_publish" and req.method == "POST":
                video = store.videos.get(req.params.get("creation_id") or "")
                if video is not None and video.kind == "ig_reel":
                    self.graph._require_ig(token, ig)
                    return self._publish_reel(ig, video)
        if len(segs) == 1 and req.method == "GET" and segs[0] in store.videos:
            return self._node(req, token, store.videos[segs[0]])
        return None

    # ----- uploads -----

    def _authorize(self, token: world.TokenInfo, video: VideoRecord) -> None:
        if video.kind == "ig_reel":
            self.graph._require_ig(token, self.store.world.ig_accounts[video.account_id])
        else:
            page = self.store.world.pages_by_id[video.account_id]
            self.graph._require_page_publish(token, page)

    def _upload(self, req: GraphRequest, token: world.TokenInfo, target: str) -> JsonDict:
        store = self.store
        video = store.videos.get(target)
        if req.method != "POST" or video is None:
            raise _unsupported(req.method, target)
        self._authorize(token, video)
        headers = {k.lower(): v for k, v in req.headers.items()}
        try:
            offset = int(headers.get("offset", "0"))
            file_size = int(headers["file_size"])
        except (KeyError, ValueError):
            raise _param_error("(#100) The headers offset and file_size must be whole numbers") from None
        if video.file_size is not None and file_size != video.file_size:
            raise _param_error(f"(#100) file_size {file_size} differs from the upload's {video.file_size}")
        if offset < 0 or offset > video.received:
            raise GraphError(
                6001,
                "There was a problem uploading your video. Please try again.",
                subcode=1363037,
                is_transient=False,
                user_title="Error Uploading Video",
                user_msg=f"Resume the upload at offset {video.received}.",
            )
        body = req.stream
        if body is not None and body.path is not None and not body.path.exists():  # a late commit: bytes gone
            raise GraphError(1, "An unknown error has occurred.", status=500, is_transient=True)
        size = body.size if body is not None else 0
        if body is not None:
            store.add_segment(video, offset, body.path, size)
        video.file_size = file_size
        video.received = min(file_size, offset + size)
        store.save()
        return {"success": True, "offset": video.received}

    # ----- Facebook -----

    def _reels_used(self, page_id: str) -> int:
        since = self.store.now() - QUOTA_DURATION_SECONDS
        return sum(
            1
            for v in self.store.videos.values()
            if v.kind == "fb_reel" and v.account_id == page_id and v.post_id is not None
            for p in [self.store.post_by_id(v.post_id)]
            if p is not None and p.created_ts >= since
        )

    def _check_reels_limit(self, page_id: str) -> None:
        if self._reels_used(page_id) >= self.store.config.reels_per_day:
            raise GraphError(
                9,
                REELS_LIMIT_MESSAGE,
                is_transient=False,
                user_title="Reels limit reached",
                user_msg=REELS_LIMIT_USER_MSG,
            )

    def _new_video(self, kind: str, account_id: str, caption: str) -> VideoRecord:
        store = self.store
        base = CONTAINER_ID_BASE if kind == "ig_reel" else VIDEO_ID_BASE
        video = VideoRecord(
            id=store.next_id(base),
            kind=kind,
            account_id=account_id,
            caption=caption,
            created_ts=store.now(),
            polls_needed=store.config.container_polls,
            error=store.config.video_error,
        )
        store.videos[video.id] = video
        return video

    def _reels(self, req: GraphRequest, token: world.TokenInfo, page: world.Page) -> JsonDict:
        self.graph._require_page_publish(token, page)
        p = req.params
        phase = p.get("upload_phase")
        if phase == "start":
            self._check_reels_limit(page.id)
            video = self._new_video("fb_reel", page.id, "")
            self.store.save()
            upload_url = f"{self.graph._base_url()}/{FB_UPLOAD}/{UPLOAD_VERSION}/{video.id}"
            return {"video_id": video.id, "upload_url": upload_url}
        if phase != "finish":
            raise _param_error("(#100) upload_phase must be start or finish")
        found = self.store.videos.get(p.get("video_id") or "")
        if found is None or found.kind != "fb_reel" or found.account_id != page.id:
            raise _param_error(f"(#100) Invalid video_id: {p.get('video_id') or '(missing)'}")
        video = found
        if (p.get("video_state") or "").upper() != "PUBLISHED":
            raise _param_error("(#100) The sandbox publishes Reels at once: send video_state=PUBLISHED")
        if video.post_id is not None:  # the same video can't become a second Reel
            return {"success": True, "post_id": video.post_id}
        if not video.uploaded:
            raise GraphError(
                6000,
                "There was a problem uploading your video file. Please try again with another file.",
                is_transient=False,
                user_title="Video Upload Is Missing",
                user_msg="The video was not uploaded completely; upload it before finishing.",
            )
        if video.error:
            raise GraphError(
                6000,
                "There was a problem uploading your video file. Please try again with another file.",
                is_transient=False,
                user_title="Video Processing Failed",
                user_msg="Facebook could not process this video.",
            )
        self._check_reels_limit(page.id)
        video.caption = p.get("description", "")
        self._publish_post("facebook", video)
        return {"success": True, "post_id": video.post_id}

    def _page_video(self, req: GraphRequest, token: world.TokenInfo, page: world.Page) -> JsonDict:
        self.graph._require_page_publish(token, page)
        body = req.stream
        if body is None or body.size == 0:
            raise GraphError(
                6000,
                "There was a problem uploading your video file. Please try again with another file.",
                is_transient=False,
                user_title="Video Upload Is Missing",
                user_msg="Send the video as the multipart field source.",
            )
        p = req.params
        video = self._new_video("fb_video", page.id, p.get("description", ""))
        self.store.add_segment(video, 0, body.path, body.size)
        video.file_size = video.received = body.size
        self._publish_post("facebook", video)
        out: JsonDict = {"id": video.id}
        fields = parse_fields(p.get("fields"))
        if "permalink_url" in fields and video.post_id is not None:
            post = self.store.post_by_id(video.post_id)
            if post is not None:
                out["permalink_url"] = self.store.post_permalink(self.graph._base_url(), post)
        return out

    def _publish_post(self, platform: str, video: VideoRecord) -> None:
        post = self.store.add_post(platform, video.account_id, video.caption)
        post.video_id = video.id
        video.post_id = post.id
        self.store.save()

    # ----- Instagram -----

    def _reel_container(self, req: GraphRequest, ig: world.IgAccount) -> JsonDict:
        p = req.params
        if (p.get("upload_type") or "").lower() != "resumable":
            raise _param_error("(#100) The sandbox takes Reels as resumable uploads: send upload_type=resumable")
        video = self._new_video("ig_reel", ig.id, p.get("caption", ""))
        self.store.save()
        return {"id": video.id, "uri": f"{self.graph._base_url()}/{IG_UPLOAD}/{video.id}"}

    def _publish_reel(self, ig: world.IgAccount, video: VideoRecord) -> JsonDict:
        store = self.store
        if video.account_id != ig.id:
            raise _param_error("(#100) Invalid parameter", user_msg=f"The media container ID {video.id} is not valid.")
        status = self.status_code(video)
        check_publishable(store, ig.id, status)
        self._publish_post("instagram", video)
        assert video.post_id is not None
        return {"id": video.post_id}

    def status_code(self, video: VideoRecord) -> str:
        """IN_PROGRESS until the bytes are in and ``polls_needed`` reads later, then FINISHED (or ERROR)."""
        if video.post_id is not None:
            return "PUBLISHED"
        if not video.uploaded or video.reads < video.polls_needed:
            return "IN_PROGRESS"
        return "ERROR" if video.error else "FINISHED"

    # ----- reads -----

    def _node(self, req: GraphRequest, token: world.TokenInfo, video: VideoRecord) -> JsonDict:
        store = self.store
        if video.kind == "ig_reel":
            self.graph._require_ig(token, store.world.ig_accounts[video.account_id])
        else:
            page = store.world.pages_by_id[video.account_id]
            if not (token.kind == "USER" or (token.kind == "PAGE" and token.page_id == page.id)):
                raise _permission_error()
        fields = parse_fields(req.params.get("fields"))
        status = self.status_code(video)
        if status == "IN_PROGRESS" and video.uploaded:
            video.reads += 1
            store.save()
        out: JsonDict = {}
        if "status_code" in fields:
            out["status_code"] = status
        if "status" in fields:
            if video.kind == "ig_reel":
                out["status"] = status
            else:
                out["status"] = self._fb_status(video)
        post = store.post_by_id(video.post_id) if video.post_id else None
        if post is not None and ("permalink_url" in fields or "permalink" in fields):
            out["permalink_url" if "permalink_url" in fields else "permalink"] = store.post_permalink(
                self.graph._base_url(), post
            )
        if "post_id" in fields and post is not None:
            out["post_id"] = post.id
        if "description" in fields and video.caption:
            out["description"] = video.caption
        out["id"] = video.id
        return out

    @staticmethod
    def _fb_status(video: VideoRecord) -> JsonDict:
        uploading = "complete" if video.uploaded else ("in_progress" if video.received else "not_started")
        published = video.post_id is not None
        return {
            "video_status": "ready" if published else ("error" if video.error else "upload_complete"),
            "uploading_phase": {"status": uploading, "bytes_transferred": video.received},
            "processing_phase": {"status": "complete" if published else "not_started"},
            "publishing_phase": {"status": "complete" if published else "not_started"},
        }
