"""Meta's scheduler: hand Facebook posts off, send the owner's changes after them, verify them after their time.

Runs at the start of each runner tick (under the runner's lock). Every Meta call is exactly-once: the hand-off's
intent ("pending") is committed before its call and reconciled from ``/scheduled_posts`` after a crash; a change
is committed (``handoff_change``) before its call, and changes, deletes and reads are safe to send again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from filelock import Timeout

from autoposter_gui.domain.errors import KeyringUnavailableError, PublishError, ValidationError
from autoposter_gui.domain.handoff import (
    HANDOFF_MAX,
    HANDOFF_MIN,
    PENDING,
    VERIFY_AFTER,
    Check,
    Op,
    Verdict,
    change_for,
    handoff_kind,
    needs_check,
    snapshot,
    verdict,
)
from autoposter_gui.domain.models import AccountStatus, ItemStatus, Platform
from autoposter_gui.engine.alerts import HANDOFF_UNVERIFIED_NOTICE
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.networks import registry
from autoposter_gui.networks.capabilities import Scheduler
from autoposter_gui.networks.protocol import AccountRef, Session
from autoposter_gui.storage.handoffs import HandoffRow

log = logging.getLogger(__name__)
HANDED = "Handed to Meta's scheduler"
LATE_ANSWER = timedelta(minutes=2)  # a hand-off whose answer was lost may still appear at Meta this long after
RECHECK = timedelta(minutes=1)
# Emitted when an owner's change to a handed-off post is recorded for the runner's next tick (the app then wakes
# its scheduler thread, so that the GUI thread never calls Meta).
HANDOFF_CHANGE_NOTICE = "handoff_change"
USABLE = (AccountStatus.CONNECTED.value, AccountStatus.NEEDS_ATTENTION.value, AccountStatus.CANNOT_POST.value)


class HandoffService:
    """The hand-off step of a runner tick, and the owner's changes to handed-off posts (edit, cancel, publish now)."""

    def __init__(self, ctx: Context, *, at_once: bool = True) -> None:
        """``at_once``: an owner's change is sent to Meta right away (the CLI); otherwise by the runner's next tick,
        which a notice asks for (the GUI)."""
        self.ctx = ctx
        self.repo = ctx.repo
        self._session: Session | None = None
        self.at_once = at_once

    @property
    def session(self) -> Session:
        """A session with the network that publishes Facebook (Meta: the only one with a scheduler to hand off to)."""
        if self._session is None:
            network = registry.for_platform(Platform.FACEBOOK.value)
            self._session = network.session(self.ctx.network_env(network.key))
        return self._session

    @property
    def scheduler(self) -> Scheduler:
        session = self.session
        assert isinstance(session, Scheduler)
        return session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _enabled(self) -> bool:
        from autoposter_gui.engine.settings import SettingsService

        return SettingsService(self.ctx).handoff

    def _posted(
        self, item_id: int, post_id: str, permalink: str | None, created: str | None, now: datetime, note: str
    ) -> None:
        """Record that Meta published the handed-off post, and tell the views."""
        self._changed(item_id, self.repo.handoff_posted(item_id, post_id, permalink, created, now, note))

    def _changed(self, item_id: int, event_id: int | None = None) -> None:
        if event_id is not None:
            self.ctx.events.emit(Events.ATTEMPT_RECORDED, event_id)
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)

    def _token(self, row: HandoffRow) -> str | None:
        account = self.repo.account(row.account_id)
        if account is None or account.status not in USABLE:
            return None
        ref = AccountRef(account.id, Platform.FACEBOOK.value, row.external_id, account.name, account.username)
        return self.session.access_token(ref)

    # ----- the runner's step ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Carry on with every handed-off post (reconcile, send changes, verify), then hand off new ones."""
        try:
            for row in self.repo.handed_off():
                self._step(row)
            if self._enabled():
                now = self.ctx.clock.now()
                for row in self.repo.handoff_candidates(now + HANDOFF_MIN, now + HANDOFF_MAX):
                    if handoff_kind(row.platform, row.images):
                        self._hand_off(row)
        except KeyringUnavailableError as exc:
            log.warning("hand-offs wait for the keyring: %s", exc)
        finally:
            self.close()

    def _step(self, row: HandoffRow) -> None:
        token = self._token(row)
        if token is None:
            return
        try:
            if row.handoff == PENDING:
                self._reconcile(row, token)
                return
            drift = None if row.change else self._drift(row)
            if drift is not None:  # an edit not recorded as a change (a crash between the two): recorded now
                merged = self.repo.set_handoff_change(row.id, drift)
                row = row._replace(change=merged)
            if row.change:
                self._send_change(row, token)
            elif row.status == ItemStatus.SCHEDULED.value and needs_check(row.due, self.ctx.clock.now()):
                self._verify(row, token)
        except PublishError as err:  # Meta could not be reached or refused for now: the next tick tries again
            log.info("item %s: Meta's scheduler step failed (%s); trying again next tick", row.id, err.error_code)

    def _hand_off(self, row: HandoffRow) -> None:
        token = self._token(row)
        if token is None or not self.repo.begin_handoff(row.id, self.ctx.clock.now()):
            return
        self._changed(row.id)
        try:
            post_id = self.scheduler.schedule_post(row.external_id, token, row.text, row.link, row.images, row.due)
        except (PublishError, ValidationError) as err:
            ambiguous = isinstance(err, PublishError) and err.ambiguous
            if ambiguous:  # it may be at Meta: reconciled from /scheduled_posts on the next tick
                log.info("item %s: the hand-off's answer was lost; checking on the next tick", row.id)
                return
            refused = not (isinstance(err, PublishError) and err.is_temporary)
            note = f"Meta's scheduler did not take this post ({err}); Autoposter publishes it itself"
            event = self.repo.handoff_dropped(row.id, self.ctx.clock.now(), note if refused else None, refused=refused)
            self._changed(row.id, event)
            return
        now = self.ctx.clock.now()
        sent = snapshot(row.text, row.due, [ref.path for ref in row.images])
        self._changed(row.id, self.repo.handoff_accepted(row.id, post_id, row.due + VERIFY_AFTER, now, HANDED, sent))
        log.info("item %s: handed to Meta's scheduler as %s", row.id, post_id)

    def _reconcile(self, row: HandoffRow, token: str) -> None:
        """A hand-off interrupted after its intent: find it at Meta, or learn it never got there."""
        now = self.ctx.clock.now()
        used = self.repo.used_provider_ids(row.account_id)
        found = self.scheduler.find_scheduled(row.external_id, token, row.text, row.due, used)
        if found is not None:
            note = f"{HANDED} (found at Meta after an interruption)"
            sent = snapshot(row.text, row.due, [ref.path for ref in row.images])
            event = self.repo.handoff_accepted(row.id, found, row.due + VERIFY_AFTER, now, note, sent)
            self._changed(row.id, event)
            return
        started = row.handoff_at or now
        if row.due <= now + HANDOFF_MIN:  # it may have gone out already: look in the Page's feed
            out = self.scheduler.find_published(row.external_id, token, row.text, started - LATE_ANSWER, used)
            if out is not None:
                note = "Published by Meta's scheduler (found after an interruption)"
                created = str(out.extra.get("created_time") or "") or None
                self._posted(row.id, out.provider_post_id, out.permalink, created, now, note)
                return
        if now < started + LATE_ANSWER:
            return  # Meta may still record a late answer: look again next tick
        note = "The hand-off to Meta's scheduler was interrupted and never reached Meta; Autoposter publishes it itself"
        if row.change and row.change.get("op") == Op.CANCEL.value:
            self._changed(row.id, self.repo.handoff_canceled(row.id, now, "Canceled (it never reached Meta)"))
            return
        self._changed(row.id, self.repo.handoff_dropped(row.id, now, note))

    def _send_change(self, row: HandoffRow, token: str) -> None:
        change = dict(row.change or {})
        op, post_id, pub = change.get("op"), row.post_id, self.scheduler
        assert post_id is not None
        now = self.ctx.clock.now()
        if op == Op.UPDATE.value:
            due = datetime.fromisoformat(str(change["due"])) if change.get("due") else None
            message = change.get("message")
            try:
                pub.update_scheduled(post_id, token, message=message if isinstance(message, str) else None, due=due)
            except PublishError as err:
                if not pub.is_gone(err):
                    raise
                self._change_refused(row, token, post_id)
                return
            parts = [p for p, v in (("new text", message), ("new time", due)) if v is not None]
            note = f"Change sent to Meta's scheduler: {' and '.join(parts) or 'nothing'}"
            sent = dict(row.sent or {})
            if isinstance(message, str):
                sent["text"] = message
            if due is not None:
                sent["due"] = due.isoformat()
            self._changed(row.id, self.repo.handoff_change_sent(row.id, change, now, note, sent))
            if due is not None:
                self.repo.handoff_wait(row.id, due + VERIFY_AFTER)
            return
        if op == Op.PUBLISH.value:
            pub.publish_scheduled_now(post_id, token)
            state = pub.read_scheduled(post_id, token)
            if state.published:
                note = "Published now through Meta's scheduler"
                self._posted(row.id, post_id, state.permalink, state.created_time, now, note)
            return
        # WITHDRAW or CANCEL: the post must not go out from Meta. Unless it already did: then it is posted.
        state = pub.read_scheduled(post_id, token)
        if state.published:
            note = "It had already been published by Meta's scheduler, so the change came too late"
            self._posted(row.id, post_id, state.permalink, state.created_time, now, note)
            return
        if not state.gone:
            pub.delete_scheduled(post_id, token)
        if op == Op.CANCEL.value:
            self._changed(row.id, self.repo.handoff_canceled(row.id, now, "Canceled: deleted at Meta's scheduler"))
            return
        why = str(change.get("why") or "the new time is outside Meta's scheduling window")
        note = f"Taken back from Meta's scheduler ({why}); Autoposter publishes it itself"
        self._changed(row.id, self.repo.handoff_dropped(row.id, now, note))

    def _change_refused(self, row: HandoffRow, token: str, post_id: str) -> None:
        """Meta answered a change with error 100: the post is gone, or Meta refused the change itself (a new time
        less than 10 minutes away: a change whose first sending Meta took but whose answer was lost, sent again
        late). Look before falling back: it may have gone out, or still be scheduled; then it is deleted first, so
        that it can't go out from Meta as well as from here."""
        now = self.ctx.clock.now()
        state = self.scheduler.read_scheduled(post_id, token)
        if state.published:
            note = "It had already been published by Meta's scheduler, so the change came too late"
            self._posted(row.id, post_id, state.permalink, state.created_time, now, note)
            return
        if state.gone:
            self._fall_back(row, token, "Meta's scheduler lost the post (gone when a change was sent)")
            return
        self.scheduler.delete_scheduled(post_id, token)
        note = "Meta's scheduler refused the change, so the post was taken back from it; Autoposter publishes it itself"
        log.warning("item %s: %s", row.id, note)
        self._changed(row.id, self.repo.handoff_dropped(row.id, now, note))

    def _verify(self, row: HandoffRow, token: str) -> None:
        assert row.post_id is not None
        now = self.ctx.clock.now()
        state = self.scheduler.read_scheduled(row.post_id, token)
        result, why = verdict(row.due, now, Check(state.gone, state.published))
        if result is Verdict.POSTED:
            note = "Published by Meta's scheduler"
            self._posted(row.id, row.post_id, state.permalink, state.created_time, now, note)
            log.info("item %s: Meta's scheduler published it", row.id)
            return
        if result is Verdict.WAIT:
            self.repo.handoff_wait(row.id, now + RECHECK)
            return
        if not state.gone:
            self.scheduler.delete_scheduled(row.post_id, token)  # so that it can't go out late
        self._fall_back(row, token, why)

    def _fall_back(self, row: HandoffRow, token: str, why: str) -> None:
        """Meta does not hold the post (any more): reconcile with the Page's feed, else publish it locally once."""
        now = self.ctx.clock.now()
        used = self.repo.used_provider_ids(row.account_id) - {row.post_id or ""}
        since = (row.handoff_at or row.due) - LATE_ANSWER
        out = self.scheduler.find_published(row.external_id, token, row.text, since, used)
        if out is not None:
            note = f"{why}, but the post is on the Page (found in its feed)"
            created = str(out.extra.get("created_time") or "") or None
            self._posted(row.id, out.provider_post_id, out.permalink, created, now, note)
            return
        note = f"{why}; it was deleted at Meta so it can't go out late, and Autoposter publishes it itself"
        self._changed(row.id, self.repo.handoff_dropped(row.id, now, note))
        log.warning("item %s: %s; publishing it locally", row.id, why)
        self.ctx.events.emit(Events.NOTICE, HANDOFF_UNVERIFIED_NOTICE, {"item_id": row.id, "reason": why})

    # ----- the owner's changes (PostService) --------------------------------------------------------------
    def changed(self, item_id: int) -> None:
        """An edit or a new time of a post that may be handed off: the change follows it to Meta (each tick also
        compares what Meta was sent with the item, so an edit whose change was never recorded still follows)."""
        row = self.repo.handoff_row(item_id)
        change = self._drift(row) if row is not None and row.handoff is not None else None
        if change is not None:
            self._record(item_id, change)

    def _drift(self, row: HandoffRow) -> dict[str, Any] | None:
        pictures = [ref.path for ref in row.images]
        return change_for(row.sent, row.text, row.due, pictures, row.status, self.ctx.clock.now())

    def cancel(self, item_id: int) -> bool:
        """Cancel a handed-off post (a delete at Meta, now or on the next tick); False when it is not handed off."""
        return self._record(item_id, {"op": Op.CANCEL.value})

    def publish_now(self, item_id: int) -> bool:
        return self._record(item_id, {"op": Op.PUBLISH.value})

    def _record(self, item_id: int, change: dict[str, Any]) -> bool:
        if self.repo.set_handoff_change(item_id, change) is None:
            return False
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
        if self.at_once:
            self.apply_now(item_id)
        else:
            self.ctx.events.emit(Events.NOTICE, HANDOFF_CHANGE_NOTICE, {"item_id": item_id})
        return True

    def apply_now(self, item_id: int) -> None:
        """Send a recorded change to Meta at once, unless a runner is busy: then its next tick does."""
        from autoposter_gui.engine.runner import runner_lock

        lock = runner_lock(self.ctx.config)
        try:
            lock.acquire(timeout=2)
        except Timeout:
            return
        try:
            row = self.repo.handoff_row(item_id)
            if row is not None and row.handoff is not None:
                with self.ctx.tokens.cached():
                    self._step(row)
        except KeyringUnavailableError as exc:
            log.warning("item %s: the change waits for the keyring: %s", item_id, exc)
        finally:
            self.close()
            lock.release()
