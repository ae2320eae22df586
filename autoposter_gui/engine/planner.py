"""Planning posts: posting slots and the next free one, drafts turned into posts, recurring series."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from autoposter_gui.domain.errors import AutoposterError, ValidationError, no_such_item, require_draft
from autoposter_gui.domain.models import ItemStatus, media_from_json
from autoposter_gui.domain.post_options import stored_flags
from autoposter_gui.domain.recurrence import Recurrence, occurrences
from autoposter_gui.domain.slots import SEARCH_DAYS, Slot, next_free_slot, parse_slots
from autoposter_gui.domain.times import local_zone
from autoposter_gui.domain.validation import PAST_TOLERANCE
from autoposter_gui.engine.batch import BatchPostService
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.labels import account_label
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.storage.models import Account, QueueItem
from autoposter_gui.storage.planning import PlanningRepo

NEXT_SLOT = "next-slot"  # ``schedule``'s when: the account's next free posting slot


@dataclass(frozen=True)
class AccountSlot:
    account: Account
    slot: Slot


@dataclass(frozen=True)
class SeriesCancel:
    """What ``cancel --series`` did: the items canceled, and a sentence for each one that could not be."""

    canceled: list[QueueItem]
    refused: list[str]


class PlannerService:
    """The planner's operations, shared by the CLI and the app (which calls them off the GUI thread)."""

    def __init__(self, ctx: Context, posts: PostService | None = None) -> None:
        self.ctx = ctx
        self.posts = posts or PostService(ctx)
        self.planning = PlanningRepo(ctx.store)

    @staticmethod
    def zone() -> tuple[tzinfo, str]:
        """The local zone slots and series are planned in (the one every local time of the app uses)."""
        return local_zone()

    # ----- slots ----------------------------------------------------------------------------------
    def slots(self, account_ref: str | int | None = None) -> list[AccountSlot]:
        """Every account's weekly slots (or one account's), by account then time."""
        accounts = {a.id: a for a in self.ctx.repo.accounts()}
        wanted = None if account_ref is None else self.posts.resolve_accounts([account_ref])[0].id
        rows = self.planning.slots(wanted)
        return [AccountSlot(accounts[a], Slot(w, m)) for a, w, m in rows if a in accounts]

    def set_slots(self, account_ref: str | int, slot_args: Sequence[str]) -> list[AccountSlot]:
        """Replace the account's weekly slots with those written in ``slot_args`` ("mon 09:30"); none clears them."""
        [account] = self.posts.resolve_accounts([account_ref])
        slots = parse_slots(slot_args)
        self.planning.set_slots(account.id, [(s.weekday, s.minute) for s in slots])
        return [AccountSlot(account, s) for s in slots]

    def next_slot(self, account: Account) -> datetime:
        """The account's first slot from now whose minute it has no scheduled or posted item in (UTC). Raises
        ValidationError when it has no slots, or none free within a year."""
        slots = [Slot(w, m) for _, w, m in self.planning.slots(account.id)]
        label = account_label(account)
        if not slots:
            raise ValidationError(
                f"{label} has no posting slots; set some with "
                f'`autoposter slots set --account {account.external_id} "mon 09:30"`',
                field="when",
            )
        now = self.ctx.clock.now()
        zone, _ = self.zone()
        taken = self.planning.taken_times(account.id, now - PAST_TOLERANCE, now + timedelta(days=SEARCH_DAYS + 1))
        found = next_free_slot(slots, now, zone, taken, SEARCH_DAYS)
        if found is None:
            raise ValidationError(f"Every posting slot of {label} is taken for the next year", field="when")
        return found

    # ----- posts ----------------------------------------------------------------------------------
    def create_in_next_slots(self, request: PostRequest) -> list[QueueItem]:
        """The post, for each of its accounts at that account's next free slot (all validated first, one
        transaction)."""
        accounts = self.posts.resolve_accounts(request.account_refs)
        _, zone_name = self.zone()
        requests = [
            replace(request, account_refs=[a.id], when=self.next_slot(a), zone=zone_name, draft=False) for a in accounts
        ]
        return self.posts.create_many(requests)

    def create_series(self, request: PostRequest, rule: Recurrence) -> list[QueueItem]:
        """One post per occurrence of ``rule`` from ``request.when`` on, each at the first one's local wall-clock
        time, sharing a new series id (all validated first, one transaction)."""
        if request.when is None:
            raise ValidationError("A repeated post needs the time of its first post (--at)", field="when")
        zone, zone_name = self.zone()
        times = occurrences(request.when, rule, zone)
        requests = [replace(request, when=when, zone=zone_name, draft=False) for when in times]
        # One image checked and stored once for the whole series.
        return BatchPostService(self.ctx).create_many(requests, series_id=uuid.uuid4().hex)

    def schedule(self, item_id: int, when: datetime | str | None) -> QueueItem:
        """A draft becomes a scheduled post: at ``when``, now (None), or its account's next free slot
        (NEXT_SLOT). Anything but a draft is refused. The draft is checked again with the rules of a new post."""
        item = self.ctx.repo.item(item_id)
        if item is None:
            raise no_such_item(item_id)
        require_draft(item_id, item.status)
        [account] = self.posts.resolve_accounts([item.account_id])
        _, zone_name = self.zone()
        moment = self.next_slot(account) if when == NEXT_SLOT else self.ctx.clock.now() if when is None else when
        assert isinstance(moment, datetime)
        request = PostRequest(
            [account.id],
            item.text,
            item.image_path,
            moment,
            zone_name,
            media=media_from_json(item.media),
            first_comment=item.first_comment,
            link=item.link,
            options=stored_flags(item.meta) or None,
        )
        problems = self.posts.problems(request)
        if problems:
            field, message = problems[0]
            raise ValidationError(message, field=field)
        scheduled = self.planning.schedule_draft(item_id, moment, zone_name, self.ctx.clock.now())
        self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
        return scheduled

    def cancel_series(self, item_id: int) -> SeriesCancel:
        """Cancel the item and every later unposted item of its series, each through the one cancel path (which
        asks Meta first about a try that may have gone out)."""
        item = self.ctx.repo.item(item_id)
        if item is None:
            raise no_such_item(item_id)
        if item.series_id is None:
            raise ValidationError(f"Item {item_id} is not part of a series; cancel it without --series")
        start = item.scheduled_at
        targets = [
            i
            for i in self.planning.series_items(item.series_id)
            if i.status not in (ItemStatus.POSTED.value, ItemStatus.CANCELED.value)
            and (i.id == item.id or start is None or (i.scheduled_at is not None and i.scheduled_at >= start))
        ]
        canceled: list[QueueItem] = []
        refused: list[str] = []
        for target in targets:
            try:
                canceled.append(self.posts.cancel(target.id))
            except AutoposterError as exc:
                refused.append(f"item {target.id}: {exc}")
        return SeriesCancel(canceled, refused)
