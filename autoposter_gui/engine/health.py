"""Token health: check every account's token (Meta's with debug_token, X's and Google's by renewing), and flag
trouble before posts fail."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from autoposter_gui.domain.decide import cannot_post_hold
from autoposter_gui.domain.errors import ErrorCategory, PublishError
from autoposter_gui.domain.models import (
    CANNOT_POST_MESSAGE,
    AccountStatus,
    ItemStatus,
    Platform,
    TokenInfo,
    can_post,
)
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import TOKEN_CHECK, Events
from autoposter_gui.engine.labels import account_label, account_ref
from autoposter_gui.networks import registry
from autoposter_gui.networks.capabilities import TokenCheck
from autoposter_gui.networks.protocol import Session
from autoposter_gui.storage.models import Account
from autoposter_gui.tokens import APP_ID, APP_SECRET, USER_TOKEN

log = logging.getLogger(__name__)
EXPIRY_WARNING = timedelta(days=7)
REQUIRED_SCOPES: dict[str, tuple[str, ...]] = {
    Platform.FACEBOOK.value: ("pages_show_list", "pages_read_engagement", "pages_manage_posts"),
    Platform.INSTAGRAM.value: ("instagram_basic", "instagram_content_publish"),
}
# Not needed to post: a token without them still publishes, and the Accounts tab says what the insights lack.
INSIGHTS_SCOPES: dict[str, tuple[str, ...]] = {
    Platform.FACEBOOK.value: ("read_insights",),
    Platform.INSTAGRAM.value: ("instagram_manage_insights",),
}
SCOPE_WORDS = {
    "pages_show_list": "see your Pages",
    "pages_read_engagement": "read your Page's posts",
    "pages_manage_posts": "publish to your Page",
    "instagram_basic": "see your Instagram account",
    "instagram_content_publish": "publish to Instagram",
    "read_insights": "read your Page's insights",
    "instagram_manage_insights": "read your Instagram insights",
}


@dataclass(frozen=True)
class Health:
    """One account's verdict: status, a sentence for the owner, the expiry, and its pending posts."""

    account_id: int
    label: str
    status: AccountStatus
    message: str | None
    expires_at: datetime | None
    scheduled_posts: int = 0


def missing_scopes(platform: str, granted: tuple[str, ...]) -> list[str]:
    return [s for s in REQUIRED_SCOPES.get(platform, ()) if s not in granted]


def judge(account: Account, info: TokenInfo, now: datetime) -> tuple[AccountStatus, str | None]:
    """The status and message for one token, from what debug_token said."""
    label = account_label(account)
    if not info.is_valid:
        return AccountStatus.INVALID, f"Reconnect {label}: its access token is no longer valid"
    missing = missing_scopes(account.platform, info.scopes) if info.scopes else []
    if missing:
        words = ", ".join(SCOPE_WORDS.get(s, s) for s in missing)
        return AccountStatus.NEEDS_ATTENTION, f"Reconnect {label} and allow Autoposter to {words}"
    if info.expires_at is not None and info.expires_at - now <= EXPIRY_WARNING:
        when = info.expires_at.strftime("%Y-%m-%d")
        return AccountStatus.NEEDS_ATTENTION, f"The access token for {label} expires on {when}; reconnect it soon"
    lacking = [s for s in INSIGHTS_SCOPES.get(account.platform, ()) if info.scopes and s not in info.scopes]
    if lacking:
        words = ", ".join(SCOPE_WORDS.get(s, s) for s in lacking)
        return AccountStatus.CONNECTED, f"Posts go out; for insights, reconnect {label} and allow Autoposter to {words}"
    return AccountStatus.CONNECTED, None


def judge_tasks(
    status: AccountStatus, message: str | None, tasks: Sequence[str] | None
) -> tuple[AccountStatus, str | None]:
    """A working token whose Page role can't create posts: the account can't post (a dead token says reconnect
    first)."""
    if status in (AccountStatus.CONNECTED, AccountStatus.NEEDS_ATTENTION) and not can_post(tasks):
        return AccountStatus.CANNOT_POST, CANNOT_POST_MESSAGE
    return status, message


