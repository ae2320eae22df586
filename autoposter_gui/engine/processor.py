"""Publishing one queue item exactly once: claim, record intent, call its network, record the result."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from autoposter_gui.domain.decide import (
    RECHECK,
    AccountState,
    Action,
    AttemptFacts,
    CheckResult,
    Fail,
    Hold,
    ItemFacts,
    MarkPosted,
    NotPublished,
    Publish,
    Reconcile,
    Wait,
    after_check,
    cannot_post_hold,
    next_action,
    unconfirmed_attempt,
)
from autoposter_gui.domain.errors import (
    ErrorCategory,
    KeyringUnavailableError,
    PublishError,
    ValidationError,
)
from autoposter_gui.domain.images import inspect_image
from autoposter_gui.domain.models import (
    AccountStatus,
    AttemptOutcome,
    Checkpoint,
    CommentStatus,
    MediaKind,
    MediaRef,
    Platform,
    PublishResult,
)
from autoposter_gui.domain.post_options import stored_options
from autoposter_gui.domain.retry import next_attempt_after
from autoposter_gui.domain.wording import final, for_platform
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.health import TokenHealthService
from autoposter_gui.engine.labels import account_label, account_ref
from autoposter_gui.engine.networks import provider_name
from autoposter_gui.networks import registry
from autoposter_gui.networks.capabilities import DailyLimit, Prefetch
from autoposter_gui.networks.protocol import CONTAINER_ID, WAIT, Post, Reconciliation, Session
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.repo import (
    UNCONFIRMED_CHECK,
    Failure,
    StartedAttempt,
    Work,
    WorkAccount,
    WorkItem,
    tries_used,
)

log = logging.getLogger(__name__)
# Meta's smallest documented IG quota is 25 posts a day: ask the network only once our own count gets near it.
QUOTA_CHECK_FROM = 20
QUOTA_WAIT = timedelta(hours=1)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRIED = "retried"
    FAILED = "failed"
    HELD = "held"  # not attempted: waiting for the owner (reconnect) or for Meta to answer a check
    SKIPPED = "skipped"  # someone else claimed it


def _facts(item: WorkItem) -> ItemFacts:
    """What the decision function needs to know of the item."""
    has_media = bool(item.image_path or item.media)
    return ItemFacts(Platform(item.platform), has_media, tries_used(item), item.unconfirmed_attempt_id)


def item_media(item: WorkItem) -> tuple[MediaRef, ...]:
    """The item's media in order (an item stored before rich posts: its one image)."""
    if item.media:
        return item.media
    return (MediaRef(item.image_path),) if item.image_path else ()


def is_processing_wait(err: PublishError) -> bool:
    """The provider is still processing what was sent (an Instagram video): the post waits (no try spent) and
    resumes from its checkpoint on a later tick."""
    return bool(err.extra.get(WAIT)) and err.retry_after is not None


def post_of(item: WorkItem) -> Post:
    """The item as its network publishes it."""
    options = stored_options(item.meta)  # a Google post's options ({} for every other post)
    return Post(item.id, item.platform, item.text, item_media(item), item.link, item.first_comment, options)


class TokenUnavailable(Exception):
    """The account's network could not give a token just now (a refresh that failed for a while)."""

    def __init__(self, error: PublishError) -> None:
        super().__init__(str(error))
        self.error = error


class CheckOutcome(StrEnum):
    POSTED = "posted"  # it went out: now marked posted
    NOT_PUBLISHED = "not_published"  # it did not go out and no longer can: the mark is cleared
    UNSURE = "unsure"  # Meta could not say (yet)


