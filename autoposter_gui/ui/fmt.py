"""Display helpers shared by the tabs: local times, status labels, account names and text previews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, QTimeZone

from autoposter_gui.domain.models import AccountStatus, AttemptOutcome, ItemStatus, Platform
from autoposter_gui.domain.times import ensure_utc, local_zone, localize
from autoposter_gui.engine import networks
from autoposter_gui.engine.views import AccountView

STATUS_LABELS: dict[str, str] = {
    ItemStatus.DRAFT.value: "Draft",
    ItemStatus.SCHEDULED.value: "Scheduled",
    ItemStatus.PROCESSING.value: "Publishing…",
    ItemStatus.POSTED.value: "Posted",
    ItemStatus.FAILED.value: "Failed",
    ItemStatus.CANCELED.value: "Canceled",
    ItemStatus.MISSED.value: "Missed",
}

OUTCOME_LABELS: dict[str, str] = {
    AttemptOutcome.IN_FLIGHT.value: "Publishing…",
    AttemptOutcome.SUCCEEDED.value: "Posted",
    AttemptOutcome.RETRY_SCHEDULED.value: "Retry scheduled",
    AttemptOutcome.FAILED.value: "Failed",
    AttemptOutcome.RECONCILED.value: "Posted (reconciled)",
}

ACCOUNT_STATUS_LABELS: dict[str, str] = {
    AccountStatus.CONNECTED.value: "Connected",
    AccountStatus.NEEDS_ATTENTION.value: "Needs attention",
    AccountStatus.INVALID.value: "Reconnect needed",
    AccountStatus.DISCONNECTED.value: "Disconnected",
    AccountStatus.CANNOT_POST.value: "Can't post",
}


def zone() -> tuple[tzinfo, str]:
    """The local zone used for every time shown or entered."""
    return local_zone()


def to_local(value: datetime) -> datetime:
    return ensure_utc(value).astimezone(zone()[0])


def _locale() -> QLocale:
    return QLocale()


def clock_time(value: datetime) -> str:
    """The local wall-clock time, in the user's locale format (e.g. ``1:05 PM`` or ``13:05``)."""
    local = to_local(value)
    return _locale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)


def when_text(value: datetime | None, now: datetime, *, empty: str = "—") -> str:
    """A compact local time: ``Today 1:05 PM``, ``Tomorrow 9:00 AM``, ``Sat 5 Dec 9:00 AM`` or with the year."""
    if value is None:
        return empty
    local = to_local(value)
    today = to_local(now).date()
    time_part = clock_time(value)
    if local.date() == today:
        return f"Today {time_part}"
    if local.date() == today + timedelta(days=1):
        return f"Tomorrow {time_part}"
    if local.date() == today - timedelta(days=1):
        return f"Yesterday {time_part}"
    qdate = QDate(local.year, local.month, local.day)
    pattern = "ddd d MMM" if local.year == today.year else "d MMM yyyy"
    return f"{_locale().toString(qdate, pattern)} {time_part}"


def full_time(value: datetime | None) -> str:
    """A long, unambiguous local time for tooltips, with the zone name."""
    if value is None:
        return ""
    local = to_local(value)
    qdt = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second))
    return f"{_locale().toString(qdt, QLocale.FormatType.LongFormat)} ({zone()[1]})"


def naive_local(value: datetime) -> datetime:
    """A UTC time as a naive local wall-clock time (what a QDateTimeEdit shows)."""
    return to_local(value).replace(tzinfo=None)


def qdatetime_from_naive(value: datetime) -> QDateTime:
    """A wall-clock time for a picker. It is kept in UTC so Qt never shifts it across a DST gap itself:
    the core's ``localize`` decides what the wall time means (and refuses gaps and overlaps)."""
    return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute), QTimeZone.utc())


def naive_from_qdatetime(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


def wall_time_to_utc(value: QDateTime) -> tuple[datetime, str]:
    """A picked local wall time as (aware UTC, zone name); DST gaps and overlaps raise ValidationError."""
    tz, name = zone()
    return localize(naive_from_qdatetime(value), tz, name).astimezone(UTC), name


def default_post_time(now: datetime) -> datetime:
    """A sensible default for a new post: the next full hour that is at least 15 minutes away (local)."""
    local = to_local(now).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if local - to_local(now) < timedelta(minutes=15):
        local += timedelta(hours=1)
    return local.replace(tzinfo=None)


def platform_label(platform: str) -> str:
    """The kind of account: "Facebook Page", "Instagram", "X", "Google Business Profile"."""
    return "Facebook Page" if platform == Platform.FACEBOOK.value else networks.platform_label(platform)


def account_name(account: AccountView | None) -> str:
    """``@username`` for Instagram and X, the Page's or the location's name otherwise."""
    if account is None:
        return "Unknown account"
    if account.platform in (Platform.INSTAGRAM.value, Platform.X.value):
        return f"@{account.username or account.name}"
    return account.name


def account_problem(account: AccountView) -> str:
    """One line naming the account and what is wrong with it (the attention banner, the status bar's tip)."""
    label = ACCOUNT_STATUS_LABELS.get(account.status, account.status)
    if account.status == AccountStatus.CANNOT_POST.value:  # the stored message does not name the account
        return f"{account_title(account)}: {account.status_message or label}"
    return account.status_message or f"{account_title(account)}: {label}"


def account_title(account: AccountView | None) -> str:
    """``Sandbox Bakery (Facebook Page)``: the name plus the kind of account."""
    if account is None:
        return "Unknown account"
    return f"{account_name(account)} ({platform_label(account.platform)})"


def preview(text: str, limit: int = 90) -> str:
    """The post text on one line, shortened with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def plural(count: int, singular: str, many: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (many or singular + 's')}"
