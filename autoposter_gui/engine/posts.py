"""Creating and changing posts: the one place both the CLI and the composer go through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from autoposter_gui.domain.errors import AutoposterError, Remedy, ValidationError
from autoposter_gui.domain.frozen import quick_init
from autoposter_gui.domain.images import (
    ImageInfo,
    fitted_jpeg,
    image_suffix,
    inspect_image,
    instagram_ratio_ok,
)
from autoposter_gui.domain.models import (
    AccountStatus,
    ItemStatus,
    MediaRef,
    Platform,
    cannot_post_reason,
    first_image,
)
from autoposter_gui.domain.post_options import google_options, option_problems
from autoposter_gui.domain.validation import (
    MAX_AHEAD,
    PAST_TOLERANCE,
    ImageInspector,
    PostDraft,
    caption,
    is_blank,
    post_problems,
    validate_post,
)
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.labels import account_label
from autoposter_gui.engine.views import AccountView

if TYPE_CHECKING:  # the store's modules (SQLAlchemy) load with the first service, not with the UI that names them
    from autoposter_gui.engine.context import Context
    from autoposter_gui.storage.models import Account, QueueItem
    from autoposter_gui.storage.repo import NewItem

if TYPE_CHECKING:
    from autoposter_gui.engine.handoff import HandoffService


class ActionRefusedError(AutoposterError):
    """An owner action that could not be done now (the post went out meanwhile, or Meta can't tell yet)."""


WHITE = (255, 255, 255)  # the padding a fitted copy gets unless told otherwise
_GOOGLE = Platform.GOOGLE.value  # read once: the enum's ``.value`` is a Python property (~0.14 µs a post)


@quick_init
@dataclass(frozen=True, slots=True)  # slots, quick_init: quicker to build (an import builds thousands)
class PostRequest:
    """What the owner asked for: text, optional image, accounts, and when (None = now)."""

    account_refs: Sequence[str | int]  # external ids (page id / IG user id) or Account.id ints
    text: str
    image_path: str | None = None
    when: datetime | None = None
    zone: str | None = None
    draft: bool = False
    fit: str | None = None  # "pad" or "crop": make an Instagram-ready copy when the ratio is out of range
    fit_color: tuple[int, int, int] = WHITE
    # Rich posts: the images (1-10, in order, with alt text) or one video; empty: just ``image_path``.
    media: tuple[MediaRef, ...] = ()
    first_comment: str | None = None
    link: str | None = None
    # Google Business Profile's options as given (post_options.OPTION_KEYS -> text; None: none given): checked
    # with the post, stored normalised with each Google item.
    options: Mapping[str, str | None] | None = None

    def comment(self) -> str | None:
        """The first comment as stored and sent: none when it renders blank."""
        return None if self.first_comment is None or is_blank(self.first_comment) else self.first_comment

    def draft_for(self, platforms: tuple[Platform, ...]) -> PostDraft:
        comment = self.comment() if self.first_comment is not None else None  # most posts: none, no call
        return PostDraft(self.text, platforms, self.image_path, self.when, self.media, comment, self.link, self.options)


@dataclass(frozen=True)
class DuePost:
    """A post that goes out soon (or is going out right now): what a "quit now?" question lists."""

    item_id: int
    account: str  # "Facebook Page Sandbox Bakery", "Instagram account @sandbox.bakery"
    platform: str
    text: str
    due_at: datetime | None  # UTC; its retry time when that is later than its scheduled time
    publishing: bool  # being published right now


@dataclass(frozen=True)
class DueSoon:
    """The first few posts that go out soon, publishing ones first, then by time; ``total`` counts them all."""

    posts: list[DuePost]
    total: int

    @property
    def publishing(self) -> bool:
        return any(p.publishing for p in self.posts)


@dataclass(frozen=True)
class _Named:
    platform: str
    name: str
    username: str | None


class PostService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.repo = ctx.repo
        self.inspect_image: ImageInspector = inspect_image  # a batch of posts remembers each file's result
        # A change to a post held by Meta's scheduler is sent at once (the CLI), or by the runner's next tick
        # (the GUI, whose thread never calls Meta: it sets this to False).
        self.handoff_at_once = True
        # The time the post rules check against: the clock's, read per post; a batch reads it once for all its posts.
        self._checked_at: datetime | None = None
        from autoposter_gui.storage.repo import NewItem  # the store's modules: loaded by then (ctx.repo)

        self._new_item: type[NewItem] = NewItem

    def _account(self, ref: str | int) -> Account | None:
        return self.repo.account(ref) if isinstance(ref, int) else self.repo.account_by_external(str(ref).strip())

    def resolve_accounts(self, refs: Sequence[str | int]) -> list[Account]:
        if not refs:
            raise ValidationError("Choose at least one account to post to", field="accounts")
        found: list[Account] = []
        for ref in refs:
            account = self._account(ref)
            if account is None:
                raise ValidationError(
                    f"Unknown account {ref!s}; run `autoposter accounts` to list the connected ones",
                    field="accounts",
                )
            if account.id not in {a.id for a in found}:
                found.append(account)
        return found

    def validate(self, request: PostRequest) -> list[Account]:
        """Check everything; raise ValidationError with the first problem. Writes nothing."""
        return self._validate(request)[0]

    def problems(self, request: PostRequest, remedies: Mapping[Remedy, str] | None = None) -> list[tuple[str, str]]:
        """Every problem with ``request`` as (field, message) pairs, the one ``validate`` raises first; [] when it
        can be saved. Writes nothing."""
        return self.assess(request, remedies)[0]

    def option_problems(self, request: PostRequest) -> list[ValidationError]:
        """Every problem with the request's Google options for its accounts (the accounts must exist: an unknown one
        raises ValidationError). Writes nothing."""
        if not request.options:
            return []
        return option_problems(request.options, self._platforms(self.resolve_accounts(request.account_refs)))

    def assess(
        self, request: PostRequest, remedies: Mapping[Remedy, str] | None = None
    ) -> tuple[list[tuple[str, str]], list[Account], ImageInfo | None]:
        """``problems``, with the accounts and the image info found on the way (what ``new_items`` takes once the
        problems are none). Writes nothing."""
        found: list[tuple[str, str]] = []
        accounts, refused, platforms = self._audience(request.account_refs)
        if isinstance(accounts, ValidationError):
            found.append((accounts.field or "", accounts.phrased(remedies)))
            accounts = []
        if refused:
            found += [("accounts", reason) for reason in refused]
        draft = request.draft_for(platforms)
        now = self._checked_at or self.ctx.clock.now()
        problems, info = post_problems(
            draft,
            now,
            require_future=not request.draft,
            ratio_will_be_fixed=request.fit is not None,
            inspect=self.inspect_image,
        )
        if problems:
            found += [(p.field or "", p.phrased(remedies)) for p in problems]
        return found, accounts, info

    def _audience(
        self, refs: Sequence[str | int]
    ) -> tuple[list[Account] | ValidationError, list[str], tuple[Platform, ...]]:
        """The accounts ``refs`` name (or why they can't be found), why a new post can't go to some of them, and
        their platforms in order (a batch remembers all three per list of references)."""
        try:
            accounts = self.resolve_accounts(refs)
        except ValidationError as exc:
            return exc, [], ()
        return accounts, self._cannot_post(accounts), self._platforms(accounts)

    def _platforms(self, accounts: Sequence[Account]) -> tuple[Platform, ...]:
        """The platforms of ``accounts``, in order (a batch remembers them per set of accounts)."""
        return tuple(Platform(a.platform) for a in accounts)

    def _targets(self, accounts: Sequence[Account]) -> tuple[tuple[tuple[int, Platform], ...], frozenset[str]]:
        """(id, platform) of each of ``accounts`` (what a new item takes of its account), and their platforms' names
        (a batch remembers them)."""
        targets = tuple((a.id, Platform(a.platform)) for a in accounts)
        return targets, frozenset(p.value for _, p in targets)

    def _cannot_post(self, accounts: Sequence[Account]) -> list[str]:
        """Why a new post can't go to some of ``accounts``: their Page role can't create posts."""
        return [cannot_post_reason(account_label(a)) for a in accounts if a.status == AccountStatus.CANNOT_POST.value]

    def _validate(self, request: PostRequest, *, new: bool = True) -> tuple[list[Account], ImageInfo | None]:
        accounts = self.resolve_accounts(request.account_refs)
        refused = self._cannot_post(accounts) if new else []  # a queued post may still be edited: it waits, held
        if refused:
            raise ValidationError(refused[0], field="accounts")
        platforms = tuple(Platform(a.platform) for a in accounts)
        now = self._checked_at or self.ctx.clock.now()
        draft = request.draft_for(platforms)
        info = validate_post(
            draft,
            now,
            require_future=not request.draft,
            ratio_will_be_fixed=request.fit is not None,
            inspect=self.inspect_image,
        )
        return accounts, info

    def _store_images(
        self, request: PostRequest, info: ImageInfo | None, platforms: AbstractSet[str]
    ) -> tuple[str | None, str | None]:
        """Copy the (validated) image into the media store: (the copy other platforms use, the one Instagram
        uses: a fitted copy when asked and needed). The posts point to these, never to the original."""
        if info is None:
            return None, None
        media = self.ctx.media
        fit = request.fit if Platform.INSTAGRAM.value in platforms else None
        needs_fit = fit is not None and not instagram_ratio_ok(info.width, info.height)
        if fit is None or not needs_fit:
            stored = str(media.put(info.path, image_suffix(info)))
            return stored, stored
        # Only Instagram needs a fitted copy; the original is kept too when another platform posts it as is.
        kept = media.put(info.path, image_suffix(info)) if platforms - {Platform.INSTAGRAM.value} else None
        # Fitted from the stored copy when there is one: the very bytes that were checked and kept.
        fitted = media.put_bytes(fitted_jpeg(kept or info.path, fit, request.fit_color), ".jpg")
        return (str(kept) if kept else None), str(fitted)

    def create(self, request: PostRequest) -> list[QueueItem]:
        """Validate, copy the image into the media store, then write one queue item per account in one
        transaction."""
        return self.create_many([request])

    def create_many(self, requests: Sequence[PostRequest], series_id: str | None = None) -> list[QueueItem]:
        """Validate every request first (the first problem raises: nothing is written), copy the images into the
        media store, then write all their items (one per request and account) in one transaction; ``series_id``
        marks them as one recurring series."""
        checked = [(request, *self._validate(request)) for request in requests]
        now = self.ctx.clock.now()
        new = [item for r, accounts, info in checked for item in self.new_items(r, accounts, info, now, series_id)]
        items = self.repo.add_items(new, now)
        for item in items:
            self.ctx.events.emit(Events.ITEM_CHANGED, item.id)
        return items

    def _store_media(self, request: PostRequest, platforms: set[str]) -> dict[str, tuple[MediaRef, ...]]:
        """The request's media copied into the media store, per platform (a batch remembers each copy)."""
        from autoposter_gui.engine.post_media import store_media  # the media store (hashlib): when first stored

        return store_media(self.ctx.media, request.media, platforms, request.fit, request.fit_color)

    def new_items(
        self,
        request: PostRequest,
        accounts: Sequence[Account],
        info: ImageInfo | None,
        now: datetime,
        series_id: str | None = None,
    ) -> list[NewItem]:
        """The queue items of a validated request, one per account, its images copied into the media store."""
        make = self._new_item  # the class, imported once per service (an import costs ~0.4 µs a post)
        targets, kinds = self._targets(accounts)
        media: dict[str, tuple[MediaRef, ...]] = {}
        if request.media:
            media = self._store_media(request, set(kinds))
            image, ig_image = first_image(media.get("facebook", ())), first_image(media.get("instagram", ()))
        elif info is not None:
            image, ig_image = self._store_images(request, info, kinds)
        else:  # a text post: nothing to store
            image = ig_image = None
        status = ItemStatus.DRAFT if request.draft else ItemStatus.SCHEDULED
        when = request.when if request.when is not None or request.draft else now
        text = caption(request.text)
        comment = request.comment() if request.first_comment is not None else None  # most posts: none, no call
        link = (request.link.strip() or None) if request.link else None
        zone, instagram, google = request.zone, Platform.INSTAGRAM, Platform.GOOGLE
        # A Google post's options (its type, button, event, offer); the other networks' posts have none.
        options = google_options(request.options or {}) if _GOOGLE in kinds else None
        # Positional arguments, in NewItem's order: quicker to build (an import builds thousands). A loop, not a
        # comprehension (a function made and called per post): most posts go to one account.
        items: list[NewItem] = []
        for account_id, platform in targets:
            items.append(
                make(
                    account_id,
                    platform,
                    text,
                    ig_image if platform is instagram else image,
                    status,
                    when,
                    zone,
                    series_id,
                    media.get(platform, ()) if media else (),
                    comment,
                    link,
                    options if platform is google else None,
                )
            )
        return items

    def quota_warnings(self, accounts: Sequence[Account | AccountView]) -> list[str]:
        """A sentence per Instagram account whose 24-hour publishing limit is already used up (network: call
        this off the GUI thread). Unreachable Meta or missing tokens give no warning."""
        from dataclasses import replace

        from autoposter_gui.domain.errors import AutoposterError, PublishError
        from autoposter_gui.networks import registry
        from autoposter_gui.networks.capabilities import DailyLimit
        from autoposter_gui.networks.protocol import AccountRef

        warnings: list[str] = []
        ig = [a for a in accounts if a.platform == Platform.INSTAGRAM.value]
        if not ig:
            return warnings
        network = registry.for_platform(Platform.INSTAGRAM.value)
        session = network.session(replace(self.ctx.network_env(network.key), timeout=(3.0, 5.0)))
        try:
            for account in ig:
                ref = AccountRef(account.id, account.platform, account.external_id, account.name, account.username)
                try:
                    token = session.access_token(ref)
                    if token is None or not isinstance(session, DailyLimit):
                        continue
                    quota = session.publishing_quota(ref, token)
                except (PublishError, AutoposterError):
                    continue
                if quota is not None and quota[0] >= quota[1]:
                    used, total = quota
                    warnings.append(
                        f"@{account.username or account.name} has used today's Instagram publishing limit "
                        f"({used} of {total}); posts due in the next 24 hours will wait until it frees up"
                    )
        finally:
            session.close()
        return warnings

    def update(self, item_id: int, request: PostRequest) -> QueueItem:
        """Edit a post that has not started publishing (a new image is stored like a new post's)."""
        current = self.repo.item(item_id)
        if current is None:
            raise ValidationError(f"No queue item with id {item_id}")
        _, info = self._validate(
            PostRequest(
                [current.account_id],
                request.text,
                request.image_path,
                request.when,
                request.zone,
                request.draft,
                request.fit,
                request.fit_color,
            ),
            new=False,
        )
        # The image the post already shows is its stored copy: storing it again costs nothing.
        image, ig_image = self._store_images(request, info, {current.platform})
        chosen = ig_image if current.platform == Platform.INSTAGRAM.value else image
        text = caption(request.text)
        if text != current.text or chosen != current.image_path:
            # A change of text or picture (by content: the same picture chosen again is no change) waits
            # until Meta says the last try did not go out.
            self.check_first(item_id)
        now = self.ctx.clock.now()
        status = ItemStatus.DRAFT if request.draft else ItemStatus.SCHEDULED
        item = self.repo.update_content(item_id, text, chosen, request.when or now, status, now)
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
        self._handoff().changed(item_id)  # a handed-off post: the change follows it to Meta
        return self.repo.item(item_id) or item

    def retry(self, item_id: int) -> QueueItem:
        item = self.repo.retry(item_id, self.ctx.clock.now())
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
        return item

    def retry_all_failed(self) -> list[int]:
        ids = self.repo.failed_ids()
        for item_id in ids:
            self.retry(item_id)
        return ids

    def check_first(self, item_id: int) -> None:
        """Before an owner action changes a post whose last try may have gone out, ask Meta (network: call this
        off the GUI thread). Raises ActionRefusedError when it went out (it is then marked posted) or when Meta can't
        tell yet; returns when the post is known not to be out."""
        item = self.repo.item(item_id)
        if item is None or item.unconfirmed_attempt_id is None:
            return
        from filelock import Timeout

        from autoposter_gui.engine.processor import CheckOutcome, ItemProcessor
        from autoposter_gui.engine.runner import runner_lock

        lock = runner_lock(self.ctx.config)  # no runner claims or recovers it meanwhile
        try:
            lock.acquire(timeout=10)
        except Timeout:
            raise ActionRefusedError("Autoposter is publishing right now; try again in a moment") from None
        try:
            if not self.repo.take_for_check(item_id, self.ctx.clock.now()):
                return  # no longer waiting (or no longer unconfirmed): the action's own checks decide
            processor = ItemProcessor(self.ctx)
            try:
                outcome, message = processor.check_unconfirmed(item_id)
            finally:
                processor.close()
                self.repo.put_back_after_check(item_id, self.ctx.clock.now())  # unless the check marked it posted
                self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
        finally:
            lock.release()
        if outcome is not CheckOutcome.NOT_PUBLISHED:
            raise ActionRefusedError(message)

    def _handoff(self) -> HandoffService:
        from autoposter_gui.engine.handoff import HandoffService

        return HandoffService(self.ctx, at_once=self.handoff_at_once)

    def cancel(self, item_id: int) -> QueueItem:
        if self._handoff().cancel(item_id):  # held by Meta: deleted there (now, or on the runner's next tick)
            item = self.repo.item(item_id)
            assert item is not None
            return item
        self.check_first(item_id)
        item = self.repo.cancel(item_id, self.ctx.clock.now())
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
        return item

    def reschedule(self, item_id: int, when: datetime, zone: str | None = None) -> QueueItem:
        now = self.ctx.clock.now()
        if when < now - PAST_TOLERANCE:
            raise ValidationError("That time is in the past; pick a time in the future", field="when")
        if when > now + MAX_AHEAD:
            raise ValidationError("That time is more than a year ahead; pick a time within 12 months", field="when")
        current = self.repo.item(item_id)
        media = self.ctx.media
        image = current.image_path if current is not None else None
        if image and media.owns(image) and not Path(image).is_file():
            raise ValidationError(
                f"The image of item {item_id} was removed {media.grace.days} days after the post was canceled; "
                "edit the post and choose the image again",
                field="image",
            )
        item = self.repo.reschedule(item_id, when, zone, now)
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
        self._handoff().changed(item_id)
        return self.repo.item(item_id) or item

    def publish_now(self, item_id: int) -> QueueItem:
        """Make an item due right away (the runner thread publishes it); one held by Meta is published there
        (``is_published=true``), now or on the runner's next tick."""
        now = self.ctx.clock.now()
        item = self.repo.item(item_id)
        if item is not None and item.handoff is not None:
            self.repo.reschedule(item_id, now, item.scheduled_tz, now)  # if Meta gave it back: due at once
            self._handoff().publish_now(item_id)
            return self.repo.item(item_id) or item
        return self.reschedule(item_id, now)

    def due_within(self, window: timedelta | None, *, limit: int = 5) -> DueSoon:
        """Posts that go out within ``window`` from now (None: every scheduled post) and those going out right
        now; posts for accounts that can't publish are left out, as the runner leaves them."""
        now = self.ctx.clock.now()
        until = now + window if window is not None else datetime.max.replace(tzinfo=UTC)
        rows, total = self.repo.due_until(until, limit)
        posts = [
            DuePost(
                r.id,
                account_label(_Named(r.platform, r.account_name, r.account_username)),
                r.platform,
                r.text,
                r.due_at,
                r.publishing,
            )
            for r in rows
        ]
        return DueSoon(posts, total)

    def missed_ids(self) -> list[int]:
        return [i.id for i in self.repo.items([ItemStatus.MISSED])]

    def publish_missed(self, ids: Sequence[int]) -> None:
        """The owner chose "Publish now" for missed posts."""
        for item_id in ids:
            self.publish_now(item_id)

    def skip(self, ids: Sequence[int]) -> None:
        """The owner chose "Skip": the posts are canceled (kept in the queue, never published)."""
        for item_id in ids:
            self.cancel(item_id)

    def is_stored_image(self, path: str) -> bool:
        """Whether ``path`` is a copy in the media store (what an edited post shows), not an owner's file."""
        return self.ctx.media.owns(path)

    def clean_media(self, *, force: bool = False) -> list[Path] | None:
        """Remove stored images that no post has used for the grace period (7 days): none that an unfinished
        post uses, nor one whose post was posted or canceled less than that ago, nor one stored or reused less
        than that ago. Without ``force`` it runs at most once a day (None when it already ran), so the runner
        can call it every time."""
        media = self.ctx.media
        now = self.ctx.clock.now()

        def in_use() -> set[str]:
            return self.repo.media_in_use(finished_since=now - media.grace)

        if force:
            return media.collect(in_use(), now)
        return media.cleanup_if_due(in_use, now)

    def delete_draft(self, item_id: int) -> None:
        item = self.repo.item(item_id)
        if item is not None and item.handoff is not None:  # its delete at Meta is not done yet
            raise ValidationError(
                f"Item {item_id} is still being taken back from Meta's scheduler; try again in a minute"
            )
        self.repo.delete_draft(item_id)
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