class TokenHealthService:
    """Checks tokens at start and once a day; invalid accounts hold their posts instead of failing them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def check_all(self) -> list[Health]:
        """Check every connected account's token; a "token_check" notice says when the check starts and ends (the
        Accounts tab shows "Checking…" meanwhile, and the expiry dates as soon as it ends)."""
        self.ctx.events.emit(Events.NOTICE, TOKEN_CHECK, {"running": True})
        try:
            return self._check_all()
        finally:
            self.ctx.events.emit(Events.NOTICE, TOKEN_CHECK, {"running": False})

    def _check_all(self) -> list[Health]:
        meta = registry.for_platform(Platform.FACEBOOK.value).platforms
        live = [a for a in self.ctx.repo.accounts() if a.status != AccountStatus.DISCONNECTED.value]
        results = self._check_meta([a for a in live if a.platform in meta])
        return results + self._check_renewing([a for a in live if a.platform not in meta])

    def _check_renewing(self, accounts: list[Account]) -> list[Health]:
        """X's and Google's accounts: their access tokens last an hour or two and renew themselves with the
        refresh token, so asking the network for a usable token is the check (no call while the stored one is
        still fresh). A refused renewal means reconnect; a network that can't be reached leaves what we knew."""
        now = self.ctx.clock.now()
        pending = self._scheduled_counts()
        results: list[Health] = []
        sessions: dict[str, Session] = {}
        try:
            for account in accounts:
                network = registry.for_platform(account.platform)
                session = sessions.get(network.key)
                if session is None:
                    session = sessions[network.key] = network.session(self.ctx.network_env(network.key))
                status, message = AccountStatus.CONNECTED, None
                try:
                    token = session.access_token(account_ref(account))
                except PublishError as exc:
                    if exc.category is not ErrorCategory.TOKEN:
                        log.info("token check for account %s skipped: %s", account.id, exc.error_code)
                        continue
                    status, message = AccountStatus.INVALID, str(exc)
                else:
                    if token is None:
                        status = AccountStatus.INVALID
                        message = f"Reconnect {account_label(account)}: its sign-in is missing from the keyring"
                self._record(account, status, message, None, now)
                results.append(
                    Health(account.id, account_label(account), status, message, None, pending.get(account.id, 0))
                )
        finally:
            for session in sessions.values():
                session.close()
        return results

    def _check_meta(self, accounts: list[Account]) -> list[Health]:
        """Meta's accounts: debug_token says whether each token works, its expiry and scopes (it knows nothing of
        an X or Google token)."""
        ctx = self.ctx
        app_id, app_secret = ctx.tokens.get(APP_ID), ctx.tokens.get(APP_SECRET)
        if not accounts or not app_id or not app_secret:
            return []
        now = ctx.clock.now()
        pending = self._scheduled_counts()
        results: list[Health] = []
        session = self._session()
        try:
            if not isinstance(session, TokenCheck):
                return []
            page_tasks = self._page_tasks(session)
            for account in accounts:
                token = session.access_token(account_ref(account))
                status: AccountStatus
                message: str | None
                expires: datetime | None = None
                if token is None:
                    status = AccountStatus.INVALID
                    message = f"Reconnect {account_label(account)}: its token is missing from the keyring"
                else:
                    try:
                        info = session.debug_token(app_id, app_secret, token)
                    except PublishError as exc:
                        if exc.category is not ErrorCategory.TOKEN:
                            log.info("token check for account %s skipped: %s", account.id, exc.error_code)
                            continue  # Meta unreachable: keep what we knew
                        info = TokenInfo(is_valid=False, expires_at=None)
                    status, message = judge(account, info, now)
                    expires = info.expires_at
                    tasks = self._tasks(account, page_tasks)
                    status, message = judge_tasks(status, message, tasks)
                self._record(account, status, message, expires, now)
                results.append(
                    Health(account.id, account_label(account), status, message, expires, pending.get(account.id, 0))
                )
        finally:
            session.close()
        return results

    def recheck_tasks(self, account_id: int) -> bool:
        """Meta refused a post for a permission: read the owner's Page tasks again now (one call). True when they
        show the role can't create posts (or the owner no longer has a role on the Page); the account is then
        marked "can't post", and its posts wait for a Page admin instead of failing."""
        ctx = self.ctx
        account = ctx.repo.account(account_id)
        if account is None:
            return False
        session = self._session()
        try:
            page_tasks = self._page_tasks(session) if isinstance(session, TokenCheck) else None
        finally:
            session.close()
        if page_tasks is None:  # Meta can't say now: the refusal stays a failure with Meta's reason
            return False
        page_tasks.setdefault(account.page_id or account.external_id, ())  # no role left on the Page at all
        if can_post(self._tasks(account, page_tasks)):
            return False
        ctx.repo.set_account_status(account_id, AccountStatus.CANNOT_POST, CANNOT_POST_MESSAGE, ctx.clock.now())
        ctx.events.emit(Events.ACCOUNT_CHANGED, account_id)
        log.info("account %s: Page role can no longer create posts", account_id)
        return True

    def _session(self) -> Session:
        """A session with Meta, the network whose tokens and Page roles this checks (the app's credentials are
        Meta's)."""
        network = registry.for_platform(Platform.FACEBOOK.value)
        return network.session(self.ctx.network_env(network.key))

    def _page_tasks(self, auth: TokenCheck) -> dict[str, tuple[str, ...]] | None:
        """The owner's tasks on each Page, read again with the user token (None when Meta can't say now: the
        stored tasks are kept)."""
        user_token = self.ctx.tokens.get(USER_TOKEN)
        if not user_token:
            return None
        try:
            return auth.page_tasks(user_token)
        except PublishError as exc:
            log.info("Page tasks not checked: %s", exc.error_code)
            return None

    def _tasks(self, account: Account, page_tasks: dict[str, tuple[str, ...]] | None) -> Sequence[str] | None:
        """The account's tasks (an Instagram account's are its Page's): as read now, stored when they changed;
        else as stored."""
        page_id = account.page_id or account.external_id
        fresh = page_tasks.get(page_id) if page_tasks is not None else None
        if fresh is None:
            return account.tasks
        if list(fresh) != (account.tasks or []):
            self.ctx.repo.set_account_tasks(account.id, fresh)
            log.info("account %s: Page tasks changed", account.id)
        return fresh

    def _scheduled_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for item in self.ctx.repo.items([ItemStatus.SCHEDULED]):
            counts[item.account_id] = counts.get(item.account_id, 0) + 1
        return counts

    def _record(
        self, account: Account, status: AccountStatus, message: str | None, expires: datetime | None, now: datetime
    ) -> None:
        repo = self.ctx.repo
        repo.set_account_status(account.id, status, message, now)
        repo.set_account_expiry(account.id, expires)
        if status is AccountStatus.INVALID and message:
            for item in repo.items([ItemStatus.SCHEDULED]):
                if item.account_id == account.id:
                    repo.flag(item.id, message, "token")
                    self.ctx.events.emit(Events.ITEM_CHANGED, item.id)
        elif status is AccountStatus.CANNOT_POST:
            hold = cannot_post_hold(account_label(account))
            for item in repo.items([ItemStatus.SCHEDULED]):
                # A post whose last try may have gone out is left to the runner: it asks Meta first, then holds it.
                mine = item.account_id == account.id and item.unconfirmed_attempt_id is None
                if mine and item.last_error_code != hold.code:
                    repo.flag(item.id, hold.message, hold.code)
                    self.ctx.events.emit(Events.ITEM_CHANGED, item.id)
        elif account.status in (AccountStatus.INVALID.value, AccountStatus.CANNOT_POST.value):
            # It works again (the permission was granted, the token is valid): release its held posts, as a
            # reconnect does.
            for item_id in repo.clear_account_notes(account.id):
                self.ctx.events.emit(Events.ITEM_CHANGED, item_id)
        if status.value != account.status or message != account.status_message:
            log.info("account %s token health: %s", account.id, status.value)
            self.ctx.events.emit(Events.ACCOUNT_CHANGED, account.id)

    def attention_with_posts(self, results: list[Health]) -> list[Health]:
        """Accounts that need the owner and have posts waiting: worth a tray warning."""
        return [h for h in results if h.status is not AccountStatus.CONNECTED and h.scheduled_posts]

    def check_and_notify(self) -> list[Health]:
        """Run the check and raise a notice for accounts that need the owner while posts are waiting."""
        results = self.check_all()
        for health in self.attention_with_posts(results):
            self.ctx.events.emit(
                Events.NOTICE,
                "token_attention",
                {
                    "account_id": health.account_id,
                    "message": health.message,
                    "scheduled_posts": health.scheduled_posts,
                },
            )
        return results


def daily_jobs(ctx: Context) -> list[tuple[str, Callable[[], object]]]:
    """The maintenance the scheduler runs at start and once a day: token health, a database backup, then the
    removal of stored images no post has used for a while."""
    from autoposter_gui.engine.backups import take_daily_backup
    from autoposter_gui.engine.posts import PostService

    return [
        ("token-health", TokenHealthService(ctx).check_and_notify),
        ("backup", lambda: take_daily_backup(ctx.store, ctx.clock.now())),
        ("media-cleanup", lambda: PostService(ctx).clean_media()),
    ]