class ItemProcessor:
    """Runs one item through the exactly-once flow. One instance per worker thread: one session per network, made
    on first use and closed with the processor."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.repo = ctx.repo
        self._sessions: dict[str, Session] = {}
        # Set by the runner: where images of coming posts are converted ahead of their turn (see prefetch).
        self.media: Executor | None = None

    def session_for(self, platform: str) -> Session:
        """This worker's session with the network that publishes ``platform``."""
        network = registry.for_platform(platform)
        session = self._sessions.get(network.key)
        if session is None:
            env = replace(self.ctx.network_env(network.key), media=self.media)
            session = self._sessions[network.key] = network.session(env)
        return session

    def prefetch(self, item: QueueItem) -> None:
        """Start converting the image of an item that comes next, while this one talks to its network.

        Touches neither the database nor the network: the item is claimed, checked and recorded as usual in its
        turn, and a prepared image is used only if the file is unchanged by then.
        """
        if self.media is not None and item.image_path:
            session = self.session_for(item.platform)
            if isinstance(session, Prefetch):
                session.prefetch(Post(item.id, item.platform, item.text, (MediaRef(item.image_path),)))

    def close(self) -> None:
        sessions, self._sessions = self._sessions, {}
        for session in sessions.values():
            session.close()

    def _invalidate(self, account_id: int, message: str, now: datetime) -> None:
        """The account's token can't be used: its posts wait for the reconnect (the runner skips it)."""
        self.repo.set_account_status(account_id, AccountStatus.INVALID, message, now)
        self.ctx.events.emit(Events.ACCOUNT_CHANGED, account_id)

    def _changed(self, item_id: int, attempt_id: int | None = None) -> None:
        if attempt_id is not None:
            self.ctx.events.emit(Events.ATTEMPT_RECORDED, attempt_id)
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)

    def process(self, item_id: int) -> Outcome:
        now = self.ctx.clock.now()
        work = self.repo.claim_work(item_id, now)  # the claim, and the item, account and history it needs
        if work is None:
            return Outcome.SKIPPED
        self._changed(item_id)
        try:
            return self._process_claimed(work)
        except KeyringUnavailableError as exc:
            self.repo.hold(item_id, str(exc), "keyring", self.ctx.clock.now())
            self._changed(item_id)
            return Outcome.HELD
        except TokenUnavailable as exc:  # the network could not refresh the token just now: no try spent
            now = self.ctx.clock.now()
            err = exc.error
            self.repo.defer(item_id, now + (err.retry_after or RECHECK), str(err), "token_refresh", now)
            self._changed(item_id)
            return Outcome.HELD

    def _account_state(self, account: WorkAccount | None) -> tuple[AccountState, str | None]:
        """How the item's account stands, and its token when it is ready (read from the keyring only then)."""
        if account is None:
            return AccountState.MISSING, None
        if account.status == AccountStatus.DISCONNECTED.value:
            return AccountState.DISCONNECTED, None
        if account.status == AccountStatus.INVALID.value:
            return AccountState.INVALID, None
        try:
            token = self.session_for(account.platform).access_token(account_ref(account))
        except PublishError as err:
            if err.category is ErrorCategory.TOKEN and not err.ambiguous:  # the network refused the refresh
                self._invalidate(account.id, f"Reconnect {account_label(account)}: {err}", self.ctx.clock.now())
                return AccountState.INVALID, None
            raise TokenUnavailable(err) from None
        if not token:
            return AccountState.NO_TOKEN, None
        if account.status == AccountStatus.CANNOT_POST.value:
            return AccountState.CANNOT_POST, token  # the token still reads the feed (to check an unconfirmed try)
        return AccountState.READY, token

    def _process_claimed(self, work: Work) -> Outcome:
        """Carry out what :func:`next_action` decides, until the item leaves the runner's hands."""
        repo = self.repo
        item, account, history = work
        item_id = item.id
        state, token = self._account_state(account)
        name = account_label(account) if account is not None else "The account"
        resume_container: str | None = None
        action: Action
        for _step in range(3):  # a check that finds nothing is followed by one more decision
            action = next_action(_facts(item), history, state, name, self.ctx.clock.now(), provider_name(item.platform))
            if not isinstance(action, Reconcile):
                break
            assert account is not None and token is not None  # READY or CANNOT_POST
            checked = action.attempt
            action, _result = self._check(item, account, token, checked)
            if isinstance(action, MarkPosted):
                return Outcome.SUCCEEDED
            if isinstance(action, Publish) and state is AccountState.CANNOT_POST:
                # A FINISHED container stays unconfirmed (and unpublished) until posting is allowed again.
                action = cannot_post_hold(name)
                break
            if isinstance(action, Publish):  # a FINISHED Instagram container: publish it, whatever the budget
                repo.resolve_reconcile(checked.id)
                resume_container = action.resume_container
                break
            if isinstance(action, NotPublished):
                repo.resolve_reconcile(action.attempt.id)
                again = repo.work(item_id)
                assert again is not None
                item, history = again.item, again.history
                continue
            break
        return self._carry_out(item, account, token, action, resume_container)

    def _check(
        self, item: WorkItem, account: WorkAccount, token: str, checked: AttemptFacts
    ) -> tuple[Action, Reconciliation]:
        """Ask the network whether ``checked`` published the item and decide what follows; a post found is recorded
        at once."""
        session = self.session_for(item.platform)
        used = self.repo.used_provider_ids(account.id)
        result = session.reconcile(account_ref(account), token, post_of(item), checked, used)
        provider = provider_name(item.platform)
        action = after_check(result.check, checked, self.ctx.clock.now(), result.container, provider)
        if isinstance(action, MarkPosted):
            assert result.found is not None
            self.repo.finish_success(item.id, checked.id, result.found, self.ctx.clock.now(), AttemptOutcome.RECONCILED)
            log.info("item %s: already published (reconciled)", item.id)
            self._changed(item.id, checked.id)
        return action, result

    def check_unconfirmed(self, item_id: int) -> tuple[CheckOutcome, str]:
        """For an owner action (cancel, edit): ask its network about the item's unconfirmed attempt. The item must
        have been taken for the check (Repo.take_for_check). Records what was learned; says whether it went out."""
        repo = self.repo
        work = repo.work(item_id)
        assert work is not None
        item, account, history = work
        try:
            state, token = self._account_state(account)
        except TokenUnavailable as exc:
            return CheckOutcome.UNSURE, f"{UNCONFIRMED_CHECK}, and it can't be checked just now ({exc}); try again"
        checked = unconfirmed_attempt(_facts(item), history)
        if checked is None:
            return CheckOutcome.NOT_PUBLISHED, ""
        name = account_label(account) if account is not None else "The account"
        if state not in (AccountState.READY, AccountState.CANNOT_POST) or account is None or token is None:
            return CheckOutcome.UNSURE, (
                f"{UNCONFIRMED_CHECK}, and Autoposter can't ask {provider_name(item.platform)} until {name} is "
                "reconnected; reconnect it, "
                "then try again"
            )
        action, result = self._check(item, account, token, checked)
        if isinstance(action, MarkPosted):
            assert result.found is not None
            link = f": {result.found.permalink}" if result.found.permalink else ""
            return CheckOutcome.POSTED, f"This post had already gone out{link}. It is now marked posted"
        if isinstance(action, NotPublished | Publish):  # not out (a ready container is simply never published)
            repo.resolve_reconcile(checked.id)
            return CheckOutcome.NOT_PUBLISHED, ""
        if result.check is CheckResult.UNKNOWN:
            return CheckOutcome.UNSURE, (
                f"{UNCONFIRMED_CHECK}, and {provider_name(item.platform)} could not be reached to check; "
                "try again when you are online"
            )
        return CheckOutcome.UNSURE, (
            f"{UNCONFIRMED_CHECK} a moment ago and {provider_name(item.platform)} may still publish it; "
            "try again in two minutes"
        )

    def _carry_out(
        self,
        item: WorkItem,
        account: WorkAccount | None,
        token: str | None,
        action: Action,
        resume_container: str | None,
    ) -> Outcome:
        repo, now = self.repo, self.ctx.clock.now()
        if isinstance(action, Hold):
            repo.hold(item.id, action.message, action.code, now)
            if action.invalidate_account and account is not None:
                self._invalidate(account.id, action.message, now)
            self._changed(item.id)
            return Outcome.HELD
        if isinstance(action, Wait):
            repo.defer(item.id, action.until, action.message, action.code, now)
            self._changed(item.id)
            return Outcome.HELD
        if isinstance(action, Fail):
            return self._fail_without_call(item, Failure(action.code, action.message))
        assert isinstance(action, Publish) and account is not None and token is not None
        if resume_container is None:
            for ref in item_media(item):
                if ref.kind is not MediaKind.IMAGE:
                    continue
                try:
                    inspect_image(ref.path)
                except ValidationError as exc:
                    failure = Failure("image", f"{exc}; edit the post and pick the image again")
                    return self._fail_without_call(item, failure)

        if resume_container is None:
            full = self._quota_full(account, token)
            if full is not None:
                repo.defer(item.id, now + QUOTA_WAIT, full, "quota", now)
                self._changed(item.id)
                return Outcome.HELD

        # A new try carries on from the last one's committed ids (a video: its video or container, and the upload).
        checkpoint = action.checkpoint if resume_container is None else {}
        attempt = repo.start_attempt(item.id, self.ctx.clock.now(), checkpoint=checkpoint)
        self._changed(item.id, attempt.id)
        if resume_container is not None:
            repo.set_container(attempt.id, resume_container)
        try:
            published = self._publish(item, account, token, attempt, resume_container, checkpoint)
        except PublishError as err:
            return self._record_error(item, account, attempt, err)
        except Exception as exc:  # unknown failure mid-flight: we can't tell whether the network published
            log.exception("item %s: unexpected error while publishing", item.id)
            err_failure = Failure(
                "internal",
                f"Unexpected problem while publishing ({type(exc).__name__}); "
                f"checking with {provider_name(item.platform)}",
                True,
            )
            later = self.ctx.clock.now()
            next_at = next_attempt_after(tries_used(item) + 1, later) or later + RECHECK
            repo.finish_unsuccessful(item.id, attempt.id, err_failure, later, next_at)
            self._changed(item.id, attempt.id)
            return Outcome.RETRIED
        repo.finish_success(item.id, attempt.id, published, self.ctx.clock.now())
        log.info("item %s: published as %s", item.id, published.provider_post_id)
        self._changed(item.id, attempt.id)
        if item.comment_status == CommentStatus.PENDING.value:
            self.process_comment(item.id)  # one more call, right away; it retries on its own schedule
        return Outcome.SUCCEEDED

    def process_comment(self, item_id: int) -> bool:
        """Deliver a posted item's pending first comment (see engine/comment_step.py)."""
        from autoposter_gui.engine.comment_step import CommentStep

        return CommentStep(self).run(item_id)

    def _publish(
        self,
        item: WorkItem,
        account: WorkAccount,
        token: str,
        attempt: StartedAttempt,
        resume_container: str | None,
        checkpoint: Checkpoint,
    ) -> PublishResult:
        """The network publishes in steps; every id it hands over is committed before its next call (a container
        id also goes into the attempt's ``container_id``, which reconciliation reads)."""

        def save(key: str, value: Any) -> None:
            self.repo.save_checkpoint(attempt.id, key, value)
            if key == CONTAINER_ID and isinstance(value, str):
                self.repo.set_container(attempt.id, value)

        session = self.session_for(item.platform)
        return session.publish(account_ref(account), token, post_of(item), checkpoint, save, resume_container)

    def _quota_full(self, account: WorkAccount, token: str) -> str | None:
        """A message when the network's 24-hour publishing limit is used up, else None (checked only when near)."""
        session = self.session_for(account.platform)
        if not isinstance(session, DailyLimit) or not session.has_daily_limit(account.platform):
            return None
        if self.repo.posted_since(account.id, self.ctx.clock.now() - timedelta(hours=24)) < QUOTA_CHECK_FROM:
            return None
        try:
            quota = session.publishing_quota(account_ref(account), token)
        except PublishError as exc:
            log.info("quota check for account %s failed (%s); publishing anyway", account.id, exc.error_code)
            return None
        if quota is None or quota[0] < quota[1]:
            return None
        used, total = quota
        label = registry.for_platform(account.platform).label(account.platform)
        return (
            f"{label}'s daily publishing limit is reached ({used} of {total} posts in 24 hours); "
            "this post will go out when the window frees up"
        )

    def _record_error(
        self, item: WorkItem, account: WorkAccount, attempt: StartedAttempt, err: PublishError
    ) -> Outcome:
        now = self.ctx.clock.now()
        message = for_platform(str(err), item.platform)
        counts = True
        role_lost = (
            err.category is ErrorCategory.PERMISSION
            and not err.ambiguous
            and TokenHealthService(self.ctx).recheck_tasks(account.id)
        )
        if err.category is ErrorCategory.QUOTA:
            # Over quota is a wait, not a failure: it never uses up one of the item's tries.
            next_at: datetime | None = now + max(err.retry_after or QUOTA_WAIT, QUOTA_WAIT)
            counts = False
        elif is_processing_wait(err) and err.retry_after is not None:
            # Instagram is still processing the video: check again on a later tick (other posts go on meanwhile).
            next_at, counts = now + err.retry_after, False
        elif err.category is ErrorCategory.TOKEN and not err.ambiguous:
            # Meta refused the token (revoked mid-batch): the post waits for the reconnect like the account's others,
            # without using up a try.
            next_at, counts = now, False
        elif role_lost:
            # The owner's Page role lost "Create content" since the daily check: the account now shows "can't post"
            # and this post waits with its other posts for a Page admin, without using up a try.
            next_at, counts = now, False
            message = cannot_post_hold(account_label(account)).message
        elif err.ambiguous:
            # It may have gone out: never failed here; the next decision checks with Meta first.
            next_at = next_attempt_after(tries_used(item) + 1, now, err.retry_after) or now + RECHECK
        elif err.is_temporary:
            next_at = next_attempt_after(tries_used(item) + 1, now, err.retry_after)  # + this attempt
            if next_at is None:
                message = final(message, tries_used(item) + 1)
        else:
            next_at = None
        # A dead token leaves the account's note ("token", cleared by the reconnect); the attempt keeps Meta's code.
        note = "token" if err.category is ErrorCategory.TOKEN and not err.ambiguous else None
        if role_lost:
            note = "cannot_post"
        failure = Failure(err.error_code, message, needs_reconcile=err.ambiguous, counts=counts, item_code=note)
        self.repo.finish_unsuccessful(item.id, attempt.id, failure, now, next_at)
        log.info(
            "item %s attempt %s: %s error %s (%s)",
            item.id,
            attempt.attempt_number,
            err.kind.value,
            err.error_code,
            "retry" if next_at else "final",
        )
        if role_lost:
            self._changed(item.id, attempt.id)
            return Outcome.HELD
        if err.category is ErrorCategory.TOKEN:
            self._invalidate(account.id, f"Reconnect {account_label(account)}: {err}", now)
            self._changed(item.id, attempt.id)
            return Outcome.HELD
        self._changed(item.id, attempt.id)
        return Outcome.RETRIED if next_at else Outcome.FAILED

    def _fail_without_call(self, item: WorkItem, failure: Failure) -> Outcome:
        """Record a failed attempt that never reached Meta (the owner must act)."""
        now = self.ctx.clock.now()
        attempt = self.repo.start_attempt(item.id, now)
        self.repo.finish_unsuccessful(item.id, attempt.id, failure, now, None)
        self._changed(item.id, attempt.id)
        return Outcome.FAILED
