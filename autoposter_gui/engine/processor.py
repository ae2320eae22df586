"""Publishing one queue item exactly once: claim, record intent, call Meta, record the result."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from datetime import datetime, timedelta
from enum import StrEnum

from autoposter_gui.domain.errors import (
    ErrorCategory,
    ErrorKind,
    KeyringUnavailableError,
    PublishError,
    ValidationError,
)
from autoposter_gui.domain.images import inspect_image
from autoposter_gui.domain.models import AccountStatus, AttemptOutcome, Platform, PublishResult
from autoposter_gui.domain.retry import MAX_ATTEMPTS, next_attempt_after
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.labels import account_label
from autoposter_gui.engine.reconcile import reconcile
from autoposter_gui.meta.publisher import MetaPublisher
from autoposter_gui.storage.models import Account, DeliveryAttempt, QueueItem
from autoposter_gui.storage.repo import Failure, tries_used

log = logging.getLogger(__name__)
RECHECK_DELAY_MINUTES = 2
# Meta's smallest documented IG quota is 25 posts a day: ask Meta only once our own count gets near it.
QUOTA_CHECK_FROM = 20
QUOTA_WAIT = timedelta(hours=1)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRIED = "retried"
    FAILED = "failed"
    HELD = "held"  # not attempted: waiting for the owner (reconnect) or for Meta to answer a check
    SKIPPED = "skipped"  # someone else claimed it


class ItemProcessor:
    """Runs one item through the exactly-once flow. One instance per worker thread (one Graph session)."""

    def __init__(self, ctx: Context, publisher: MetaPublisher | None = None) -> None:
        self.ctx = ctx
        self.repo = ctx.repo
        self._publisher = publisher
        # Set by the runner: where images of coming posts are converted ahead of their turn (see prefetch).
        self.media: Executor | None = None

    @property
    def publisher(self) -> MetaPublisher:
        if self._publisher is None:
            self._publisher = MetaPublisher(self.ctx.graph_client(), media=self.media)
        return self._publisher

    def prefetch(self, item: QueueItem) -> None:
        """Start converting the image of an item that comes next, while this one talks to Meta.

        Touches neither the database nor Meta: the item is claimed, checked and recorded as usual in its turn,
        and a prepared image is used only if the file is unchanged by then.
        """
        if self.media is not None and item.image_path:
            self.publisher.prepare_image(item.image_path, item.platform)

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.close()

    def _changed(self, item_id: int, attempt_id: int | None = None) -> None:
        if attempt_id is not None:
            self.ctx.events.emit(Events.ATTEMPT_RECORDED, attempt_id)
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)

    def process(self, item_id: int) -> Outcome:
        now = self.ctx.clock.now()
        if not self.repo.claim(item_id, now):
            return Outcome.SKIPPED
        self._changed(item_id)
        try:
            return self._process_claimed(item_id)
        except KeyringUnavailableError as exc:
            self.repo.hold(item_id, str(exc), "keyring", self.ctx.clock.now())
            self._changed(item_id)
            return Outcome.HELD

    def _process_claimed(self, item_id: int) -> Outcome:
        repo, clock = self.repo, self.ctx.clock
        item = repo.item(item_id)
        assert item is not None
        account = repo.account(item.account_id)
        if account is not None and account.status == AccountStatus.DISCONNECTED.value:
            message = f"Needs attention: {account_label(account)} was disconnected; reconnect it to publish"
            repo.hold(item_id, message, "disconnected", clock.now())
            self._changed(item_id)
            return Outcome.HELD
        token = self.ctx.tokens.account_token(account.platform, account.external_id) if account else None
        if account is None or token is None:
            name = account_label(account) if account else "The account"
            return self._fail_without_call(
                item,
                Failure("not_connected", f"{name} is not connected; connect it in Accounts, then retry this post"),
            )
        if account.status == AccountStatus.INVALID.value:
            repo.hold(
                item_id,
                f"Reconnect {account_label(account)}: its access token no longer works",
                "token",
                clock.now(),
            )
            self._changed(item_id)
            return Outcome.HELD

        last = repo.last_attempt(item_id)
        resume_container: str | None = None
        if last is not None and (last.needs_reconcile or last.outcome == AttemptOutcome.IN_FLIGHT.value):
            result = reconcile(self.publisher, account, item, last, token, repo.used_provider_ids(account.id))
            if result.found is not None:
                repo.finish_success(item_id, last.id, result.found, clock.now(), AttemptOutcome.RECONCILED)
                log.info("item %s: already published (reconciled)", item_id)
                self._changed(item_id, last.id)
                return Outcome.SUCCEEDED
            if result.unknown is not None:
                later = clock.now()
                repo.defer(
                    item_id,
                    later + timedelta(minutes=RECHECK_DELAY_MINUTES),
                    "Could not confirm with Meta whether the last try went out; checking again before any retry",
                    result.unknown.error_code,
                    clock.now(),
                )
                self._changed(item_id)
                return Outcome.HELD
            resume_container = result.resume_container
            if resume_container is None:
                repo.resolve_reconcile(last.id)
            if tries_used(item) >= MAX_ATTEMPTS and resume_container is None:
                return self._fail_without_call(
                    item,
                    Failure("interrupted", "Publishing was interrupted too many times; retry it when ready"),
                )

        if item.platform == Platform.INSTAGRAM.value and not item.image_path:
            return self._fail_without_call(item, Failure("no_image", "Instagram posts need an image; edit the post"))
        if item.image_path and resume_container is None:
            try:
                inspect_image(item.image_path)
            except ValidationError as exc:
                return self._fail_without_call(item, Failure("image", f"{exc}; edit the post and pick the image again"))

        if item.platform == Platform.INSTAGRAM.value and resume_container is None:
            full = self._quota_full(account, token)
            if full is not None:
                repo.defer(item_id, clock.now() + QUOTA_WAIT, full, "quota", clock.now())
                self._changed(item_id)
                return Outcome.HELD

        attempt = repo.start_attempt(item_id, clock.now())
        self._changed(item_id, attempt.id)
        if resume_container is not None:
            repo.set_container(attempt.id, resume_container)
        try:
            published = self._publish(item, account, token, attempt, resume_container)
        except PublishError as err:
            return self._record_error(item, account, attempt, err)
        except Exception as exc:  # unknown failure mid-flight: we can't tell whether Meta published
            log.exception("item %s: unexpected error while publishing", item_id)
            err_failure = Failure(
                "internal", f"Unexpected problem while publishing ({type(exc).__name__}); will retry", True
            )
            next_at = next_attempt_after(tries_used(item) + 1, clock.now())
            repo.finish_unsuccessful(item_id, attempt.id, err_failure, clock.now(), next_at)
            self._changed(item_id, attempt.id)
            return Outcome.RETRIED if next_at else Outcome.FAILED
        repo.finish_success(item_id, attempt.id, published, clock.now())
        log.info("item %s: published as %s", item_id, published.provider_post_id)
        self._changed(item_id, attempt.id)
        return Outcome.SUCCEEDED

    def _publish(
        self,
        item: QueueItem,
        account: Account,
        token: str,
        attempt: DeliveryAttempt,
        resume_container: str | None,
    ) -> PublishResult:
        if item.platform == Platform.FACEBOOK.value:
            return self.publisher.publish_facebook(account.external_id, token, item.text, item.image_path)
        if resume_container is not None:
            return self.publisher.publish_container(account.external_id, resume_container, token)
        if not account.page_id:
            raise PublishError(
                kind=ErrorKind.PERMANENT,
                category=ErrorCategory.NOT_CONNECTED,
                user_message=f"{account_label(account)} has no linked Facebook Page; reconnect it",
            )
        assert item.image_path is not None
        return self.publisher.publish_instagram(
            account.external_id,
            account.page_id,
            token,
            item.text,
            item.image_path,
            on_container=lambda cid: self.repo.set_container(attempt.id, cid),
        )

    def _quota_full(self, account: Account, token: str) -> str | None:
        """A message when Instagram's 24-hour publishing limit is used up, else None (checked only when near)."""
        if self.repo.posted_since(account.id, self.ctx.clock.now() - timedelta(hours=24)) < QUOTA_CHECK_FROM:
            return None
        try:
            used, total = self.publisher.publishing_quota(account.external_id, token)
        except PublishError as exc:
            log.info("quota check for account %s failed (%s); publishing anyway", account.id, exc.error_code)
            return None
        if used < total:
            return None
        return (
            f"Instagram's daily publishing limit is reached ({used} of {total} posts in 24 hours); "
            "this post will go out when the window frees up"
        )

    def _record_error(self, item: QueueItem, account: Account, attempt: DeliveryAttempt, err: PublishError) -> Outcome:
        now = self.ctx.clock.now()
        quota = err.category is ErrorCategory.QUOTA
        if quota:
            # Over quota is a wait, not a failure: it never uses up one of the item's tries.
            next_at: datetime | None = now + max(err.retry_after or QUOTA_WAIT, QUOTA_WAIT)
        elif err.is_temporary:
            next_at = next_attempt_after(tries_used(item) + 1, now, err.retry_after)  # + this attempt
        else:
            next_at = None
        failure = Failure(err.error_code, str(err), needs_reconcile=err.ambiguous, counts=not quota)
        self.repo.finish_unsuccessful(item.id, attempt.id, failure, now, next_at)
        log.info(
            "item %s attempt %s: %s error %s (%s)",
            item.id,
            attempt.attempt_number,
            err.kind.value,
            err.error_code,
            "retry" if next_at else "final",
        )
        if err.category is ErrorCategory.TOKEN:
            self.repo.set_account_status(
                account.id, AccountStatus.INVALID, f"Reconnect {account_label(account)}: {err}", now
            )
            self.ctx.events.emit(Events.ACCOUNT_CHANGED, account.id)
        self._changed(item.id, attempt.id)
        return Outcome.RETRIED if next_at else Outcome.FAILED

    def _fail_without_call(self, item: QueueItem, failure: Failure) -> Outcome:
        """Record a failed attempt that never reached Meta (the owner must act)."""
        now = self.ctx.clock.now()
        attempt = self.repo.start_attempt(item.id, now)
        self.repo.finish_unsuccessful(item.id, attempt.id, failure, now, None)
        self._changed(item.id, attempt.id)
        return Outcome.FAILED
