"""Email alerts: what needs the owner (a failed post, an account to reconnect, missed posts), batched by tick."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.known_secrets import mask
from autoposter_gui.domain.models import AccountStatus, AttemptOutcome, ItemStatus
from autoposter_gui.domain.times import ensure_utc, local_zone
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.labels import account_label
from autoposter_gui.engine.networks import provider_name
from autoposter_gui.engine.settings import SettingsService, SmtpSettings
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.settings import SettingsTable

log = logging.getLogger(__name__)
BATCH_WINDOW = timedelta(minutes=15)  # after an email, later alerts wait this long and go out together
STATE_KEY = "alerts.state"  # {"pending": [alert, ...], "last_sent_at": ISO, "accounts": {id: status}}
MAX_PENDING = 200
# The hand-off to Meta's scheduler raises Events.NOTICE with this kind and {"item_id": int, "reason": str} when it
# could not verify a handed-off post and published it locally: it becomes a HANDOFF_UNVERIFIED alert.
HANDOFF_UNVERIFIED_NOTICE = "handoff_unverified"
ATTENTION = {s.value for s in (AccountStatus.INVALID, AccountStatus.NEEDS_ATTENTION, AccountStatus.CANNOT_POST)}


class AlertKind(StrEnum):
    FAILED = "failed"  # a post failed for good
    RECONNECT = "reconnect"  # an account needs reconnecting (or a Page admin)
    MISSED = "missed"  # posts came due while the computer was off or asleep
    HANDOFF_UNVERIFIED = "handoff_unverified"  # Meta's scheduler did not publish a handed-off post: published locally


HEADINGS = {
    AlertKind.FAILED: "A post failed and will not be tried again",
    AlertKind.RECONNECT: "An account needs you",
    AlertKind.MISSED: "A post was missed",
    AlertKind.HANDOFF_UNVERIFIED: "Meta's scheduler did not publish a post, so Autoposter published it itself",
}


@dataclass(frozen=True)
class Alert:
    """One thing to tell the owner: plain values only (kept in the database until it is emailed)."""

    kind: str
    account: str
    reason: str
    todo: str
    when: str | None = None  # ISO 8601 (UTC) of the post's time
    text: str | None = None  # the first line of the post's text
    permalink: str | None = None
    item_id: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        fields = {"kind", "account", "reason", "todo", "when", "text", "permalink", "item_id"}
        return cls(**{k: v for k, v in data.items() if k in fields})


def first_line(text: str | None, width: int = 80) -> str | None:
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    if not line:
        return None
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else ensure_utc(value).isoformat(timespec="seconds")


def shown_time(value: str) -> str:
    zone, name = local_zone()
    return datetime.fromisoformat(value).astimezone(zone).strftime(f"%a %d %b %Y %H:%M ({name})")


def compose(alerts: list[Alert]) -> tuple[str, str]:
    """The subject and plain-text body of one email about ``alerts``."""
    failed = sum(a.kind == AlertKind.FAILED for a in alerts)
    if len(alerts) == 1:
        subject = f"Autoposter: {HEADINGS[AlertKind(alerts[0].kind)].lower()}"
    elif failed == len(alerts):
        subject = f"Autoposter: {failed} posts failed"
    else:
        subject = f"Autoposter: {len(alerts)} things need you"
    lines = ["Autoposter needs you." if len(alerts) == 1 else f"Autoposter needs you ({len(alerts)} things).", ""]
    for number, alert in enumerate(alerts, 1):
        lines.append(f"{number}. {HEADINGS.get(AlertKind(alert.kind), alert.kind)}")
        lines.append(f"   Account: {alert.account}")
        if alert.when:
            lines.append(f"   Time: {shown_time(alert.when)}")
        if alert.text:
            lines.append(f"   Post: {alert.text}")
        lines.append(f"   Why: {alert.reason}")
        lines.append(f"   What to do: {alert.todo}")
        if alert.permalink:
            lines.append(f"   Link: {alert.permalink}")
        lines.append("")
    lines.append("You get this email because email alerts are set up in Autoposter's settings.")
    return mask(subject), mask("\n".join(lines) + "\n")


class AlertService:
    """Gathers alerts from engine events and emails them at the end of a tick (see :meth:`flush`).

    Listeners only note ids (they run on publishing threads); what they mean is read at the flush. Alerts not yet
    emailed are kept in the ``settings`` table, so the 15-minute batching holds across processes (`run-due` from
    cron) and restarts.
    """

    def __init__(
        self,
        ctx: Context,
        *,
        settings: SettingsService | None = None,
        send: Callable[[SmtpSettings, str, str], None] | None = None,
        background: bool = False,
    ) -> None:
        """``background``: flush at a tick's end on a thread of its own, so a slow mail server never holds up the
        next tick (the app); otherwise the caller flushes and waits (`run-due`)."""
        self.ctx = ctx
        self.settings = settings or SettingsService(ctx)
        self.table = SettingsTable(ctx.store)
        self._send = send
        self.background = background
        self._flushing: threading.Thread | None = None
        self._lock = threading.Lock()
        self._attempts: list[int] = []
        self._accounts: list[int] = []
        self._missed: list[int] = []
        self._extra: list[Alert] = []
        self._handoffs: list[tuple[int, str]] = []
        self._seen_attempts: set[int] = set()
        self._subscriptions: list[tuple[str, Callable[..., None]]] = [
            (Events.ATTEMPT_RECORDED, self._on_attempt),
            (Events.ACCOUNT_CHANGED, self._on_account),
            (Events.NOTICE, self._on_notice),
            (Events.TICK_FINISHED, self._on_tick_finished),
        ]

    # ----- wiring --------------------------------------------------------------------------------------
    def attach(self) -> AlertService:
        for name, callback in self._subscriptions:
            self.ctx.events.subscribe(name, callback)
        return self

    def detach(self, wait: float = 5.0) -> None:
        for name, callback in self._subscriptions:
            self.ctx.events.unsubscribe(name, callback)
        flushing = self._flushing
        if flushing is not None:
            flushing.join(wait)

    def _on_attempt(self, attempt_id: int) -> None:
        with self._lock:
            self._attempts.append(int(attempt_id))

    def _on_account(self, account_id: int) -> None:
        with self._lock:
            self._accounts.append(int(account_id))

    def _on_notice(self, kind: str, payload: dict[str, Any]) -> None:
        if kind == "missed":
            with self._lock:
                self._missed.extend(int(i) for i in payload.get("ids", ()))
        elif kind == HANDOFF_UNVERIFIED_NOTICE:
            with self._lock:
                self._handoffs.append((int(payload["item_id"]), str(payload.get("reason") or "")))

    def _on_tick_finished(self, _summary: object = None) -> None:
        if not self.background:
            self.flush()
            return
        with self._lock:
            if self._flushing is not None and self._flushing.is_alive():
                return  # still sending the last batch: what was gathered since waits for the next tick's end
            self._flushing = threading.Thread(target=self.flush, name="email-alerts", daemon=True)
            self._flushing.start()

    def add(self, alert: Alert) -> None:
        """An alert raised directly (the hand-off check, later): sent with the next flush."""
        with self._lock:
            self._extra.append(alert)

    # ----- turning ids into alerts ----------------------------------------------------------------------
    def _take(self) -> tuple[list[int], list[int], list[int], list[Alert]]:
        with self._lock:
            taken = (self._attempts, self._accounts, self._missed, self._extra)
            self._attempts, self._accounts, self._missed, self._extra = [], [], [], []
            handoffs, self._handoffs = self._handoffs, []
        return (*taken[:3], taken[3] + self._handoff_alerts(handoffs))

    def _item_alert(self, kind: str, item: QueueItem, *, reason: str, todo: str, permalink: str | None = None) -> Alert:
        """An alert about one queued post: its account (or that it was removed), time, first line and id."""
        account = self.ctx.repo.account(item.account_id)
        return Alert(
            kind,
            account_label(account) if account is not None else "An account that was removed",
            reason=reason,
            todo=todo,
            when=_iso(item.scheduled_at),
            text=first_line(item.text),
            permalink=permalink,
            item_id=item.id,
        )

    def _handoff_alerts(self, handoffs: list[tuple[int, str]]) -> list[Alert]:
        repo, alerts = self.ctx.repo, []
        for item_id, why in handoffs:
            item = repo.item(item_id)
            if item is None:
                continue
            alerts.append(
                self._item_alert(
                    AlertKind.HANDOFF_UNVERIFIED.value,
                    item,
                    reason=why or "Meta's scheduler did not publish it on time",
                    todo="Nothing, if the link below works; otherwise check the post in Autoposter's Queue",
                    permalink=item.permalink,
                )
            )
        return alerts

    def _failed(self, attempt_ids: list[int]) -> list[Alert]:
        repo, alerts = self.ctx.repo, []
        for attempt_id in dict.fromkeys(attempt_ids):
            if attempt_id in self._seen_attempts:
                continue
            attempt = repo.attempt(attempt_id)
            if attempt is None or attempt.outcome != AttemptOutcome.FAILED.value:
                continue
            item = repo.item(attempt.queue_item_id)
            if item is None or item.status != ItemStatus.FAILED.value:
                continue
            self._seen_attempts.add(attempt_id)
            alerts.append(
                self._item_alert(
                    AlertKind.FAILED.value,
                    item,
                    reason=item.error_message
                    or attempt.error_message
                    or f"{provider_name(item.platform)} refused the post",
                    todo=(
                        "Open Autoposter's Queue, fix what the reason says, then Retry it "
                        f"(`autoposter retry {item.id}`)"
                    ),
                )
            )
        return alerts

    def _account_alerts(self, account_ids: list[int], known: dict[str, str]) -> list[Alert]:
        """Accounts that newly need the owner (each once until it is fine again); ``known`` is updated."""
        alerts = []
        for account_id in dict.fromkeys(account_ids):
            account = self.ctx.repo.account(account_id)
            key = str(account_id)
            if account is None or account.status not in ATTENTION:
                known.pop(key, None)
                continue
            if known.get(key) == account.status:
                continue
            known[key] = account.status
            label = account_label(account)
            todo = (
                "Ask a Page admin to give you the Create content permission on the Page"
                if account.status == AccountStatus.CANNOT_POST.value
                else f"Open Autoposter → Accounts and reconnect {label}; its posts wait until then"
            )
            alerts.append(Alert(AlertKind.RECONNECT.value, label, account.status_message or "", todo))
        return alerts

    def _missed_alerts(self, item_ids: list[int]) -> list[Alert]:
        repo, alerts = self.ctx.repo, []
        for item_id in dict.fromkeys(item_ids):
            item = repo.item(item_id)
            if item is None or item.status != ItemStatus.MISSED.value:
                continue
            alerts.append(
                self._item_alert(
                    AlertKind.MISSED.value,
                    item,
                    reason=(item.error_message or "Missed while the computer was off").split(":")[0],
                    todo="Open Autoposter and publish it now, reschedule it or skip it",
                )
            )
        return alerts

    # ----- the flush ------------------------------------------------------------------------------------
    def flush(self, now: datetime | None = None) -> int:
        """At the end of a tick: email what was gathered if no email went out in the last 15 minutes, else keep
        it for the email after that. Returns how many alerts were emailed. Never raises (a failure is logged)."""
        try:
            return self._flush(now or self.ctx.clock.now())
        except Exception as exc:  # alerts must never break a tick
            log.warning("email alerts: %s", mask(str(exc)) if isinstance(exc, AutoposterError) else type(exc).__name__)
            return 0

    def _flush(self, now: datetime) -> int:
        attempts, accounts, missed, extra = self._take()
        if not self._enabled():
            return 0  # no email set up: nothing is kept (a later set-up does not get a flood of old alerts)
        fresh = self._failed(attempts) + self._missed_alerts(missed) + extra
        to_send: list[Alert] = []

        def change(raw: str | None) -> str | None:
            state = _load(raw)
            known = state.setdefault("accounts", {})
            pending = [Alert.from_dict(a) for a in state.get("pending", [])]
            pending += fresh + self._account_alerts(accounts, known)
            last = datetime.fromisoformat(state["last_sent_at"]) if state.get("last_sent_at") else None
            due = last is None or not last <= now < last + BATCH_WINDOW  # (a clock set back counts as due)
            to_send.clear()
            if pending and due:
                to_send.extend(pending)
                pending = []
                state["last_sent_at"] = now.isoformat()
            state["pending"] = [asdict(a) for a in pending[-MAX_PENDING:]]
            return json.dumps(state, sort_keys=True)

        self.table.update(STATE_KEY, change)
        if not to_send:
            return 0
        subject, body = compose(to_send)
        try:
            smtp = self.settings.smtp()
            (self._send or _default_send)(smtp, subject, body)
        except AutoposterError as exc:
            log.warning("email alerts could not be sent (tried again in 15 minutes): %s", mask(str(exc)))
            self._put_back(to_send)
            return 0
        return len(to_send)

    def _put_back(self, alerts: list[Alert]) -> None:
        def change(raw: str | None) -> str | None:
            state = _load(raw)
            pending = [asdict(a) for a in alerts] + list(state.get("pending", []))
            state["pending"] = pending[-MAX_PENDING:]
            return json.dumps(state, sort_keys=True)

        self.table.update(STATE_KEY, change)

    def _enabled(self) -> bool:
        values = self.settings.all_plain()
        return bool(values.get("smtp.host") and values.get("smtp.to"))


def _load(raw: str | None) -> dict[str, Any]:
    try:
        state = json.loads(raw) if raw else {}
    except ValueError:
        state = {}
    return state if isinstance(state, dict) else {}


def _default_send(smtp: SmtpSettings, subject: str, body: str) -> None:
    from autoposter_gui.engine.mailer import send

    send(smtp, subject, body)
