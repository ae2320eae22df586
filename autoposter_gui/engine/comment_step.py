"""Delivering a posted item's first comment exactly once: claim (a lease), intent, one call, the result."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from autoposter_gui.domain.decide import RECHECK, AttemptFacts
from autoposter_gui.domain.decide_comment import (
    COMMENT_LEASE,
    CheckComment,
    CommentAction,
    CommentFacts,
    CommentFound,
    CommentGiveUp,
    CommentNotThere,
    CommentWait,
    NoComment,
    PostComment,
    after_comment_check,
    comment_steps,
    next_comment_action,
)
from autoposter_gui.domain.errors import ErrorCategory, KeyringUnavailableError, PublishError
from autoposter_gui.domain.models import AttemptOutcome, AttemptStep
from autoposter_gui.domain.retry import next_attempt_after
from autoposter_gui.domain.wording import final, for_platform
from autoposter_gui.engine.labels import account_label
from autoposter_gui.networks.capabilities import Comments
from autoposter_gui.storage.repo import WorkAccount, WorkItem

if TYPE_CHECKING:
    from autoposter_gui.engine.processor import ItemProcessor

log = logging.getLogger(__name__)


class CommentStep:
    """The first-comment step of an :class:`ItemProcessor` (its network session, account state and events)."""

    def __init__(self, processor: ItemProcessor) -> None:
        self.processor = processor
        self.ctx = processor.ctx
        self.repo = processor.repo

    def run(self, item_id: int) -> bool:
        """Deliver (or check) the item's first comment if it is due; False when someone else has it."""
        from autoposter_gui.engine.processor import TokenUnavailable  # the processor loads this module

        now = self.ctx.clock.now()
        if not self.repo.claim_comment(item_id, now, now + COMMENT_LEASE):
            return False
        try:
            self._run_claimed(item_id)
        except KeyringUnavailableError as exc:
            self.repo.comment_wait(item_id, self.ctx.clock.now() + RECHECK, str(exc))
        except TokenUnavailable as exc:  # the network could not refresh the token just now
            self.repo.comment_wait(item_id, self.ctx.clock.now() + (exc.error.retry_after or RECHECK), str(exc))
        self.processor._changed(item_id)
        return True

    def _run_claimed(self, item_id: int) -> None:
        repo = self.repo
        work = repo.work(item_id)
        if work is None:
            return
        item, account, history = work
        state, token = self.processor._account_state(account)
        comments = self._comments(item)
        if comments is None:  # the network takes no comments (its preflight refuses one): the post went out alone
            repo.comment_give_up(item_id, "This network takes no first comment", self.ctx.clock.now())
            return
        name = account_label(account) if account is not None else "The account"
        facts = CommentFacts(item.comment_status, item.provider_post_id)
        action: CommentAction = NoComment()
        for _step in range(3):
            action = next_comment_action(facts, history, state, name, self.ctx.clock.now())
            if not isinstance(action, CheckComment):
                break
            assert account is not None and token is not None
            action = self._check(comments, item, token, action.attempt)
            if not isinstance(action, CommentNotThere):
                break
            repo.close_comment_attempt(action.attempt.id, self.ctx.clock.now())
            again = repo.work(item_id)
            assert again is not None
            history = again.history
        self._carry_out(comments, item, account, token, action, len(comment_steps(history)))

    def _comments(self, item: WorkItem) -> Comments | None:
        session = self.processor.session_for(item.platform)
        return session if isinstance(session, Comments) else None

    def _check(self, comments: Comments, item: WorkItem, token: str, attempt: AttemptFacts) -> CommentAction:
        assert item.provider_post_id is not None and item.first_comment is not None
        try:
            found = comments.find_comment(item.provider_post_id, token, item.first_comment, item.platform)
        except PublishError as exc:
            log.info("item %s: reading the comments failed (%s)", item.id, exc.error_code)
            return after_comment_check(None, attempt, self.ctx.clock.now())
        action = after_comment_check(found is not None, attempt, self.ctx.clock.now())
        if isinstance(action, CommentFound) and found is not None:
            link = comments.comment_link(item.permalink, found[0], found[1])
            self.repo.finish_comment(
                item.id, attempt.id, found[0], link, self.ctx.clock.now(), AttemptOutcome.RECONCILED
            )
            log.info("item %s: first comment was already there (reconciled)", item.id)
            self.processor._changed(item.id, attempt.id)
        return action

    def _carry_out(
        self,
        comments: Comments,
        item: WorkItem,
        account: WorkAccount | None,
        token: str | None,
        action: CommentAction,
        tries: int,
    ) -> None:
        repo, now = self.repo, self.ctx.clock.now()
        if isinstance(action, CommentWait):
            repo.comment_wait(item.id, action.until, action.message)
            return
        if isinstance(action, CommentGiveUp):
            repo.comment_give_up(item.id, action.message, now)
            return
        if not isinstance(action, PostComment):
            return  # found (recorded), or nothing to do
        assert account is not None and token is not None
        assert item.provider_post_id is not None and item.first_comment is not None
        attempt = repo.start_attempt(item.id, now, AttemptStep.COMMENT)
        self.processor._changed(item.id, attempt.id)
        try:
            comment_id, given = comments.post_comment(item.provider_post_id, token, item.first_comment)
        except PublishError as err:
            self._record_error(item, account, attempt.id, err, tries + 1)
            return
        except Exception as exc:  # unknown failure mid-flight: the comment may be there; read before retrying
            log.exception("item %s: unexpected error while posting the first comment", item.id)
            later = self.ctx.clock.now()
            message = f"Unexpected problem while posting the first comment ({type(exc).__name__}); checking with Meta"
            repo.comment_unsuccessful(
                item.id, attempt.id, "internal", message, later, later + RECHECK, needs_reconcile=True
            )
            self.processor._changed(item.id, attempt.id)
            return
        link = comments.comment_link(item.permalink, comment_id, given)
        repo.finish_comment(item.id, attempt.id, comment_id, link, self.ctx.clock.now())
        log.info("item %s: first comment posted as %s", item.id, comment_id)
        self.processor._changed(item.id, attempt.id)

    def _record_error(
        self, item: WorkItem, account: WorkAccount, attempt_id: int, err: PublishError, tries: int
    ) -> None:
        now = self.ctx.clock.now()
        message = for_platform(str(err), item.platform)
        next_at: datetime | None
        if err.ambiguous:
            next_at = next_attempt_after(tries, now, err.retry_after) or now + RECHECK
        elif err.category in (ErrorCategory.QUOTA, ErrorCategory.TOKEN):
            next_at = now + max(err.retry_after or RECHECK, RECHECK)
        elif err.is_temporary:
            next_at = next_attempt_after(tries, now, err.retry_after)
            if next_at is None:
                message = final(message, tries)
        else:
            next_at = None
        self.repo.comment_unsuccessful(
            item.id, attempt_id, err.error_code, message, now, next_at, needs_reconcile=err.ambiguous
        )
        if err.category is ErrorCategory.TOKEN and not err.ambiguous:
            self.processor._invalidate(account.id, f"Reconnect {account_label(account)}: {err}", now)
        self.processor._changed(item.id, attempt_id)
