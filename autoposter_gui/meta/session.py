"""One worker thread's Meta session: publish a post by its shape, reconcile an attempt, and the Meta-only features
(first comment, Meta's scheduler, insights, token checks, connect) behind networks/capabilities."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError, ValidationError
from autoposter_gui.domain.models import (
    Checkpoint,
    DiscoveredAccount,
    MediaKind,
    MediaRef,
    Platform,
    PublishResult,
    SaveCheckpoint,
    TokenInfo,
)
from autoposter_gui.domain.video import VideoRoute, preflight_video
from autoposter_gui.meta import handoff as scheduled
from autoposter_gui.meta import rich
from autoposter_gui.meta import video as mv
from autoposter_gui.meta.auth import MetaAuth
from autoposter_gui.meta.client import GraphClient
from autoposter_gui.meta.publisher import MetaPublisher
from autoposter_gui.networks.capabilities import AppInfo, InsightResult, InsightTarget, ScheduledPost
from autoposter_gui.networks.protocol import CONTAINER_ID, AccountRef, Env, Post, Reconciliation

log = logging.getLogger(__name__)

# The keyring's names (the engine's TokenStore writes them: tokens.APP_SECRET and tokens.account_key).
APP_SECRET_KEY = "app_secret"


def account_key(platform: str, external_id: str) -> str:
    return f"account:{platform}:{external_id}"


def account_label(account: AccountRef) -> str:
    """How an account is named in messages (the engine's labels.account_label)."""
    if account.platform == Platform.INSTAGRAM.value:
        return f"Instagram account {f'@{account.username}' if account.username else account.name}"
    return f"Facebook Page {account.name}"


def video_of(post: Post) -> MediaRef | None:
    """The post's video, if it is a video post."""
    return next((m for m in post.media if m.kind is MediaKind.VIDEO), None)


def route_of(video: MediaRef, platform: str) -> VideoRoute:
    """Preflight once more before publishing (the file may have changed): a refusal is a permanent failure."""
    try:
        return preflight_video(video.path, platform)[1]
    except ValidationError as exc:
        raise PublishError(
            ErrorKind.PERMANENT, ErrorCategory.MEDIA_INVALID, f"{exc}; edit the post and pick the video again"
        ) from None


class _EnvClock:
    """The Env's ``now`` as a domain Clock."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now()


class MetaSession:
    """A Graph session (one keep-alive HTTP session, made on first use) and everything done with it."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self._client: GraphClient | None = None
        self._publisher: MetaPublisher | None = None

    # ----- the session -----
    @property
    def client(self) -> GraphClient:
        """The Graph client (sends appsecret_proof when the app secret is known); Meta's clock offset is measured
        against the engine's clock."""
        if self._client is None:
            env = self.env
            if env.client_factory is not None:
                client: GraphClient = env.client_factory()
            else:
                secret = env.app_secret if env.app_secret is not None else env.secrets.get(APP_SECRET_KEY)
                client = GraphClient(origin=env.origin, app_secret=secret)
            if env.timeout is not None:
                client.timeout = env.timeout
            client.now = env.now
            self._client = client
        return self._client

    @property
    def publisher(self) -> MetaPublisher:
        if self._publisher is None:
            self._publisher = MetaPublisher(self.client, media=self.env.media)
        return self._publisher

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def access_token(self, account: AccountRef) -> str | None:
        """The account's Page or Instagram token from the keyring (Meta's long-lived tokens are never refreshed)."""
        return self.env.secrets.get(account_key(account.platform, account.external_id))

    # ----- publishing -----
    def publish(
        self,
        account: AccountRef,
        token: str,
        post: Post,
        checkpoint: Checkpoint,
        save: SaveCheckpoint,
        resume: str | None = None,
    ) -> PublishResult:
        """A Facebook link, photos or single post; an Instagram carousel or single image; a video by its route; or
        the publish of a FINISHED container that reconcile found (``resume``)."""
        pub = self.publisher
        if resume is None and video_of(post) is not None:
            return self._publish_video(account, token, post, checkpoint, save)
        images = [m for m in post.media if m.kind is MediaKind.IMAGE]
        alt = images[0].alt_text if images else None
        if post.platform == Platform.FACEBOOK.value:
            if post.link:
                return rich.publish_facebook_link(pub, account.external_id, token, post.text, post.link)
            if len(images) > 1:
                return rich.publish_facebook_photos(
                    pub, account.external_id, token, post.text, images, checkpoint, save
                )
            return pub.publish_facebook(
                account.external_id, token, post.text, images[0].path if images else None, alt_text=alt
            )
        if resume is not None:
            return pub.publish_container(account.external_id, resume, token)
        if not account.page_id:
            raise PublishError(
                kind=ErrorKind.PERMANENT,
                category=ErrorCategory.NOT_CONNECTED,
                user_message=f"{account_label(account)} has no linked Facebook Page; reconnect it",
            )

        def on_container(container_id: str) -> None:
            save(CONTAINER_ID, container_id)

        if len(images) > 1:
            return rich.publish_instagram_carousel(
                pub, account.external_id, account.page_id, token, post.text, images, checkpoint, save, on_container
            )
        assert images
        return pub.publish_instagram(
            account.external_id, account.page_id, token, post.text, images[0].path, on_container, alt_text=alt
        )

    def _publish_video(
        self, account: AccountRef, token: str, post: Post, checkpoint: Checkpoint, save: SaveCheckpoint
    ) -> PublishResult:
        """Publish the post's video by its route from the saved upload state; a container or video Meta can no
        longer use (expired, failed processing) is dropped from the checkpoint, so the next try makes a new one."""
        video = video_of(post)
        assert video is not None
        route = route_of(video, post.platform)
        videos = mv.VideoPublisher(self.client, now=self.env.now)
        try:
            if route is VideoRoute.IG_REEL:
                return videos.publish_ig_reel(account.external_id, token, post.text, video.path, checkpoint, save)
            if route is VideoRoute.FB_REEL:
                return videos.publish_fb_reel(account.external_id, token, post.text, video.path, checkpoint, save)
            return videos.publish_fb_video(account.external_id, token, post.text, video.path, checkpoint, save)
        except PublishError as err:
            unusable = err.category in (ErrorCategory.MEDIA_INVALID, ErrorCategory.INVALID_REQUEST)
            if err.extra.get("drop") or (unusable and err.kind is ErrorKind.PERMANENT and not err.ambiguous):
                for key in (mv.CONTAINER_ID, mv.VIDEO_ID, mv.UPLOAD_OFFSET, mv.PROCESSING_SINCE, mv.FINISH_SENT):
                    save(key, None)
            raise

    def reconcile(
        self, account: AccountRef, token: str, post: Post, attempt: AttemptFacts, used_ids: set[str]
    ) -> Reconciliation:
        """Did ``attempt`` publish ``post``? An Instagram container's status first; then the feed or media, searched
        from the attempt's own start (on Meta's clock, see MetaPublisher.window_start), never earlier: a post with
        the same words made before it (by hand, or by another item) is not ours."""
        pub = self.publisher
        instagram = post.platform == Platform.INSTAGRAM.value
        try:
            if instagram:
                if attempt.container_id:
                    status = pub.container_status(attempt.container_id, token)
                    log.info("reconcile item %s: container status %s", post.item_id, status)
                    if status == "FINISHED":
                        return Reconciliation(CheckResult.READY_CONTAINER, container=attempt.container_id)
                    if status != "PUBLISHED":
                        return Reconciliation(CheckResult.NOT_FOUND)  # never published: a new container is safe
                found = pub.find_instagram_media(account.external_id, token, post.text, attempt.started_at, used_ids)
            else:
                found = pub.find_facebook_post(account.external_id, token, post.text, attempt.started_at, used_ids)
        except PublishError as exc:
            log.warning("reconcile item %s: provider check failed (%s)", post.item_id, exc.error_code)
            return Reconciliation(CheckResult.UNKNOWN, error=exc)
        if found is None and instagram and attempt.container_id:
            # Instagram says the container is PUBLISHED but the media is not listed: it went out; never republish.
            found = PublishResult(attempt.container_id, None, {"container_id": attempt.container_id})
        log.info("reconcile item %s: %s", post.item_id, "found" if found else "not found")
        return Reconciliation(CheckResult.FOUND if found else CheckResult.NOT_FOUND, found=found)

    # ----- Prefetch, DailyLimit -----
    def prefetch(self, post: Post) -> None:
        """Start converting the first image of a coming post (only with a media executor in the Env)."""
        if self.env.media is not None and post.media and post.media[0].kind is MediaKind.IMAGE:
            self.publisher.prepare_image(post.media[0].path, post.platform)

    def has_daily_limit(self, platform: str) -> bool:
        return platform == Platform.INSTAGRAM.value

    def publishing_quota(self, account: AccountRef, token: str) -> tuple[int, int] | None:
        """Instagram's 24-hour publishing limit (used, total); Facebook has none."""
        if account.platform != Platform.INSTAGRAM.value:
            return None
        return self.publisher.publishing_quota(account.external_id, token)

    # ----- Comments -----
    def post_comment(self, object_id: str, token: str, message: str) -> tuple[str, str | None]:
        return rich.post_comment(self.publisher, object_id, token, message)

    def find_comment(self, object_id: str, token: str, message: str, platform: str) -> tuple[str, str | None] | None:
        return rich.find_comment(self.publisher, object_id, token, message, platform)

    def comment_link(self, post_permalink: str | None, comment_id: str, given: str | None) -> str | None:
        return rich.comment_link(post_permalink, comment_id, given)

    # ----- Scheduler (Meta's scheduled Page posts) -----
    def is_gone(self, err: Exception) -> bool:
        return isinstance(err, PublishError) and scheduled.is_gone(err)

    def schedule_post(
        self, page_id: str, token: str, text: str, link: str | None, images: Sequence[MediaRef], due: datetime
    ) -> str:
        return scheduled.schedule_post(self.publisher, page_id, token, text, link, images, due)

    def find_scheduled(self, page_id: str, token: str, text: str, due: datetime, used_ids: set[str]) -> str | None:
        return scheduled.find_scheduled(self.publisher, page_id, token, text, due, used_ids)

    def update_scheduled(self, post_id: str, token: str, *, message: str | None, due: datetime | None) -> None:
        scheduled.update_post(self.publisher, post_id, token, message=message, due=due)

    def delete_scheduled(self, post_id: str, token: str) -> None:
        scheduled.delete_post(self.publisher, post_id, token)

    def publish_scheduled_now(self, post_id: str, token: str) -> None:
        scheduled.publish_now(self.publisher, post_id, token)

    def read_scheduled(self, post_id: str, token: str) -> ScheduledPost:
        return scheduled.read_post(self.publisher, post_id, token)

    def find_published(
        self, page_id: str, token: str, text: str, since: datetime, used_ids: set[str]
    ) -> PublishResult | None:
        return self.publisher.find_facebook_post(page_id, token, text, since, used_ids)

    # ----- TokenCheck, AppConnect -----
    def _auth(self, *, clocked: bool = True) -> MetaAuth:
        """Meta's auth calls; ``clocked``: expiry dates against the engine's clock (the connect uses the system's)."""
        if not clocked:
            return MetaAuth(self.client)
        return MetaAuth(self.client, clock=_EnvClock(self.env.now))

    def debug_token(self, app_id: str, app_secret: str, token: str) -> TokenInfo:
        return self._auth().debug_token(app_id, app_secret, token)

    def page_tasks(self, user_token: str) -> dict[str, tuple[str, ...]]:
        return self._auth().page_tasks(user_token)

    def app_info(self, app_id: str, app_secret: str) -> AppInfo:
        return self._auth(clocked=False).app_info(app_id, app_secret)

    def exchange_long_lived(self, app_id: str, app_secret: str, user_token: str) -> tuple[str, datetime | None]:
        return self._auth(clocked=False).exchange_long_lived(app_id, app_secret, user_token)

    def discover(self, user_token: str) -> list[DiscoveredAccount]:
        return self._auth(clocked=False).discover(user_token)

    # ----- Insights -----
    def watch_requests(self, on_request: Callable[[str, str], None]) -> None:
        self.client.on_request = on_request

    def fetch_insights(self, token: str, targets: Sequence[InsightTarget]) -> list[InsightResult]:
        from autoposter_gui.meta import insights as meta_insights

        return meta_insights.fetch(self.client, token, targets)
